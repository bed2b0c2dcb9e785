"""Group commit: concurrent payments of one process applied in one transaction.

Three levels: the leader/follower queue on its own (pure Python, real threads); the batch
runner on a real database with a batch that mixes every outcome (each payment must get
exactly the answer it gets alone); and threads of one process racing on PostgreSQL, where
batches form for real.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

import pytest
from django.db import connections

from mekong.core import clock
from mekong.core.errors import DomainError
from mekong.payments import errors, facade, fx, paying
from mekong.payments.groupcommit import GroupCommitter, Item
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


# --- the batch runner on a real database --------------------------------------------------------
def _request(quote_id: uuid.UUID, wallet_id: int, key: str) -> paying.PayRequest:
    digest = paying.request_hash(quote_id=quote_id, reference="")
    return paying.PayRequest(quote_id, wallet_id, key, "", digest)


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
