"""The background loop shared by the receipt drain and webhook delivery: lingering."""

from __future__ import annotations

import threading
import time

import pytest

from mekong.payments.background import BackgroundLoop

pytestmark = pytest.mark.django_db(transaction=True)


def _loop(linger: float) -> tuple[BackgroundLoop, list[int], threading.Event]:
    rounds: list[int] = []
    ran = threading.Event()

    def work(_stopping) -> None:
        rounds.append(len(rounds))
        ran.set()

    return BackgroundLoop("test-loop", work, idle_wait=60, failure="x", linger=linger), rounds, ran


def test_kicks_while_a_woken_loop_lingers_join_its_round():
    loop, rounds, ran = _loop(linger=1.0)
    try:
        for _ in range(20):  # microseconds apart: all inside the first kick's linger
            loop.kick()
        assert ran.wait(5)
        time.sleep(0.3)  # a second round would have started by now
        assert rounds == [0]
    finally:
        loop.stop()


def test_without_linger_a_kick_after_a_round_runs_another():
    loop, rounds, ran = _loop(linger=0.0)
    try:
        loop.kick()
        assert ran.wait(5)
        ran.clear()
        loop.kick()
        assert ran.wait(5)
        assert rounds == [0, 1]
    finally:
        loop.stop()


def test_stopping_a_lingering_loop_does_not_wait_out_the_linger():
    loop, rounds, _ran = _loop(linger=30.0)
    loop.kick()
    time.sleep(0.1)
    loop.stop(timeout=10)
    # The thread is gone within stop's 10 s: the 30 s linger was cut short.
    assert loop._thread is not None
    assert not loop._thread.is_alive()
    assert len(rounds) <= 1
