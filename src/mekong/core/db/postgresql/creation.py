"""Test database creation with an explicit UTF-8 locale."""

from __future__ import annotations

import os

from django.db.backends.postgresql import creation


class DatabaseCreation(creation.DatabaseCreation):
    """Adds ``LC_COLLATE``/``LC_CTYPE`` (``$PG_LOCALE``, default C.UTF-8) to CREATE DATABASE."""

    def _get_database_create_suffix(
        self, encoding: str | None = None, template: str | None = None
    ) -> str:
        locale = os.environ.get("PG_LOCALE", "C.UTF-8").replace("'", "")
        suffix = super()._get_database_create_suffix(  # type: ignore[misc]
            encoding=encoding or "UTF8", template=template or "template0"
        )
        return f"{suffix} LC_COLLATE '{locale}' LC_CTYPE '{locale}'"
