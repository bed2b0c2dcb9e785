"""The demo seed: idempotent, and its QR merchants and phone proxies are payable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mekong.identity.models import Organisation, User
from mekong.ledger import facade as ledger
from mekong.payments import demo, facade
from mekong.payments.models import FxRate, Participant, Wallet
from mekong.payments.tests.factories import totals_by_currency

pytestmark = pytest.mark.django_db
PAYLOADS = {
    p["id"]: p["payload"]
    for p in json.loads((Path(__file__).parent / "data" / "qr_payloads.json").read_text())[
        "payloads"
    ]
}


def _demo_orgs() -> None:
    # The organisations and owners identity's demo creates (same slugs and e-mails).
    kinds = {**{s: "psp" for s, _b, _c in demo.PSPS.values()},
             **{s: "fx_provider" for s, _c, _o, _s in demo.FXPS.values()}}  # fmt: skip
    for slug in [*kinds, *demo.PEOPLE, *demo.MERCHANTS]:
        if Organisation.objects.filter(slug=slug).exists():
            continue
        org = Organisation.objects.create(
            name=slug.title(), slug=slug, kind=kinds.get(slug, "sme"), country=slug[:2].upper()
        )
        if slug in demo.PEOPLE:
            User.objects.create_user(
                email=f"{slug}@demo.mekong.example", password="x", display_name=f"Owner {org.pk}"
            )


def test_seed_is_idempotent_and_conserves_money():
    _demo_orgs()
    first = demo.seed()
    counts = (Participant.objects.count(), Wallet.objects.count(), FxRate.objects.count())
    balances = totals_by_currency()
    second = demo.seed()
    assert (Participant.objects.count(), Wallet.objects.count(), FxRate.objects.count()) == counts
    assert counts[0] == 11  # hub, 5 PSPs, 5 FX providers
    assert "5 PSPs" in first[0]
    assert "0 FX rates" in second[0]
    assert totals_by_currency() == balances
    assert all(v == 0 for v in balances.values())


def test_a_vietnamese_wallet_pays_the_lao_demo_qr():
    _demo_orgs()
    demo.seed()
    vn_user = User.objects.get(email="vn-dak-lak-coffee@demo.mekong.example")
    (wallet,) = facade.wallets_for(user_id=vn_user.pk)
    payee, amount, cur = facade.resolve_qr(PAYLOADS["laoqr-bcel-onepay-merchant"])
    assert (payee.country, payee.currency, amount, cur) == ("LA", "LAK", None, "LAK")
    assert payee.display_name == "La-Bolaven-Coffee"  # a business: shown in full
    quote = facade.quote(wallet_id=wallet.id, payee=payee, amount=500_000_00, fixed="destination")
    assert quote.destination_amount == 500_000_00
    assert float(quote.total_cost_percent) < 3
    payment = facade.pay(quote_id=quote.id, idempotency_key="demo-qr")
    assert payment.status == "completed"
    balance = ledger.balance(payee.ledger_account_id)
    assert balance is not None
    assert balance.balance == 500_000_00
    # Dynamic Lao QR with an amount: the amount comes from the code.
    _payee, amount, _cur = facade.resolve_qr(PAYLOADS["laoqr-constructed-jdb-dynamic"])
    assert amount == 25_000_00


def test_thai_to_myanmar_remittance_by_phone_and_the_watchlisted_name_is_held():
    _demo_orgs()
    demo.seed()
    sender = Wallet.objects.get(proxies__value="+66912345678")
    payee = facade.resolve_proxy("phone", "+95 9 250 001 111")
    assert payee.display_name == "Daw K. M. A."
    quote = facade.quote(wallet_id=sender.pk, payee=payee, amount=5_000_00)
    assert quote.destination_currency == "MMK"
    assert float(quote.total_cost_percent) < 3
    assert facade.pay(quote_id=quote.id, idempotency_key="home").status == "completed"
    flagged = facade.resolve_proxy("phone", "+959780009999")
    q2 = facade.quote(wallet_id=sender.pk, payee=flagged, amount=1_000_00)
    assert facade.pay(quote_id=q2.id, idempotency_key="flagged").status == "held"
