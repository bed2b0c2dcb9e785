"""Seller onboarding, registration number formats, reviews of verified purchases, RFQs."""

from __future__ import annotations

import pytest

from mekong.identity.models import Organisation
from mekong.identity.tests.factories import actor_of, make_org, make_user
from mekong.marketplace import onboarding, registration, reviews, rfq
from mekong.marketplace.cart import cart_add
from mekong.marketplace.errors import (
    InvalidInput,
    InvalidRegistrationNumber,
    InvalidTransition,
    NotAnSme,
    OrderNotFound,
    WalletNotYours,
)
from mekong.marketplace.models import Order, Seller, Verification
from mekong.marketplace.ordering import checkout_submit, order_confirm_delivery, order_ship
from mekong.marketplace.tests.conftest import Market
from mekong.payments import facade as payments

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF"


@pytest.mark.parametrize(
    ("country", "number", "valid"),
    [
        ("TH", "0994000617721", True),
        ("TH", "0-99-4-000-61772-1", True),
        ("TH", "0994000617723", False),  # check digit
        ("TH", "1994000617721", False),  # juristic numbers start with 0
        ("VN", "0100233488", True),
        ("VN", "0314409058-002", True),  # branch: 13 digits
        ("VN", "0100233480", False),
        ("VN", "12345", False),
        ("KH", "00012345", True),
        ("KH", "K001-901234567", True),
        ("KH", "K01-9012", False),
        ("LA", "0101234567", True),
        ("LA", "12AB", False),
        ("MM", "112233445", True),
        ("MM", "၁၁၂၂၃၃၄၄၅", False),  # native digits are not accepted as typed
        ("SG", "123456789", False),  # not a GMS country
    ],
)
def test_registration_number_formats(country: str, number: str, valid: bool) -> None:
    assert registration.is_valid(country, number) is valid


@pytest.mark.django_db
def test_sme_applies_and_operator_verifies(market: Market) -> None:
    org = make_org(kind="sme", country="VN", name="Dak Lak Pepper")
    owner = actor_of(make_user(org=org), org)
    wallet = payments.wallet_open(country="VN", currency="VND", organisation_id=org.pk)
    with pytest.raises(InvalidRegistrationNumber):
        onboarding.seller_apply(
            actor=owner, registration_number="0100233480", payout_wallet_id=wallet.id, documents=[]
        )
    with pytest.raises(WalletNotYours):
        onboarding.seller_apply(
            actor=owner,
            registration_number="0100233488",
            payout_wallet_id=market.wallet.id,
            documents=[],
        )
    with pytest.raises(InvalidInput):  # not a PDF, PNG or JPEG whatever its name says
        onboarding.seller_apply(
            actor=owner,
            registration_number="0100233488",
            payout_wallet_id=wallet.id,
            documents=[("licence.pdf", b"<html>")],
        )
    application = onboarding.seller_apply(
        actor=owner,
        registration_number="0100233488",
        payout_wallet_id=wallet.id,
        documents=[("licence.pdf", PDF)],
    )
    seller = Seller.objects.get(organisation_id=org.pk)
    assert seller.verification == Verification.PENDING
    assert application.documents.get().content_type == "application/pdf"
    assert onboarding.applications_pending() == [application]
    with pytest.raises(OrderNotFound):  # the applicant is not an operator
        onboarding.application_decide(actor=owner, application_id=application.pk, verified=True)
    op_org = Organisation.objects.get(pk=market.operator_org.pk)
    operator = actor_of(make_user(org=op_org), op_org)
    onboarding.application_decide(actor=operator, application_id=application.pk, verified=True)
    seller.refresh_from_db()
    assert seller.verification == Verification.VERIFIED
    buyer = actor_of(market.buyer, market.buyer_org)
    with pytest.raises(NotAnSme):
        onboarding.seller_apply(
            actor=buyer, registration_number="0100233488", payout_wallet_id=1, documents=[]
        )


def _completed_order(m: Market) -> Order:
    cart_add(user_id=m.buyer.pk, product=m.product, quantity=1)
    buyer = actor_of(m.buyer, m.buyer_org)
    order = checkout_submit(actor=buyer, wallet_id=m.wallet.id, idempotency_key="rv").orders.get()
    seller_org = Organisation.objects.get(pk=m.seller.organisation_id)
    seller = actor_of(make_user(org=seller_org), seller_org)
    order_ship(actor=seller, order_id=order.pk, carrier="EMS", tracking="E")
    order_confirm_delivery(actor=buyer, order_id=order.pk)
    order.refresh_from_db()
    return order


@pytest.mark.django_db
def test_reviews_only_for_completed_purchases_with_reply_and_reports(market: Market) -> None:
    buyer = actor_of(market.buyer, market.buyer_org)
    cart_add(user_id=market.buyer.pk, product=market.product, quantity=1)
    pending = checkout_submit(
        actor=buyer, wallet_id=market.wallet.id, idempotency_key="x"
    ).orders.get()
    with pytest.raises(InvalidTransition):  # paid, not completed
        reviews.review_create(actor=buyer, order_id=pending.pk, rating=5)
    order = _completed_order(market)
    stranger_org = make_org(kind="buyer", country="TH")
    stranger = actor_of(make_user(org=stranger_org), stranger_org)
    with pytest.raises(OrderNotFound):
        reviews.review_create(actor=stranger, order_id=order.pk, rating=1)
    with pytest.raises(InvalidInput):
        reviews.review_create(actor=buyer, order_id=order.pk, rating=6)
    review = reviews.review_create(actor=buyer, order_id=order.pk, rating=4, text="Good <b>")
    with pytest.raises(InvalidTransition):
        reviews.review_create(actor=buyer, order_id=order.pk, rating=5)
    assert reviews.seller_rating(market.seller) == (4.0, 1)
    with pytest.raises(OrderNotFound):
        reviews.review_reply(actor=buyer, review_id=review.pk, reply="not mine")
    seller_org = Organisation.objects.get(pk=market.seller.organisation_id)
    seller = actor_of(make_user(org=seller_org), seller_org)
    assert reviews.review_reply(actor=seller, review_id=review.pk, reply="Thanks").seller_reply
    for _ in range(3):
        org = make_org(kind="buyer", country="LA")
        reviews.review_report(actor=actor_of(make_user(org=org), org), review_id=review.pk,
                              reason="spam")  # fmt: skip
    assert reviews.reviews_of(market.seller) == []
    assert reviews.seller_rating(market.seller) == (None, 0)


@pytest.mark.django_db
def test_rfq_buyers_post_sellers_offer(market: Market) -> None:
    buyer = actor_of(market.buyer, market.buyer_org)
    request = rfq.rfq_create(
        actor=buyer,
        title="Green Arabica beans, 2 tonnes",
        details="Grade 1, to Hai Phong",
        category="coffee",
        quantity=2_000,
        destination_country="VN",
    )
    with pytest.raises(InvalidInput):
        rfq.rfq_create(
            actor=buyer, title="", details="", category="coffee", quantity=1,
            destination_country="VN",
        )  # fmt: skip
    with pytest.raises(InvalidTransition):  # the buyer does not sell
        rfq.rfq_offer(actor=buyer, rfq_id=request.pk, unit_price_minor=1)
    seller_org = Organisation.objects.get(pk=market.seller.organisation_id)
    seller = actor_of(make_user(org=seller_org), seller_org)
    offer = rfq.rfq_offer(actor=seller, rfq_id=request.pk, unit_price_minor=80_000_00)
    again = rfq.rfq_offer(actor=seller, rfq_id=request.pk, unit_price_minor=78_000_00)
    assert offer.pk == again.pk
    assert again.unit_price.currency == "LAK"
    assert [o.unit_price_minor for o in rfq.rfqs_of(buyer)[0].offers.all()] == [78_000_00]
    with pytest.raises(OrderNotFound):
        rfq.rfq_close(actor=seller, rfq_id=request.pk)
    rfq.rfq_close(actor=buyer, rfq_id=request.pk)
    with pytest.raises(OrderNotFound):
        rfq.rfq_offer(actor=seller, rfq_id=request.pk, unit_price_minor=1)
