"""The platform's clock: aware UTC datetimes only.

Every module asks `now()` instead of `datetime.now()` so that tests can pin time with `frozen()`
and naive datetimes never enter the system (ruff DTZ catches the rest).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

_local = threading.local()


def now() -> datetime:
    """Return the current time as an aware UTC datetime (or the pinned test time)."""
    pinned: datetime | None = getattr(_local, "pinned", None)
    if pinned is not None:
        return pinned
    return datetime.now(tz=UTC)


def ensure_aware_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; refuse naive datetimes instead of guessing their zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: the platform only accepts aware datetimes")
    return value.astimezone(UTC)


@contextlib.contextmanager
def frozen(at: datetime) -> Iterator[Clock]:
    """Pin `now()` to ``at`` in this thread for the duration of the block (tests)."""
    previous = getattr(_local, "pinned", None)
    clock = Clock(ensure_aware_utc(at))
    _local.pinned = clock.current
    try:
        yield clock
    finally:
        _local.pinned = previous


class Clock:
    """A pinned clock that tests can move forward."""

    def __init__(self, current: datetime) -> None:
        self.current = current

    def advance(self, delta: timedelta) -> datetime:
        """Move the pinned time forward by ``delta`` and return it."""
        self.current = self.current + delta
        _local.pinned = self.current
        return self.current
