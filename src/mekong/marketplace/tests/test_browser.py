"""Browser journeys of the marketplace in headless Chromium (Debian's, via Playwright).

1. The issue's acceptance journey: a buyer in Viet Nam searches "ca phe lao" (no diacritics)
   and "cà phê", finds the Lao co-op's coffee, sees its price in VND next to the seller's LAK,
   pays from her VND wallet; the Lao seller ships; the buyer confirms delivery; the seller's
   LAK payout arrives minus the marketplace commission.
2. Searches in Thai, Khmer and Burmese (one typed in Zawgyi) find the right products.

Data come from the platform's demo seed; every step goes through the pages. Screenshots go to
docs/guide/img/ for docs/guide/marketplace.md.
"""

from __future__ import annotations

import re

import pytest

from mekong.demo import DEMO_PASSWORD, seed_all
from mekong.identity.models import User
from mekong.ledger import facade as ledger
from mekong.marketplace import escrow
from mekong.marketplace.models import Order, OrderStatus, Seller
from mekong.marketplace.tests.relevance import zawgyi
from mekong.payments import facade as payments

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOMAIN = "demo.mekong.example"


@pytest.fixture
def demo(transactional_db):  # type: ignore[no-untyped-def]
    seed_all()


def log_in(page, base: str, slug: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill(f"{slug}@{DOMAIN}")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def log_out(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("header form[action*=logout] button").click()


def test_vietnamese_buyer_buys_lao_coffee_with_escrow(demo, live_server, page, screenshot_dir):  # type: ignore[no-untyped-def]
    vi = f"{live_server.url}/vi"
    log_in(page, vi, "vn-dak-lak-coffee")
    buyer = User.objects.get(email=f"vn-dak-lak-coffee@{DOMAIN}")

    # Search without diacritics, then with them: the Lao co-op's coffee comes up both times.
    for query in ("ca phe lao", "cà phê Lào"):
        page.goto(f"{vi}/marketplace/")
        page.locator("input[name=q]").fill(query)
        page.locator("form.search button[type=submit]").click()
        card = page.locator(".product-card[data-slug=la-bolaven-arabica]")
        card.wait_for()
    assert "Bolaven" in card.inner_text()
    assert re.search(r"≈ [\d.]+\xa0₫", card.locator(".buyer-price").inner_text())
    page.screenshot(path=str(screenshot_dir / "marketplace-search-vi.png"), full_page=True)

    # The product page: price in VND (approximately) with the seller's LAK price alongside.
    card.locator("h3 a").click()
    page.wait_for_url(re.compile(r".*/marketplace/products/la-bolaven-arabica/$"))
    assert "₫" in page.locator(".buyer-price").inner_text()
    assert "LAK" in page.locator(".seller-price").inner_text()
    page.screenshot(path=str(screenshot_dir / "marketplace-product-vi.png"), full_page=True)
    page.locator("input[name=quantity]").fill("2")
    page.locator("form.add-to-cart button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/marketplace/cart/$"))

    # The cart: one order per seller, shipping to Viet Nam, duty and VAT estimate, wallet.
    assert page.locator(".seller-order").count() == 1
    assert page.locator(".landed-estimate").count() == 1
    wallet = payments.wallets_for(user_id=buyer.pk)[0]
    before = wallet.balance
    page.locator("select[name=wallet]").select_option(str(wallet.id))
    page.screenshot(path=str(screenshot_dir / "marketplace-cart-vi.png"), full_page=True)
    page.locator("#checkout-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/marketplace/orders/\?checkout="))
    order = Order.objects.get()
    assert order.status == OrderStatus.PAID
    assert payments.wallets_for(user_id=buyer.pk)[0].balance == before - order.payer_amount_minor
    log_out(page)

    # The Lao seller sees the order to ship on its dashboard and ships it.
    lo = f"{live_server.url}/lo"
    log_in(page, lo, "la-bolaven-coffee")
    page.goto(f"{lo}/marketplace/seller/")
    page.locator(f".to-ship a:has-text('{order.number}')").click()
    page.locator("input[name=carrier]").fill("Lao Post EMS")
    page.locator("input[name=tracking_number]").fill("EE123456789LA")
    page.locator("form.ship button[type=submit]").click()
    page.locator(".tracking").wait_for()
    page.screenshot(path=str(screenshot_dir / "marketplace-order-shipped-lo.png"), full_page=True)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert order.customs_document_ids  # a cross-border shipment: draft trade documents
    log_out(page)

    # The buyer confirms delivery: escrow is released to the seller minus the commission.
    log_in(page, vi, "vn-dak-lak-coffee")
    page.goto(f"{vi}/marketplace/orders/{order.pk}/")
    page.locator("form.confirm button[type=submit]").click()
    page.locator(".status[data-status=completed]").wait_for()
    page.screenshot(path=str(screenshot_dir / "marketplace-order-completed-vi.png"), full_page=True)
    log_out(page)

    order.refresh_from_db()
    seller = Seller.objects.get(slug="la-bolaven-coffee")
    payout = escrow.seller_payee(seller, "LAK").ledger_account_id
    info = ledger.balance(payout)
    assert info is not None
    assert order.commission_minor == (order.total_minor * 500 + 5_000) // 10_000
    assert info.balance >= order.total_minor - order.commission_minor

    log_in(page, lo, "la-bolaven-coffee")
    page.goto(f"{lo}/marketplace/seller/")
    assert (
        "₭" in page.locator(".paid-out").inner_text()
        or "LAK" in page.locator(".paid-out").inner_text()
    )
    page.screenshot(path=str(screenshot_dir / "marketplace-dashboard-lo.png"), full_page=True)


@pytest.mark.parametrize(
    ("language", "query", "slug", "shot"),
    [
        ("th", "ดอยช้าง", "th-doi-chaang-coffee", "marketplace-search-th.png"),
        ("km", "ម្រេចខ្មៅ", "kh-kampot-black-pepper", "marketplace-search-km.png"),
        ("my", "ကော်ဖီ", "mm-shan-coffee", ""),
        ("my", zawgyi("ရှမ်းကော်ဖီ"), "mm-shan-coffee", "marketplace-search-my-zawgyi.png"),
    ],
)
def test_search_in_thai_khmer_and_burmese(  # type: ignore[no-untyped-def]
    demo, live_server, page, screenshot_dir, language, query, slug, shot
):
    page.goto(f"{live_server.url}/{language}/marketplace/")
    page.locator("input[name=q]").fill(query)
    page.locator("form.search button[type=submit]").click()
    page.locator(f".product-card[data-slug={slug}]").wait_for()
    if shot:
        page.screenshot(path=str(screenshot_dir / shot), full_page=True)
