"""Races on PostgreSQL for variant stock: threads with their own connections.

N buyers check out the last units of one variant at the same moment: exactly as many orders as
there are units are paid, the others are refused as out of stock, the variant's stock ends at
zero (never below), no other variant's stock moves, and the product row carries the variants'
new total.
"""

from __future__ import annotations

from functools import partial

import pytest

from mekong.identity.models import User
from mekong.identity.tests.factories import actor_of, make_user
from mekong.marketplace import ordering
from mekong.marketplace.cart import cart_add
from mekong.marketplace.models import Checkout, Order, OrderStatus, Product, ProductVariant
from mekong.marketplace.tests.conftest import Market, Roast, fund_wallet
from mekong.marketplace.tests.test_concurrency import _race
from mekong.payments import facade as payments

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 6
UNITS = 2


def test_buyers_racing_for_the_last_units_of_a_variant_never_oversell(
    market: Market, roast: Roast
) -> None:
    Product.objects.filter(pk=roast.product.pk).update(min_order_quantity=1)
    ProductVariant.objects.filter(pk=roast.large.pk).update(stock=UNITS)
    product = Product.objects.get(pk=roast.product.pk)
    buyers: list[tuple[User, int]] = [(market.buyer, market.wallet.id)]
    for _ in range(BUYERS - 1):
        user = make_user(org=market.buyer_org)
        wallet = payments.wallet_open(country="VN", currency="VND", user_id=user.pk)
        fund_wallet(market.hub, wallet, 2_000_000)  # ≈ 1,700,000 LAK: one 1 kg bag
        buyers.append((user, wallet.id))
    for user, _wallet in buyers:
        cart_add(user_id=user.pk, product=product, quantity=1, variant=roast.large.sku)

    def submit(user: User, wallet_id: int) -> Checkout:
        return ordering.checkout_submit(
            actor=actor_of(user, market.buyer_org), wallet_id=wallet_id, idempotency_key="last"
        )

    results = _race([partial(submit, user, wallet_id) for user, wallet_id in buyers])

    codes = sorted(getattr(r, "code", "ok") for r in results)
    assert codes == ["marketplace_out_of_stock"] * (BUYERS - UNITS) + ["ok"] * UNITS, results
    stock = dict(ProductVariant.objects.filter(product=product).values_list("sku", "stock"))
    assert stock == {"R-250": 40, "R-1K": 0, "R-DARK": 0}
    assert Product.objects.get(pk=product.pk).stock == 40  # the variants' total (stock.py)
    statuses = list(Order.objects.values_list("status", flat=True))
    assert statuses == [OrderStatus.PAID] * UNITS
    assert sum(o.lines.get().quantity for o in Order.objects.all()) == UNITS
