"""A small hub for tests, built through the services: the hub, PSPs in VN, LA, TH and MM, one
FX provider per corridor, rates, prefunded positions and funded wallets.

Other modules' tests may import this (e.g. the marketplace) to get a working payments hub.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from mekong.identity.tests.factories import make_org
from mekong.ledger import facade as ledger
from mekong.payments import services
from mekong.payments.models import Participant, ParticipantKind, Wallet, WatchlistEntry

_seq = itertools.count(1)

#: Mid rates (1 base = mid quote) used by the test hub, close to late-2026 market levels.
RATES = {
    ("THB", "VND"): Decimal("735.0"),
    ("THB", "LAK"): Decimal("633.0"),
    ("THB", "MMK"): Decimal("61.0"),
    ("THB", "KHR"): Decimal("117.0"),
    ("VND", "LAK"): Decimal("0.8612"),
    ("USD", "THB"): Decimal("34.5"),
}
SPREAD_BPS = 60


@dataclass
class Hub:
    """Handles on the test hub's participants and wallets."""

    hub: Participant
    psps: dict[str, Participant] = field(default_factory=dict)
    fxp: Participant | None = None
    wallets: dict[str, Wallet] = field(default_factory=dict)

    def balance(self, account_id: int) -> int:
        info = ledger.balance(account_id)
        assert info is not None
        return info.balance


COUNTRY_CURRENCY = {"TH": "THB", "VN": "VND", "LA": "LAK", "MM": "MMK", "KH": "KHR"}


def make_hub(
    *,
    sandbox: bool = False,
    liquidity: dict[str, int] | None = None,
    wallet_funds: dict[str, int] | None = None,
) -> Hub:
    """A hub with one PSP per country, one FX provider trading every currency, rates and money.

    ``liquidity`` is each settlement position's prefunding per currency (minor units);
    ``wallet_funds`` what each country's test wallet holds.
    """
    n = next(_seq)
    liquidity = liquidity or {
        "THB": 10_000_000_00,
        "VND": 100_000_000_000,
        "LAK": 1_000_000_000_00,
        "MMK": 100_000_000_00,
        "KHR": 100_000_000_00,
        "USD": 1_000_000_00,
    }
    wallet_funds = wallet_funds or {
        "TH": 100_000_00,
        "VN": 50_000_000,
        "LA": 10_000_000_00,
        "MM": 5_000_000_00,
        "KH": 10_000_000_00,
    }
    currencies = tuple(liquidity)
    hub_org = make_org(kind="regulator", country="TH", name=f"Hub operator {n}")
    hub = services.hub_ensure(organisation_id=hub_org.pk, currencies=currencies, sandbox=sandbox)
    out = Hub(hub=hub)
    for country, cur in COUNTRY_CURRENCY.items():
        org = make_org(kind="psp", country=country, name=f"{country} Pay {n}")
        psp = services.participant_register(
            organisation_id=org.pk,
            kind=ParticipantKind.PSP,
            country=country,
            currency=cur,
            code=f"T{n}-{country}",
            name=f"{country} Pay {n}",
            is_default=True,
            sandbox=sandbox,
        )
        services.prefund(participant=psp, currency=cur, amount=liquidity[cur], reference="t")
        out.psps[country] = psp
    fx_org = make_org(kind="fx_provider", country="TH", name=f"FX {n}")
    fxp = services.participant_register(
        organisation_id=fx_org.pk,
        kind=ParticipantKind.FX_PROVIDER,
        country="TH",
        currency="THB",
        currencies=currencies,
        code=f"T{n}-FX",
        name=f"Test FX {n}",
        sandbox=sandbox,
    )
    for cur, amount in liquidity.items():
        services.prefund(participant=fxp, currency=cur, amount=amount, reference="t")
    for (base, quote), mid in RATES.items():
        services.rate_publish(
            provider=fxp,
            base_currency=base,
            quote_currency=quote,
            mid=mid,
            spread_bps=SPREAD_BPS,
            valid_for=timedelta(days=30),
        )
    out.fxp = fxp
    for country, psp in out.psps.items():
        out.wallets[country] = make_wallet(psp, funds=wallet_funds[country])
    return out


def make_wallet(
    psp: Participant, *, funds: int = 0, name: str | None = None, business: bool = False,
    kyc_tier: int = 2,
) -> Wallet:  # fmt: skip
    """A person's (or business's) wallet at ``psp`` holding ``funds``."""
    n = next(_seq)
    owner = make_org(kind="sme" if business else "buyer", country=psp.country, name=f"Owner {n}")
    wallet = services.wallet_open(
        participant=psp,
        holder_name=name or f"Somchai Phongsavanh {n}",
        owner_organisation_id=owner.pk,
        is_business=business,
        kyc_tier=kyc_tier,
    )
    if funds:
        services.wallet_fund(wallet=wallet, amount=funds, reference=f"t{n}")
    return wallet


def watch_holder_of(wallet_id: int) -> None:
    """Put the holder of wallet ``wallet_id`` on the screening watchlist: the wallet's next
    payments are held for a reviewer."""
    holder = Wallet.objects.get(pk=wallet_id).holder_name
    WatchlistEntry.objects.create(names=[holder], reason="test list")


def totals_by_currency() -> dict[str, int]:
    """Sum of the balances of every hub account (positions and wallets) per currency.

    Money only enters through prefunding (hub funding → position) and cash-in (treasury →
    wallet), both between hub accounts, so every sum must be zero after any flow.
    """
    from mekong.payments.models import Position

    sums: dict[str, int] = {}
    accounts = [(p.ledger_account_id, p.currency) for p in Position.objects.all()] + [
        (w.ledger_account_id, w.currency) for w in Wallet.objects.all()
    ]
    for account_id, cur in accounts:
        info = ledger.balance(account_id)
        assert info is not None
        sums[cur] = sums.get(cur, 0) + info.balance
    return sums


def pending_by_currency() -> dict[str, int]:
    """Per currency, debits pending minus credits pending over the hub's accounts (zero)."""
    from mekong.payments.models import Position

    sums: dict[str, int] = {}
    accounts = [(p.ledger_account_id, p.currency) for p in Position.objects.all()] + [
        (w.ledger_account_id, w.currency) for w in Wallet.objects.all()
    ]
    for account_id, cur in accounts:
        info = ledger.balance(account_id)
        assert info is not None
        sums[cur] = sums.get(cur, 0) + info.debits_pending - info.credits_pending
    return sums
