"""One writer at a time per process on SQLite: a fair in-process queue in front of the
database's write lock.

SQLite has one write lock for the whole database. A connection that finds it taken sleeps
in SQLite's busy handler (1, 2, 5 … 100 ms steps) and polls again, so under load a server's
threads mostly sleep while the lock is free, and the unlucky ones wait seconds. Holding this
`threading.Lock` around the payment flow's write transactions makes the threads of one
server process queue in FIFO-ish order in Python instead; only the other worker processes
still meet SQLite's busy handler. PostgreSQL locks rows, not the database: there the lock is
not taken.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from django.db import connection

_lock = threading.Lock()


@contextlib.contextmanager
def serial() -> Iterator[None]:
    """Hold the process's SQLite writer lock (no-op on PostgreSQL or inside a transaction)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with _lock:
        yield
