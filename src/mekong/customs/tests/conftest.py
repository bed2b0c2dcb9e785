"""Fixtures of the customs document tests: the test log key, a key secret, authorities."""

from __future__ import annotations

import pytest

from mekong.trustlog.tests.conftest import (  # noqa: F401 - fixtures used by the tests
    LOG_VKEY,
    inproc_witnesses,
    trustlog_env,
)


@pytest.fixture(autouse=True)
def customs_env(monkeypatch: pytest.MonkeyPatch, trustlog_env: None) -> None:  # noqa: F811
    """Every test runs with a fixed key-encryption secret and the trustlog test log key."""
    monkeypatch.setenv("MEKONG_CUSTOMS_KEY_SECRET", "test-customs-secret-0123456789abcdef")
    return
