"""Buying pages: buyer-currency prices, cart, checkout (CSRF, double submit), order pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from mekong.identity.models import Organisation
from mekong.identity.tests.factories import make_org, make_user
from mekong.marketplace.models import Order, OrderStatus, Product
from mekong.marketplace.tests.conftest import Market

pytestmark = pytest.mark.django_db


def _login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_product_page_shows_vnd_price_next_to_the_sellers_lak_price(market: Market) -> None:
    html = Client().get("/vi/marketplace/products/la-bolaven-arabica/").content.decode()
    # 95,000 LAK at the hub's mid rate (1 VND = 0.8612 LAK): about 110,311 ₫, no decimals.
    assert re.search(r"≈ 110\.311\xa0₫", html), html
    assert "95.000\xa0LAK" in html or "95.000,00\xa0LAK" in html
    assert "Mekong Post" in html


def test_buyer_currency_follows_the_organisation_and_the_chooser(market: Market) -> None:
    client = _login(market.buyer)
    html = client.get("/en/marketplace/", {"q": "Bolaven"}).content.decode()
    assert "≈ ₫110,311" in html  # a Vietnamese organisation sees VND on an English page
    response = client.post(
        "/en/marketplace/currency/", {"currency": "THB", "next": "/en/marketplace/?q=Bolaven"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/marketplace/?q=Bolaven"
    html = client.get("/en/marketplace/", {"q": "Bolaven"}).content.decode()
    assert "≈ THB150.08" in html  # 95,000 / 633 (English shows the ISO code)
    bad = client.post("/en/marketplace/currency/", {"currency": "<x>", "next": "https://evil"})
    assert bad["Location"] == "/en/marketplace/"


def test_checkout_through_the_pages_pays_once_on_double_submit(market: Market) -> None:
    client = _login(market.buyer)
    client.post("/en/marketplace/cart/add/la-bolaven-arabica/", {"quantity": "2"})
    cart = client.get("/en/marketplace/cart/").content.decode()
    assert "Order from" in cart
    assert "(estimate, paid on import)" in cart
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', cart)
    assert key is not None
    form = {"idempotency_key": key.group(1), "wallet": str(market.wallet.id), "destination": "VN"}
    first = client.post("/en/marketplace/checkout/", form)
    second = client.post("/en/marketplace/checkout/", form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    (order,) = Order.objects.all()
    assert order.status == OrderStatus.PAID
    page = client.get(f"/en/marketplace/orders/{order.pk}/").content.decode()
    assert order.number in page
    assert "Paid from your wallet" in page
    assert "Your payout" not in page  # the buyer does not see the seller's figures


def test_seller_ships_buyer_confirms_through_the_pages(market: Market) -> None:
    client = _login(market.buyer)
    client.post("/en/marketplace/cart/add/la-bolaven-arabica/", {"quantity": "1"})
    client.post(
        "/en/marketplace/checkout/",
        {"idempotency_key": "abc", "wallet": str(market.wallet.id)},
    )
    order = Order.objects.get()
    seller_org = Organisation.objects.get(pk=market.seller.organisation_id)
    seller = _login(make_user(org=seller_org))
    listing = seller.get("/en/marketplace/orders/").content.decode()
    assert order.number in listing
    seller.post(
        f"/en/marketplace/orders/{order.pk}/ship/",
        {"carrier": "<b>Lao Post</b>", "tracking_number": "LP-1"},
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert order.customs_document_ids  # cross-border: customs drafts were requested
    page = client.get(f"/en/marketplace/orders/{order.pk}/").content.decode()
    assert "&lt;b&gt;Lao Post&lt;/b&gt;" in page
    client.post(f"/en/marketplace/orders/{order.pk}/confirm/")
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    payout = seller.get(f"/en/marketplace/orders/{order.pk}/").content.decode()
    assert "Your payout" in payout


def test_csrf_is_enforced_and_strangers_get_404(market: Market) -> None:
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(market.buyer)
    assert strict.post("/en/marketplace/cart/add/la-bolaven-arabica/").status_code == 403
    client = _login(market.buyer)
    client.post("/en/marketplace/cart/add/la-bolaven-arabica/", {"quantity": "1"})
    client.post(
        "/en/marketplace/checkout/", {"idempotency_key": "k", "wallet": str(market.wallet.id)}
    )
    order = Order.objects.get()
    org = make_org(kind="buyer", country="VN")
    stranger = _login(make_user(org=org))
    assert stranger.get(f"/en/marketplace/orders/{order.pk}/").status_code == 404
    assert stranger.post(f"/en/marketplace/orders/{order.pk}/cancel/").status_code == 404
    assert Order.objects.get().status == OrderStatus.PAID
    assert Client().get("/en/marketplace/cart/").status_code == 302  # login first


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/en/marketplace/cart/add/la-bolaven-arabica/", {"quantity": "x"}),
        ("/en/marketplace/cart/add/la-bolaven-arabica/", {"quantity": "-5"}),
        ("/en/marketplace/cart/add/la-bolaven-arabica/", {"quantity": "99999999999"}),
        ("/en/marketplace/cart/update/", {"product": "x", "quantity": "1"}),
        ("/en/marketplace/checkout/", {"wallet": "x", "idempotency_key": ""}),
        ("/en/marketplace/checkout/", {"wallet": "999999", "idempotency_key": "z"}),
        ("/en/marketplace/checkout/", {"wallet": "1", "idempotency_key": "z", "destination": "ZZ"}),
        ("/en/marketplace/orders/00000000-0000-0000-0000-000000000000/ship/", {}),
    ],
)
def test_bad_input_never_500(market: Market, path: str, data: dict[str, str]) -> None:
    client = _login(market.buyer)
    response = client.post(path, data)
    assert response.status_code in (302, 404)
    assert Product.objects.get(pk=market.product.pk).stock == 200


def test_seller_pages_dispute_review_dashboard_operator_rfq(market: Market) -> None:
    buyer = _login(market.buyer)
    buyer.post("/en/marketplace/cart/add/la-bolaven-arabica/", {"quantity": "1"})
    buyer.post(
        "/en/marketplace/checkout/", {"idempotency_key": "d", "wallet": str(market.wallet.id)}
    )
    order = Order.objects.get()
    seller_org = Organisation.objects.get(pk=market.seller.organisation_id)
    seller = _login(make_user(org=seller_org))
    dash = seller.get("/en/marketplace/seller/").content.decode()
    assert order.number in dash  # to ship
    seller.post(
        f"/en/marketplace/orders/{order.pk}/ship/", {"carrier": "EMS", "tracking_number": "1"}
    )
    buyer.post(f"/en/marketplace/orders/{order.pk}/dispute/", {"evidence": "<script>x</script>"})
    seller.post(f"/en/marketplace/orders/{order.pk}/respond/", {"response": "Packed well"})
    op_org = Organisation.objects.get(pk=market.operator_org.pk)
    operator = _login(make_user(org=op_org))
    assert buyer.get("/en/marketplace/operator/").status_code == 404
    queue = operator.get("/en/marketplace/operator/").content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in queue
    assert "Packed well" in queue
    operator.post(
        "/en/marketplace/operator/",
        {"kind": "dispute", "id": str(order.pk), "refund_minor": "1000000", "note": "half"},
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETED
    assert order.refunded_minor == 1_000_000
    buyer.post(f"/en/marketplace/orders/{order.pk}/review/", {"rating": "4", "text": "Fine"})
    store = Client().get("/en/marketplace/sellers/la-bolaven-coffee/").content.decode()
    assert "4.0/5 from 1 verified purchase" in store
    dash = seller.get("/en/marketplace/seller/").content.decode()
    assert "VND" in dash  # sales by buyer country and the currency the buyer paid in
    buyer.post(
        "/en/marketplace/rfq/",
        {
            "title": "Robusta 1 t",
            "category": "coffee",
            "quantity": "1000",
            "destination_country": "VN",
        },
    )
    assert "Robusta 1 t" in seller.get("/en/marketplace/rfq/").content.decode()
    assert (
        seller.post(
            "/en/marketplace/rfq/", {"kind": "offer", "rfq": "x", "unit_price": "abc"}
        ).status_code
        == 302
    )


def test_apply_page(market: Market) -> None:
    org = make_org(kind="sme", country="TH", name="Chiang Rai Tea")
    user = make_user(org=org)
    from mekong.payments import facade as payments

    wallet = payments.wallet_open(country="TH", currency="THB", organisation_id=org.pk)
    client = _login(user)
    assert client.get("/en/marketplace/seller/").status_code == 302  # not a seller yet: apply
    page = client.get("/en/marketplace/seller/apply/").content.decode()
    assert wallet.account_ref in page
    bad = client.post(
        "/en/marketplace/seller/apply/",
        {"registration_number": "123", "payout_wallet": str(wallet.id)},
    )
    assert "not a valid business registration number for TH" in bad.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    ok = client.post(
        "/en/marketplace/seller/apply/",
        {
            "registration_number": "0994000617721",
            "payout_wallet": str(wallet.id),
            "documents": [SimpleUploadedFile("dbd.pdf", b"%PDF-1.7 test", "application/pdf")],
        },
    )
    assert ok.status_code == 302
    assert "Pending verification" in client.get("/en/marketplace/seller/").content.decode()


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/en/marketplace/cart/update/", {"product": "9" * 30, "quantity": "1"}),
        ("/en/marketplace/operator/", {"kind": "application", "id": "9" * 30}),
        ("/en/marketplace/rfq/", {"kind": "offer", "rfq": "1", "unit_price": "1e999"}),
        ("/en/marketplace/rfq/", {"kind": "close", "rfq": "9" * 30}),
        ("/en/marketplace/rfq/", {"title": "x", "category": "coffee", "quantity": "9" * 30}),
        ("/en/marketplace/seller/apply/", {"registration_number": "", "payout_wallet": "9" * 30}),
    ],
)
def test_huge_numbers_never_500(market: Market, path: str, data: dict[str, str]) -> None:
    seller_org = Organisation.objects.get(pk=market.seller.organisation_id)
    client = _login(make_user(org=seller_org))
    assert client.post(path, data).status_code in (200, 302, 404)


def test_seller_sets_shipping_options_on_the_dashboard(market: Market) -> None:
    seller_org = Organisation.objects.get(pk=market.seller.organisation_id)
    seller = _login(make_user(org=seller_org))
    form = {"destination_country": "KH", "name": "<i>River</i>", "cost": "45000", "days": "5"}
    assert seller.post("/en/marketplace/seller/", form).status_code == 302
    option = market.seller.shipping_options.get(destination_country="KH")
    assert option.cost_minor == 45_000_00
    page = seller.get("/en/marketplace/seller/").content.decode()
    assert "&lt;i&gt;River&lt;/i&gt;" in page
    for bad in (
        {**form, "cost": "-1"},
        {**form, "cost": "x"},
        {**form, "destination_country": "ZZ"},
    ):
        seller.post("/en/marketplace/seller/", bad)
    assert market.seller.shipping_options.filter(destination_country="KH").count() == 1
    viewer = _login(make_user(org=seller_org, role="viewer"))
    viewer.post("/en/marketplace/seller/", {**form, "name": "Viewer's"})
    assert not market.seller.shipping_options.filter(name="Viewer's").exists()
