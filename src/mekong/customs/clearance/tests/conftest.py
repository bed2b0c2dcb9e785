"""Fixtures of the clearance tests: the trustlog and customs-key environment, a trade corridor."""

from __future__ import annotations

from typing import Any

import pytest

from mekong.customs.clearance.tests.factories import Corridor, make_corridor
from mekong.trustlog.tests.conftest import (  # noqa: F401 - fixtures used by the tests
    LOG_VKEY,
    trustlog_env,
)


@pytest.fixture(autouse=True)
def clearance_env(monkeypatch: pytest.MonkeyPatch, trustlog_env: None) -> None:  # noqa: F811
    """Documents are signed with a fixed key-encryption secret and the trustlog test log key."""
    monkeypatch.setenv("MEKONG_CUSTOMS_KEY_SECRET", "test-customs-secret-0123456789abcdef")


@pytest.fixture
def corridor(db: Any) -> Corridor:
    """Thailand → Viet Nam: exporter, importer, Vietnamese customs, issued rice documents."""
    return make_corridor()
