"""`mekong.core.switches.switched_on`: what turns a default-on behaviour off."""

from __future__ import annotations

import pytest

from mekong.core.switches import switched_on


@pytest.mark.parametrize(
    ("raw", "on"),
    [(None, True), ("", True), ("on", True), ("1", True), ("yes", True),
     ("off", False), ("OFF", False), (" off ", False), ("0", False)],
)  # fmt: skip
def test_only_off_or_0_turns_a_switch_off(monkeypatch, raw, on):
    if raw is None:
        monkeypatch.delenv("MEKONG_TEST_SWITCH", raising=False)
    else:
        monkeypatch.setenv("MEKONG_TEST_SWITCH", raw)
    assert switched_on("MEKONG_TEST_SWITCH") is on
