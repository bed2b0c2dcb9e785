"""Races on PostgreSQL: threads with their own connections against committed rows.

- two buyers check out the last item at the same moment: one order is paid, the other is
  refused as out of stock, and stock never goes below zero;
- the same checkout submitted twice at the same moment pays once;
- release sweeps and a dispute refund racing for one order's escrow: the funds are either paid
  out or refunded, never both.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.db import connection

from mekong.core import clock
from mekong.identity.models import Organisation, User
from mekong.identity.tests.factories import actor_of, make_user
from mekong.ledger import facade as ledger
from mekong.marketplace import disputes, escrow, ordering
from mekong.marketplace.cart import cart_add
from mekong.marketplace.models import Checkout, Order, OrderStatus, Product
from mekong.marketplace.tests.conftest import Market, fund_wallet
from mekong.payments import facade as payments

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_checkouts_of_the_last_item(market: Market) -> None:
    Product.objects.filter(pk=market.product.pk).update(stock=1)
    other = make_user(org=market.buyer_org)
    wallet = payments.wallet_open(country="VN", currency="VND", user_id=other.pk)
    fund_wallet(market.hub, wallet, 20_000_000)
    product = Product.objects.get(pk=market.product.pk)
    buyers = [(market.buyer, market.wallet.id), (other, wallet.id)]
    for user, _wallet in buyers:
        cart_add(user_id=user.pk, product=product, quantity=1)

    def submit(user: User, wallet_id: int) -> Checkout:
        return ordering.checkout_submit(
            actor=actor_of(user, market.buyer_org), wallet_id=wallet_id, idempotency_key="last"
        )

    results = _race([partial(submit, user, wallet_id) for user, wallet_id in buyers])

    codes = sorted(getattr(r, "code", "ok") for r in results)
    assert codes == ["marketplace_out_of_stock", "ok"]
    assert Product.objects.get(pk=product.pk).stock == 0
    assert list(Order.objects.values_list("status", flat=True)) == [OrderStatus.PAID]


def test_the_same_checkout_submitted_twice_at_once_pays_once(market: Market) -> None:
    cart_add(user_id=market.buyer.pk, product=market.product, quantity=3)
    actor = actor_of(market.buyer, market.buyer_org)
    results = _race(
        [
            lambda: ordering.checkout_submit(
                actor=actor, wallet_id=market.wallet.id, idempotency_key="twice"
            )
        ]
        * 2
    )
    assert all(isinstance(r, Checkout) for r in results), results
    assert results[0].pk == results[1].pk
    (order,) = Order.objects.all()
    assert order.status == OrderStatus.PAID
    assert Product.objects.get(pk=market.product.pk).stock == 197
    paid = [p for p in payments.payments_for_wallet(market.wallet.id) if p.reference]
    assert len(paid) == 1


def test_release_and_refund_of_the_same_escrow_never_both_happen(market: Market) -> None:
    cart_add(user_id=market.buyer.pk, product=market.product, quantity=1)
    checkout = ordering.checkout_submit(
        actor=actor_of(market.buyer, market.buyer_org),
        wallet_id=market.wallet.id,
        idempotency_key="r",
    )
    order = checkout.orders.get()
    seller_org = Organisation.objects.get(pk=market.seller.organisation_id)
    seller = actor_of(make_user(org=seller_org), seller_org)
    ordering.order_ship(actor=seller, order_id=order.pk, carrier="EMS", tracking="E")
    Order.objects.filter(pk=order.pk).update(release_due_at=clock.now() - timedelta(seconds=1))
    buyer = actor_of(market.buyer, market.buyer_org)

    results = _race(
        [
            ordering.release_due,
            ordering.release_due,
            lambda: disputes.dispute_open(actor=buyer, order_id=order.pk, evidence="broken"),
        ]
    )

    order.refresh_from_db()
    released = [r for r in results[:2] if r == [order.number]]
    payout = escrow.seller_payee(market.seller, "LAK").ledger_account_id
    balance = ledger.balance(payout)
    assert balance is not None
    hold = ledger.transfers_get([escrow.hold_id(order)])[escrow.hold_id(order)]
    if order.status == OrderStatus.COMPLETED:
        assert len(released) == 1
        assert hold.status == "posted"
        assert balance.balance == order.total_minor - order.commission_minor
        assert getattr(results[2], "code", "") == "marketplace_invalid_transition"
    else:
        assert order.status == OrderStatus.DISPUTED
        assert released == []
        assert hold.status == "pending"
        assert balance.balance == 0
        # the operator refunds in full: the reservation is voided, nothing reaches the seller
        operator = actor_of(make_user(org=Organisation.objects.get(pk=market.operator_org.pk)))
        disputes.dispute_decide(
            actor=operator, order_id=order.pk, refund_minor=order.total_minor, note="refund"
        )
        assert ledger.transfers_get([escrow.hold_id(order)])[escrow.hold_id(order)].status == (
            "voided"
        )
        assert ordering.release_due() == []
