"""Receipts built with the payment request, before the writer lock: in every kind of payment
the trustlog entry is exactly the stored payment's summary, and a payment whose receipt is
made later (held then released, a refund, deferred receipts) gets a fresh one."""

from __future__ import annotations

import uuid

import pytest

from mekong.payments import paying, receipts
from mekong.payments.models import Payment, PaymentStatus
from mekong.payments.tests.factories import make_hub, make_wallet, watch_holder_of
from mekong.payments.tests.test_receipts_batch import stored_summary_entry
from mekong.payments.tests.test_receipts_inline import receipts_built_in_batch
from mekong.trustlog import facade as trustlog


def _check_stored(pid: uuid.UUID) -> None:
    index = Payment.objects.get(pk=pid).receipt_index
    assert index is not None
    entry = trustlog.receipt_for(index).entry
    assert (entry.kind, entry.data) == stored_summary_entry(pid)


@pytest.mark.django_db
@pytest.mark.parametrize("sandbox", [False, True])
@pytest.mark.parametrize("route", ["fx", "same_psp", "small"])
def test_precomputed_receipt_is_the_stored_summary(monkeypatch, sandbox, route) -> None:
    built = receipts_built_in_batch(monkeypatch)
    hub = make_hub(sandbox=sandbox)
    payer = hub.wallets["VN"]
    payee = hub.wallets["LA"] if route != "same_psp" else make_wallet(hub.psps["VN"])
    amount = 1 if route == "small" else 500_000
    quote = paying.quote_create(wallet=payer, payee_wallet=payee, amount=amount)
    p = paying.payment_create(quote_id=quote.pk, idempotency_key=f"k-{route}", sandbox=sandbox)
    assert p.status == PaymentStatus.COMPLETED
    assert built == []
    _check_stored(p.pk)
    assert Payment.objects.get(pk=p.pk).sandbox == sandbox


@pytest.mark.django_db
def test_held_then_released_gets_a_fresh_entry(monkeypatch, django_user_model) -> None:
    hub = make_hub()
    payer = hub.wallets["VN"]
    watch_holder_of(payer.pk)
    quote = paying.quote_create(wallet=payer, payee_wallet=hub.wallets["LA"], amount=500_000)
    p = paying.payment_create(quote_id=quote.pk, idempotency_key="held")
    assert p.status == PaymentStatus.HELD
    assert p.receipt_index is None
    user = django_user_model.objects.create(email="reviewer@example.org")
    released = paying.review_release(p.pk, reviewer_user_id=user.pk)
    assert released.status == PaymentStatus.COMPLETED
    _check_stored(p.pk)
    # And a refund of it.
    refund = paying.refund_create(payment_id=p.pk, amount=1000, idempotency_key="rf")
    _check_stored(refund.pk)


@pytest.mark.django_db
def test_deferred_mode_builds_nothing_before_and_anchors_the_stored_summary(monkeypatch):
    monkeypatch.setenv("PAYMENTS_RECEIPTS", "deferred")
    monkeypatch.setenv("PAYMENTS_ANCHOR_LOOP", "off")
    calls: list[object] = []
    real = paying.receipt_entry
    monkeypatch.setattr(paying, "receipt_entry", lambda p: (calls.append(p.pk), real(p))[1])
    hub = make_hub()
    quote = paying.quote_create(
        wallet=hub.wallets["VN"], payee_wallet=hub.wallets["LA"], amount=500_000
    )
    p = paying.payment_create(quote_id=quote.pk, idempotency_key="d")
    assert p.receipt_index is None
    assert calls == []
    assert receipts.anchor_pending() == 1
    _check_stored(p.pk)
