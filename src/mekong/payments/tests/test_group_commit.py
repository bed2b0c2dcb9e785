"""Group commit: concurrent payments of one process applied in one transaction.

Three levels: the leader/follower queue on its own (pure Python, real threads); the batch
runner on a real database with a batch that mixes every outcome (each payment must get
exactly the answer it gets alone); and threads of one process racing on PostgreSQL, where
batches form for real.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections

from mekong.core import clock
from mekong.core.errors import DomainError
from mekong.core.models import OutboxEvent
from mekong.payments import errors, facade, fastreads, fx, paying
from mekong.payments.groupcommit import GroupCommitter, Item, QueueTimeout
from mekong.payments.iso20022 import validate_pacs002, validate_pacs008
from mekong.payments.models import Payment, PositionKind, Quote, WatchlistEntry
from mekong.payments.tests.factories import (
    make_hub,
    make_wallet,
    pending_by_currency,
    totals_by_currency,
)


# --- the queue --------------------------------------------------------------------------------
def _race(committer: GroupCommitter[int, int], payloads: list[int]) -> dict[int, object]:
    barrier = threading.Barrier(len(payloads))
    out: dict[int, object] = {}

    def call(n: int) -> None:
        barrier.wait()
        try:
            out[n] = committer.submit(n)
        except Exception as exc:
            out[n] = exc

    threads = [threading.Thread(target=call, args=(n,)) for n in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    return out


def test_concurrent_submits_are_batched_and_each_gets_its_own_outcome():
    batches: list[list[int]] = []

    def run(items: Sequence[Item[int, int]]) -> None:
        time.sleep(0.01)  # a slow commit, so that the others queue behind it
        batches.append([it.payload for it in items])
        for it in items:
            if it.payload % 5 == 0:
                it.error = ValueError(f"refused {it.payload}")
            else:
                it.result = it.payload * 10

    out = _race(GroupCommitter(run), list(range(1, 41)))
    for n in range(1, 41):
        if n % 5 == 0:
            assert isinstance(out[n], ValueError)
            assert str(out[n]) == f"refused {n}"
        else:
            assert out[n] == n * 10
    assert sorted(p for b in batches for p in b) == list(range(1, 41))  # each applied once
    assert max(len(b) for b in batches) > 1  # and they did share batches


def test_a_failed_batch_acknowledges_none_of_its_items():
    def run(items: Sequence[Item[int, int]]) -> None:
        raise RuntimeError("the commit failed")

    out = _race(GroupCommitter(run), list(range(8)))
    assert all(isinstance(v, RuntimeError) for v in out.values())


def test_batches_are_capped():
    sizes: list[int] = []

    def run(items: Sequence[Item[int, int]]) -> None:
        time.sleep(0.01)
        sizes.append(len(items))
        for it in items:
            it.result = it.payload

    out = _race(GroupCommitter(run, batch_max=3), list(range(20)))
    assert out == {n: n for n in range(20)}
    assert max(sizes) <= 3


def test_an_item_queued_behind_a_stuck_batch_is_withdrawn_unapplied():
    release = threading.Event()
    started = threading.Event()
    applied: list[int] = []

    def run(items: Sequence[Item[int, int]]) -> None:
        started.set()
        release.wait(30)  # the first batch hangs (a stuck database call)
        for it in items:
            applied.append(it.payload)
            it.result = it.payload

    committer: GroupCommitter[int, int] = GroupCommitter(run)
    leader = threading.Thread(target=committer.submit, args=(1,))
    leader.start()
    assert started.wait(10)
    with pytest.raises(QueueTimeout):
        committer.submit(2, queue_timeout=0.2)
    release.set()
    leader.join(10)
    assert applied == [1]  # the withdrawn item never reached a batch
    assert committer.submit(3, queue_timeout=0.2) == 3  # and the queue still works


def _gated(
    fail: bool = False,
) -> tuple[GroupCommitter[int, int], threading.Event, threading.Event, list[list[int]]]:
    """A committer whose gate blocks until released (a writer lock another process holds)."""
    waiting, release = threading.Event(), threading.Event()
    batches: list[list[int]] = []

    @contextlib.contextmanager
    def gate() -> Iterator[None]:
        waiting.set()
        release.wait(30)
        if fail:
            raise TimeoutError("no lock")
        yield

    def run(items: Sequence[Item[int, int]]) -> None:
        batches.append([it.payload for it in items])
        for it in items:
            it.result = it.payload

    return GroupCommitter(run, gate=gate), waiting, release, batches


def _gate_run(fail: bool, payloads: list[int]) -> tuple[list[list[int]], dict[int, object]]:
    """The first payload's thread leads and waits at the gate; the others queue meanwhile;
    then the gate opens (or fails). Returns the batches run and each payload's outcome."""
    committer, waiting, release, batches = _gated(fail)
    out: dict[int, object] = {}

    def one(n: int) -> None:
        try:
            out[n] = committer.submit(n)
        except Exception as exc:
            out[n] = exc

    threads = [threading.Thread(target=one, args=(n,)) for n in payloads]
    threads[0].start()
    assert waiting.wait(10)  # the leader waits at the gate, its batch not yet taken
    for t in threads[1:]:
        t.start()
    deadline = time.monotonic() + 10
    while len(committer._queue) < len(payloads) and time.monotonic() < deadline:
        time.sleep(0.005)
    release.set()
    for t in threads:
        t.join(10)
    assert committer._queue == []  # and the committer is idle again
    assert not committer._busy
    return batches, out


def test_items_queued_while_the_leader_waits_at_the_gate_join_its_batch():
    batches, out = _gate_run(False, [1, 2, 3, 4])
    assert batches == [[1, 2, 3, 4]]  # one batch: without the gate ordering, [1] then [2, 3, 4]
    assert out == {1: 1, 2: 2, 3: 3, 4: 4}


def test_a_failing_gate_answers_every_queued_item_with_its_error():
    batches, out = _gate_run(True, [1, 2, 3])
    assert batches == []
    assert len(out) == 3
    assert all(isinstance(v, TimeoutError) for v in out.values())


# --- the batch runner on a real database --------------------------------------------------------
def _request(quote_id: uuid.UUID, wallet_id: int, key: str) -> paying.PayRequest:
    quote = fastreads.quote_with_ends(quote_id)
    assert quote is not None
    assert quote.wallet_id == wallet_id
    digest = paying.request_hash(quote_id=quote_id, reference="")
    return paying.pay_request(quote, key=key, reference="", digest=digest)


@pytest.mark.django_db
def test_one_batch_gives_each_payment_the_answer_it_gets_alone():
    hub = make_hub()
    payee = facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref)
    vn = hub.psps["VN"]
    rich = [make_wallet(vn, funds=20_000_000) for _ in range(3)]
    poor = make_wallet(vn, funds=1_000)
    capped = make_wallet(vn, funds=10**9, kyc_tier=1)  # USD 500 per payment
    WatchlistEntry.objects.create(names=["Listed Person"], reason="test list")
    listed = make_wallet(vn, funds=20_000_000, name="LISTED  PERSON")
    retried = make_wallet(vn, funds=20_000_000)

    def quote(wallet, amount=1_000_000):
        return facade.quote(wallet_id=wallet.pk, payee=payee, amount=amount)

    # An earlier payment, retried inside the batch (same key, same request) and reused with
    # another quote (same key, other request).
    first = quote(retried)
    paid = facade.pay(quote_id=first.id, idempotency_key="k-retried")
    expired, used = quote(rich[1]), quote(rich[2])
    Quote.objects.filter(pk=expired.id).update(expires_at=clock.now() - timedelta(seconds=1))
    Quote.objects.filter(pk=used.id).update(used_at=clock.now())
    ok, ok_again = quote(rich[0]), quote(rich[0])  # the same wallet twice
    requests = {
        "ok": _request(ok.id, rich[0].pk, "k-ok"),
        "ok_again": _request(ok_again.id, rich[0].pk, "k-ok-again"),
        "expired": _request(expired.id, rich[1].pk, "k-expired"),
        "used": _request(used.id, rich[2].pk, "k-used"),
        "funds": _request(quote(poor).id, poor.pk, "k-funds"),
        "limit": _request(quote(capped, 20_000_000).id, capped.pk, "k-limit"),
        "held": _request(quote(listed).id, listed.pk, "k-held"),
        "retry": _request(first.id, retried.pk, "k-retried"),
    }
    items = {name: Item[paying.PayRequest, Payment](r) for name, r in requests.items()}
    before = {w.pk: hub.balance(w.ledger_account_id) for w in [*rich, poor, capped, retried]}

    paying._pay_batch(list(items.values()))

    def outcome(name: str) -> str:
        item = items[name]
        if item.error is not None:
            assert isinstance(item.error, DomainError)
            return item.error.code
        assert item.result is not None
        return str(item.result.refusal_code or item.result.status)

    assert {name: outcome(name) for name in items} == {
        "ok": "completed",
        "ok_again": "completed",
        "expired": "quote_expired",
        "used": "quote_used",
        "funds": "insufficient_funds",
        "limit": "limit_exceeded",
        "held": "held",
        "retry": "completed",
    }
    assert items["retry"].result is not None
    assert items["retry"].result.pk == paid.id
    # Money moved exactly for the completed ones; the held one is reserved, not posted.
    assert hub.balance(rich[0].ledger_account_id) == before[rich[0].pk] - 2 * ok.total_debit
    for wallet in (rich[1], rich[2], poor, capped, retried):
        assert hub.balance(wallet.ledger_account_id) == before[wallet.pk]
    assert all(v == 0 for v in totals_by_currency().values())
    held = items["held"].result
    assert held is not None
    assert held.screening_hits
    # Every decided payment is stored like one paid alone: messages valid, quote used.
    for name in ("ok", "ok_again", "held"):
        payment = Payment.objects.get(pk=items[name].result.pk)  # type: ignore[union-attr]
        assert validate_pacs008(payment.pacs008_xml.encode()) == []
        assert validate_pacs002(payment.pacs002_xml.encode()) == []
        assert Quote.objects.get(pk=payment.quote_id).used_at is not None
    refused = Payment.objects.get(wallet=poor)
    assert refused.status == "refused"
    assert refused.refusal_code == "insufficient_funds"
    assert refused.transfer_ids == []  # its chain was refused: no transfer exists
    # The facade answers retries of batched payments as it answers any retry.
    with pytest.raises(errors.InsufficientFunds):
        facade.pay(quote_id=requests["funds"].quote_id, idempotency_key="k-funds")
    again = facade.pay(quote_id=ok.id, idempotency_key="k-ok")
    assert again.id == items["ok"].result.pk  # type: ignore[union-attr]


@pytest.mark.django_db(transaction=True)
def test_a_batch_writes_its_audit_events_and_webhooks_with_one_statement_each():
    # Per-payment side effects are what limited the batch's throughput (docs/benchmarks.md):
    # six payments must cost the same number of these statements as one would.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hub = make_hub()
    payee = facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref)
    wallets = [make_wallet(hub.psps["VN"], funds=20_000_000) for _ in range(6)]
    items = [
        Item[paying.PayRequest, Payment](
            _request(facade.quote(wallet_id=w.pk, payee=payee, amount=1_000_000).id, w.pk, f"k{n}")
        )
        for n, w in enumerate(wallets)
    ]
    with CaptureQueriesContext(connection) as sql:
        paying._pay_batch(items)
    assert [i.result.status for i in items] == ["completed"] * 6  # type: ignore[union-attr]

    def count(verb: str, table: str) -> int:
        # Precomposed statements alias their tables: match the verb and the quoted table name.
        return sum(
            1
            for q in sql.captured_queries
            if q["sql"].startswith(verb) and f'"{table}"' in q["sql"].split(" WHERE ")[0]
        )

    # One insert for the ledger's own entry, one for the six payments', one for the trustlog's
    # two (the receipts' append and its checkpoint, made in the batch's transaction).
    assert count("INSERT", "core_auditentry") == 3
    assert count("INSERT", "core_outboxevent") == 3
    assert count("INSERT", "trustlog_checkpoint") == 1
    assert count("SELECT", "payments_webhookendpoint") == 1
    # Nothing is delivered after commit: no module subscribes to the hub's immediate status
    # events (the marketplace listens for reviewers' decisions), nor to the ledger's and the
    # log's, so all were recorded as dispatched and no handler transaction follows the batch.
    assert count("SELECT", "core_outboxevent") == 0
    assert count("UPDATE", "core_outboxevent") == 0
    assert not OutboxEvent.objects.filter(dispatched_at=None).exists()


# --- threads of one process on PostgreSQL ------------------------------------------------------
THREADS = 12


def _pay_at_once(jobs: list[tuple[uuid.UUID, str]]) -> list[tuple[str, str]]:
    barrier = threading.Barrier(len(jobs))
    out: list[tuple[str, str]] = []
    lock = threading.Lock()

    def pay(quote_id: uuid.UUID, key: str) -> None:
        barrier.wait()
        try:
            info = facade.pay(quote_id=quote_id, idempotency_key=key)
            result = (info.status, str(info.id))
        except DomainError as error:
            result = (error.code, str(error.extra.get("payment_id", "")))
        finally:
            connections.close_all()
        with lock:
            out.append(result)

    threads = [threading.Thread(target=pay, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_threads_draining_one_position_get_exactly_what_it_holds(monkeypatch):
    monkeypatch.setenv("PAYMENTS_GROUP_COMMIT", "on")
    principal = 1_000_000
    fee = fx.fee_for(principal, "VND")
    liquidity = {"THB": 10**9, "VND": 5 * (principal + fee), "LAK": 10**12, "MMK": 10**9,
                 "KHR": 10**9, "USD": 10**9}  # fmt: skip
    hub = make_hub(liquidity=liquidity)
    position = hub.psps["VN"].positions.get(currency="VND", kind=PositionKind.SETTLEMENT)
    payee = facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref)
    wallets = [make_wallet(hub.psps["VN"], funds=20_000_000) for _ in range(THREADS)]
    jobs = [
        (facade.quote(wallet_id=w.pk, payee=payee, amount=principal).id, f"t{i}")
        for i, w in enumerate(wallets)
    ]
    outcomes = Counter(code for code, _id in _pay_at_once(jobs))
    assert outcomes == {"completed": 5, "insufficient_liquidity": THREADS - 5}
    assert hub.balance(position.ledger_account_id) == 0
    assert Payment.objects.filter(status="completed").count() == 5
    assert Payment.objects.filter(status="refused").count() == THREADS - 5
    assert all(v == 0 for v in totals_by_currency().values())
    assert all(v == 0 for v in pending_by_currency().values())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_payment_retried_by_threads_during_a_batch_is_charged_once(monkeypatch):
    monkeypatch.setenv("PAYMENTS_GROUP_COMMIT", "on")
    hub = make_hub()
    payee = facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref)
    others = [make_wallet(hub.psps["VN"], funds=20_000_000) for _ in range(4)]
    vn = hub.wallets["VN"]
    before = hub.balance(vn.ledger_account_id)
    quote = facade.quote(wallet_id=vn.pk, payee=payee, amount=1_000_000)
    jobs = [(quote.id, "same-key")] * 6 + [
        (facade.quote(wallet_id=w.pk, payee=payee, amount=1_000_000).id, f"o{i}")
        for i, w in enumerate(others)
    ]
    results = _pay_at_once(jobs)
    assert {code for code, _id in results} == {"completed"}
    assert len({pid for code, pid in results}) == 1 + len(others)
    assert Payment.objects.filter(wallet=vn).count() == 1
    assert hub.balance(vn.ledger_account_id) == before - quote.total_debit
    assert all(v == 0 for v in totals_by_currency().values())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("group_commit", ["on", "off"])
def test_a_payment_blocked_by_a_stuck_lock_is_answered_busy_and_pays_once_later(
    monkeypatch, group_commit
):
    # An operator's session holds the sender wallet's row lock and goes to lunch: the payment
    # must not wait for ever (and stall the server's batches) but answer 503 hub_busy, having
    # applied nothing; its retry with the same key pays it once the lock is gone.
    from django.db import connection

    from mekong.identity.tests.factories import make_token
    from mekong.payments import writer
    from mekong.payments.tests.test_api import Caller

    monkeypatch.setenv("PAYMENTS_GROUP_COMMIT", group_commit)
    monkeypatch.setattr(writer, "LOCK_TIMEOUT_S", 0.3)
    hub = make_hub()
    wallet = hub.wallets["VN"]
    before = hub.balance(wallet.ledger_account_id)
    caller = Caller(make_token(hub.psps["VN"].organisation, role="member"))
    quote = caller.post(
        "/quotes",
        {"wallet_id": wallet.pk, "amount": 1_000_000,
         "payee": {"kind": "wallet_id", "value": hub.wallets["LA"].account_ref}},
    ).json()  # fmt: skip
    holding, release = threading.Event(), threading.Event()

    def hold_the_row() -> None:
        from django.db import connection as other
        from django.db import transaction

        with transaction.atomic():
            with other.cursor() as cur:
                cur.execute("SELECT id FROM payments_wallet WHERE id = %s FOR UPDATE", [wallet.pk])
            holding.set()
            release.wait(30)
        other.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    assert holding.wait(10)

    def pay() -> Any:
        return caller.post("/payments", {"quote_id": quote["id"]}, key="stuck-1")

    try:
        busy = pay()
    finally:
        release.set()
        holder.join(10)
    assert busy.status_code == 503, busy.content
    assert busy.json()["code"] == "hub_busy"
    assert Payment.objects.count() == 0
    assert hub.balance(wallet.ledger_account_id) == before
    assert connection.vendor == "postgresql"
    paid = pay()
    assert paid.status_code == 201, paid.content
    assert pay().json()["id"] == paid.json()["id"]
    assert hub.balance(wallet.ledger_account_id) == before - quote["total_debit"]


# --- deferred receipts: the queue and its drainers ----------------------------------------------
@pytest.mark.django_db
def test_deferred_receipts_queue_is_drained_once_by_the_cli_path(monkeypatch, tmp_path, settings):
    from mekong.payments import receipts

    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("PAYMENTS_RECEIPTS", "deferred")
    hub = make_hub()
    payee = facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref)
    paid = [
        facade.pay(
            quote_id=facade.quote(wallet_id=hub.wallets["VN"].pk, payee=payee, amount=200_000).id,
            idempotency_key=f"d{n}",
        )
        for n in range(3)
    ]
    assert all(p.receipt_index is None for p in paid)
    # While another drainer holds the host's lock, the loop's round is skipped.
    with receipts.drainer_lock(wait=False) as first, receipts.drainer_lock(wait=False) as second:
        assert first
        assert not second
    assert receipts.drain(limit=2) == 2
    assert receipts.drain() == 1
    assert receipts.drain() == 0
    indexes = {facade.payment_get(p.id).receipt_index for p in paid}  # type: ignore[union-attr]
    assert None not in indexes
    assert len(indexes) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_server_loop_anchors_deferred_receipts_soon_after_the_payment(
    monkeypatch, tmp_path, settings
):
    from mekong.payments import receipts

    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("PAYMENTS_RECEIPTS", "deferred")
    hub = make_hub()
    payee = facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref)
    quote = facade.quote(wallet_id=hub.wallets["VN"].pk, payee=payee, amount=200_000)
    try:
        paid = facade.pay(quote_id=quote.id, idempotency_key="loop")  # wakes the loop
        assert paid.status == "completed"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            index = Payment.objects.get(pk=paid.id).receipt_index
            if index is not None:
                break
            time.sleep(0.05)
        assert index is not None
    finally:
        receipts.stop()
    assert receipts.drain() == 0  # anchored once, nothing left
