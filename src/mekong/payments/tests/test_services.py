"""The payment flow through the facade: amounts, ledger legs, every refusal code, idempotent
retries, review of held payments, refunds, and conservation of money per currency."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from mekong.core import clock
from mekong.core.errors import DomainError
from mekong.payments import errors, facade, fx, receipts, services
from mekong.payments.iso20022 import validate_pacs002, validate_pacs008
from mekong.payments.models import Payment, PositionKind, WatchlistEntry
from mekong.payments.tests.factories import (
    make_hub,
    make_wallet,
    pending_by_currency,
    totals_by_currency,
)

pytestmark = pytest.mark.django_db


def _zero(sums: dict[str, int]) -> bool:
    return all(v == 0 for v in sums.values())


def _position(participant, currency, kind=PositionKind.SETTLEMENT):
    return participant.positions.get(currency=currency, kind=kind).ledger_account_id


def _payee(hub, country):
    return facade.resolve_proxy("wallet_id", hub.wallets[country].account_ref)


@pytest.fixture
def hub():
    return make_hub()


def test_vn_wallet_pays_lao_payee_with_one_linked_batch_and_money_is_conserved(hub):
    # Given a Vietnamese wallet and a Lao payee,
    vn, la = hub.wallets["VN"], hub.wallets["LA"]
    vn_before, la_before = hub.balance(vn.ledger_account_id), hub.balance(la.ledger_account_id)
    fee_acct = _position(hub.hub, "VND", PositionKind.FEES)
    # when the sender quotes 1,000,000 VND and pays,
    quote = facade.quote(wallet_id=vn.pk, payee=_payee(hub, "LA"), amount=1_000_000)
    payment = facade.pay(quote_id=quote.id, idempotency_key="k1", reference="coffee")
    # then the quote converts at the provider's customer rate, the fee comes on top,
    mid = Decimal("0.8612")
    rate = mid * (1 - Decimal(60) / Decimal(20_000))
    assert quote.destination_amount == int(1_000_000 * rate * 100)  # LAK has 2 decimals
    assert quote.fee_amount == max(fx.MIN_FEE["VND"], 1_000_000 * 50 // 10_000)
    assert quote.total_debit == 1_000_000 + quote.fee_amount
    assert Decimal(quote.total_cost_percent) < 3
    # the payment completed, the wallets moved by exactly the quoted amounts,
    assert payment.status == "completed"
    assert payment.refusal_code is None
    assert hub.balance(vn.ledger_account_id) == vn_before - quote.total_debit
    assert hub.balance(la.ledger_account_id) == la_before + quote.destination_amount
    assert hub.balance(fee_acct) == quote.fee_amount
    assert len(payment.transfer_ids) == 5
    # every currency still sums to zero, a receipt was anchored and the messages validate.
    assert _zero(totals_by_currency())
    assert payment.receipt_index is not None
    pacs008, pacs002 = facade.payment_xml(payment.id)
    assert validate_pacs008(pacs008.encode()) == []
    assert validate_pacs002(pacs002.encode()) == []
    assert "ACSC" in pacs002


def test_exact_destination_amount_quote_delivers_exactly_that(hub):
    quote = facade.quote(
        wallet_id=hub.wallets["TH"].pk, payee=_payee(hub, "MM"), amount=500_000_00,
        fixed="destination",
    )  # fmt: skip
    assert quote.destination_amount == 500_000_00
    # The principal is the smallest that delivers the amount at the customer rate.
    rate = Decimal(quote.rate)
    assert fx.convert_down(quote.source_amount, rate, "THB", "MMK") >= 500_000_00
    assert fx.convert_down(quote.source_amount - 1, rate, "THB", "MMK") < 500_000_00
    before = hub.balance(hub.wallets["MM"].ledger_account_id)
    facade.pay(quote_id=quote.id, idempotency_key="exact")
    assert hub.balance(hub.wallets["MM"].ledger_account_id) == before + 500_000_00


def test_same_currency_payment_needs_no_fx_provider(hub):
    other = make_wallet(hub.psps["TH"], name="Malee K")
    payee = facade.resolve_proxy("wallet_id", other.account_ref)
    quote = facade.quote(wallet_id=hub.wallets["TH"].pk, payee=payee, amount=100_00)
    assert quote.fx_provider == ""
    assert quote.rate == "1"
    assert quote.destination_amount == 100_00
    payment = facade.pay(quote_id=quote.id, idempotency_key="same")
    assert payment.status == "completed"
    assert hub.balance(other.ledger_account_id) == 100_00
    assert _zero(totals_by_currency())


def test_retry_with_the_same_key_returns_the_same_payment_and_charges_once(hub):
    vn = hub.wallets["VN"]
    quote = facade.quote(wallet_id=vn.pk, payee=_payee(hub, "LA"), amount=200_000)
    first = facade.pay(quote_id=quote.id, idempotency_key="retry-1")
    after_first = hub.balance(vn.ledger_account_id)
    again = facade.pay(quote_id=quote.id, idempotency_key="retry-1")
    assert again.id == first.id
    assert again.status == "completed"
    assert hub.balance(vn.ledger_account_id) == after_first
    assert Payment.objects.filter(wallet=vn).count() == 1


def test_a_payment_is_found_by_its_wallet_and_key_without_paying(hub):
    vn, th = hub.wallets["VN"], hub.wallets["TH"]
    assert facade.payment_by_key(wallet_id=vn.pk, idempotency_key="lost-answer") is None
    assert Payment.objects.count() == 0  # a look-up never pays
    quote = facade.quote(wallet_id=vn.pk, payee=_payee(hub, "LA"), amount=200_000)
    paid = facade.pay(quote_id=quote.id, idempotency_key="lost-answer")
    found = facade.payment_by_key(wallet_id=vn.pk, idempotency_key="lost-answer")
    assert found is not None
    assert (found.id, found.status) == (paid.id, "completed")
    # The key is the wallet's own: another wallet's look-up with it finds nothing.
    assert facade.payment_by_key(wallet_id=th.pk, idempotency_key="lost-answer") is None


def test_same_key_for_a_different_request_is_an_idempotency_conflict(hub):
    vn = hub.wallets["VN"]
    q1 = facade.quote(wallet_id=vn.pk, payee=_payee(hub, "LA"), amount=200_000)
    q2 = facade.quote(wallet_id=vn.pk, payee=_payee(hub, "LA"), amount=300_000)
    facade.pay(quote_id=q1.id, idempotency_key="dup")
    with pytest.raises(errors.IdempotencyConflict) as caught:
        facade.pay(quote_id=q2.id, idempotency_key="dup")
    assert caught.value.code == "idempotency_conflict"
    with pytest.raises(errors.IdempotencyConflict):
        facade.pay(quote_id=q1.id, idempotency_key="dup", reference="other")


def test_expired_and_used_quotes_are_refused(hub):
    vn = hub.wallets["VN"]
    with clock.frozen(clock.now()) as frozen:
        quote = facade.quote(wallet_id=vn.pk, payee=_payee(hub, "LA"), amount=200_000)
        frozen.advance(timedelta(seconds=61))
        with pytest.raises(errors.QuoteExpired) as caught:
            facade.pay(quote_id=quote.id, idempotency_key="late")
    assert caught.value.code == "quote_expired"
    quote = facade.quote(wallet_id=vn.pk, payee=_payee(hub, "LA"), amount=200_000)
    facade.pay(quote_id=quote.id, idempotency_key="a")
    with pytest.raises(errors.QuoteUsed) as caught_used:
        facade.pay(quote_id=quote.id, idempotency_key="b")
    assert caught_used.value.code == "quote_used"
    with pytest.raises(errors.QuoteNotFound):
        facade.pay(quote_id=uuid.uuid4(), idempotency_key="c")


def test_insufficient_funds_moves_nothing_and_a_retry_answers_the_same(hub):
    poor = make_wallet(hub.psps["VN"], funds=10_000)
    quote = facade.quote(wallet_id=poor.pk, payee=_payee(hub, "LA"), amount=100_000)
    before = totals_by_currency()
    with pytest.raises(errors.InsufficientFunds) as caught:
        facade.pay(quote_id=quote.id, idempotency_key="poor")
    assert caught.value.code == "insufficient_funds"
    payment_id = caught.value.extra["payment_id"]
    assert facade.payment_get(payment_id).status == "refused"
    assert facade.payment_get(payment_id).refusal_code == "insufficient_funds"
    assert hub.balance(poor.ledger_account_id) == 10_000
    assert totals_by_currency() == before
    with pytest.raises(errors.InsufficientFunds) as again:
        facade.pay(quote_id=quote.id, idempotency_key="poor")
    assert again.value.extra["payment_id"] == payment_id


def test_insufficient_liquidity_of_the_fx_provider_moves_nothing():
    # Given an FX provider with only 1,000 kip in its LAK position,
    hub = make_hub(
        liquidity={"THB": 10**9, "VND": 10**12, "LAK": 1_000_00, "MMK": 10**9, "KHR": 10**9,
                   "USD": 10**9},
    )  # fmt: skip
    vn = hub.wallets["VN"]
    before = hub.balance(vn.ledger_account_id)
    fx_lak = _position(hub.fxp, "LAK")
    quote = facade.quote(wallet_id=vn.pk, payee=_payee(hub, "LA"), amount=1_000_000)
    with pytest.raises(errors.InsufficientLiquidity) as caught:
        facade.pay(quote_id=quote.id, idempotency_key="dry")
    assert caught.value.code == "insufficient_liquidity"
    assert hub.balance(vn.ledger_account_id) == before
    assert hub.balance(fx_lak) == 1_000_00
    assert _zero(totals_by_currency())


def test_insufficient_liquidity_of_the_sending_psp():
    hub = make_hub(
        liquidity={"THB": 10**9, "VND": 100, "LAK": 10**12, "MMK": 10**9, "KHR": 10**9,
                   "USD": 10**9},
    )  # fmt: skip
    quote = facade.quote(wallet_id=hub.wallets["VN"].pk, payee=_payee(hub, "LA"), amount=50_000)
    with pytest.raises(errors.InsufficientLiquidity):
        facade.pay(quote_id=quote.id, idempotency_key="psp-dry")
    assert hub.balance(_position(hub.psps["VN"], "VND")) == 100


def test_per_payment_and_daily_limits(hub):
    # A basic-tier wallet may send USD 500 per payment and USD 1,000 a day.
    basic = make_wallet(hub.psps["TH"], funds=200_000_00, kyc_tier=1)
    big = facade.quote(wallet_id=basic.pk, payee=_payee(hub, "VN"), amount=20_000_00)  # ≈ $580
    with pytest.raises(errors.LimitExceeded) as caught:
        facade.pay(quote_id=big.id, idempotency_key="big")
    assert caught.value.code == "limit_exceeded"
    assert caught.value.extra["limit"] == "per_payment"
    for n in range(2):  # 2 × ≈ $435 = $870
        q = facade.quote(wallet_id=basic.pk, payee=_payee(hub, "VN"), amount=15_000_00)
        assert facade.pay(quote_id=q.id, idempotency_key=f"d{n}").status == "completed"
    third = facade.quote(wallet_id=basic.pk, payee=_payee(hub, "VN"), amount=15_000_00)
    with pytest.raises(errors.LimitExceeded) as daily:
        facade.pay(quote_id=third.id, idempotency_key="d2")
    assert daily.value.extra["limit"] == "daily"
    # The next day the limit is free again.
    with clock.frozen(clock.now() + timedelta(days=1)):
        fresh = facade.quote(wallet_id=basic.pk, payee=_payee(hub, "VN"), amount=15_000_00)
        assert facade.pay(quote_id=fresh.id, idempotency_key="d3").status == "completed"


def test_payee_and_currency_refusals(hub):
    with pytest.raises(errors.PayeeNotFound) as caught:
        facade.resolve_proxy("phone", "+66 81 000 0000")
    assert caught.value.code == "payee_not_found"
    with pytest.raises(errors.ProxyInvalid):
        facade.resolve_proxy("phone", "0812223333")  # no country code
    with pytest.raises(errors.ProxyInvalid):
        facade.resolve_proxy("email", "a@b.c")
    # MMK → KHR: no provider quotes the pair.
    with pytest.raises(errors.CurrencyNotSupported) as unsupported:
        facade.quote(wallet_id=hub.wallets["MM"].pk, payee=_payee(hub, "KH"), amount=1_000_00)
    assert unsupported.value.code == "currency_not_supported"
    for bad in (0, -5, True, 10**16):
        with pytest.raises(errors.InvalidAmount):
            facade.quote(wallet_id=hub.wallets["TH"].pk, payee=_payee(hub, "VN"), amount=bad)
    with pytest.raises(errors.InvalidAmount):
        facade.quote(
            wallet_id=hub.wallets["TH"].pk, payee=_payee(hub, "VN"), amount=100, fixed="both"
        )
    with pytest.raises(errors.WalletNotFound):
        facade.quote(wallet_id=999_999, payee=_payee(hub, "VN"), amount=100)
    quote = facade.quote(wallet_id=hub.wallets["TH"].pk, payee=_payee(hub, "VN"), amount=100_00)
    for key in ("", " ", "x" * 201, "bad\nkey"):
        with pytest.raises(errors.InvalidIdempotencyKey):
            facade.pay(quote_id=quote.id, idempotency_key=key)


def test_proxy_resolution_masks_the_name_and_normalises_the_phone(hub):
    wallet = make_wallet(hub.psps["TH"], name="Somchai Phongsavanh")
    services.proxy_register(
        kind="phone", value="081-222-3333".replace("0", "+66", 1), wallet=wallet
    )
    payee = facade.resolve_proxy("phone", "+66 81 222 3333")
    assert payee.display_name == "Somchai P."
    assert payee.account_ref == wallet.account_ref
    assert payee.currency == "THB"
    assert payee.proxy_value == "+66812223333"
    # PromptPay's own form of the same number resolves too.
    assert facade.resolve_proxy("phone", "0066812223333").account_ref == wallet.account_ref
    with pytest.raises(services.ProxyTaken):
        services.proxy_register(kind="phone", value="+66812223333", wallet=hub.wallets["TH"])


def test_watchlist_hit_holds_the_payment_and_release_posts_it(hub):
    WatchlistEntry.objects.create(names=["Aung Kyaw Htet", "အောင်ကျော်ထက်"], reason="test list")
    target = make_wallet(hub.psps["MM"], name="AUNG KYAW  HTET")
    payee = facade.resolve_proxy("wallet_id", target.account_ref)
    th = hub.wallets["TH"]
    before = hub.balance(th.ledger_account_id)
    quote = facade.quote(wallet_id=th.pk, payee=payee, amount=5_000_00)
    held = facade.pay(quote_id=quote.id, idempotency_key="held")
    # The payment is held and its money reserved, not moved.
    assert held.status == "held"
    assert hub.balance(th.ledger_account_id) == before
    assert hub.balance(target.ledger_account_id) == 0
    assert facade.wallets_for(organisation_id=th.owner_organisation_id)[0].available == (
        before - quote.total_debit
    )
    assert [h["source"] for h in facade.screening_hits(held.id)] == ["watchlist"]
    assert [p.id for p in facade.review_queue()] == [held.id]
    assert held.receipt_index is None
    # The reviewer releases it: the reservation is posted, the payee is paid, it is anchored.
    reviewer = make_wallet(hub.psps["TH"]).owner_organisation  # any user id will do below
    del reviewer
    from mekong.identity.tests.factories import make_user

    user = make_user()
    released = facade.review_release(held.id, reviewer_user_id=user.pk)
    assert released.status == "completed"
    assert released.receipt_index is not None
    assert hub.balance(th.ledger_account_id) == before - quote.total_debit
    assert hub.balance(target.ledger_account_id) == quote.destination_amount
    assert _zero(totals_by_currency())
    assert _zero(pending_by_currency())
    assert "ACSC" in facade.payment_xml(held.id)[1]
    # Releasing twice by the same reviewer is a no-op; rejecting now is refused.
    assert facade.review_release(held.id, reviewer_user_id=user.pk).status == "completed"
    with pytest.raises(errors.NotReviewable):
        facade.review_reject(held.id, reviewer_user_id=user.pk)


def test_rejecting_a_held_payment_voids_the_reservation(hub):
    WatchlistEntry.objects.create(names=["Nguyen Van Scam"], reason="fraud ring")
    target = make_wallet(hub.psps["VN"], name="Nguyễn Văn Scam")  # diacritics fold away
    th = hub.wallets["TH"]
    before = hub.balance(th.ledger_account_id)
    quote = facade.quote(
        wallet_id=th.pk, payee=facade.resolve_proxy("wallet_id", target.account_ref),
        amount=1_000_00,
    )  # fmt: skip
    held = facade.pay(quote_id=quote.id, idempotency_key="rej")
    assert held.status == "held"
    from mekong.identity.tests.factories import make_user

    rejected = facade.review_reject(held.id, reviewer_user_id=make_user().pk)
    assert rejected.status == "rejected"
    info = facade.wallets_for(organisation_id=th.owner_organisation_id)[0]
    assert info.balance == before
    assert info.available == before
    assert hub.balance(target.ledger_account_id) == 0
    assert _zero(totals_by_currency())
    assert _zero(pending_by_currency())
    pacs002 = facade.payment_xml(held.id)[1]
    assert "RJCT" in pacs002
    assert validate_pacs002(pacs002.encode()) == []


def test_refunds_are_idempotent_partial_then_full(hub):
    vn, la = hub.wallets["VN"], hub.wallets["LA"]
    quote = facade.quote(wallet_id=vn.pk, payee=_payee(hub, "LA"), amount=1_000_000)
    paid = facade.pay(quote_id=quote.id, idempotency_key="to-refund")
    vn_after_pay = hub.balance(vn.ledger_account_id)
    la_after_pay = hub.balance(la.ledger_account_id)
    half = quote.destination_amount // 2
    r1 = facade.refund(payment_id=paid.id, amount=half, idempotency_key="r1")
    assert r1.status == "completed"
    assert r1.refund_of == paid.id
    assert r1.quote.source_currency == "LAK"
    assert r1.quote.destination_currency == "VND"
    assert facade.refund(payment_id=paid.id, amount=half, idempotency_key="r1").id == r1.id
    with pytest.raises(errors.IdempotencyConflict):
        facade.refund(payment_id=paid.id, amount=half - 1, idempotency_key="r1")
    rest = quote.destination_amount - half
    with pytest.raises(errors.RefundNotAllowed):
        facade.refund(payment_id=paid.id, amount=rest + 1, idempotency_key="r-too-much")
    r2 = facade.refund(payment_id=paid.id, amount=rest, idempotency_key="r2")
    # The payee gave back everything it got; the sender got the whole principal (not the fee).
    assert hub.balance(la.ledger_account_id) == la_after_pay - quote.destination_amount
    assert hub.balance(vn.ledger_account_id) == vn_after_pay + quote.source_amount
    assert r1.quote.destination_amount + r2.quote.destination_amount == quote.source_amount
    assert facade.payment_get(paid.id).status == "refunded"
    assert facade.payment_get(paid.id).refunded_amount == quote.destination_amount
    with pytest.raises(errors.RefundNotAllowed):
        facade.refund(payment_id=paid.id, amount=1, idempotency_key="r3")
    assert _zero(totals_by_currency())
    assert validate_pacs008(facade.payment_xml(r2.id)[0].encode()) == []


def test_settlement_report_nets_each_currency_to_minus_the_fees(hub):
    start = clock.now() - timedelta(minutes=1)
    for n, (src, dst, amount) in enumerate(
        [("VN", "LA", 1_000_000), ("TH", "MM", 2_000_00), ("LA", "VN", 500_000_00),
         ("TH", "VN", 300_00)]
    ):  # fmt: skip
        q = facade.quote(wallet_id=hub.wallets[src].pk, payee=_payee(hub, dst), amount=amount)
        facade.pay(quote_id=q.id, idempotency_key=f"s{n}")
    rows = facade.settlement_report(since=start, until=clock.now() + timedelta(minutes=1))
    fees = {
        cur: hub.balance(_position(hub.hub, cur, PositionKind.FEES))
        for cur in ("VND", "THB", "LAK", "MMK")
    }
    for cur, fee in fees.items():
        assert sum(r.net for r in rows if r.currency == cur) == -fee
    vn_vnd = next(r for r in rows if r.participant_id == hub.psps["VN"].pk and r.currency == "VND")
    assert vn_vnd.paid_out > 0
    assert vn_vnd.payments == 3  # it sent one and received two
    assert all(r.net == r.paid_in - r.paid_out for r in rows)


def test_domain_errors_have_stable_codes():
    codes = {
        errors.PayeeNotFound: "payee_not_found",
        errors.QuoteExpired: "quote_expired",
        errors.QuoteUsed: "quote_used",
        errors.InsufficientLiquidity: "insufficient_liquidity",
        errors.InsufficientFunds: "insufficient_funds",
        errors.LimitExceeded: "limit_exceeded",
        errors.Screened: "screened",
        errors.IdempotencyConflict: "idempotency_conflict",
        errors.CurrencyNotSupported: "currency_not_supported",
        errors.QrInvalid: "qr_invalid",
    }
    for cls, code in codes.items():
        assert issubclass(cls, DomainError)
        assert cls.code == code


def test_deferred_receipts_are_anchored_by_the_background_pass(hub, monkeypatch):

    monkeypatch.setenv("PAYMENTS_RECEIPTS", "deferred")
    quote = facade.quote(wallet_id=hub.wallets["VN"].pk, payee=_payee(hub, "LA"), amount=200_000)
    paid = facade.pay(quote_id=quote.id, idempotency_key="deferred")
    assert paid.status == "completed"
    assert paid.receipt_index is None
    assert facade.payment_get(paid.id).receipt_index is None
    assert receipts.anchor_pending() == 1
    assert facade.payment_get(paid.id).receipt_index is not None
    assert receipts.anchor_pending() == 0


def test_a_merchant_gets_one_business_id_per_currency_and_can_be_paid_in_each(hub):
    from mekong.identity.models import Organisation
    from mekong.identity.tests.factories import make_org

    org = make_org(kind="sme", country="LA", name="Bolaven Beans")
    Organisation.objects.filter(pk=org.pk).update(registration_number="la-0123")
    kip = facade.register_merchant(organisation_id=org.pk, country="LA", currency="LAK")
    usd = facade.register_merchant(organisation_id=org.pk, country="LA", currency="USD")
    assert (kip.currency, kip.proxy_value) == ("LAK", "LA0123")
    assert (usd.currency, usd.proxy_value) == ("USD", "LA0123:USD")
    assert usd.account_ref != kip.account_ref
    # Idempotent, and every wallet is reachable by its currency-qualified business id (the
    # registration number's separators are folded as for any business id).
    assert facade.register_merchant(organisation_id=org.pk, country="LA", currency="USD") == usd
    assert facade.resolve_proxy("business_id", "la-0123:lak").account_ref == kip.account_ref
    assert facade.resolve_proxy("business_id", "LA-0123:USD").account_ref == usd.account_ref
    assert facade.resolve_proxy("business_id", "LA-0123").account_ref == kip.account_ref
    # Both accounts take money (THB → USD goes through the FX provider's USD/THB rate; the
    # Lao PSP needs a USD position to pay out dollars).
    la = hub.psps["LA"]
    services.participant_register(
        organisation_id=la.organisation_id, kind=la.kind, country="LA", currency="LAK",
        currencies=("USD",), code=la.code, name=la.name,
    )  # fmt: skip
    services.prefund(participant=la, currency="USD", amount=1_000_00, reference="usd")
    th = hub.wallets["TH"].pk
    for payee in (kip, usd):
        quote = facade.quote(wallet_id=th, payee=payee, amount=1_000_00)
        paid = facade.pay(quote_id=quote.id, idempotency_key=f"merchant-{payee.currency}")
        assert paid.status == "completed"
        assert paid.quote.destination_currency == payee.currency
        assert paid.quote.payee.account_ref == payee.account_ref


def test_another_organisation_cannot_take_a_merchants_business_id(hub):
    from mekong.identity.models import Organisation
    from mekong.identity.tests.factories import make_org

    first, second = make_org(country="LA"), make_org(country="LA")
    Organisation.objects.filter(pk__in=[first.pk, second.pk]).update(registration_number="dup-1")
    facade.register_merchant(organisation_id=first.pk, country="LA", currency="LAK")
    with pytest.raises(services.ProxyTaken):
        facade.register_merchant(organisation_id=second.pk, country="LA", currency="USD")
    with pytest.raises(services.ProxyTaken):
        facade.register_merchant(organisation_id=second.pk, country="LA", currency="LAK")
