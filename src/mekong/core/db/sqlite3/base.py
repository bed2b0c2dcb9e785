"""Django's SQLite backend with an append-only-aware flush, cached placeholder conversion,
WAL checkpoints in the background (`checkpoint`) and, on a shared-cache in-memory database,
waits on table locks."""

from __future__ import annotations

import datetime
import functools
import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar

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


#: How long a statement on a shared-cache in-memory database waits for another connection's
#: table lock: as long as ``busy_timeout`` lets one on a file database wait (settings).
TABLE_LOCK_WAIT_S = 20.0

_T = TypeVar("_T")


def _table_locked(error: sqlite3.OperationalError) -> bool:
    # SQLITE_LOCKED and its extended codes (SQLITE_LOCKED_SHAREDCACHE is 262): the primary
    # code is the low byte.
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_LOCKED


def _waiting_for_table_locks(run: Callable[[], _T]) -> _T:
    """``run()``, again after a short sleep while it fails on another connection's table lock,
    for at most `TABLE_LOCK_WAIT_S`. A statement refused for a lock has changed nothing (the
    lock is checked before its first row), so running it again is safe."""
    deadline = time.monotonic() + TABLE_LOCK_WAIT_S
    pause = 0.0005
    while True:
        try:
            return run()
        except sqlite3.OperationalError as error:
            if not _table_locked(error) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.01)


class SharedCacheCursorWrapper(CursorWrapper):
    """`CursorWrapper` for a shared-cache in-memory database (the test suite's), where the
    threads' connections share one cache with table-level locks: a reader of a table another
    connection is writing gets SQLITE_LOCKED at once, which ``busy_timeout`` does not cover
    (it covers SQLITE_BUSY, the file lock). This waits as ``busy_timeout`` would on a file
    database, so a test with concurrent threads sees what production's WAL file gives them:
    a wait, not an error (it failed ~1 run in 10 under load, on the quote read of a payment
    beside another thread's batch)."""

    def execute(self, query: str, params: Any = None) -> Any:
        return _waiting_for_table_locks(
            lambda: super(SharedCacheCursorWrapper, self).execute(query, params)
        )

    # executemany is left as it is: each parameter set is a statement of its own, so one
    # refused after others ran could not be run again as a whole without repeating them.


class DatabaseWrapper(base.DatabaseWrapper):
    """SQLite with `DatabaseOperations` and `CursorWrapper` above; a file database's log is
    checkpointed by a background thread, not by the writers (`checkpoint`); an in-memory
    database's cursors wait on other connections' table locks (`SharedCacheCursorWrapper`)."""

    ops_class = DatabaseOperations

    def get_new_connection(self, conn_params: Any) -> Any:
        conn = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            checkpoint.ensure(conn, str(self.settings_dict["NAME"]))
        return conn

    def create_cursor(self, name: str | None = None) -> Any:
        if self.is_in_memory_db():
            return self.connection.cursor(factory=SharedCacheCursorWrapper)
        return self.connection.cursor(factory=CursorWrapper)
