"""A payments process killed (kill -9) inside a payment batch: nothing half-done, nothing lost,
nothing paid twice.

A child process pays from four wallets at once, one thread each, so group commit batches
their payments. Its first batch from the third on that carries two payments or more stops
after the ledger call, before its commit, and the test kills the process there. A fresh
process then finds only whole payments (each with all its ledger transfers, no transfer
without its payment, none of the killed batch's) and retries every request under its
Idempotency-Key, as clients whose answers were lost would: the payments acknowledged before
the kill answer with the same payment, the others are paid now, once. The ledger's
invariants hold, each wallet lost exactly what its completed payments cost (nothing left
reserved), and every completed payment has its own receipt in the trustlog.

On SQLite the processes share a scratch file database (an in-memory test database cannot be
shared); on PostgreSQL they use the test database (hence ``transaction=True``).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from mekong.core.tests.processes import postgres_url
from mekong.payments.tests import workers

WALLETS = 4
PER_WALLET = 6
STALL_AT = 3  # the payment batch the process is killed in
SPAWN = multiprocessing.get_context("spawn")


Answers = dict[str, tuple[str, str, str]]


def _kill_in_a_batch(
    url: str, setup: dict[str, Any]
) -> tuple[list[tuple[str, str]], Answers, list[str]]:
    """Run the payer until its stalled batch, kill it; (the jobs, the answers it gave, the
    ids of the payments in the killed batch)."""
    receiver, sender = SPAWN.Pipe(duplex=False)
    payer = SPAWN.Process(
        target=workers.crash_payer, args=(url, setup, PER_WALLET, STALL_AT, sender), daemon=True
    )
    payer.start()
    jobs: list[tuple[str, str]] = []
    answers: Answers = {}
    killed: list[str] = []
    try:
        deadline = time.monotonic() + 120
        while not killed and payer.is_alive() and time.monotonic() < deadline:
            if not receiver.poll(0.5):
                continue
            kind, *rest = receiver.recv()
            if kind == "quotes":
                jobs = rest[0]
            elif kind == "stalled":
                killed = rest[0]
            elif kind in ("paid", "refused"):
                answers[rest[0]] = (kind, rest[1], rest[2])
        assert killed, "the payer never stalled in a batch of two payments or more"
        # The stalled batch waits for 120 s: let the threads of the committed batches send
        # their answers first, so the test knows which payments were acknowledged.
        time.sleep(1)
    finally:  # never leave it holding its transaction (and the hub's accounts) open
        if payer.is_alive():
            os.kill(payer.pid, signal.SIGKILL)  # type: ignore[arg-type]
        payer.join(timeout=30)
    assert payer.exitcode == -signal.SIGKILL
    while receiver.poll():  # answers sent before the kill
        kind, *rest = receiver.recv()
        if kind in ("paid", "refused"):
            answers[rest[0]] = (kind, rest[1], rest[2])
    return jobs, answers, killed


@pytest.mark.django_db(transaction=True)
def test_kill_9_inside_a_payment_batch_loses_nothing_and_retries_pay_once(tmp_path: Path):
    if connection.vendor == "postgresql":
        url, migrate = postgres_url(), False
    else:
        url, migrate = f"sqlite:///{tmp_path / 'crash.sqlite3'}", True
    with SPAWN.Pool(1) as pool:
        setup = pool.apply(workers.crash_setup, (url, WALLETS, migrate))

    jobs, answers, killed = _kill_in_a_batch(url, setup)
    assert len(jobs) == WALLETS * PER_WALLET
    acknowledged = {key: pid for key, (kind, pid, _s) in answers.items() if kind == "paid"}
    assert all(kind == "paid" for kind, _p, _s in answers.values()), answers
    assert 0 < len(acknowledged) < len(jobs)  # some answered before the kill, not all

    with SPAWN.Pool(1) as pool:
        result = pool.apply(workers.crash_recover, (url, setup, jobs))

    before, after = result["before"], result["after"]
    # Right after the kill: whole payments only, the killed batch's are absent,
    for state in (before, after):
        assert state["orphan_transfers"] == 0
        assert state["missing_transfers"] == 0
    assert set(acknowledged) <= set(before["payments"])
    stored = {pid for pid, _status in before["payments"].values()}
    assert len(killed) >= 2
    assert not stored & set(killed)
    # every retry is answered with one completed payment, the acknowledged ones with their own,
    assert {key for _q, key in jobs} == set(result["retried"])
    assert {status for _pid, status in result["retried"].values()} == {"completed"}
    for key, pid in acknowledged.items():
        assert result["retried"][key][0] == pid
    assert len(after["payments"]) == len(jobs)
    # and the money adds up, each completed payment with its own receipt.
    assert result["problems"] == []
    assert result["balances_off"] == []
    assert result["receipts_missing"] == 0
    assert result["receipts_shared"] == 0
