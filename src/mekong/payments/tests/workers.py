"""Code that runs in separate OS processes for the payments race tests (``spawn``).

Each process configures Django itself and opens its own connection to the test database.
"""

from __future__ import annotations

import os
from typing import Any


def setup_django(database_url: str) -> None:
    """Configure Django in a fresh process against ``database_url``."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "mekong.settings_test"
    import django

    django.setup()


def pay_worker(
    database_url: str, jobs: list[tuple[str, str]], barrier: Any
) -> list[tuple[str, str, str]]:
    """Pay each (quote id, idempotency key) after all workers meet at ``barrier``.

    Returns (key, outcome, payment id) per job: the status, or the refusal code.
    """
    setup_django(database_url)
    import uuid

    from django.db import connections

    from mekong.core.errors import DomainError
    from mekong.payments import facade

    barrier.wait()
    out = []
    for quote_id, key in jobs:
        try:
            info = facade.pay(quote_id=uuid.UUID(quote_id), idempotency_key=key)
            out.append((key, info.status, str(info.id)))
        except DomainError as error:
            out.append((key, error.code, str(error.extra.get("payment_id", ""))))
    connections.close_all()
    return out


# --- kill -9 in the middle of a payment batch (tests/test_crash.py) ------------------------------
def crash_setup(database_url: str, wallets: int, migrate: bool) -> dict[str, Any]:
    """A hub and ``wallets`` funded Vietnamese wallets paying one Lao wallet (migrating a
    scratch database first when asked: the SQLite run)."""
    setup_django(database_url)
    from django.core.management import call_command
    from django.db import connections

    from mekong.core import clock
    from mekong.payments import facade
    from mekong.payments.tests.factories import make_hub, make_wallet

    if migrate:
        call_command("migrate", verbosity=0, interactive=False)
    hub = make_hub()
    payee = facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref)
    payers = [make_wallet(hub.psps["VN"], funds=20_000_000) for _ in range(wallets)]
    out = {
        "payee": payee.account_ref,
        "wallets": [w.pk for w in payers],
        "accounts": [w.ledger_account_id for w in payers],
        "since": clock.now().isoformat(),  # after the wallets' funding
    }
    connections.close_all()
    return out


def crash_payer(
    database_url: str, setup: dict[str, Any], per_wallet: int, stall_at: int, conn: Any
) -> None:
    """Quote ``per_wallet`` payments per wallet, report them, then pay them from one thread
    per wallet (group commit batches them), reporting each answer. The first payment batch
    from the ``stall_at``-th on that carries two payments or more stops after its ledger
    call, before its commit, and says so with its payments' ids: the parent kills this
    process there."""
    setup_django(database_url)
    import threading
    import time

    from mekong.core.errors import DomainError
    from mekong.ledger import facade as ledger
    from mekong.payments import facade

    payee = facade.resolve_proxy("wallet_id", setup["payee"])
    jobs = {
        wallet_id: [
            (
                facade.quote(wallet_id=wallet_id, payee=payee, amount=1_000_000).id,
                f"c{wallet_id}-{n}",
            )
            for n in range(per_wallet)
        ]
        for wallet_id in setup["wallets"]
    }
    conn.send(("quotes", [(str(q), k) for js in jobs.values() for q, k in js]))
    send = threading.Lock()
    calls = [0]
    stalled = threading.Event()
    original = ledger.transfers_create

    def stalling(batch: Any) -> Any:
        results = original(batch)
        # Each payment's legs carry "payment:<id>" (one ledger call per payment batch).
        paying = sorted({t.user_data.removeprefix("payment:") for t in batch})
        with send:
            calls[0] += 1
            stall = calls[0] >= stall_at and len(paying) >= 2 and not stalled.is_set()
            if stall:
                stalled.set()
                conn.send(("stalled", paying))
        if stall:
            time.sleep(120)  # killed here: the batch's rows are written, not committed
        return results

    ledger.transfers_create = stalling  # this process only: a spawned child

    def pay(wallet_id: int) -> None:
        for quote_id, key in jobs[wallet_id]:
            try:
                info = facade.pay(quote_id=quote_id, idempotency_key=key)
                answer = ("paid", key, str(info.id), info.status)
            except DomainError as error:
                answer = ("refused", key, error.code, "")
            with send:
                conn.send(answer)

    threads = [threading.Thread(target=pay, args=(w,)) for w in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    conn.send(("done", None))


def crash_recover(
    database_url: str, setup: dict[str, Any], jobs: list[tuple[str, str]]
) -> dict[str, Any]:
    """After the kill, in a fresh process: what was stored, then every job retried under
    its key, then the money checked."""
    setup_django(database_url)
    import uuid
    from datetime import datetime, timedelta

    from django.db import connections

    from mekong.core import clock
    from mekong.core.errors import DomainError
    from mekong.ledger import facade as ledger
    from mekong.payments import facade
    from mekong.payments.models import Payment, Wallet

    def state() -> dict[str, Any]:
        payments = list(Payment.objects.filter(wallet_id__in=setup["wallets"]))
        referenced = {uuid.UUID(t) for p in payments for t in p.transfer_ids}
        # What moved on the paying wallets since they were funded: each payment's first leg.
        since = datetime.fromisoformat(setup["since"])
        until = clock.now() + timedelta(seconds=1)
        moved: set[uuid.UUID] = set()
        for account_id in setup["accounts"]:
            period = ledger.statement(account_id=account_id, since=since, until=until)
            assert period.line_count == len(period.lines), "a statement page is not enough here"
            moved.update(line.transfer_id for line in period.lines)
        return {
            "payments": {p.idempotency_key: (str(p.pk), p.status) for p in payments},
            "orphan_transfers": len(moved - referenced),
            "missing_transfers": len(referenced) - len(ledger.transfers_get(list(referenced))),
        }

    before = state()
    retried: dict[str, tuple[str, str]] = {}
    for quote_id, key in jobs:
        try:
            info = facade.pay(quote_id=uuid.UUID(quote_id), idempotency_key=key)
            retried[key] = (str(info.id), info.status)
        except DomainError as error:
            retried[key] = ("", error.code)
    after = state()
    completed = Payment.objects.filter(wallet_id__in=setup["wallets"], status="completed")
    spent: dict[int, int] = {}
    for p in completed.select_related("quote"):
        spent[p.wallet_id] = spent.get(p.wallet_id, 0) + p.quote.total_debit
    balances_off = []
    for wallet in Wallet.objects.filter(pk__in=setup["wallets"]):
        held = ledger.balance(wallet.ledger_account_id)
        if (
            held is None
            or held.balance != 20_000_000 - spent.get(wallet.pk, 0)
            or held.debits_pending != 0  # nothing reserved: no payment here was held
        ):
            balances_off.append(wallet.pk)
    indexes = list(completed.values_list("receipt_index", flat=True))
    out = {
        "before": before,
        "retried": retried,
        "after": after,
        "problems": ledger.invariants_check(),
        "balances_off": balances_off,
        "receipts_missing": sum(1 for i in indexes if i is None),
        "receipts_shared": len(indexes) - len(set(indexes)),
    }
    connections.close_all()
    return out
