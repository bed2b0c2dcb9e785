"""Variants, minimum order quantity and tiered prices on the buying side.

The pricing rule is in `mekong.marketplace.tiers` (module docstring); these tests pin it, then
follow it through the cart, checkout (stock per variant, stale carts), the pages and the API.
The `roast` fixture (tests/conftest.py) is a Lao coffee in three variants: R-250 at the product
price (100,000 LAK, 40 in stock), R-1K at its own 300,000 LAK (10 in stock, 1 kg), R-DARK sold
out; minimum order 5 bags; tiers 10+ at 90,000 and 20+ at 80,000 LAK.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from mekong.identity.models import Organisation
from mekong.identity.tests.factories import actor_of, client_for, make_user
from mekong.marketplace import ordering
from mekong.marketplace.cart import cart_add, cart_groups, cart_set
from mekong.marketplace.errors import (
    BelowMinimumOrder,
    InsufficientStock,
    InvalidQuantity,
    OutOfStock,
    PriceChanged,
    UnknownVariant,
    VariantRequired,
)
from mekong.marketplace.models import (
    CartLine,
    Checkout,
    Order,
    OrderLine,
    OrderStatus,
    PriceTier,
    Product,
    ProductVariant,
)
from mekong.marketplace.tests.conftest import Market, Roast
from mekong.marketplace.tiers import Tier, next_tier, unit_price_minor, variant_label

# --- the pricing rule (pure) ----------------------------------------------------------------

TIERS = [Tier(10, 90), Tier(20, 80)]


def _unit(quantity: int, variant: int | None = None, tiers: list[Tier] = TIERS) -> int:
    return unit_price_minor(
        product_price_minor=100, variant_price_minor=variant, tiers=tiers, product_quantity=quantity
    )


def test_unit_price_by_tier_for_the_product_price() -> None:
    assert [_unit(q) for q in (1, 9, 10, 19, 20, 500)] == [100, 100, 90, 90, 80, 80]


def test_a_variant_with_its_own_price_gets_the_tier_reduction_in_proportion() -> None:
    assert _unit(9, variant=300) == 300
    assert _unit(10, variant=300) == 270  # 300 × 90 / 100
    assert _unit(20, variant=333) == 266  # 266.4 rounds half up to 266
    assert _unit(20, variant=335) == 268  # 268.0
    assert _unit(10, variant=5) == 5  # 4.5 rounds half up to 5
    assert _unit(10, variant=None, tiers=[Tier(10, 120)]) == 100  # a tier never raises a price


def test_a_larger_order_can_cost_less_in_total_just_past_a_price_break() -> None:
    assert 9 * _unit(9) == 900
    assert 10 * _unit(10) == 900  # the same money buys one more unit
    assert 19 * _unit(19) == 1710 > 20 * _unit(20) == 1600


def test_the_lowest_reached_tier_wins_even_when_entered_out_of_order() -> None:
    assert _unit(25, tiers=[Tier(10, 70), Tier(20, 85)]) == 70


def test_next_tier_is_the_buy_n_more_hint() -> None:
    assert next_tier(TIERS, 5) == Tier(10, 90)
    assert next_tier(TIERS, 10) == Tier(20, 80)
    assert next_tier(TIERS, 20) is None


@given(
    price=st.integers(min_value=0, max_value=10**9),
    own=st.one_of(st.none(), st.integers(min_value=0, max_value=10**9)),
    tiers=st.lists(
        st.builds(
            Tier,
            st.integers(min_value=2, max_value=1000),
            st.integers(min_value=0, max_value=10**9),
        ),
        max_size=6,
        unique_by=lambda t: t.min_quantity,
    ),
    quantities=st.tuples(
        st.integers(min_value=1, max_value=2000), st.integers(min_value=1, max_value=2000)
    ),
)
def test_unit_price_never_rises_with_quantity_and_never_exceeds_the_base(
    price: int, own: int | None, tiers: list[Tier], quantities: tuple[int, int]
) -> None:
    small, large = sorted(quantities)
    base = price if own is None else own

    def unit(quantity: int) -> int:
        return unit_price_minor(
            product_price_minor=price,
            variant_price_minor=own,
            tiers=sorted(tiers, key=lambda t: t.min_quantity),
            product_quantity=quantity,
        )

    assert 0 <= unit(large) <= unit(small) <= base
    # Below every tier the base price applies; at a tier at the product price, exactly it.
    if all(t.min_quantity > small for t in tiers):
        assert unit(small) == base
    reached = [t.unit_price_minor for t in tiers if t.min_quantity <= large]
    if own is None and reached and price > 0:
        assert unit(large) == min(price, *reached)


def test_variant_label_uses_attribute_values_else_the_sku(roast: Roast) -> None:
    assert variant_label(roast.sold_out) == "dark · 250 g"  # by attribute name
    assert variant_label(ProductVariant(sku="PLAIN", attributes={})) == "PLAIN"


# --- cart -----------------------------------------------------------------------------------


def test_a_product_with_variants_needs_one_of_its_own(market: Market, roast: Roast) -> None:
    user = market.buyer.pk
    with pytest.raises(VariantRequired) as required:
        cart_set(user_id=user, product=roast.product, quantity=5)
    assert required.value.code == "marketplace_variant_required"
    assert required.value.http_status == 422
    other = ProductVariant.objects.create(product=market.product, sku="OTHER", stock=5)
    with pytest.raises(UnknownVariant):
        cart_set(user_id=user, product=roast.product, quantity=5, variant=other.sku)
    other.delete()
    with pytest.raises(UnknownVariant):  # a product without variants takes no SKU
        cart_set(user_id=user, product=market.product, quantity=1, variant="R-250")
    assert not CartLine.objects.filter(user_id=user).exists()


def test_minimum_order_counts_the_product_over_all_its_variants(
    market: Market, roast: Roast
) -> None:
    user = market.buyer.pk
    with pytest.raises(BelowMinimumOrder) as below:
        cart_set(user_id=user, product=roast.product, quantity=4, variant="R-250")
    assert below.value.code == "marketplace_below_minimum_order"
    assert below.value.detail == "The minimum order for this product is 5 units."
    cart_set(user_id=user, product=roast.product, quantity=5, variant="R-250")
    cart_set(user_id=user, product=roast.product, quantity=2, variant="R-1K")  # 7 in all
    cart_set(user_id=user, product=roast.product, quantity=3, variant="R-250")  # 5 in all
    with pytest.raises(BelowMinimumOrder):
        cart_set(user_id=user, product=roast.product, quantity=2, variant="R-250")  # 4
    # Removing a line is always allowed; the cart then shows the shortfall.
    cart_set(user_id=user, product=roast.product, quantity=0, variant="R-1K")
    (group,) = cart_groups(user_id=user, language="en", destination="VN")
    (item,) = group.items
    assert (item.quantity, item.below_minimum, group.blocked) == (3, True, True)


def test_quantity_is_bounded_by_the_variants_stock(market: Market, roast: Roast) -> None:
    user = market.buyer.pk
    with pytest.raises(InsufficientStock) as short:
        cart_set(user_id=user, product=roast.product, quantity=11, variant="R-1K")
    assert short.value.code == "marketplace_insufficient_stock"
    assert short.value.detail == "Only 10 units are in stock."
    with pytest.raises(InsufficientStock):
        cart_set(user_id=user, product=roast.product, quantity=5, variant="R-DARK")
    with pytest.raises(InvalidQuantity):
        cart_set(user_id=user, product=roast.product, quantity=-1, variant="R-250")
    cart_add(user_id=user, product=roast.product, quantity=8, variant="R-1K")
    with pytest.raises(InsufficientStock):  # 8 + 3 > 10
        cart_add(user_id=user, product=roast.product, quantity=3, variant="R-1K")


def test_tiers_count_all_variants_of_the_product_in_the_cart(market: Market, roast: Roast) -> None:
    user = market.buyer.pk
    cart_add(user_id=user, product=roast.product, quantity=6, variant="R-250")
    (group,) = cart_groups(user_id=user, language="en", destination="VN")
    (small,) = group.items
    assert small.unit_price.minor == 100_000_00
    assert not small.tier_applied
    assert small.next_tier is not None
    assert (small.next_tier.min_quantity, small.next_tier.unit_price.minor) == (10, 90_000_00)

    cart_add(user_id=user, product=roast.product, quantity=4, variant="R-1K")  # 10 in all
    (group,) = cart_groups(user_id=user, language="en", destination="VN")
    small, large = group.items
    assert (small.variant_label, large.variant_label) == ("250 g", "1 kg")
    assert small.product_quantity == large.product_quantity == 10
    assert small.unit_price.minor == 90_000_00
    assert small.tier_applied
    assert large.unit_price.minor == 270_000_00  # its own 300,000 less 10 %
    assert small.amount.minor == 6 * 90_000_00
    assert large.amount.minor == 4 * 270_000_00
    assert group.goods.minor == 6 * 90_000_00 + 4 * 270_000_00
    assert large.next_tier is not None
    assert (large.next_tier.min_quantity, large.next_tier.unit_price.minor) == (20, 240_000_00)
    assert group.weight_grams == 6 * 250 + 4 * 1000  # the 1 kg bag's own weight
    # The landed-cost estimate follows the tier amounts (LA → VN: ATIGA duty 0, VAT 10 %).
    assert group.landed is not None
    assert group.landed.vat.minor == (group.goods.minor + group.shipping_cost.minor) // 10


# --- checkout -------------------------------------------------------------------------------


def _submit(m: Market, key: str, **kwargs: Any) -> Checkout:
    return ordering.checkout_submit(
        actor=actor_of(m.buyer, m.buyer_org), wallet_id=m.wallet.id, idempotency_key=key, **kwargs
    )


def test_checkout_records_variants_and_tier_prices_and_takes_variant_stock(
    market: Market, roast: Roast
) -> None:
    cart_add(user_id=market.buyer.pk, product=roast.product, quantity=6, variant="R-250")
    cart_add(user_id=market.buyer.pk, product=roast.product, quantity=4, variant="R-1K")
    (order,) = _submit(market, "v1").orders.all()
    assert order.status == OrderStatus.PAID
    lines = list(
        OrderLine.objects.filter(order=order).values_list(
            "variant__sku", "variant_label", "quantity", "unit_price_minor"
        )
    )
    assert lines == [("R-250", "250 g", 6, 90_000_00), ("R-1K", "1 kg", 4, 270_000_00)]
    assert order.goods_minor == 6 * 90_000_00 + 4 * 270_000_00
    assert order.total_minor == order.goods_minor + 60_000_00
    stock = dict(ProductVariant.objects.filter(product=roast.product).values_list("sku", "stock"))
    assert stock == {"R-250": 34, "R-1K": 6, "R-DARK": 0}
    # The product row carries the variants' total (cards, the in-stock facet read it).
    assert Product.objects.get(pk=roast.product.pk).stock == 34 + 6

    ordering.order_cancel(actor=actor_of(market.buyer, market.buyer_org), order_id=order.pk)
    stock = dict(ProductVariant.objects.filter(product=roast.product).values_list("sku", "stock"))
    assert stock == {"R-250": 40, "R-1K": 10, "R-DARK": 0}
    assert Product.objects.get(pk=roast.product.pk).stock == 50


def test_a_cross_border_shipment_declares_the_variants_weight(market: Market, roast: Roast) -> None:
    from mekong.customs import facade as customs

    cart_add(user_id=market.buyer.pk, product=roast.product, quantity=5, variant="R-1K")
    (order,) = _submit(market, "w").orders.all()
    seller_org = Organisation.objects.get(pk=market.seller.organisation_id)
    seller = actor_of(make_user(org=seller_org), seller_org)
    shipped = ordering.order_ship(actor=seller, order_id=order.pk, carrier="EMS", tracking="E1")
    invoice = customs.document_get(uuid.UUID(shipped.customs_document_ids[0]))
    assert invoice is not None
    assert invoice.doc_type == "commercial_invoice"
    (line,) = invoice.data["lines"]
    assert line["weight_grams"] == 5 * 1000  # the 1 kg bag, not the product's 250 g
    assert line["description"] == "Bolaven roast sampler (1 kg)"
    assert line["unit_price_minor"] == 300_000_00


def test_checkout_refuses_a_stale_cart(market: Market, roast: Roast) -> None:
    user = market.buyer.pk
    cart_add(user_id=user, product=roast.product, quantity=10, variant="R-250")
    (group,) = cart_groups(user_id=user, language="en", destination="VN")
    seen = {market.seller.pk: group.goods.minor}
    assert seen[market.seller.pk] == 10 * 90_000_00
    # The seller raises the 10+ price after the buyer looked at the cart.
    PriceTier.objects.filter(product=roast.product, min_quantity=10).update(
        unit_price_minor=95_000_00
    )
    with pytest.raises(PriceChanged) as changed:
        _submit(market, "stale", expected_goods=seen)
    assert changed.value.code == "marketplace_price_changed"
    assert changed.value.http_status == 409
    # An order from a seller the buyer did not see is a change too.
    with pytest.raises(PriceChanged):
        _submit(market, "unseen", expected_goods={market.seller.pk + 1: 10 * 95_000_00})
    current = {market.seller.pk: 10 * 95_000_00}
    # The minimum rose above what the cart holds.
    Product.objects.filter(pk=roast.product.pk).update(min_order_quantity=12)
    with pytest.raises(BelowMinimumOrder):
        _submit(market, "moq")
    Product.objects.filter(pk=roast.product.pk).update(min_order_quantity=5)
    # The variant sold out meanwhile: nothing is ordered, no stock is taken.
    ProductVariant.objects.filter(pk=roast.small.pk).update(stock=9)
    with pytest.raises(OutOfStock):
        _submit(market, "stock")
    assert Order.objects.count() == 0
    assert ProductVariant.objects.get(pk=roast.small.pk).stock == 9
    # Priced again now, the order is placed at the current tier price.
    ProductVariant.objects.filter(pk=roast.small.pk).update(stock=40)
    (order,) = _submit(market, "fresh", expected_goods=current).orders.all()
    assert order.goods_minor == 10 * 95_000_00


def test_a_product_that_gained_variants_after_it_was_put_in_the_cart(market: Market) -> None:
    cart_add(user_id=market.buyer.pk, product=market.product, quantity=1)
    ProductVariant.objects.create(product=market.product, sku="NEW", stock=9)
    (group,) = cart_groups(user_id=market.buyer.pk, language="en", destination="VN")
    assert group.items[0].needs_variant
    assert group.blocked
    with pytest.raises(VariantRequired):
        _submit(market, "gained")
    assert Order.objects.count() == 0
    # The buyer can still remove that line (it has no variant to name).
    cart_set(user_id=market.buyer.pk, product=market.product, quantity=0)
    assert not CartLine.objects.filter(user_id=market.buyer.pk).exists()


# --- pages ----------------------------------------------------------------------------------


def _login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_product_page_has_a_variant_choice_moq_and_tier_table(market: Market, roast: Roast) -> None:
    html = _login(market.buyer).get(f"/en/marketplace/products/{roast.product.slug}/")
    page = html.content.decode()
    assert "<legend>Choose a variant</legend>" in page
    assert re.search(r'name="variant"[^>]*value="R-250"[^>]*required checked', page)
    assert re.search(r'value="R-DARK"[^>]*disabled', page)
    assert "dark · 250 g" in page
    assert "Out of stock" in page
    assert "Minimum order: 5 units (all variants together)." in page
    assert re.search(r'id="quantity" name="quantity" value="5" min="5" max="40"', page)
    # Tier table in the VN buyer's currency next to the seller's LAK price.
    table = page[page.index('class="price-tiers"') : page.index("</table>")]
    assert "5+" in table
    assert "10+" in table
    assert "20+" in table
    assert "LAK" in table
    assert "₫" in table
    assert "Variants with their own price get the same reduction in proportion." in page
    assert "<dd>50</dd>" in page  # stock: the variants' together
    # When no single variant can fill the minimum, the form starts lower (several lines can).
    Product.objects.filter(pk=roast.product.pk).update(min_order_quantity=45)
    again = _login(market.buyer).get(f"/en/marketplace/products/{roast.product.slug}/")
    assert re.search(r'name="quantity" value="40" min="40" max="40"', again.content.decode())


def test_buying_a_variant_through_the_pages(market: Market, roast: Roast) -> None:
    client = _login(market.buyer)
    url = f"/en/marketplace/cart/add/{roast.product.slug}/"
    below = client.post(url, {"quantity": "3", "variant": "R-250"}, follow=True)
    assert "The minimum order for this product is 5 units." in below.content.decode()
    missing = client.post(url, {"quantity": "5"}, follow=True)
    assert "Choose a variant of this product." in missing.content.decode()
    client.post(url, {"quantity": "12", "variant": "R-250"})
    cart = client.get("/en/marketplace/cart/").content.decode()
    assert "Bolaven roast sampler" in cart
    assert "(250 g)" in cart
    assert "volume price (instead of LAK100,000)" in cart
    assert "Buy 20+ for LAK80,000 each." in cart
    expected = re.search(rf'name="expected_{market.seller.pk}" value="(\d+)"', cart)
    assert expected is not None
    assert int(expected.group(1)) == 12 * 90_000_00
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', cart)
    assert key is not None
    form = {
        "idempotency_key": key.group(1),
        "wallet": str(market.wallet.id),
        "destination": "VN",
        f"expected_{market.seller.pk}": expected.group(1),
    }
    assert client.post("/en/marketplace/checkout/", form).status_code == 302
    (order,) = Order.objects.all()
    assert order.status == OrderStatus.PAID
    page = client.get(f"/en/marketplace/orders/{order.pk}/").content.decode()
    assert "(250 g)" in page
    assert "LAK90,000" in page


def test_a_stale_cart_page_is_refused_and_lines_can_be_removed(
    market: Market, roast: Roast
) -> None:
    client = _login(market.buyer)
    client.post(
        f"/en/marketplace/cart/add/{roast.product.slug}/", {"quantity": "5", "variant": "R-1K"}
    )
    cart = client.get("/en/marketplace/cart/").content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', cart)
    assert key is not None
    ProductVariant.objects.filter(pk=roast.large.pk).update(price_minor=310_000_00)
    form = {
        "idempotency_key": key.group(1),
        "wallet": str(market.wallet.id),
        f"expected_{market.seller.pk}": str(5 * 300_000_00),
    }
    refused = client.post("/en/marketplace/checkout/", form, follow=True).content.decode()
    assert "Prices in your cart have changed" in refused
    assert Order.objects.count() == 0
    raised = client.post(
        "/en/marketplace/cart/update/",
        {"product": str(roast.product.pk), "variant": "R-1K", "quantity": "10"},
        follow=True,
    ).content.decode()
    assert re.search(r'name="quantity" form="line-\d+-1" value="10"', raised)
    assert "Buy 20+" in raised
    too_many = client.post(
        "/en/marketplace/cart/update/",
        {"product": str(roast.product.pk), "variant": "R-1K", "quantity": "11"},
        follow=True,
    ).content.decode()
    assert "Only 10 units are in stock." in too_many
    removed = client.post(
        "/en/marketplace/cart/update/",
        {"product": str(roast.product.pk), "variant": "R-1K", "remove": "Remove"},
        follow=True,
    )
    assert "Your cart is empty." in removed.content.decode()


# --- API ------------------------------------------------------------------------------------

API = "/api/v1/marketplace"


def _call(cred: Any, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    client, headers = client_for(cred)
    kwargs: dict[str, Any] = dict(headers)
    if body is not None:
        kwargs["data"] = json.dumps(body)
        kwargs["content_type"] = "application/json"
    response = getattr(client, method)(API + path, **kwargs)
    ctype = response.get("Content-Type", "")
    return response.status_code, response.json() if "json" in ctype and response.content else None


@pytest.mark.urls("mekong.marketplace.tests.api_urls")
def test_api_product_has_variants_tiers_and_minimum(market: Market, roast: Roast) -> None:
    status, data = _call(None, "get", f"/products/{roast.product.slug}?currency=VND")
    assert status == 200
    assert data["min_order_quantity"] == 5
    assert [v["sku"] for v in data["variants"]] == ["R-250", "R-1K", "R-DARK"]
    large = data["variants"][1]
    assert large["label"] == "1 kg"
    assert large["attributes"] == {"size": "1 kg"}
    assert large["price"] == {"amount": 300_000_00, "currency": "LAK"}
    assert large["buyer_price"]["currency"] == "VND"
    assert large["weight_grams"] == 1000
    assert [(t["min_quantity"], t["unit_price"]["amount"]) for t in data["price_tiers"]] == [
        (10, 90_000_00),
        (20, 80_000_00),
    ]
    status, page = _call(None, "get", "/products?q=Bolaven")
    assert status == 200
    by_slug = {p["slug"]: p for p in page["items"]}
    assert len(by_slug[roast.product.slug]["variants"]) == 3
    assert by_slug["la-bolaven-arabica"]["variants"] == []
    assert by_slug["la-bolaven-arabica"]["price_tiers"] == []


@pytest.mark.urls("mekong.marketplace.tests.api_urls")
def test_api_cart_with_variants_and_its_errors(market: Market, roast: Roast) -> None:
    buyer = ("session", market.buyer)
    path = f"/cart/{roast.product.slug}"
    cases = [
        ({"quantity": 5}, "marketplace_variant_required"),
        ({"quantity": 5, "variant": "NOPE"}, "marketplace_unknown_variant"),
        ({"quantity": 2, "variant": "R-250"}, "marketplace_below_minimum_order"),
        ({"quantity": 41, "variant": "R-250"}, "marketplace_insufficient_stock"),
    ]
    for body, code in cases:
        status, problem = _call(buyer, "put", path, body)
        assert (status, problem["code"]) == (422, code), body
    status, lines = _call(buyer, "put", path, {"quantity": 10, "variant": "R-250"})
    assert status == 200
    (line,) = lines
    assert line["variant"] == "R-250"
    assert line["variant_label"] == "250 g"
    assert line["unit_price"] == {"amount": 90_000_00, "currency": "LAK"}
    assert line["amount"] == {"amount": 900_000_00, "currency": "LAK"}
    assert line["below_minimum"] is False
    body = {
        "wallet_id": market.wallet.id,
        "idempotency_key": "api-v",
        "expected_goods": {str(market.seller.pk): 1},
    }
    status, problem = _call(buyer, "post", "/checkout", body)
    assert (status, problem["code"]) == (409, "marketplace_price_changed")
    body["expected_goods"] = {str(market.seller.pk): 900_000_00}
    status, data = _call(buyer, "post", "/checkout", body)
    assert status == 201
    assert data["orders"][0]["status"] == "paid"
    line_out = {
        "product": roast.product.slug,
        "title": "Bolaven roast sampler",
        "variant": "R-250",
        "variant_label": "250 g",
        "quantity": 10,
        "unit_price": {"amount": 90_000_00, "currency": "LAK"},
        "amount": {"amount": 900_000_00, "currency": "LAK"},
    }
    assert data["orders"][0]["lines"] == [line_out]
    status, orders = _call(buyer, "get", "/orders")
    assert status == 200
    assert orders["items"][0]["lines"] == [line_out]
    # An old client without variants still works for products without them.
    status, lines = _call(buyer, "put", "/cart/la-bolaven-arabica", {"quantity": 1})
    assert status == 200
    assert lines[0]["variant"] is None


@pytest.mark.urls("mekong.marketplace.tests.api_urls")
def test_variants_and_tiers_cost_the_same_queries_for_one_product_or_a_page(
    market: Market, roast: Roast
) -> None:
    def queries(limit: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            status, data = _call(None, "get", f"/products?q=coffee&limit={limit}")
        assert status == 200
        assert len(data["items"]) == limit
        return len(captured.captured_queries)

    assert queries(1) == queries(7)  # every coffee, the sampler with variants and tiers


def test_the_cart_costs_the_same_queries_for_one_line_or_several(
    market: Market, roast: Roast
) -> None:
    user = market.buyer.pk

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            cart_groups(user_id=user, language="en", destination="VN")
        return len(captured.captured_queries)

    cart_add(user_id=user, product=roast.product, quantity=5, variant="R-250")
    one = queries()
    cart_add(user_id=user, product=roast.product, quantity=5, variant="R-1K")
    cart_add(user_id=user, product=market.product, quantity=1)
    assert queries() == one
