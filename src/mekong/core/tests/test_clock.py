"""The clock gives aware UTC times and can be pinned in tests."""

from datetime import UTC, datetime, timedelta

import pytest

from mekong.core import clock


def test_now_is_aware_utc():
    assert clock.now().tzinfo is UTC


def test_frozen_and_advance():
    at = datetime(2026, 1, 1, tzinfo=UTC)
    with clock.frozen(at) as c:
        assert clock.now() == at
        c.advance(timedelta(minutes=5))
        assert clock.now() == at + timedelta(minutes=5)
    assert clock.now() != at


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        clock.ensure_aware_utc(datetime(2026, 1, 1))  # noqa: DTZ001
