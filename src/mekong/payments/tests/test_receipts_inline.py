"""Inline receipts are appended in the payment batch's own transaction.

`paying._append_receipts` puts the completed payments' entries into the trustlog with one
`trustlog.append_signed` (one append, one signed checkpoint) inside the batch, so each payment
is stored with its ``receipt_index`` and commits together with its entry. Witnesses are asked
after commit, outside the writer lock. A log that cannot append costs the receipt, never the
payment; a batch that rolls back leaves no entry behind.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import uuid

import pytest
from django.db import connection

from mekong.core.events import capture_events
from mekong.payments import facade, paying, writer
from mekong.payments.contracts import PaymentInfo
from mekong.payments.models import Payment
from mekong.payments.tests.factories import make_hub, make_wallet
from mekong.payments.tests.test_receipts_batch import _observed, stored_summary_entry
from mekong.trustlog import facade as trustlog
from mekong.trustlog.tests.conftest import (
    LOG_VKEY,
    inproc_witnesses,  # noqa: F401 (fixture)
)


def receipts_built_in_batch(monkeypatch: pytest.MonkeyPatch) -> list[uuid.UUID]:
    """The ids of payments whose receipt entry gets built inside a payment batch (under the
    writer lock) from now on; each request should have built its own before."""
    in_batch = threading.local()
    built: list[uuid.UUID] = []
    apply_batch, receipt_entry = paying._apply_batch, paying.receipt_entry

    def batch(requests):  # type: ignore[no-untyped-def]
        in_batch.on = True
        try:
            return apply_batch(requests)
        finally:
            in_batch.on = False

    def entry(payment):  # type: ignore[no-untyped-def]
        if getattr(in_batch, "on", False):
            built.append(payment.pk)
        return receipt_entry(payment)

    monkeypatch.setattr(paying, "_apply_batch", batch)
    monkeypatch.setattr(paying, "receipt_entry", entry)
    return built


def _stored(pid: uuid.UUID) -> int | None:
    return Payment.objects.get(pk=pid).receipt_index


def _pay_concurrently(n: int, *, at_once: bool = True) -> list[PaymentInfo]:
    """``n`` payments from ``n`` wallets, at once through group commit (or one by one)."""
    hub = make_hub()
    payee = facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref)
    wallets = [make_wallet(hub.psps["VN"], funds=20_000_000) for _ in range(n)]
    quotes = [facade.quote(wallet_id=w.pk, payee=payee, amount=500_000) for w in wallets]
    start = threading.Barrier(n if at_once else 1)
    paid: dict[int, PaymentInfo] = {}

    def pay(k: int) -> None:
        try:
            start.wait()
            paid[k] = facade.pay(quote_id=quotes[k].id, idempotency_key=f"inline-{k}")
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
        if not at_once:
            t.join()
    for t in threads:
        t.join()
    assert len(paid) == n
    return [paid[k] for k in range(n)]


@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_are_stored_with_their_receipts_which_verify(monkeypatch):
    def not_after(items, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("anchored after the payment, not with it")

    monkeypatch.setattr(paying.trustlog, "anchor_many", not_after)
    # The entries are built with each request, before the lock, not in the batch.
    built_in_batch = receipts_built_in_batch(monkeypatch)
    with capture_events() as events:
        paid = _pay_concurrently(6)
    assert built_in_batch == []

    indexes = [p.receipt_index for p in paid]
    assert None not in indexes
    assert len(set(indexes)) == 6
    names = [e.name for e in events]
    # One append and one checkpoint per batch, never more than one per payment.
    appends = names.count("trustlog.entries_appended")
    assert 1 <= appends <= 6
    assert names.count("trustlog.checkpoint_published") == appends
    assert trustlog.latest_checkpoint().size == 6  # no entry but the six receipts
    for p in paid:
        assert p.receipt_index is not None
        assert _stored(p.id) == p.receipt_index  # stored with the payment, not after it
        receipt = trustlog.receipt_for(p.receipt_index)
        assert trustlog.verify_receipt(receipt, LOG_VKEY, [], 0).valid
        # The entry is the payment's public summary as stored.
        assert (receipt.entry.kind, receipt.entry.data) == stored_summary_entry(p.id)
    # A retry answers the stored payment and appends nothing.
    first = Payment.objects.get(pk=paid[0].id)
    again = facade.pay(quote_id=first.quote_id, idempotency_key="inline-0")
    assert again.receipt_index == paid[0].receipt_index
    assert trustlog.latest_checkpoint().size == 6


@pytest.mark.django_db(transaction=True)
def test_witnesses_cosign_inline_receipts_outside_the_writer_lock(
    monkeypatch,
    inproc_witnesses,  # noqa: F811
):
    witnesses = inproc_witnesses(2)
    held: list[bool] = []
    with contextlib.ExitStack() as stack:
        relays = [stack.enter_context(_observed(w.url, held)) for w in witnesses]
        monkeypatch.setenv(
            "TRUSTLOG_WITNESSES",
            ",".join(f"{w.vkey}={url}" for w, url in zip(witnesses, relays, strict=True)),
        )
        # One by one: the relay sees whether ANY thread of the process holds the lock.
        paid = _pay_concurrently(3, at_once=False)

    assert held  # the witnesses were asked
    assert not any(held)  # never while this process held the writer lock
    keys = [w.vkey for w in witnesses]
    for p in paid:
        assert p.receipt_index is not None
        receipt = trustlog.receipt_for(p.receipt_index)
        assert trustlog.verify_receipt(receipt, LOG_VKEY, keys, 2).valid


@pytest.mark.django_db(transaction=True)
def test_a_log_that_cannot_append_costs_the_receipt_not_the_payment(monkeypatch, caplog):
    """The log fails inside the batch: the payment commits without an index (the log's own
    savepoint dropped whatever it wrote: `trustlog/tests/test_store.py`), and the next read
    anchors it."""
    hub = make_hub()
    payee = facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref)
    real_append, real_ensure = paying.trustlog.append_signed, paying.receipt_ensure

    def broken(items):  # type: ignore[no-untyped-def]
        raise RuntimeError("log unavailable")

    monkeypatch.setattr(paying.trustlog, "append_signed", broken)
    # Without the request's own second chance, to see what the batch left.
    monkeypatch.setattr(paying, "receipt_ensure", lambda payment: None)
    quote = facade.quote(wallet_id=hub.wallets["VN"].pk, payee=payee, amount=200_000)
    with caplog.at_level(logging.ERROR, logger="mekong.payments.paying"):
        paid = facade.pay(quote_id=quote.id, idempotency_key="no-log")

    assert paid.status == "completed"
    assert paid.receipt_index is None
    assert _stored(paid.id) is None
    assert "could not append the receipts of 1 payments" in caplog.text
    monkeypatch.setattr(paying.trustlog, "append_signed", real_append)
    monkeypatch.setattr(paying, "receipt_ensure", real_ensure)
    got = facade.payment_get(paid.id)  # the next read anchors it
    assert got is not None
    assert got.receipt_index == 0
    receipt = trustlog.receipt_for(0)
    assert trustlog.verify_receipt(receipt, LOG_VKEY, [], 0).valid
    assert json.loads(receipt.entry.data)["payment_id"] == str(paid.id)


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_rolls_back_leaves_no_receipt_entry(monkeypatch, caplog):
    """The batch fails after its receipts were appended (here: storing the payments); it
    rolls back whole, entries included, and each request is then paid on its own."""
    hub = make_hub()
    payee = facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref)
    wallets = [make_wallet(hub.psps["VN"], funds=20_000_000) for _ in range(3)]
    quotes = [facade.quote(wallet_id=w.pk, payee=payee, amount=500_000) for w in wallets]
    real = paying.insert
    calls: list[int] = []

    def fails_once(rows):  # type: ignore[no-untyped-def]
        calls.append(len(rows))
        if len(calls) == 1:
            raise RuntimeError("disk full")
        return real(rows)

    monkeypatch.setattr(paying, "insert", fails_once)
    items = [
        paying.Item[paying.PayRequest, Payment](
            paying.pay_request(
                paying.fastreads.quote_with_ends(q.id),  # type: ignore[arg-type]
                key=f"rb-{n}",
                reference="",
                digest=paying.request_hash(quote_id=q.id, reference=""),
            )
        )
        for n, q in enumerate(quotes)
    ]
    with caplog.at_level(logging.WARNING, logger="mekong.payments.paying"), writer.serial():
        paying._pay_batch(items)

    assert "rolled back; paying one by one" in caplog.text
    assert calls == [3, 1, 1, 1]
    results = [i.result for i in items]
    assert [r.status for r in results] == ["completed"] * 3  # type: ignore[union-attr]
    indexes = sorted(r.receipt_index for r in results)  # type: ignore[union-attr,type-var]
    assert indexes == [0, 1, 2]  # the batch's three entries were rolled back with it
    assert trustlog.latest_checkpoint().size == 3
    for r in results:
        receipt = trustlog.receipt_for(r.receipt_index)  # type: ignore[union-attr,arg-type]
        assert trustlog.verify_receipt(receipt, LOG_VKEY, [], 0).valid
        entry = trustlog.receipt_for(r.receipt_index).entry  # type: ignore[union-attr,arg-type]
        assert json.loads(entry.data)["payment_id"] == str(r.pk)  # type: ignore[union-attr]
