"""Browser journey: a Vietnamese business buyer picks a variant, reaches a volume price and pays.

On the demo seed, the Lao co-op sells a roast sampler by the bag (250 g at the product price,
1 kg at its own price) with a minimum order of 5 bags and 10+ volume prices. The buyer chooses
the 1 kg bag on the product page (no JavaScript needed: a radio group), orders 10, sees the
tier unit price in the cart and pays; the order page shows the variant. Screenshots go to
docs/guide/img/marketplace-variant-*.png.
"""

from __future__ import annotations

import re

import pytest

from mekong.demo import seed_all
from mekong.identity.models import User
from mekong.marketplace.models import Order, OrderStatus, PriceTier, ProductVariant, Seller
from mekong.marketplace.services import product_create
from mekong.marketplace.tests.test_browser import log_in
from mekong.payments import facade as payments

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOMAIN = "demo.mekong.example"


@pytest.fixture
def sampler(transactional_db):  # type: ignore[no-untyped-def]
    seed_all()
    product = product_create(
        seller=Seller.objects.get(slug="la-bolaven-coffee"),
        slug="la-bolaven-sampler-browser",
        category="coffee",
        price_minor=20_000_00,
        stock=0,
        source_language="en",
        texts={"en": ("Bolaven roast sampler", "Arabica from the Bolaven plateau, by the bag.")},
        weight_grams=250,
        min_order_quantity=5,
    )
    ProductVariant.objects.create(
        product=product, sku="S-250", attributes={"size": "250 g"}, stock=100, position=0
    )
    ProductVariant.objects.create(
        product=product,
        sku="S-1K",
        attributes={"size": "1 kg"},
        price_minor=60_000_00,
        stock=30,
        weight_grams=1000,
        position=1,
    )
    PriceTier.objects.create(product=product, min_quantity=10, unit_price_minor=18_000_00)
    PriceTier.objects.create(product=product, min_quantity=50, unit_price_minor=16_000_00)
    return product


def test_buyer_orders_a_variant_at_a_volume_price(sampler, live_server, page, screenshot_dir):  # type: ignore[no-untyped-def]
    en = f"{live_server.url}/en"
    log_in(page, en, "vn-dak-lak-coffee")
    buyer = User.objects.get(email=f"vn-dak-lak-coffee@{DOMAIN}")

    page.goto(f"{en}/marketplace/products/{sampler.slug}/")
    assert "Minimum order: 5 units" in page.locator(".moq").inner_text()
    assert page.locator("table.price-tiers tbody tr").count() == 3  # 5+, 10+, 50+
    page.get_by_label(re.compile("1 kg")).check()
    page.locator("input[name=quantity]").fill("10")
    page.screenshot(path=str(screenshot_dir / "marketplace-variant-product.png"), full_page=True)
    page.locator("form.add-to-cart button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/marketplace/cart/$"))

    line = page.locator("tr.cart-line[data-variant=S-1K]")
    assert "(1 kg)" in line.inner_text()
    # 10 bags reach the 10+ tier: the 1 kg bag's own 60,000 LAK less 10 % = 54,000 LAK.
    assert "54,000" in line.locator(".unit-price").inner_text()
    assert "540,000" in line.locator(".line-total").inner_text()
    assert "Buy 50+" in line.locator(".tier-hint").inner_text()
    wallet = payments.wallets_for(user_id=buyer.pk)[0]
    page.locator("select[name=wallet]").select_option(str(wallet.id))
    page.screenshot(path=str(screenshot_dir / "marketplace-variant-cart.png"), full_page=True)
    page.locator("#checkout-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/marketplace/orders/\?checkout="))

    order = Order.objects.get()
    assert order.status == OrderStatus.PAID
    assert order.goods_minor == 10 * 54_000_00
    assert ProductVariant.objects.get(sku="S-1K").stock == 20
    page.goto(f"{en}/marketplace/orders/{order.pk}/")
    assert "(1 kg)" in page.locator("tr.order-line").inner_text()
    page.screenshot(path=str(screenshot_dir / "marketplace-variant-order.png"), full_page=True)
