"""Django's PostgreSQL backend with the UTF-8-locale database creation below."""

from __future__ import annotations

from django.db.backends.postgresql import base

from mekong.core.db.postgresql.creation import DatabaseCreation


class DatabaseWrapper(base.DatabaseWrapper):
    """PostgreSQL, creating test databases with ENCODING UTF8 and a UTF-8 LC_CTYPE."""

    creation_class = DatabaseCreation
