"""For tests that run code in other OS processes against the test database."""

from __future__ import annotations

from urllib.parse import quote

from django.db import connection


def postgres_url() -> str:
    """The URL of the PostgreSQL test database this process uses, for a spawned process to
    open its own connection to (the test must commit what it shares: ``transaction=True``)."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "postgres", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
