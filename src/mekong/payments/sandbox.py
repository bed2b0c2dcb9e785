"""The fintech sandbox: the same hub, API and rules, with sandbox money only.

A fintech organisation registers and becomes a sandbox PSP (a `Participant` with
``sandbox=True``); it gets prefunded sandbox positions, two funded test wallets, and shared
test counterparties (a sandbox PSP in each other member country with payable test wallets and
phone numbers, and a sandbox FX provider quoting every pair). Sandbox participants, positions,
wallets, proxies, quotes and payments are all flagged, and every lookup filters on the flag, so
sandbox money never meets a live position.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from mekong.core import clock
from mekong.core.currencies import currency
from mekong.identity import facade as identity
from mekong.identity.contracts import Actor, IssuedToken
from mekong.identity.models import Organisation
from mekong.payments import services
from mekong.payments.errors import NotAParticipant
from mekong.payments.models import FxRate, Participant, ParticipantKind, ProxyKind, Wallet

#: Units per US dollar used for sandbox rates (round numbers on purpose: it is play money).
SANDBOX_PER_USD = {
    "USD": Decimal(1),
    "THB": Decimal(35),
    "VND": Decimal(25_000),
    "KHR": Decimal(4_000),
    "LAK": Decimal(20_000),
    "MMK": Decimal(2_000),
}
HOME = {"TH": "THB", "VN": "VND", "KH": "KHR", "LA": "LAK", "MM": "MMK"}
SANDBOX_FLOAT_USD = 1_000_000
SANDBOX_WALLET_USD = 10_000
#: Test payees: one per country, reachable by these phone numbers in the sandbox.
TEST_PHONES = {
    "TH": "+66800000001",
    "VN": "+84900000001",
    "KH": "+85510000001",
    "LA": "+8562000000001",
    "MM": "+959000000001",
}


@dataclass(frozen=True)
class SandboxSetup:
    """What a registration made: the fintech's participant, its wallets, the test phones and
    a new sandbox-scoped token (its secret is to be shown once, never stored)."""

    participant: Participant
    wallets: tuple[Wallet, ...]
    test_phones: dict[str, str]
    token: IssuedToken


def _minor(code: str, usd: int) -> int:
    return int(SANDBOX_PER_USD[code] * usd * 10 ** currency(code).minor_units)


def _org(slug: str, name: str, kind: str, country: str) -> Organisation:
    org = Organisation.objects.filter(slug=slug).first()
    if org is None:
        org = Organisation.objects.create(name=name, slug=slug, kind=kind, country=country)
    return org


def _shared() -> None:
    """The sandbox hub, FX provider and test PSPs with payable wallets (once for everyone)."""
    hub_org = _org("sandbox-hub", "Mekong Payments Hub (sandbox)", "regulator", "TH")
    services.hub_ensure(organisation_id=hub_org.pk, currencies=tuple(SANDBOX_PER_USD), sandbox=True)
    fx_org = _org("sandbox-fx", "Sandbox FX Provider", "fx_provider", "TH")
    fxp = services.participant_register(
        organisation_id=fx_org.pk,
        kind=ParticipantKind.FX_PROVIDER,
        country="TH",
        currency="USD",
        currencies=tuple(SANDBOX_PER_USD),
        code="SBX-FX",
        name="Sandbox FX Provider",
        sandbox=True,
    )
    for cur in SANDBOX_PER_USD:
        services.prefund(
            participant=fxp, currency=cur, amount=_minor(cur, SANDBOX_FLOAT_USD), reference="sbx"
        )
    now = clock.now()
    codes = list(SANDBOX_PER_USD)
    for i, base in enumerate(codes):
        for quote in codes[i + 1 :]:
            if FxRate.objects.filter(
                provider=fxp, base_currency=base, quote_currency=quote, valid_until__gt=now
            ).exists():
                continue
            services.rate_publish(
                provider=fxp,
                base_currency=base,
                quote_currency=quote,
                mid=SANDBOX_PER_USD[quote] / SANDBOX_PER_USD[base],
                spread_bps=50,
                valid_for=timedelta(days=365),
            )
    for country, home in HOME.items():
        org = _org(f"sandbox-psp-{country.lower()}", f"Sandbox PSP {country}", "psp", country)
        psp = services.participant_register(
            organisation_id=org.pk,
            kind=ParticipantKind.PSP,
            country=country,
            currency=home,
            code=f"SBX-PSP-{country}",
            name=f"Sandbox PSP {country}",
            is_default=True,
            sandbox=True,
        )
        services.prefund(
            participant=psp, currency=home, amount=_minor(home, SANDBOX_FLOAT_USD), reference="s"
        )
        payee = services.wallet_open(
            participant=psp,
            holder_name=f"Test Payee {country}",
            owner_organisation_id=org.pk,
        )
        services.proxy_register(kind=ProxyKind.PHONE, value=TEST_PHONES[country], wallet=payee)


def register(*, actor: Actor) -> SandboxSetup:
    """Register the actor's organisation as a sandbox PSP and give it test money and a token.

    The participant, positions and wallets are made and funded once (a repeat call returns
    them as they are); every call issues one new sandbox-scoped member token named ``sandbox``, so a
    fintech that lost its secret registers again (and revokes the old token on its
    organisation page). All of it commits in one transaction.

    Raises:
        NotAParticipant: the caller may not manage the organisation (owners and admins only).
    """
    if actor.organisation_id is None or not actor.can_manage:
        raise NotAParticipant()
    org = Organisation.objects.get(pk=actor.organisation_id)
    with transaction.atomic():
        _shared()
        home = HOME.get(org.country, "USD")
        participant = services.participant_register(
            organisation_id=org.pk,
            kind=ParticipantKind.PSP,
            country=org.country,
            currency=home,
            currencies=("USD",),
            code=f"SBX-{org.pk}",
            name=f"{org.name} (sandbox)",
            sandbox=True,
        )
        for cur in (home, "USD"):
            services.prefund(
                participant=participant,
                currency=cur,
                amount=_minor(cur, SANDBOX_FLOAT_USD),
                reference="sandbox",
            )
        wallets = []
        for n, cur in enumerate((home, "USD"), start=1):
            wallet = services.wallet_open(
                participant=participant,
                holder_name=f"Test Customer {n}",
                currency=cur,
                owner_organisation_id=org.pk,
            )
            services.wallet_fund(
                wallet=wallet, amount=_minor(cur, SANDBOX_WALLET_USD), reference="sandbox"
            )
            wallets.append(wallet)
        token = identity.sandbox_token_issue(actor=actor, organisation_id=org.pk)
    return SandboxSetup(
        participant=participant, wallets=tuple(wallets), test_phones=TEST_PHONES, token=token
    )
