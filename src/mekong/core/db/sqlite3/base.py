"""Django's SQLite backend with an append-only-aware flush, cached placeholder conversion and
WAL checkpoints in the background (`checkpoint`)."""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django.db.backends.sqlite3 import base, operations
from django.utils.dateparse import parse_datetime

from mekong.core.db import append_only
from mekong.core.db.sqlite3 import checkpoint


class DatabaseOperations(operations.DatabaseOperations):
    """Drop the append-only triggers before a flush's DELETEs and re-create them after; read
    datetimes without a settings look-up per value."""

    def convert_datetimefield_value(self, value: Any, expression: Any, connection: Any) -> Any:
        """Django's conversion, minus its ``settings.USE_TZ`` read for every datetime of every
        row (through the lazy settings object: ~2 % of a payment's CPU went to it). The
        connection's ``timezone`` is None exactly when USE_TZ is off, and Django clears it
        when either setting changes."""
        if value is None:
            return None
        if not isinstance(value, datetime.datetime):
            value = parse_datetime(value)
        tz = self.connection.timezone
        if tz is not None and value.tzinfo is None:
            value = value.replace(tzinfo=tz)
        return value

    def sql_flush(self, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        statements: list[str] = super().sql_flush(style, tables, **kwargs)
        guarded = sorted(t for t in tables if t in append_only.TABLES)
        if not guarded or not statements:
            return statements
        before = [sql for t in guarded for sql in append_only.drop_sql("sqlite", t)]
        after = [sql for t in guarded for sql in append_only.create_sql("sqlite", t)]
        return before + statements + after


@functools.lru_cache(maxsize=4096)
def _qmark(query: str) -> str:
    converted: str = base.FORMAT_QMARK_REGEX.sub("?", query)
    return converted.replace("%%", "%")


class CursorWrapper(base.SQLiteCursorWrapper):
    """Django's cursor, remembering each statement's placeholder conversion (``%s`` to
    ``?``): the hot paths send the same statements again and again, and the regular
    expression over their long column lists was ~4 % of a payment worker's CPU."""

    def convert_query(self, query: str, *, param_names: list[str] | None = None) -> str:
        if param_names is None:
            return _qmark(query)
        converted: str = super().convert_query(query, param_names=param_names)  # type: ignore[misc]
        return converted


class DatabaseWrapper(base.DatabaseWrapper):
    """SQLite with `DatabaseOperations` and `CursorWrapper` above; a file database's log is
    checkpointed by a background thread, not by the writers (`checkpoint`)."""

    ops_class = DatabaseOperations

    def get_new_connection(self, conn_params: Any) -> Any:
        conn = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            checkpoint.ensure(conn, str(self.settings_dict["NAME"]))
        return conn

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=CursorWrapper)
