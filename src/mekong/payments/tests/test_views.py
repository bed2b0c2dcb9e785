"""Payments pages through the Django test client: the flows, every refusal as a message (never
a 500), the idempotent confirm, and who may see what (another organisation's payment → 404).

The hub is the real one (`factories.make_hub`: services, ledger, trustlog); only the clock is
pinned where a quote must expire.
"""

from __future__ import annotations

import io
import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import segno
from django.test import Client
from django.urls import reverse
from django.utils import translation

from mekong.core import clock
from mekong.core.money import Money
from mekong.identity.tests.factories import make_org, make_user
from mekong.payments import facade, selectors, services
from mekong.payments.iso20022 import validate_pacs008
from mekong.payments.models import Payment, Quote, WatchlistEntry
from mekong.payments.qr import decode, encode
from mekong.payments.tests.factories import make_hub, make_wallet

pytestmark = pytest.mark.django_db

LAO_IIN = "27710418"


def url(name: str, *args: object, lang: str = "en") -> str:
    with translation.override(lang):
        return reverse(f"payments:{name}", args=args)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def hub():
    return make_hub()


@pytest.fixture
def lao_shop(hub):
    """A Lao coffee shop with a business wallet reachable by its Lao QR code."""
    wallet = make_wallet(hub.psps["LA"], name="ຮ້ານກາເຟ Bolaven", business=True)
    services.proxy_register(kind="qr_merchant", value=f"laoqr:{LAO_IIN}:MCH0001", wallet=wallet)
    return wallet


@pytest.fixture
def lao_qr():
    return encode(
        "laoqr",
        payee={"iin": LAO_IIN, "receiver_id": "MCH0001", "payment_type": "002"},
        merchant_name="Bolaven Coffee",
        merchant_city="Vientiane",
    )


@pytest.fixture
def vn_user(hub):
    return make_user(org=hub.wallets["VN"].owner_organisation, role="owner")


@pytest.fixture
def th_user(hub):
    return make_user(org=hub.wallets["TH"].owner_organisation, role="owner")


@pytest.fixture
def mm_family(hub):
    wallet = make_wallet(hub.psps["MM"], name="Daw Khin Myat Noe")
    services.proxy_register(kind="phone", value="+959420011223", wallet=wallet)
    return wallet


def _quote_page(client: Client, lao_qr: str, wallet_id: int, amount: str = "500000") -> str:
    response = client.post(
        url("pay_qr"),
        {"step": "quote", "payload": lao_qr, "wallet": wallet_id, "amount": amount,
         "fixed": "source"},
    )  # fmt: skip
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


def _confirm_fields(page: str) -> dict[str, str]:
    fields = dict(re.findall(r'name="(quote_id|idempotency_key)" value="([^"]+)"', page))
    assert set(fields) == {"quote_id", "idempotency_key"}
    return fields


# -- pages need a login ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["home", "my_qr", "pay_qr", "send", "participant", "review"])
def test_pages_need_a_login(name):
    response = Client().get(url(name))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_confirm_is_csrf_protected(hub, vn_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(vn_user)
    response = client.post(
        url("confirm"), {"quote_id": str(uuid.uuid4()), "idempotency_key": str(uuid.uuid4())}
    )
    assert response.status_code == 403


# -- home ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "text"), [("en", "₫50,000,000"), ("vi", "50.000.000")])
def test_home_lists_my_wallets_in_local_formats(hub, vn_user, lang, text):
    response = login(vn_user).get(url("home", lang=lang))
    assert response.status_code == 200
    page = response.content.decode()
    assert hub.wallets["VN"].account_ref in page
    assert text in page  # VND has no minor units: no decimals in any language


def test_the_payee_sees_the_payment_received_from_the_payers_provider(paid, lao_shop, hub):
    payment, _fields = paid
    page = login(make_user(org=lao_shop.owner_organisation, role="member")).get(url("home"))
    text = page.content.decode()
    assert url("payment", payment.pk) in text
    assert "Received" in text
    assert hub.psps["VN"].name in text
    assert "LAK" in text


def test_home_in_all_six_languages(hub, vn_user):
    client = login(vn_user)
    for lang in ("en", "th", "vi", "km", "lo", "my"):
        response = client.get(url("home", lang=lang))
        assert response.status_code == 200
        assert f'lang="{lang}"' in response.content.decode()


# -- Pay a QR ------------------------------------------------------------------------------------


def test_pay_a_lao_qr_from_a_vietnamese_wallet(hub, vn_user, lao_shop, lao_qr):
    client = login(vn_user)
    vn = hub.wallets["VN"]
    # Scanning the code shows the payee (a business: its name in full) and the amount form.
    response = client.post(url("pay_qr"), {"step": "scan", "payload": lao_qr})
    page = response.content.decode()
    assert response.status_code == 200
    assert "ຮ້ານກາເຟ Bolaven" in page
    assert 'name="amount"' in page
    # Asking for a quote shows the rate, the fee, both amounts, the total and the countdown.
    page = _quote_page(client, lao_qr, vn.pk, amount="500000")
    quote = Quote.objects.get(wallet=vn)
    assert quote.source_amount == 500_000
    assert "Total cost" in page
    assert "₫500,000" in page
    assert quote.rate in page
    assert url("quote_countdown", quote.pk) in page
    # Confirming pays and shows the receipt.
    response = client.post(url("confirm"), _confirm_fields(page))
    payment = Payment.objects.get(quote=quote)
    assert response.status_code == 302
    assert response["Location"] == url("payment", payment.pk)
    receipt = client.get(response["Location"]).content.decode()
    assert payment.status == "completed"
    assert "Completed" in receipt
    assert f"#{payment.receipt_index}" in receipt
    assert url("pacs008", payment.pk) in receipt
    # The pacs.008 download is the stored message, valid against the official schema.
    xml = client.get(url("pacs008", payment.pk))
    assert xml.status_code == 200
    assert xml["Content-Type"].startswith("application/xml")
    assert validate_pacs008(xml.content) == []
    # The log receipt downloads as JSON for the verify page.
    receipt_json = client.get(url("receipt", payment.pk))
    assert receipt_json.status_code == 200
    assert b'"checkpoint"' in receipt_json.content or b"checkpoint" in receipt_json.content
    # The history on the home page lists it.
    assert str(payment.pk) in client.get(url("home")).content.decode()


def test_a_qr_with_an_amount_fixes_the_destination_amount(hub, vn_user, lao_shop):
    dynamic = encode(
        "laoqr",
        payee={"iin": LAO_IIN, "receiver_id": "MCH0001", "payment_type": "002"},
        merchant_name="Bolaven Coffee",
        merchant_city="Vientiane",
        amount="25000.00",
    )
    client = login(vn_user)
    page = client.post(url("pay_qr"), {"step": "scan", "payload": dynamic}).content.decode()
    assert "LAK25,000" in page
    # Whatever amount is posted, the code's amount is what the payee gets.
    _quote_page(client, dynamic, hub.wallets["VN"].pk, amount="1")
    quote = Quote.objects.get(wallet=hub.wallets["VN"])
    assert quote.fixed == "destination"
    assert quote.destination_amount == 25_000_00


def test_a_photo_of_the_qr_is_read(hub, vn_user, lao_shop, lao_qr):
    image = io.BytesIO()
    segno.make_qr(lao_qr, error="m", encoding="utf-8").save(image, kind="png", scale=6)
    image.seek(0)
    image.name = "photo.png"
    response = login(vn_user).post(url("pay_qr"), {"step": "scan", "image": image})
    assert response.status_code == 200
    assert "ຮ້ານກາເຟ Bolaven" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"payload": "000201garbage"}, "This QR code is not a valid payment code."),
        ({"payload": ""}, "Paste the QR code text or upload a picture of it."),
        ({"image": "not an image"}, "This file is not an image we can read."),
    ],
)
def test_bad_codes_are_explained(hub, vn_user, data, message):
    if "image" in data:
        upload = io.BytesIO(b"GIF89a not really")
        upload.name = "x.gif"
        data = {"image": upload}
    response = login(vn_user).post(url("pay_qr"), {"step": "scan", **data})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_unregistered_payee_is_explained(hub, vn_user):
    unknown = encode(
        "laoqr",
        payee={"iin": LAO_IIN, "receiver_id": "NOBODY", "payment_type": "002"},
        merchant_name="Nobody",
        merchant_city="Vientiane",
    )
    response = login(vn_user).post(url("pay_qr"), {"step": "scan", "payload": unknown})
    assert response.status_code == 400
    assert "No payee is registered under this identifier." in response.content.decode()


def test_a_photo_without_a_qr_is_explained(hub, vn_user):
    from PIL import Image

    blank = io.BytesIO()
    Image.new("L", (200, 200), color=255).save(blank, format="PNG")
    blank.seek(0)
    blank.name = "blank.png"
    response = login(vn_user).post(url("pay_qr"), {"step": "scan", "image": blank})
    assert response.status_code == 400
    assert "No QR code was found in this image." in response.content.decode()


# -- confirm: idempotency and refusals -----------------------------------------------------------


def test_a_double_submitted_confirmation_pays_once(hub, vn_user, lao_shop, lao_qr):
    client = login(vn_user)
    vn = hub.wallets["VN"]
    before = hub.balance(vn.ledger_account_id)
    fields = _confirm_fields(_quote_page(client, lao_qr, vn.pk))
    first = client.post(url("confirm"), fields)
    second = client.post(url("confirm"), fields)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Payment.objects.filter(wallet=vn).count() == 1
    quote = Quote.objects.get(wallet=vn)
    assert hub.balance(vn.ledger_account_id) == before - quote.total_debit


def test_an_expired_quote_is_priced_again_not_paid(hub, vn_user, lao_shop, lao_qr):
    client = login(vn_user)
    vn = hub.wallets["VN"]
    with clock.frozen(clock.now()) as frozen:
        fields = _confirm_fields(_quote_page(client, lao_qr, vn.pk))
        frozen.advance(timedelta(seconds=61))
        countdown = client.get(url("quote_countdown", fields["quote_id"]))
        assert countdown.status_code == 286  # htmx: stop polling
        assert "expired" in countdown.content.decode()
        response = client.post(url("confirm"), fields)
    page = response.content.decode()
    assert response.status_code == 409
    assert "The quote has expired." in page
    assert Payment.objects.filter(wallet=vn).count() == 0
    new = _confirm_fields(page)
    assert new["quote_id"] != fields["quote_id"]
    assert client.post(url("confirm"), new).status_code == 302
    assert Payment.objects.get(wallet=vn).status == "completed"


def test_insufficient_funds_is_a_message_and_a_refused_receipt(hub, lao_shop, lao_qr):
    poor = make_wallet(hub.psps["VN"], funds=10_000)
    client = login(make_user(org=poor.owner_organisation, role="owner"))
    fields = _confirm_fields(_quote_page(client, lao_qr, poor.pk, amount="500000"))
    response = client.post(url("confirm"), fields, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The wallet does not hold enough for this payment." in page
    assert "Refused" in page
    assert Payment.objects.get(wallet=poor).status == "refused"


def test_an_amount_with_too_many_decimals_is_explained(hub, vn_user, lao_shop, lao_qr):
    response = login(vn_user).post(
        url("pay_qr"),
        {"step": "quote", "payload": lao_qr, "wallet": hub.wallets["VN"].pk, "amount": "10.5",
         "fixed": "source"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "VND has fewer decimals." in response.content.decode()


def test_a_malformed_confirmation_is_not_a_server_error(hub, vn_user):
    client = login(vn_user)
    response = client.post(url("confirm"), {"quote_id": "x", "idempotency_key": "nope"})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


# -- Send money home -----------------------------------------------------------------------------


def test_send_money_home_shows_the_total_cost_before_confirming(hub, th_user, mm_family):
    client = login(th_user)
    th = hub.wallets["TH"]
    recipient = {"country": "MM", "kind": "phone", "value": "09 420 011 223"}
    response = client.post(url("send"), {"step": "recipient", **recipient})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Daw K. M. N." in page  # confirmation of payee: masked
    assert "Daw Khin Myat Noe" not in page
    response = client.post(
        url("send"),
        {"step": "quote", **recipient, "wallet": th.pk, "amount": "3000", "fixed": "source"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    quote = Quote.objects.get(wallet=th)
    cost = Decimal(selectors.quote_info(quote).total_cost_percent)
    assert 0 < cost < 3
    assert f"Total cost: {cost:.2f}%" in page
    assert "Total cost:" in page
    assert "target for remittances (UN SDG 10.c)" in page
    assert "THB3,000.00" in page
    assert Payment.objects.filter(wallet=th).count() == 0  # nothing paid before confirming
    response = client.post(url("confirm"), _confirm_fields(page))
    payment = Payment.objects.get(quote=quote)
    assert payment.status == "completed"
    assert response["Location"] == url("payment", payment.pk)


def test_exact_destination_amount(hub, th_user, mm_family):
    client = login(th_user)
    recipient = {"country": "MM", "kind": "phone", "value": "+95 9 420 011 223"}
    client.post(
        url("send"),
        {"step": "quote", **recipient, "wallet": hub.wallets["TH"].pk, "amount": "100000",
         "fixed": "destination"},
    )  # fmt: skip
    assert Quote.objects.get(wallet=hub.wallets["TH"]).destination_amount == 100_000_00


@pytest.mark.parametrize(
    ("recipient", "message"),
    [
        ({"country": "MM", "kind": "phone", "value": "09 999 999 999"},
         "No payee is registered under this identifier."),
        ({"country": "KH", "kind": "phone", "value": "+959420011223"},
         "This number belongs to an account in Myanmar, not in Cambodia."),
        ({"country": "MM", "kind": "national_id", "value": "'; drop"},
         "This identifier is not valid for its kind."),
        ({"country": "XX", "kind": "phone", "value": "1"}, "Select a valid choice."),
    ],
)  # fmt: skip
def test_send_refusals_are_messages(hub, th_user, mm_family, recipient, message):
    response = login(th_user).post(url("send"), {"step": "recipient", **recipient})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_limit_is_explained(hub, mm_family):
    # KYC tier 1 allows USD 500 per payment: 20,000 THB is about USD 580.
    basic = make_wallet(hub.psps["TH"], funds=100_000_00, kyc_tier=1)
    client = login(make_user(org=basic.owner_organisation, role="owner"))
    recipient = {"country": "MM", "kind": "phone", "value": "+959420011223"}
    page = client.post(
        url("send"),
        {"step": "quote", **recipient, "wallet": basic.pk, "amount": "20000",
         "fixed": "source"},
    ).content.decode()  # fmt: skip
    response = client.post(url("confirm"), _confirm_fields(page), follow=True)
    assert response.status_code == 200
    assert "This payment is above the wallet&#x27;s per-payment limit." in response.content.decode()
    assert Payment.objects.get(wallet=basic).status == "refused"


# -- My QR ---------------------------------------------------------------------------------------


def test_my_qr_pays_back_to_my_wallet(hub, lao_shop):
    owner = make_user(org=lao_shop.owner_organisation, role="owner")
    client = login(owner)
    response = client.get(url("my_qr"), {"wallet": lao_shop.pk, "amount": "15000"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'src="data:image/svg+xml' in page
    payload = re.search(r'<pre class="payload">([^<]+)</pre>', page).group(1)
    decoded = decode(payload)
    assert decoded.scheme == "laoqr"
    assert decoded.amount == "15000"
    payee, amount, currency = facade.resolve_qr(payload)
    assert payee.account_ref == lao_shop.account_ref
    assert (amount, currency) == (15_000_00, "LAK")


@pytest.mark.parametrize(
    ("country", "key", "scheme"),
    [
        ("VN", "vietqr:970416:257678859", "vietqr"),
        ("KH", "khqr:abaakhppxxx@abaa", "khqr"),
        ("MM", "mmqr:123456789012345", "mmqr"),
        ("LA", "laoqr:32170418:MCH00012345", "laoqr"),
    ],
)
def test_my_qr_round_trips_in_every_scheme(hub, country, key, scheme):
    wallet = make_wallet(hub.psps[country], name="Mekong Traders", business=True)
    services.proxy_register(kind="qr_merchant", value=key, wallet=wallet)
    client = login(make_user(org=wallet.owner_organisation, role="owner"))
    page = client.get(url("my_qr"), {"wallet": wallet.pk, "amount": "120"}).content.decode()
    payload = re.search(r'<pre class="payload">([^<]+)</pre>', page)
    assert payload is not None, page[page.index("<main") :]
    assert decode(payload.group(1)).scheme == scheme
    payee, amount, currency = facade.resolve_qr(payload.group(1))
    assert payee.account_ref == wallet.account_ref
    assert currency == wallet.currency
    assert amount == Money.from_decimal("120", wallet.currency).minor


def test_my_qr_in_thailand_is_promptpay_to_my_phone(hub):
    wallet = make_wallet(hub.psps["TH"], name="Ayu Chuepa")
    services.proxy_register(kind="phone", value="+66801234567", wallet=wallet)
    page = (
        login(make_user(org=wallet.owner_organisation, role="owner"))
        .get(url("my_qr"))
        .content.decode()
    )
    payload = re.search(r'<pre class="payload">([^<]+)</pre>', page).group(1)
    assert decode(payload).scheme == "promptpay"
    assert facade.resolve_qr(payload)[0].account_ref == wallet.account_ref


def test_my_qr_opens_on_a_wallet_that_has_a_national_code(hub, lao_shop):
    # The owner's personal wallet is listed first and has no code; the page must open on the
    # co-op's business wallet, which has one, instead of an empty "no code" screen.
    owner = make_user(org=lao_shop.owner_organisation, role="owner")
    services.wallet_open(
        participant=hub.psps["LA"], holder_name="Somchanh P.", owner_user_id=owner.pk
    )
    page = login(owner).get(url("my_qr")).content.decode()
    payload = re.search(r'<pre class="payload">([^<]+)</pre>', page)
    assert payload is not None
    assert facade.resolve_qr(payload.group(1))[0].account_ref == lao_shop.account_ref


def test_a_wallet_without_a_national_code_says_so(hub, vn_user):
    page = login(vn_user).get(url("my_qr")).content.decode()
    assert "has no national QR code registered with the hub yet" in page
    assert "data:image/svg+xml" not in page


def test_my_qr_of_another_organisations_wallet_is_404(hub, lao_shop, vn_user):
    response = login(vn_user).get(url("my_qr"), {"wallet": lao_shop.pk})
    assert response.status_code == 404


# -- who may see what ----------------------------------------------------------------------------


@pytest.fixture
def paid(hub, vn_user, lao_shop, lao_qr):
    client = login(vn_user)
    fields = _confirm_fields(_quote_page(client, lao_qr, hub.wallets["VN"].pk))
    client.post(url("confirm"), fields)
    return Payment.objects.get(wallet=hub.wallets["VN"]), fields


@pytest.mark.parametrize("who", ["sender", "payee", "stranger", "viewer", "sender_psp"])
def test_receipt_matrix(hub, paid, lao_shop, vn_user, who):
    payment, _fields = paid
    user = {
        "sender": lambda: vn_user,
        "payee": lambda: make_user(org=lao_shop.owner_organisation, role="member"),
        "stranger": lambda: make_user(org=make_org(country="KH")),
        "viewer": lambda: make_user(org=make_org(country="KH"), role="viewer"),
        "sender_psp": lambda: make_user(org=hub.psps["VN"].organisation, role="owner"),
    }[who]()
    client = login(user)
    allowed = who in {"sender", "payee"}
    for name in ("payment", "pacs008", "receipt"):
        response = client.get(url(name, payment.pk))
        assert response.status_code == (200 if allowed else 404), (who, name)


def test_another_users_quote_cannot_be_confirmed_or_watched(hub, paid, th_user, lao_shop, lao_qr):
    # A fresh quote of the Vietnamese sender; the Thai user tries to use it.
    client_vn = login(make_user(org=hub.wallets["VN"].owner_organisation, role="owner"))
    fields = _confirm_fields(_quote_page(client_vn, lao_qr, hub.wallets["VN"].pk))
    thief = login(th_user)
    assert thief.post(url("confirm"), fields).status_code == 404
    assert thief.get(url("quote_countdown", fields["quote_id"])).status_code == 404
    assert Payment.objects.filter(quote_id=fields["quote_id"]).count() == 0


def test_paying_from_another_organisations_wallet_is_refused(hub, th_user, lao_shop, lao_qr):
    response = login(th_user).post(
        url("pay_qr"),
        {"step": "quote", "payload": lao_qr, "wallet": hub.wallets["VN"].pk, "amount": "1",
         "fixed": "source"},
    )  # fmt: skip
    assert response.status_code == 400
    assert Quote.objects.count() == 0


def test_unknown_ids_are_404(hub, vn_user):
    client = login(vn_user)
    for name in ("payment", "pacs008", "receipt"):
        assert client.get(url(name, uuid.uuid4())).status_code == 404
        assert client.get(url(name, "not-a-uuid")).status_code == 404
    assert client.get(url("quote_countdown", "nope")).status_code == 404


# -- reviewer queue ------------------------------------------------------------------------------


@pytest.fixture
def held(hub, th_user):
    WatchlistEntry.objects.create(names=["Aung Kyaw Htet"], reason="test list")
    target = make_wallet(hub.psps["MM"], name="Aung Kyaw Htet")
    services.proxy_register(kind="phone", value="+959777000111", wallet=target)
    client = login(th_user)
    recipient = {"country": "MM", "kind": "phone", "value": "+959777000111"}
    page = client.post(
        url("send"),
        {"step": "quote", **recipient, "wallet": hub.wallets["TH"].pk, "amount": "1000",
         "fixed": "source"},
    ).content.decode()  # fmt: skip
    response = client.post(url("confirm"), _confirm_fields(page), follow=True)
    assert "held for a compliance review" in response.content.decode()
    return Payment.objects.get(wallet=hub.wallets["TH"])


def test_reviewer_releases_a_held_payment(hub, held):
    reviewer = login(make_user(org=hub.hub.organisation, role="member"))
    queue = reviewer.get(url("review"))
    assert queue.status_code == 200
    assert url("review_release", held.pk) in queue.content.decode()
    response = reviewer.post(url("review_release", held.pk), follow=True)
    assert response.status_code == 200
    assert "The payment was released and completed." in response.content.decode()
    held.refresh_from_db()
    assert held.status == "completed"
    assert held.reviewed_by is not None


def test_reviewer_rejects_a_held_payment(hub, held):
    reviewer = login(make_user(org=hub.hub.organisation, role="admin"))
    reviewer.post(url("review_reject", held.pk))
    held.refresh_from_db()
    assert held.status == "rejected"
    # Deciding again is refused with a message, not an error page.
    again = reviewer.post(url("review_release", held.pk), follow=True)
    assert again.status_code == 200
    assert "Only a held payment can be released or rejected." in again.content.decode()


@pytest.mark.parametrize("who", ["sender", "psp_owner", "hub_viewer", "stranger"])
def test_only_reviewers_see_the_queue_and_decide(hub, held, th_user, who):
    user = {
        "sender": lambda: th_user,
        "psp_owner": lambda: make_user(org=hub.psps["TH"].organisation, role="owner"),
        "hub_viewer": lambda: make_user(org=hub.hub.organisation, role="viewer"),
        "stranger": lambda: make_user(org=make_org()),
    }[who]()
    client = login(user)
    assert client.get(url("review")).status_code == 404
    assert client.post(url("review_release", held.pk)).status_code == 404
    assert client.post(url("review_reject", held.pk)).status_code == 404
    held.refresh_from_db()
    assert held.status == "held"


def test_platform_operators_review_too(hub, held):
    operator = make_user(org=make_org())
    operator.is_staff = True
    operator.save()
    assert login(operator).get(url("review")).status_code == 200


# -- participant dashboard -----------------------------------------------------------------------


def test_participant_dashboard_and_csv(hub, paid):
    client = login(make_user(org=hub.psps["VN"].organisation, role="member"))
    page = client.get(url("participant")).content.decode()
    assert "Settlement report" in page
    assert hub.psps["VN"].name in page
    csv_response = client.get(url("participant"), {"days": "7", "format": "csv"})
    assert csv_response.status_code == 200
    lines = csv_response.content.decode().splitlines()
    assert lines[0].startswith("since,until,participant,currency")
    assert any(hub.psps["VN"].name in line and ",VND," in line for line in lines[1:])
    assert not any(hub.psps["LA"].name in line for line in lines[1:])  # only its own rows


def test_non_participants_have_no_dashboard(hub, vn_user):
    assert login(vn_user).get(url("participant")).status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_double_submits_pay_once():
    # Four tabs post the same confirmation at the same moment (PostgreSQL row locks).
    import threading

    from django.db import connection

    hub = make_hub()
    shop = make_wallet(hub.psps["LA"], name="ຮ້ານກາເຟ Bolaven", business=True)
    services.proxy_register(kind="qr_merchant", value=f"laoqr:{LAO_IIN}:MCH0001", wallet=shop)
    payload = encode(
        "laoqr",
        payee={"iin": LAO_IIN, "receiver_id": "MCH0001", "payment_type": "002"},
        merchant_name="Bolaven Coffee",
        merchant_city="Vientiane",
    )
    vn = hub.wallets["VN"]
    user = make_user(org=vn.owner_organisation, role="owner")
    fields = _confirm_fields(_quote_page(login(user), payload, vn.pk))
    before = hub.balance(vn.ledger_account_id)
    barrier = threading.Barrier(4)
    locations: list[str] = []

    def submit() -> None:
        try:
            client = login(user)
            barrier.wait()
            response = client.post(url("confirm"), fields)
            locations.append(response["Location"])
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    payment = Payment.objects.get(wallet=vn)
    assert locations == [url("payment", payment.pk)] * 4
    assert hub.balance(vn.ledger_account_id) == before - payment.quote.total_debit


def test_pages_for_someone_without_a_wallet_explain_it(hub):
    client = login(make_user(org=make_org(country="KH")))
    for name in ("pay_qr", "send"):
        page = client.get(url(name)).content.decode()
        assert "You have no wallet with a payment provider of the hub yet" in page
    assert "You have no wallet" in client.get(url("home")).content.decode()


def test_bad_review_ids_are_404(hub):
    operator = make_user(org=make_org())
    operator.is_staff = True
    operator.save()
    client = login(operator)
    assert client.post(url("review_release", "not-a-uuid")).status_code == 404
    response = client.post(url("review_reject", uuid.uuid4()), follow=True)
    assert "Payment not found." in response.content.decode()


def test_the_home_page_queries_do_not_grow_with_the_history(hub, vn_user, lao_shop, lao_qr):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(vn_user)

    def pay_once() -> None:
        client.post(
            url("confirm"), _confirm_fields(_quote_page(client, lao_qr, hub.wallets["VN"].pk))
        )

    def home_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("home")).status_code == 200
        return len(ctx.captured_queries)

    pay_once()
    with_one = home_queries()
    for _ in range(4):
        pay_once()
    assert home_queries() == with_one


def test_the_corridor_table_prices_like_a_real_quote(hub, th_user, mm_family):
    from mekong.payments.views import corridors

    rows = {row["currency"]: row for row in corridors("THB")}
    assert set(rows) == {"MMK", "KHR", "LAK", "VND"}
    mm = rows["MMK"]
    # The same principal quoted for real gives the same delivery and total cost.
    payee = facade.resolve_proxy("phone", "+959420011223")
    principal = mm["principal"].minor
    assert abs(Money(principal, "THB").to_decimal() / 200 - Decimal("34.5")) < Decimal("0.5")
    quote = facade.quote(wallet_id=hub.wallets["TH"].pk, payee=payee, amount=principal)
    assert quote.total_debit == mm["total"].minor
    assert quote.destination_amount == mm["delivered"].minor
    assert Decimal(quote.total_cost_percent) / 100 == mm["cost"]
    assert mm["within"] is (mm["cost"] <= Decimal("0.03"))
    page = login(th_user).get(url("send")).content.decode()
    assert "What it costs today" in page
    assert "Myanmar (MMK)" in page


def test_a_corridor_without_a_provider_says_so(hub):
    from mekong.payments.views import corridors

    rows = {row["currency"]: row for row in corridors("KHR")}
    assert "total" not in rows["MMK"]  # the test hub quotes no KHR→MMK pair
