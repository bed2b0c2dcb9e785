"""Cart, checkout into escrow, the order lifecycle and payouts, on a real test payments hub."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from mekong.core import clock
from mekong.identity.contracts import Actor
from mekong.identity.models import Organisation
from mekong.identity.tests.factories import actor_of, make_org, make_user
from mekong.ledger import facade as ledger
from mekong.marketplace import disputes, escrow, ordering
from mekong.marketplace.cart import cart_add, cart_groups
from mekong.marketplace.errors import (
    CartEmpty,
    EscrowFailed,
    InvalidInput,
    InvalidTransition,
    OrderNotFound,
    OutOfStock,
    PaymentUnderReview,
    WalletNotYours,
)
from mekong.marketplace.models import Order, OrderStatus, Product
from mekong.marketplace.tests.conftest import Market
from mekong.payments import facade as payments
from mekong.payments.tests.factories import watch_holder_of

pytestmark = pytest.mark.django_db


def _balance(account_id: int) -> int:
    info = ledger.balance(account_id)
    assert info is not None
    return info.balance


def _checkout(m: Market, quantity: int = 2, key: str = "k1") -> Order:
    cart_add(user_id=m.buyer.pk, product=m.product, quantity=quantity)
    checkout = ordering.checkout_submit(
        actor=actor_of(m.buyer, m.buyer_org), wallet_id=m.wallet.id, idempotency_key=key
    )
    (order,) = checkout.orders.all()
    return order


def test_cart_groups_per_seller_with_shipping_and_landed_estimate(market: Market) -> None:
    other = Product.objects.get(slug="kh-kampot-black-pepper")
    cart_add(user_id=market.buyer.pk, product=market.product, quantity=2)
    cart_add(user_id=market.buyer.pk, product=other, quantity=1)
    groups = cart_groups(user_id=market.buyer.pk, language="en", destination="VN")
    assert [g.seller.slug for g in groups] == ["la-bolaven-coffee", "kh-kampot-pepper"]
    lao = groups[0]
    assert lao.goods.minor == 2 * 95_000_00
    assert lao.currency == "LAK"
    assert lao.shipping_cost.minor == 60_000_00
    assert lao.landed is not None
    assert lao.landed.duty.minor == 0  # ATIGA origin
    assert lao.landed.vat.minor == (2 * 95_000_00 + 60_000_00) // 10  # VN 10 %
    assert groups[1].shipping is None  # the pepper seller has no shipping to VN


def test_checkout_pays_into_escrow_and_completion_pays_seller_minus_commission(
    market: Market,
) -> None:
    wallet_before = payments.wallets_for(user_id=market.buyer.pk)[0].balance
    order = _checkout(market)
    assert order.status == OrderStatus.PAID
    assert order.total_minor == 2 * 95_000_00 + 60_000_00
    assert order.payer_currency == "VND"
    assert order.payer_amount_minor is not None
    assert payments.wallets_for(user_id=market.buyer.pk)[0].balance == (
        wallet_before - order.payer_amount_minor
    )
    assert Product.objects.get(pk=market.product.pk).stock == 198
    escrow_acct = escrow.escrow_payee(country="LA", currency="LAK").ledger_account_id
    payout_acct = escrow.seller_payee(market.seller, "LAK").ledger_account_id
    held = ledger.balance(escrow_acct)
    assert held is not None
    assert held.debits_pending == order.total_minor
    assert _balance(payout_acct) == 0

    seller_user = make_user(org=_seller_org(market))
    seller = actor_of(seller_user, _seller_org(market))
    buyer = actor_of(market.buyer, market.buyer_org)
    with pytest.raises(InvalidTransition):
        ordering.order_confirm_delivery(actor=buyer, order_id=order.pk)  # not shipped yet
    with pytest.raises(InvalidTransition):
        ordering.order_ship(actor=buyer, order_id=order.pk, carrier="x", tracking="y")
    ordering.order_ship(actor=seller, order_id=order.pk, carrier="Lao Post", tracking="LP123")
    ordering.order_confirm_delivery(actor=buyer, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    commission = (order.total_minor * 500 + 5_000) // 10_000
    assert order.commission_minor == commission
    assert _balance(payout_acct) == order.total_minor - commission
    assert _balance(escrow.commission_account_id("LAK")) == commission
    assert _balance(escrow_acct) == 0
    with pytest.raises(InvalidTransition):
        ordering.order_cancel(actor=buyer, order_id=order.pk)


def _seller_org(m: Market) -> Organisation:
    return Organisation.objects.get(pk=m.seller.organisation_id)


def test_double_submit_pays_once(market: Market) -> None:
    first = _checkout(market, key="same")
    again = ordering.checkout_submit(
        actor=actor_of(market.buyer, market.buyer_org),
        wallet_id=market.wallet.id,
        idempotency_key="same",
    )
    assert [o.pk for o in again.orders.all()] == [first.pk]
    assert Order.objects.count() == 1
    paid = [p for p in payments.payments_for_wallet(market.wallet.id) if p.reference]
    assert len(paid) == 1
    with pytest.raises(CartEmpty):  # the cart was emptied by the first checkout
        ordering.checkout_submit(
            actor=actor_of(market.buyer, market.buyer_org),
            wallet_id=market.wallet.id,
            idempotency_key="other",
        )


def test_cancel_before_shipment_voids_and_refunds(market: Market) -> None:
    before = payments.wallets_for(user_id=market.buyer.pk)[0].balance
    order = _checkout(market)
    buyer = actor_of(market.buyer, market.buyer_org)
    ordering.order_cancel(actor=buyer, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.refunded_minor == order.total_minor
    assert Product.objects.get(pk=market.product.pk).stock == 200
    payout = escrow.seller_payee(market.seller, "LAK").ledger_account_id
    assert _balance(payout) == 0
    info = ledger.transfers_get([escrow.hold_id(order)])[escrow.hold_id(order)]
    assert info.status == "voided"
    assert order.payer_amount_minor is not None
    after = payments.wallets_for(user_id=market.buyer.pk)[0].balance
    assert 0 < before - after < order.payer_amount_minor  # refunded, less the hub's fees
    with pytest.raises(Exception):  # noqa: B017, PT011 the funds were voided: no payout possible
        escrow.settle(order)


def test_release_due_pays_shipped_orders_after_the_window(market: Market) -> None:
    order = _checkout(market)
    seller_org = _seller_org(market)
    seller = actor_of(make_user(org=seller_org), seller_org)
    ordering.order_ship(actor=seller, order_id=order.pk, carrier="EMS", tracking="E1")
    assert ordering.release_due() == []
    later = clock.now() + timedelta(days=15)
    assert ordering.release_due(now=later) == [order.number]
    assert ordering.release_due(now=later) == []
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED


def test_refused_payment_cancels_and_restocks(market: Market) -> None:
    poor = payments.wallet_open(country="VN", currency="VND", organisation_id=market.buyer_org.pk)
    cart_add(user_id=market.buyer.pk, product=market.product, quantity=1)
    checkout = ordering.checkout_submit(
        actor=actor_of(market.buyer, market.buyer_org), wallet_id=poor.id, idempotency_key="p"
    )
    (order,) = checkout.orders.all()
    assert order.status == OrderStatus.CANCELLED
    assert order.refusal_code == "insufficient_funds"
    assert Product.objects.get(pk=market.product.pk).stock == 200


def test_wallet_must_be_the_buyers_and_stock_must_suffice(market: Market) -> None:
    actor = actor_of(market.buyer, market.buyer_org)
    cart_add(user_id=market.buyer.pk, product=market.product, quantity=1)
    someone = payments.wallets_for(organisation_id=market.hub.wallets["VN"].owner_organisation_id)
    with pytest.raises(WalletNotYours):
        ordering.checkout_submit(actor=actor, wallet_id=someone[0].id, idempotency_key="w")
    Product.objects.filter(pk=market.product.pk).update(stock=0)
    with pytest.raises(OutOfStock):
        ordering.checkout_submit(actor=actor, wallet_id=market.wallet.id, idempotency_key="s")
    assert Order.objects.count() == 0


def test_orders_are_visible_only_to_buyer_and_seller(market: Market) -> None:
    order = _checkout(market)
    stranger_org = make_org(kind="buyer", country="VN")
    stranger = actor_of(make_user(org=stranger_org), stranger_org)
    with pytest.raises(OrderNotFound):
        ordering.order_get_for(actor=stranger, order_id=order.pk)
    with pytest.raises(OrderNotFound):
        ordering.order_get_for(actor=stranger, order_id=uuid.uuid4())
    with pytest.raises(OrderNotFound):
        ordering.order_get_for(actor=stranger, order_id="not-a-uuid")
    seller_org = _seller_org(market)
    seller = actor_of(make_user(org=seller_org), seller_org)
    assert ordering.order_get_for(actor=seller, order_id=order.pk).pk == order.pk


def test_release_due_task_and_cli(market: Market, capsys: pytest.CaptureFixture[str]) -> None:
    from mekong.cli import main
    from mekong.marketplace.tasks import release_due_task

    seller_org = _seller_org(market)
    seller = actor_of(make_user(org=seller_org), seller_org)
    first = _checkout(market, quantity=1, key="a")
    second = _checkout(market, quantity=1, key="b")
    for order in (first, second):
        ordering.order_ship(actor=seller, order_id=order.pk, carrier="EMS", tracking="E")
    Order.objects.filter(pk=first.pk).update(release_due_at=clock.now() - timedelta(seconds=1))
    assert release_due_task.enqueue().return_value == 1
    Order.objects.filter(pk=second.pk).update(release_due_at=clock.now() - timedelta(seconds=1))
    assert main(["marketplace", "release-due"]) == 0
    assert capsys.readouterr().out.splitlines() == [second.number, "1 orders released"]
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.COMPLETED}


def _operator(m: Market) -> Actor:
    org = Organisation.objects.get(pk=m.operator_org.pk)
    return actor_of(make_user(org=org), org)


@pytest.mark.parametrize("refund", [0, 40_000_00, None])
def test_dispute_decision_splits_escrow_between_refund_and_payout(
    market: Market, refund: int | None
) -> None:
    order = _checkout(market, quantity=1)
    refund = order.total_minor if refund is None else refund
    seller_org = _seller_org(market)
    seller = actor_of(make_user(org=seller_org), seller_org)
    buyer = actor_of(market.buyer, market.buyer_org)
    ordering.order_ship(actor=seller, order_id=order.pk, carrier="EMS", tracking="E")
    with pytest.raises(InvalidTransition):
        disputes.dispute_open(actor=seller, order_id=order.pk, evidence="x")
    disputes.dispute_open(actor=buyer, order_id=order.pk, evidence="The bag arrived torn.")
    assert ordering.release_due(now=clock.now() + timedelta(days=30)) == []  # window stopped
    disputes.dispute_respond(actor=seller, order_id=order.pk, response="Photo of the packing.")
    with pytest.raises(OrderNotFound):  # the buyer is not an operator
        disputes.dispute_decide(actor=buyer, order_id=order.pk, refund_minor=0)
    with pytest.raises(InvalidInput):
        disputes.dispute_decide(
            actor=_operator(market), order_id=order.pk, refund_minor=order.total_minor + 1
        )
    disputes.dispute_decide(
        actor=_operator(market), order_id=order.pk, refund_minor=refund, note="split"
    )
    order.refresh_from_db()
    kept = order.total_minor - refund
    commission = (kept * 500 + 5_000) // 10_000
    payout = escrow.seller_payee(market.seller, "LAK").ledger_account_id
    assert _balance(payout) == kept - commission
    assert _balance(escrow.commission_account_id("LAK")) == commission
    assert order.refunded_minor == refund
    assert order.status == (OrderStatus.REFUNDED if kept == 0 else OrderStatus.COMPLETED)
    with pytest.raises(InvalidTransition):
        disputes.dispute_decide(actor=_operator(market), order_id=order.pk, refund_minor=0)


def test_demo_seed_configures_operator_and_shipping(catalogue: dict[str, int]) -> None:
    from mekong.marketplace.demo import seed
    from mekong.marketplace.models import ShippingOption

    first = seed()
    assert "25 shipping options" in first[0]  # five sellers × five GMS destinations
    assert "0 shipping options" in seed()[0]  # idempotent
    assert escrow.operator().commission_bps == 500
    lao_to_vn = ShippingOption.objects.get(
        seller__slug="la-bolaven-coffee", destination_country="VN"
    )
    assert lao_to_vn.cost_minor == 4 * 25_000_00


def test_no_order_completes_without_funds_held(market: Market) -> None:
    """If the escrow reservation is gone (voided behind the marketplace's back), delivery
    confirmation fails and the order stays shipped: completion needs the held funds."""
    from mekong.ledger.contracts import TransferIn

    order = _checkout(market, quantity=1)
    seller_org = _seller_org(market)
    seller = actor_of(make_user(org=seller_org), seller_org)
    ordering.order_ship(actor=seller, order_id=order.pk, carrier="EMS", tracking="E")
    (voided,) = ledger.transfers_create(
        [TransferIn(id=uuid.uuid4(), pending_id=escrow.hold_id(order), void_pending=True)]
    )
    assert voided.succeeded
    with pytest.raises(EscrowFailed):
        ordering.order_confirm_delivery(
            actor=actor_of(market.buyer, market.buyer_org), order_id=order.pk
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert _balance(escrow.seller_payee(market.seller, "LAK").ledger_account_id) == 0
    assert ordering.release_due(now=clock.now() + timedelta(days=30)) == []


def test_crash_after_paying_is_recovered_by_a_retry_without_paying_twice(
    market: Market, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = ordering._record_payment
    seen: list[uuid.UUID] = []

    def crash(order_pk: uuid.UUID, payment: object) -> None:
        seen.append(payment.id)  # type: ignore[attr-defined]
        raise RuntimeError("process died after the hub took the money")

    monkeypatch.setattr(ordering, "_record_payment", crash)
    cart_add(user_id=market.buyer.pk, product=market.product, quantity=1)
    actor = actor_of(market.buyer, market.buyer_org)
    with pytest.raises(RuntimeError):
        ordering.checkout_submit(actor=actor, wallet_id=market.wallet.id, idempotency_key="c")
    order = Order.objects.get()
    assert order.status == OrderStatus.PLACED  # paid at the hub, not yet recorded here
    monkeypatch.setattr(ordering, "_record_payment", record)
    ordering.checkout_submit(actor=actor, wallet_id=market.wallet.id, idempotency_key="c")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.payment_id == seen[0]  # the same payment, not a second one
    assert len([p for p in payments.payments_for_wallet(market.wallet.id) if p.reference]) == 1
    ordering.orders_payment_update([seen[0]])  # a no-op for a paid order
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def _assert_decided(market: Market, order: Order, *, released: bool, stock_before: int) -> None:
    """The order of two units after a reviewer's decision on its held payment: paid into
    escrow when released, cancelled with its stock back when rejected."""
    order.refresh_from_db()
    if released:
        assert order.status == OrderStatus.PAID
        assert order.escrow_transfer_id is not None
        assert Product.objects.get(pk=market.product.pk).stock == stock_before - 2
    else:
        assert order.status == OrderStatus.CANCELLED
        assert order.refusal_code == "rejected"
        assert Product.objects.get(pk=market.product.pk).stock == stock_before


@pytest.mark.parametrize("release", [True, False], ids=["released", "rejected"])
def test_an_order_held_by_screening_follows_the_reviewers_decision(
    market: Market, release: bool, django_capture_on_commit_callbacks: Any
) -> None:
    """The hub holds the order's payment on a watchlist hit: the order waits, placed, and is
    paid into escrow when a reviewer releases the payment, or cancelled with its stock back
    when one rejects it (the payments hub's reviewer events, delivered after commit)."""
    watch_holder_of(market.wallet.id)
    stock = Product.objects.get(pk=market.product.pk).stock
    order = _checkout(market, quantity=2)
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    assert order.payment_id is not None
    assert Product.objects.get(pk=market.product.pk).stock == stock - 2
    reviewer = make_user(org=market.operator_org)
    decide = payments.review_release if release else payments.review_reject
    with django_capture_on_commit_callbacks(execute=True):
        info = decide(order.payment_id, reviewer_user_id=reviewer.pk)
    assert info.status == ("completed" if release else "rejected")
    _assert_decided(market, order, released=release, stock_before=stock)


@pytest.mark.parametrize("recorded", [True, False], ids=["recorded-late", "never-recorded"])
@pytest.mark.parametrize("release", [True, False], ids=["released", "rejected"])
def test_a_decision_before_the_order_records_its_held_payment_still_reaches_the_order(
    market: Market,
    release: bool,
    recorded: bool,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The hub answers ``held``; before the order stores the payment's id, a reviewer decides
    (or the process stops there and the id is never stored). The decision's event must still
    find the order: it is found by the quote it stored before paying."""
    watch_holder_of(market.wallet.id)
    stock = Product.objects.get(pk=market.product.pk).stock
    reviewer = make_user(org=market.operator_org)
    decide = payments.review_release if release else payments.review_reject
    record = ordering._record_payment
    answers: list[str] = []

    def decided_first(order_pk: uuid.UUID, payment: Any) -> None:
        if answers:  # the decision's own event handler, recording the decision
            record(order_pk, payment)
            return
        answers.append(payment.status)  # the order's request, with the hub's answer
        with django_capture_on_commit_callbacks(execute=True):
            decide(payment.id, reviewer_user_id=reviewer.pk)
        if recorded:
            record(order_pk, payment)  # the now stale "held" answer

    monkeypatch.setattr(ordering, "_record_payment", decided_first)
    order = _checkout(market, quantity=2)
    assert answers == ["held"]
    _assert_decided(market, order, released=release, stock_before=stock)
    assert order.payment_id is not None


def test_an_order_whose_payment_is_under_review_cannot_be_cancelled_until_it_is_decided(
    market: Market, django_capture_on_commit_callbacks: Any
) -> None:
    """Cancelling it would restock it and leave the held money to reach escrow on release for
    an order that no longer exists."""
    watch_holder_of(market.wallet.id)
    stock = Product.objects.get(pk=market.product.pk).stock
    order = _checkout(market, quantity=1)
    buyer = actor_of(market.buyer, market.buyer_org)
    with pytest.raises(PaymentUnderReview):
        ordering.order_cancel(actor=buyer, order_id=order.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    assert Product.objects.get(pk=market.product.pk).stock == stock - 1
    assert order.payment_id is not None
    reviewer = make_user(org=market.operator_org)
    with django_capture_on_commit_callbacks(execute=True):
        payments.review_release(order.payment_id, reviewer_user_id=reviewer.pk)
    # Once decided (released: paid into escrow), cancelling refunds the buyer in full.
    cancelled = ordering.order_cancel(actor=buyer, order_id=order.pk)
    assert cancelled.status == OrderStatus.CANCELLED
    assert cancelled.refunded_minor == order.total_minor
    assert Product.objects.get(pk=market.product.pk).stock == stock


@pytest.mark.parametrize("held", [False, True], ids=["completed", "held"])
def test_cancelling_an_order_that_never_recorded_its_payment_records_it_first(
    market: Market, held: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hub paid (or held) the order's payment, but the request stopped before the order
    recorded the answer. Cancelling must not just restock it: the buyer's money would sit in
    escrow for a cancelled order. It records the payment first: a completed one is refunded,
    a held one waits for its reviewer."""
    if held:
        watch_holder_of(market.wallet.id)
    before = payments.wallets_for(user_id=market.buyer.pk)[0].balance
    monkeypatch.setattr(ordering, "_record_payment", lambda order_pk, payment: None)
    order = _checkout(market, quantity=1)
    monkeypatch.undo()
    order.refresh_from_db()
    assert (order.status, order.payment_id) == (OrderStatus.PLACED, None)  # never recorded
    # But paid (or reserved, when held).
    assert payments.wallets_for(user_id=market.buyer.pk)[0].available < before
    buyer = actor_of(market.buyer, market.buyer_org)
    if held:
        with pytest.raises(PaymentUnderReview):
            ordering.order_cancel(actor=buyer, order_id=order.pk)
        order.refresh_from_db()
        assert order.status == OrderStatus.PLACED
        assert Product.objects.get(pk=market.product.pk).stock == 199
        return
    cancelled = ordering.order_cancel(actor=buyer, order_id=order.pk)
    assert cancelled.status == OrderStatus.CANCELLED
    assert cancelled.payment_id is not None
    assert cancelled.refunded_minor == cancelled.total_minor
    assert Product.objects.get(pk=market.product.pk).stock == 200
    info = ledger.transfers_get([escrow.hold_id(cancelled)])[escrow.hold_id(cancelled)]
    assert info.status == "voided"
    after = payments.wallets_for(user_id=market.buyer.pk)[0].balance
    assert cancelled.payer_amount_minor is not None
    assert 0 < before - after < cancelled.payer_amount_minor  # refunded, less the hub's fees


def test_cancelling_an_order_the_hub_refused_unrecorded_cancels_it_with_the_refusal(
    market: Market, monkeypatch: pytest.MonkeyPatch
) -> None:
    poor = payments.wallet_open(country="VN", currency="VND", organisation_id=market.buyer_org.pk)
    cart_add(user_id=market.buyer.pk, product=market.product, quantity=1)
    monkeypatch.setattr(ordering, "_record_refusal", lambda order, code: None)
    checkout = ordering.checkout_submit(
        actor=actor_of(market.buyer, market.buyer_org), wallet_id=poor.id, idempotency_key="p"
    )
    monkeypatch.undo()
    (order,) = checkout.orders.all()
    assert order.status == OrderStatus.PLACED  # the refusal was never recorded
    cancelled = ordering.order_cancel(
        actor=actor_of(market.buyer, market.buyer_org), order_id=order.pk
    )
    assert cancelled.status == OrderStatus.CANCELLED
    assert cancelled.refusal_code == "insufficient_funds"
    assert Product.objects.get(pk=market.product.pk).stock == 200


@pytest.mark.parametrize("held", [False, True], ids=["completed", "held-then-released"])
def test_an_order_cancelled_while_its_payment_is_on_the_way_gets_the_payment_refunded(
    market: Market,
    monkeypatch: pytest.MonkeyPatch,
    held: bool,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The seller cancels between the order's quote commit and the hub's payment commit: the
    cancel sees no payment and restocks. When the payment then completes (at once, or when a
    reviewer releases it), the order keeps its id and the buyer is refunded in full, never
    left paying into escrow for a cancelled order (found by review, 2026-12-07)."""
    if held:
        watch_holder_of(market.wallet.id)
    before = payments.wallets_for(user_id=market.buyer.pk)[0].balance
    seller = actor_of(make_user(org=_seller_org(market)), _seller_org(market))
    pay = payments.pay

    def cancelled_first(*, quote_id: uuid.UUID, idempotency_key: str, reference: str = "") -> Any:
        (order,) = Order.objects.filter(quote_id=quote_id)  # committed before paying
        assert ordering.order_cancel(actor=seller, order_id=order.pk).refunded_minor == 0
        return pay(quote_id=quote_id, idempotency_key=idempotency_key, reference=reference)

    monkeypatch.setattr(payments, "pay", cancelled_first)
    order = _checkout(market, quantity=1)
    monkeypatch.undo()
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Product.objects.get(pk=market.product.pk).stock == 200
    if held:
        assert order.refunded_minor == 0  # nothing to give back yet: the money is reserved
        assert order.payment_id is not None  # kept, for the reviewer's decision to find
        reviewer = make_user(org=market.operator_org)
        with django_capture_on_commit_callbacks(execute=True):
            payments.review_release(order.payment_id, reviewer_user_id=reviewer.pk)
        order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.payment_id is not None
    assert order.refunded_minor == order.total_minor
    refunded = payments.payment_status(order.payment_id)
    assert refunded is not None
    assert refunded.refunded_amount == order.total_minor
    after = payments.wallets_for(user_id=market.buyer.pk)[0].balance
    assert 0 <= before - after < refunded.quote.total_debit  # given back, less the hub's fees


def test_cancel_ignores_a_payment_under_the_orders_key_for_another_quote(
    market: Market, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key is predictable (``marketplace:<order id>``) and a PSP can pay from the wallet
    with a key of its choosing: a payment under it is the order's only if it pays the order's
    quote (found by review)."""

    def stopped(**kwargs: Any) -> Any:
        raise KeyboardInterrupt  # the request stops before the hub is asked

    monkeypatch.setattr(payments, "pay", stopped)
    with pytest.raises(KeyboardInterrupt):
        _checkout(market, quantity=1)
    monkeypatch.undo()
    (order,) = Order.objects.all()
    assert (order.status, order.payment_id) == (OrderStatus.PLACED, None)
    assert order.quote_id is not None
    other = payments.quote(
        wallet_id=market.wallet.id,
        payee=escrow.escrow_payee(country="LA", currency="LAK"),
        amount=1_000,
        fixed="destination",
    )
    payments.pay(quote_id=other.id, idempotency_key=f"marketplace:{order.pk}")
    cancelled = ordering.order_cancel(
        actor=actor_of(market.buyer, market.buyer_org), order_id=order.pk
    )
    assert cancelled.status == OrderStatus.CANCELLED
    assert (cancelled.payment_id, cancelled.refunded_minor) == (None, 0)
