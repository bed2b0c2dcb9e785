"""Code that runs in separate OS processes for the payments race tests (``spawn``).

Each process configures Django itself and opens its own connection to the test database.
"""

from __future__ import annotations

import os
from typing import Any


def setup_django(database_url: str) -> None:
    """Configure Django in a fresh process against ``database_url``."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "mekong.settings_test"
    import django

    django.setup()


def pay_worker(
    database_url: str, jobs: list[tuple[str, str]], barrier: Any
) -> list[tuple[str, str, str]]:
    """Pay each (quote id, idempotency key) after all workers meet at ``barrier``.

    Returns (key, outcome, payment id) per job: the status, or the refusal code.
    """
    setup_django(database_url)
    import uuid

    from django.db import connections

    from mekong.core.errors import DomainError
    from mekong.payments import facade

    barrier.wait()
    out = []
    for quote_id, key in jobs:
        try:
            info = facade.pay(quote_id=uuid.UUID(quote_id), idempotency_key=key)
            out.append((key, info.status, str(info.id)))
        except DomainError as error:
            out.append((key, error.code, str(error.extra.get("payment_id", ""))))
    connections.close_all()
    return out
