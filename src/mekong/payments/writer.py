"""One writer at a time per process on SQLite: a fair in-process queue in front of the
database's write lock.

SQLite has one write lock for the whole database. A connection that finds it taken sleeps
in SQLite's busy handler (1, 2, 5 … 100 ms steps) and polls again, so under load a server's
threads mostly sleep while the lock is free, and the unlucky ones wait seconds. Holding this
`threading.Lock` around the payment flow's write transactions makes the threads of one
server process queue in FIFO-ish order in Python instead. Between the worker processes, the
holder of that lock also takes an exclusive ``flock`` on ``<database file>.writer-lock``,
polled every half millisecond: a process waiting for another's batch then starts within
0.5 ms of its end rather than after the busy handler's next sleep (with two workers the
busy handler had put the payments' p99 above a second). PostgreSQL locks rows, not the
database: there neither lock is taken.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator

from django.db import OperationalError, connection

from mekong.core.db import writer_gate
from mekong.payments.errors import HubBusy

log = logging.getLogger(__name__)

_lock = threading.Lock()
#: This process's open lock file per (process id, database file): flock is per open file,
#: so each process opens its own, on first use; a child forked after that opens a new one.
#: -1 records a lock file that could not be opened (then only the in-process queue holds).
_files: dict[tuple[int, str], int] = {}
#: How often a process polls for the other processes' writer lock.
POLL_S = 0.0005
#: When this process last let the lock go. Its next writer waits until two polls have passed
#: since: the lock is not fair, and a process with a queue of its own would otherwise take it
#: back before a waiting process's next poll, every time.
_released_at = 0.0


#: Longest wait for a row lock (PostgreSQL) or for this process's SQLite writer queue. A
#: payment that cannot get its locks in this time is answered ``hub_busy`` (503) and can be
#: retried with the same Idempotency-Key; without a bound one stuck transaction (an operator's
#: open psql session holding a position row, say) would stall every payment of the server.
LOCK_TIMEOUT_S = 5.0


@contextlib.contextmanager
def serial() -> Iterator[None]:
    """Hold the process's SQLite writer lock (no-op on PostgreSQL or inside a transaction).

    Re-entered by the thread that holds it (a group commit leader holds it while it takes and
    runs its batch), it does nothing.

    Raises:
        HubBusy: the lock was not free within `LOCK_TIMEOUT_S`.
    """
    global _released_at  # one value per process, written under _lock
    if connection.vendor != "sqlite" or connection.in_atomic_block or writer_gate.held_here():
        yield  # nothing to take, or this thread holds it already (a group commit's gate)
        return
    deadline = time.monotonic() + LOCK_TIMEOUT_S
    if not _lock.acquire(timeout=LOCK_TIMEOUT_S):
        raise HubBusy()
    try:
        fd = _lock_file()
        if fd is not None:
            _flock(fd, deadline)
        try:
            # Marks this thread as the holder (re-entry above) and has the process's other
            # threads make way meanwhile.
            with writer_gate.writing():
                yield
        finally:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
                _released_at = time.monotonic()
    finally:
        _lock.release()


def _lock_file() -> int | None:
    """The open lock file of this connection's database file; None for an in-memory one or
    when the file cannot be opened (logged once; the in-process queue still holds)."""
    name = str(connection.settings_dict["NAME"])
    if name.startswith("file:") or name == ":memory:" or "mode=memory" in name:
        return None
    key = (os.getpid(), name)
    fd = _files.get(key)
    if fd is None:
        try:
            fd = os.open(f"{name}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            log.warning(
                "no SQLite writer lock file next to %s (%s): processes not queued", name, exc
            )
            fd = -1
        _files[key] = fd
    return fd if fd >= 0 else None


def _flock(fd: int, deadline: float) -> None:
    """Take the other processes' writer lock by the deadline, or raise `HubBusy`."""
    courtesy = _released_at + 2 * POLL_S - time.monotonic()
    if courtesy > 0:
        time.sleep(courtesy)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise HubBusy() from None
            time.sleep(POLL_S)


def bound_lock_waits() -> None:
    """In the current PostgreSQL transaction, give up on a row lock after `LOCK_TIMEOUT_S`
    (the error is turned into ``hub_busy`` by `busy_on_lock_timeout`). SQLite's own wait is
    its busy timeout (settings)."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cur:
            cur.execute(f"SET LOCAL lock_timeout = {int(LOCK_TIMEOUT_S * 1000)}")


@contextlib.contextmanager
def busy_on_lock_timeout() -> Iterator[None]:
    """Turn a lock wait that ran out (PostgreSQL ``lock_not_available``, SQLite ``database
    is locked``) into `HubBusy`: the transaction rolled back, nothing was applied."""
    try:
        yield
    except OperationalError as exc:
        sqlstate = getattr(getattr(exc, "__cause__", None), "sqlstate", None)
        if sqlstate == "55P03" or "database is locked" in str(exc):
            raise HubBusy() from exc
        raise
