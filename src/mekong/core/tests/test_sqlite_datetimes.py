"""The SQLite backend's datetime conversion gives what Django's own gives, without a settings
read per value."""

from __future__ import annotations

import datetime
from typing import Any

import django.db.backends.sqlite3.base  # noqa: F401 - operations alone is a circular import
import pytest
from django.db import connection
from django.db.backends.sqlite3.operations import DatabaseOperations as DjangoOperations
from django.test import override_settings

from mekong.core.models import AuditEntry

pytestmark = [pytest.mark.django_db]

UTC = datetime.UTC
VALUES = [
    None,
    "2026-12-06 21:58:30.123456",
    "2026-12-06 21:58:30",
    "2026-12-06T21:58:30+07:00",
    datetime.datetime(2026, 12, 6, 21, 58, 30),  # noqa: DTZ001 - a naive value, as SQLite gives
    datetime.datetime(2026, 12, 6, 21, 58, 30, tzinfo=UTC),
    datetime.datetime(2026, 12, 6, 21, 58, tzinfo=datetime.timezone(datetime.timedelta(hours=7))),
]


def _both(value: object) -> tuple[object, object]:
    ops: Any = connection.ops
    ours = ops.convert_datetimefield_value(value, None, connection)
    django = DjangoOperations.convert_datetimefield_value(ops, value, None, connection)
    return ours, django


@pytest.fixture
def sqlite() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backend's conversion")
    ops: Any = type(connection.ops)
    assert ops.convert_datetimefield_value is not DjangoOperations.convert_datetimefield_value


@pytest.mark.parametrize("value", VALUES)
def test_same_value_and_zone_as_django(sqlite, value):
    ours, django = _both(value)
    assert ours == django
    assert getattr(ours, "tzinfo", None) == getattr(django, "tzinfo", None)
    if isinstance(value, str):
        assert isinstance(ours, datetime.datetime)
        assert ours.tzinfo is not None  # USE_TZ is on: naive text is read as UTC


@pytest.mark.parametrize("value", VALUES)
def test_with_use_tz_off_as_django_too(sqlite, value):
    with override_settings(USE_TZ=False):
        ours, django = _both(value)
        assert ours == django
        assert getattr(ours, "tzinfo", None) == getattr(django, "tzinfo", None)
        if value is not None and isinstance(value, str) and "+" not in value:
            assert ours.tzinfo is None  # type: ignore[union-attr]


def test_rows_read_back_aware(sqlite):
    when = datetime.datetime(2026, 12, 6, 21, 58, 30, 123456, tzinfo=UTC)
    entry = AuditEntry.objects.create(action="test.datetime", at=when)
    assert AuditEntry.objects.get(pk=entry.pk).at == when
    assert AuditEntry.objects.get(pk=entry.pk).at.tzinfo is not None
