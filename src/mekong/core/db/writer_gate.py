"""Let this process's SQLite writer run first: while one of its threads holds the writer lock,
its other threads hold back (briefly) from starting new work.

On SQLite every worker process takes turns on one write lock (`mekong.payments.writer`), so
the time a batch holds it is time every other process's writers wait. A batch is mostly
Python with a hundred short SQLite calls in between, and each call lets the GIL go: with up
to seven other request threads of the same process busy, the holder waited for the GIL after
each of them and held the lock for 8.9 ms of wall time per 5.7 ms of its own CPU (probe in
`writer.serial`, docs/benchmarks.md). New requests and a payment's pre-lock work wait here
until the holder is done, at most `MAKE_WAY_S`: the threads already mid-request go on, and
the other process keeps its core. Measured over HTTP (`bench/payments_load.py`, before and
after alternated): faster in 8 pairs of 8, 215 → 227 payments/s on average over the last
5, the idle share of the cores 24 → 21 %.

An `Event` set unless a writer holds: waiting on it costs nothing when no writer does, which
is always the case on PostgreSQL (the writer lock is SQLite's only).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

#: Longest a thread holds back for the writer: about five times a batch's usual hold, so a
#: stuck writer delays other work by this much once, never more.
MAKE_WAY_S = 0.05

_free = threading.Event()
_free.set()
#: The thread that holds the writer lock (0: none). It never waits for itself.
_holder = 0


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Mark this process's writer lock as held by the calling thread for the duration
    (entered by the lock holder, once per hold, not re-entrantly)."""
    global _holder  # written only by the one thread that holds the writer lock
    _holder = threading.get_ident()
    _free.clear()
    try:
        yield
    finally:
        _holder = 0
        _free.set()


def held_here() -> bool:
    """Whether the calling thread holds the writer lock (inside `writing`)."""
    return _holder == threading.get_ident()


def make_way(timeout: float | None = None) -> bool:
    """Wait while another thread of this process holds the writer lock, at most ``timeout``
    seconds (`MAKE_WAY_S` by default). True if no writer held it on return."""
    if held_here():
        return True  # the holder itself (a payment started inside a write section)
    return _free.wait(MAKE_WAY_S if timeout is None else timeout)


def writer_busy() -> bool:
    """Whether a thread of this process holds the writer lock now."""
    return not _free.is_set()
