"""Django's SQLite backend with an append-only-aware flush."""

from __future__ import annotations

from typing import Any

from django.db.backends.sqlite3 import base, operations

from mekong.core.db import append_only


class DatabaseOperations(operations.DatabaseOperations):
    """Drop the append-only triggers before a flush's DELETEs and re-create them after."""

    def sql_flush(self, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        statements: list[str] = super().sql_flush(style, tables, **kwargs)
        guarded = sorted(t for t in tables if t in append_only.TABLES)
        if not guarded or not statements:
            return statements
        before = [sql for t in guarded for sql in append_only.drop_sql("sqlite", t)]
        after = [sql for t in guarded for sql in append_only.create_sql("sqlite", t)]
        return before + statements + after


class DatabaseWrapper(base.DatabaseWrapper):
    """SQLite with `DatabaseOperations` above."""

    ops_class = DatabaseOperations
