"""Other threads of a process make way while its SQLite writer holds the lock."""

from __future__ import annotations

import threading

import pytest

from mekong.core.db import writer_gate


def test_no_writer_no_wait():
    assert not writer_gate.writer_busy()
    assert writer_gate.make_way(timeout=0) is True


def test_a_thread_waits_until_the_writer_is_done():
    entered, leave, returned = threading.Event(), threading.Event(), threading.Event()
    results: list[bool] = []

    def writer() -> None:
        with writer_gate.writing():
            entered.set()
            leave.wait(10)

    def other() -> None:
        results.append(writer_gate.make_way(timeout=10))
        returned.set()

    w = threading.Thread(target=writer)
    w.start()
    assert entered.wait(10)
    assert not writer_gate.held_here()  # held, but by the other thread
    o = threading.Thread(target=other)
    o.start()
    assert not returned.wait(0.2)  # held back while the writer holds
    assert writer_gate.writer_busy()
    leave.set()
    assert returned.wait(10)
    w.join(10)
    o.join(10)
    assert results == [True]
    assert not writer_gate.writer_busy()


def test_the_wait_is_bounded():
    entered, leave = threading.Event(), threading.Event()

    def writer() -> None:
        with writer_gate.writing():
            entered.set()
            leave.wait(10)

    w = threading.Thread(target=writer)
    w.start()
    try:
        assert entered.wait(10)
        assert writer_gate.make_way(timeout=0.01) is False  # a stuck writer: go on anyway
    finally:
        leave.set()
        w.join(10)


def test_the_holder_never_waits_for_itself():
    assert not writer_gate.held_here()
    with writer_gate.writing():
        assert writer_gate.writer_busy()
        assert writer_gate.held_here()
        assert writer_gate.make_way(timeout=10) is True  # at once, not after 10 s


def test_a_failing_writer_leaves_the_gate_open():
    with pytest.raises(RuntimeError), writer_gate.writing():
        raise RuntimeError("batch failed")
    assert not writer_gate.writer_busy()


@pytest.mark.django_db
def test_every_request_makes_way_first(client, monkeypatch):
    calls: list[float | None] = []
    real = writer_gate.make_way

    def recording(timeout: float | None = None) -> bool:
        calls.append(timeout)
        return bool(real(timeout))

    monkeypatch.setattr(writer_gate, "make_way", recording)
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/en/").status_code == 200
    assert calls == [None, None]  # the default bound, once per request
