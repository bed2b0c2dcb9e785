"""Several OS processes against one database: races for the same accounts, and kill -9.

Processes are started with ``spawn`` and open their own connections (tests/workers.py). On
PostgreSQL they use the test database itself (hence ``transaction=True``: the rows the test
writes are committed and visible to them); the crash test runs on SQLite too, in a scratch file
database, because an in-memory test database cannot be shared between processes.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from mekong.core.tests.processes import postgres_url
from mekong.identity.tests.factories import make_org
from mekong.ledger.models import Account, Transfer
from mekong.ledger.selectors import invariants_check
from mekong.ledger.tests import workers
from mekong.ledger.tests.factories import fund, make_account

WORKERS = 4
ROUNDS = 80
CRASH_BATCH = 2_000  # linked transfers per batch: a transaction long enough to be killed in
CRASH_AFTER = 4  # batches announced before the kill
SPAWN = multiprocessing.get_context("spawn")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_processes_racing_to_overdraw_the_same_accounts_break_no_limit():
    # Given four no-overdraft wallets with 1,000 each and an account that may be credited
    # only up to its 5,000 of debits,
    org = make_org()
    hub = make_account(org, name="hub")
    wallets = [make_account(org, no_overdraft=True, name=f"wallet {i}") for i in range(4)]
    capped = make_account(org, no_overcredit=True, name="capped")
    fund(capped, hub, 5_000)
    for wallet in wallets:
        fund(hub, wallet, 1_000)
    accounts = {
        "hub": hub.pk,
        "wallets": [w.pk for w in wallets],
        "capped": capped.pk,
        "clash": {seed: (make_account(org).pk, make_account(org).pk) for seed in range(1, 5)},
    }
    setup_rows = Transfer.objects.count()

    # when four processes fire random batches at them, many of which would overdraw,
    with SPAWN.Manager() as manager, SPAWN.Pool(WORKERS) as pool:
        barrier = manager.Barrier(WORKERS)
        outcomes = pool.starmap(
            workers.race_worker,
            [(postgres_url(), seed, accounts, ROUNDS, barrier) for seed in range(1, WORKERS + 1)],
        )

    # then the ledger is sound, no limit is broken, and every id was applied at most once.
    assert invariants_check() == []
    for account in Account.objects.filter(pk__in=[*accounts["wallets"], capped.pk]):
        assert account.debits_pending + account.debits_posted <= account.credits_posted or (
            account.pk == capped.pk
        )
        assert account.pk != capped.pk or (
            account.credits_pending + account.credits_posted <= account.debits_posted
        )
    applied = [tid for out in outcomes for tid in out["applied"]]
    assert len(applied) == len(set(applied))
    stored = set(Transfer.objects.values_list("id", flat=True))
    assert len(stored) == setup_rows + len(applied)
    assert {uuid.UUID(t) for t in applied} <= stored
    codes = sum((Counter(out["codes"]) for out in outcomes), Counter())
    assert codes["exceeds_credits"] > 0  # the workers really tried to overdraw
    shared = [t for t in applied if uuid.UUID(t).int >> 120 in (1, 2)]
    rounds_with_shared = len([n for n in range(ROUNDS) if n % 10 == 0]) + len(
        [n for n in range(ROUNDS) if n % 10 == 5]
    )
    assert len(shared) == rounds_with_shared  # each shared id won by exactly one process
    assert codes["exists"] >= (WORKERS - 1) * (ROUNDS // 10)
    assert codes["exists_with_different_fields"] == (WORKERS - 1) * (ROUNDS // 10)


@pytest.mark.django_db(transaction=True)
def test_kill_9_in_the_middle_of_linked_batches_leaves_each_whole_or_absent(tmp_path: Path):
    if connection.vendor == "postgresql":
        url = postgres_url()
        accounts = workers.crash_accounts(ring_size=5)
    else:
        url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
        with SPAWN.Pool(1) as pool:
            accounts = pool.apply(workers.crash_setup, (url, 5))

    receiver, sender = SPAWN.Pipe(duplex=False)
    writer = SPAWN.Process(
        target=workers.crash_writer, args=(url, accounts, CRASH_BATCH, sender), daemon=True
    )
    writer.start()
    announced = -1
    deadline = time.monotonic() + 120
    while announced < CRASH_AFTER and writer.is_alive() and time.monotonic() < deadline:
        if receiver.poll(0.5):
            announced = receiver.recv()
    assert announced == CRASH_AFTER, "the writer did not get going"
    # The writer is now inside transfers_create for batch CRASH_AFTER (a ~2,000-row transaction).
    os.kill(writer.pid, signal.SIGKILL)  # type: ignore[arg-type]
    writer.join(timeout=30)
    assert writer.exitcode == -signal.SIGKILL
    while receiver.poll():
        announced = receiver.recv()

    # After a restart (a fresh process), every batch is wholly applied or wholly absent.
    with SPAWN.Pool(1) as pool:
        result = pool.apply(workers.crash_check, (url, accounts, CRASH_BATCH, announced + 1))
    assert result["partial"] == []
    assert result["problems"] == []
    # Batches announced before the last one had committed; the last may or may not have.
    assert result["whole"][:announced] == list(range(announced))
    assert result["whole"] in (list(range(announced)), list(range(announced + 1)))
    assert result["rows"] == CRASH_BATCH * len(result["whole"])
