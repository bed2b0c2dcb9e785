"""Demo payments hub: the five countries' demo PSPs and FX providers, realistic rates,
prefunded positions, wallets for the demo people, proxies and QR merchants, a watchlist.

Everything goes through `services` with fixed references, so a second run finds what the
first made and moves no money again. Rates are mid-market levels of late 2026 (rounded; USD
cross rates), valid for a year so the demo keeps working; names are illustrative.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from mekong.core import clock
from mekong.core.currencies import currency
from mekong.identity.models import Organisation, User
from mekong.payments import services
from mekong.payments.models import (
    FxRate,
    KycTier,
    Participant,
    ParticipantKind,
    ProxyKind,
    Wallet,
    WatchlistEntry,
)

#: Units of each currency per US dollar (mid, late 2026, rounded).
PER_USD: dict[str, Decimal] = {
    "USD": Decimal(1),
    "THB": Decimal("34.50"),
    "VND": Decimal("25400"),
    "KHR": Decimal("4030"),
    "LAK": Decimal("21800"),
    "MMK": Decimal("2100"),
}
HOME = {"TH": "THB", "VN": "VND", "KH": "KHR", "LA": "LAK", "MM": "MMK"}
PSPS = {
    "TH": ("th-baht-bank", "SIAMTHBX", "DEMO-TH-SBB"),
    "VN": ("vn-dong-wallet", "DONGVNVX", "DEMO-VN-DONG"),
    "KH": ("kh-riel-wallet", "RIELKHPP", "DEMO-KH-RIEL"),
    "LA": ("la-kip-pay", "KIPPLALA", "DEMO-LA-KIPPAY"),
    "MM": ("mm-kyat-wallet", "KYATMMMY", "DEMO-MM-KYAT"),
}
#: FX providers: slug, member code, currencies traded with their home currency, spread (bps).
FXPS = {
    "TH": ("th-chao-phraya-fx", "DEMO-FX-CPFX", ("VND", "KHR", "LAK", "MMK", "USD"), 50),
    "VN": ("vn-mekong-delta-fx", "DEMO-FX-MDFX", ("LAK", "KHR", "THB", "USD"), 60),
    "LA": ("la-mekong-fx", "DEMO-FX-MRFX", ("THB", "VND", "USD"), 70),
    "KH": ("kh-tonle-fx", "DEMO-FX-TONLE", ("THB", "VND", "USD", "MMK"), 60),
    "MM": ("mm-irrawaddy-fx", "DEMO-FX-IRRA", ("THB", "USD", "LAK", "VND"), 80),
}
#: Prefunding in US dollars: each PSP in its home currency, each FX provider per currency.
PSP_FLOAT_USD = 5_000_000
FXP_FLOAT_USD = 2_000_000
WALLET_USD = 1_500

#: The demo people's wallets (identity's demo owners) and their aliases.
PEOPLE = {
    "vn-dak-lak-coffee": ("VN", "+84905123456"),
    "la-bolaven-coffee": ("LA", "+8562055512345"),
    "th-doi-chaang": ("TH", "+66801234567"),
    "kh-kampot-pepper": ("KH", "+85512345678"),
    "mm-shan-tea": ("MM", "+959420012345"),
}
#: Businesses payable by national QR (payloads from tests/data/qr_payloads.json) and proxy.
MERCHANTS = {
    "la-bolaven-coffee": ("LA", ("laoqr:27710418:mch19B73F61B9E", "laoqr:32170418:MCH00012345")),
    "vn-dak-lak-coffee": ("VN", ("vietqr:970416:257678859",)),
    "th-doi-chaang": ("TH", ("promptpay_bill:0112233445566",)),
    "kh-kampot-pepper": ("KH", ("khqr:abaakhppxxx@abaa",)),
    "mm-shan-tea": ("MM", ("mmqr:123456789012345",)),
}
#: Extra individuals: a Myanmar recipient of remittances and a watch-listed name.
EXTRA_PEOPLE = (
    ("MM", "Daw Khin Myo Aye", "+959250001111", KycTier.STANDARD),
    ("MM", "Min Thant Zaw", "+959780009999", KycTier.STANDARD),
    ("TH", "Ko Zaw Lin", "+66912345678", KycTier.BASIC),
)
WATCHLIST = ((("Min Thant Zaw", "မင်းသန့်ဇော်"), "Demo watchlist: sanctioned person (fictitious)"),)


def _major(code: str, usd: int) -> int:
    """``usd`` US dollars in minor units of ``code`` at the demo rates."""
    return int(PER_USD[code] * usd * (10 ** currency(code).minor_units))


def _org(slug: str) -> Organisation | None:
    return Organisation.objects.filter(slug=slug).first()


def _hub() -> Participant:
    org = Organisation.objects.filter(slug="mekong-payments-hub").first()
    if org is None:
        # The hub operator is a platform body, not one of identity's demo members.
        org = Organisation.objects.create(
            name="Mekong Payments Hub (demo)",
            slug="mekong-payments-hub",
            kind="regulator",
            country="TH",
        )
    return services.hub_ensure(organisation_id=org.pk, currencies=tuple(PER_USD))


def _publish_rates(fxp: Participant, home: str, others: tuple[str, ...], spread: int) -> int:
    now = clock.now()
    published = 0
    for other in others:
        valid = FxRate.objects.filter(
            provider=fxp, base_currency=home, quote_currency=other, valid_until__gt=now
        ).exists()
        if valid:
            continue
        mid = (PER_USD[other] / PER_USD[home]).quantize(Decimal("0.000001"))
        services.rate_publish(
            provider=fxp,
            base_currency=home,
            quote_currency=other,
            mid=mid,
            spread_bps=spread,
            valid_for=timedelta(days=365),
        )
        published += 1
    return published


def seed() -> list[str]:
    """Set up the demo hub; idempotent. Returns report lines."""
    _hub()
    psps: dict[str, Participant] = {}
    for country, (slug, bic, code) in PSPS.items():
        org = _org(slug)
        if org is None:
            continue
        home = HOME[country]
        psp = services.participant_register(
            organisation_id=org.pk,
            kind=ParticipantKind.PSP,
            country=country,
            currency=home,
            code=code,
            name=org.name,
            bic=bic,
            is_default=True,
        )
        services.prefund(
            participant=psp, currency=home, amount=_major(home, PSP_FLOAT_USD), reference="demo"
        )
        psps[country] = psp
    rates = 0
    for country, (slug, code, others, spread) in FXPS.items():
        org = _org(slug)
        if org is None:
            continue
        home = HOME[country]
        fxp = services.participant_register(
            organisation_id=org.pk,
            kind=ParticipantKind.FX_PROVIDER,
            country=country,
            currency=home,
            currencies=others,
            code=code,
            name=org.name,
        )
        for cur in (home, *others):
            services.prefund(
                participant=fxp, currency=cur, amount=_major(cur, FXP_FLOAT_USD), reference="demo"
            )
        rates += _publish_rates(fxp, home, others, spread)
    wallets = 0
    for slug, (country, phone) in PEOPLE.items():
        user = User.objects.filter(email=f"{slug}@demo.mekong.example").first()
        if user is None or country not in psps:
            continue
        wallet = services.wallet_open(
            participant=psps[country],
            holder_name=user.display_name or slug,
            owner_user_id=user.pk,
        )
        services.wallet_fund(
            wallet=wallet, amount=_major(wallet.currency, WALLET_USD), reference="demo"
        )
        services.proxy_register(kind=ProxyKind.PHONE, value=phone, wallet=wallet)
        wallets += 1
    for slug, (country, keys) in MERCHANTS.items():
        org = _org(slug)
        if org is None or country not in psps:
            continue
        wallet = services.wallet_open(
            participant=psps[country],
            holder_name=org.name,
            owner_organisation_id=org.pk,
            is_business=True,
            kyc_tier=KycTier.FULL,
        )
        services.proxy_register(
            kind=ProxyKind.BUSINESS_ID, value=org.registration_number or slug, wallet=wallet
        )
        for key in keys:
            services.proxy_register(kind=ProxyKind.QR_MERCHANT, value=key, wallet=wallet)
        wallets += 1
    for country, name, phone, tier in EXTRA_PEOPLE:
        if country not in psps:
            continue
        existing = Wallet.objects.filter(proxies__kind="phone", proxies__value=phone).first()
        wallet = existing or services.wallet_open(
            participant=psps[country], holder_name=name, kyc_tier=tier
        )
        if existing is None:
            services.proxy_register(kind=ProxyKind.PHONE, value=phone, wallet=wallet)
            if country == "TH":
                services.wallet_fund(wallet=wallet, amount=_major("THB", 800), reference="demo")
            wallets += 1
    for names, reason in WATCHLIST:
        WatchlistEntry.objects.get_or_create(reason=reason, defaults={"names": list(names)})
    return [
        f"payments: {len(psps)} PSPs, {rates} FX rates published, {wallets} wallets set up; "
        "pay the Lao QR of Bolaven coffee or send THB to +959250001111"
    ]
