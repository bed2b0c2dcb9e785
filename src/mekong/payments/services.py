"""Write use cases that set the hub up: participants and their ledger accounts, prefunding,
wallets, the proxy directory and FX rates. The payment flow itself is in `paying`.

Every function is idempotent on its natural key (organisation and mode for a participant,
participant/currency/kind for a position, owner/PSP/currency for a wallet, kind/value for a
proxy), so seeds and the sandbox can run them again safely.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from mekong.core import clock
from mekong.core.audit import audit_record
from mekong.core.currencies import CURRENCIES
from mekong.core.errors import Conflict, ValidationFailed
from mekong.core.text import normalize_text
from mekong.ledger import facade as ledger
from mekong.ledger.contracts import TransferIn, TransferResultCode
from mekong.payments import names
from mekong.payments.errors import CurrencyNotSupported, InvalidAmount, ProxyInvalid
from mekong.payments.fx import is_minor
from mekong.payments.models import (
    FxRate,
    KycTier,
    Participant,
    ParticipantKind,
    Position,
    PositionKind,
    ProxyEntry,
    Wallet,
)

#: Namespace of the deterministic external ids of the hub's ledger accounts and transfers.
NAMESPACE = uuid.UUID("6d656b6f-6e67-4c70-a179-6d656e747301")

#: Ledger account codes (business kinds) used by the hub.
ACCOUNT_CODES = {
    PositionKind.SETTLEMENT: 4001,
    PositionKind.TREASURY: 4002,
    PositionKind.FEES: 4020,
    PositionKind.FUNDING: 4030,
}
WALLET_CODE = 4010
#: Ledger transfer codes.
CODE_PREFUND = 4300
CODE_WALLET_FUND = 4301

#: Which position kinds each participant kind holds in each of its currencies.
KINDS_BY_PARTICIPANT = {
    ParticipantKind.PSP: (PositionKind.SETTLEMENT, PositionKind.TREASURY),
    ParticipantKind.FX_PROVIDER: (PositionKind.SETTLEMENT,),
    ParticipantKind.HUB: (PositionKind.FEES, PositionKind.FUNDING),
}


class ProxyTaken(Conflict):
    """The proxy already names another wallet."""

    code = "proxy_taken"


def _check_currency(code: object) -> str:
    if not isinstance(code, str) or code.upper() not in CURRENCIES:
        raise CurrencyNotSupported(params={"currency": code})
    return code.upper()


# --- participants -------------------------------------------------------------------------
def participant_register(
    *,
    organisation_id: int,
    kind: str,
    country: str,
    currency: str,
    code: str,
    name: str,
    currencies: tuple[str, ...] = (),
    bic: str = "",
    scheme_ids: dict[str, str] | None = None,
    is_default: bool = False,
    sandbox: bool = False,
) -> Participant:
    """Register an organisation as a participant and open its ledger accounts.

    Idempotent on (organisation, sandbox): an existing participant is returned, with any
    missing position opened. A PSP gets a settlement position and a treasury in each currency,
    an FX provider a settlement position in each, the hub a fee and a funding account.

    Raises:
        CurrencyNotSupported: an unknown currency.
        ValidationFailed: an unknown kind.
    """
    if kind not in ParticipantKind.values:
        raise ValidationFailed(extra={"errors": [{"field": "kind", "code": "invalid_choice"}]})
    home = _check_currency(currency)
    all_currencies = tuple(dict.fromkeys([home, *(_check_currency(c) for c in currencies)]))
    with transaction.atomic():
        participant = Participant.objects.filter(
            organisation_id=organisation_id, sandbox=sandbox
        ).first()
        if participant is None:
            participant = Participant.objects.create(
                organisation_id=organisation_id,
                kind=kind,
                country=country.upper(),
                currency=home,
                code=code,
                name=normalize_text(name),
                bic=bic,
                scheme_ids=scheme_ids or {},
                is_default=is_default,
                sandbox=sandbox,
            )
            audit_record(
                action="payments.participant_registered",
                organisation_id=organisation_id,
                object_type="payments_participant",
                object_id=participant.pk,
                data={"kind": kind, "country": participant.country, "sandbox": sandbox},
            )
        for cur in all_currencies:
            for position_kind in KINDS_BY_PARTICIPANT[ParticipantKind(participant.kind)]:
                position_ensure(participant=participant, currency=cur, kind=position_kind)
    return participant


def position_ensure(*, participant: Participant, currency: str, kind: str) -> Position:
    """The participant's ledger account of this kind and currency, opened if missing.

    Settlement positions are opened with ``debits_must_not_exceed_credits``: the ledger itself
    refuses any transfer that would take them below zero.
    """
    cur = _check_currency(currency)
    found = Position.objects.filter(participant=participant, currency=cur, kind=kind).first()
    if found is not None:
        return found
    key = uuid.uuid5(NAMESPACE, f"position:{participant.pk}:{cur}:{kind}")
    account = ledger.account_create(
        organisation_id=participant.organisation_id,
        currency=cur,
        code=ACCOUNT_CODES[PositionKind(kind)],
        name=f"{participant.code} {kind} {cur}"[:200],
        external_id=key,
        debits_must_not_exceed_credits=kind == PositionKind.SETTLEMENT,
        user_data=f"payments:{kind}",
    )
    try:
        with transaction.atomic():
            return Position.objects.create(
                participant=participant,
                kind=kind,
                currency=cur,
                ledger_account_id=account.id,
                sandbox=participant.sandbox,
            )
    except IntegrityError:
        return Position.objects.get(participant=participant, currency=cur, kind=kind)


def hub_for(*, sandbox: bool) -> Participant:
    """The hub operator's participant in this mode.

    Raises:
        Participant.DoesNotExist: the hub is not set up (run the demo seed or `hub_ensure`).
    """
    return Participant.objects.get(kind=ParticipantKind.HUB, sandbox=sandbox)


def hub_ensure(
    *, organisation_id: int, currencies: tuple[str, ...], sandbox: bool = False
) -> Participant:
    """Register the hub operator (fee and funding accounts in every currency); idempotent."""
    return participant_register(
        organisation_id=organisation_id,
        kind=ParticipantKind.HUB,
        country="TH",
        currency=currencies[0],
        currencies=currencies,
        code="MEKONG-HUB" + ("-SBX" if sandbox else ""),
        name="Mekong Payments Hub" + (" (sandbox)" if sandbox else ""),
        sandbox=sandbox,
    )


def prefund(*, participant: Participant, currency: str, amount: int, reference: str) -> None:
    """Credit a participant's settlement position from the hub's funding account.

    Idempotent on ``reference`` (the ledger transfer id is derived from it): the same
    reference moves the money once.

    Raises:
        InvalidAmount: ``amount`` is not a positive int.
    """
    if not is_minor(amount):
        raise InvalidAmount()
    cur = _check_currency(currency)
    hub = hub_for(sandbox=participant.sandbox)
    funding = position_ensure(participant=hub, currency=cur, kind=PositionKind.FUNDING)
    target = position_ensure(participant=participant, currency=cur, kind=PositionKind.SETTLEMENT)
    (result,) = ledger.transfers_create(
        [
            TransferIn(
                id=uuid.uuid5(NAMESPACE, f"prefund:{participant.pk}:{cur}:{reference}"),
                debit_account_id=funding.ledger_account_id,
                credit_account_id=target.ledger_account_id,
                amount=amount,
                currency=cur,
                code=CODE_PREFUND,
                user_data=f"prefund:{reference}"[:128],
            )
        ]
    )
    if not result.succeeded:
        raise Conflict(params={"code": str(result.code)}, extra={"ledger_code": result.code})


# --- wallets ------------------------------------------------------------------------------
def default_psp(country: str, *, sandbox: bool = False) -> Participant | None:
    """The default PSP of a country (where wallets open), or any PSP of it, or None."""
    psps = Participant.objects.filter(
        kind=ParticipantKind.PSP, country=country.upper(), sandbox=sandbox
    ).order_by("-is_default", "id")
    return psps.first()


def wallet_open(
    *,
    participant: Participant,
    holder_name: str,
    currency: str | None = None,
    owner_user_id: int | None = None,
    owner_organisation_id: int | None = None,
    is_business: bool = False,
    kyc_tier: int = KycTier.STANDARD,
) -> Wallet:
    """Open a wallet at a PSP (idempotent per owner, PSP and currency).

    The ledger account is owned by the PSP's organisation (it holds the money for its customer)
    and flagged ``debits_must_not_exceed_credits``.
    """
    cur = _check_currency(currency or participant.currency)
    owner = Wallet.objects.filter(participant=participant, currency=cur)
    if owner_user_id is not None:
        owner = owner.filter(owner_user_id=owner_user_id)
        key = f"user:{owner_user_id}"
    elif owner_organisation_id is not None:
        owner = owner.filter(owner_organisation_id=owner_organisation_id, owner_user=None)
        key = f"org:{owner_organisation_id}"
    else:
        owner = owner.none()
        key = f"anon:{uuid.uuid4()}"
    found = owner.first()
    if found is not None:
        return found
    external = uuid.uuid5(NAMESPACE, f"wallet:{participant.pk}:{cur}:{key}")
    account_ref = f"{participant.code}-{external.hex[:12].upper()}"[:34]
    account = ledger.account_create(
        organisation_id=participant.organisation_id,
        currency=cur,
        code=WALLET_CODE,
        name=f"wallet {account_ref}",
        external_id=external,
        debits_must_not_exceed_credits=True,
        user_data=account_ref,
    )
    try:
        with transaction.atomic():
            wallet = Wallet.objects.create(
                participant=participant,
                owner_user_id=owner_user_id,
                owner_organisation_id=owner_organisation_id,
                account_ref=account_ref,
                holder_name="".join(c for c in normalize_text(holder_name) if c.isprintable())[
                    :140
                ].strip()
                or "?",
                is_business=is_business,
                currency=cur,
                kyc_tier=kyc_tier,
                ledger_account_id=account.id,
                sandbox=participant.sandbox,
            )
            proxy_register(kind="wallet_id", value=account_ref, wallet=wallet)
            audit_record(
                action="payments.wallet_opened",
                organisation_id=participant.organisation_id,
                object_type="payments_wallet",
                object_id=wallet.pk,
                data={"currency": cur, "sandbox": participant.sandbox},
            )
            return wallet
    except IntegrityError:
        found = owner.first()
        if found is None:
            raise
        return found


def wallet_fund(*, wallet: Wallet, amount: int, reference: str) -> None:
    """Credit a wallet from its PSP's treasury (a cash-in); idempotent on ``reference``.

    Raises:
        InvalidAmount: ``amount`` is not a positive int.
    """
    if not is_minor(amount):
        raise InvalidAmount()
    treasury = position_ensure(
        participant=wallet.participant, currency=wallet.currency, kind=PositionKind.TREASURY
    )
    (result,) = ledger.transfers_create(
        [
            TransferIn(
                id=uuid.uuid5(NAMESPACE, f"cash-in:{wallet.pk}:{reference}"),
                debit_account_id=treasury.ledger_account_id,
                credit_account_id=wallet.ledger_account_id,
                amount=amount,
                currency=wallet.currency,
                code=CODE_WALLET_FUND,
                user_data=f"cash-in:{reference}"[:128],
            )
        ]
    )
    if result.code not in (TransferResultCode.OK, TransferResultCode.EXISTS):
        raise Conflict(params={"code": str(result.code)}, extra={"ledger_code": result.code})


# --- directory ----------------------------------------------------------------------------
def proxy_register(*, kind: str, value: str, wallet: Wallet) -> ProxyEntry:
    """Register an alias for a wallet (idempotent for the same wallet).

    Raises:
        ProxyInvalid: the value is malformed for its kind.
        ProxyTaken: the alias already names another wallet.
    """
    key = names.normalise_proxy(kind, value)
    if key is None:
        raise ProxyInvalid(params={"kind": kind})
    found = ProxyEntry.objects.filter(kind=kind, value=key, sandbox=wallet.sandbox).first()
    if found is None:
        try:
            with transaction.atomic():
                return ProxyEntry.objects.create(
                    kind=kind, value=key, wallet=wallet, sandbox=wallet.sandbox
                )
        except IntegrityError:
            found = ProxyEntry.objects.get(kind=kind, value=key, sandbox=wallet.sandbox)
    if found.wallet_id != wallet.pk:
        raise ProxyTaken(params={"kind": kind})
    return found


# --- rates --------------------------------------------------------------------------------
def rate_publish(
    *,
    provider: Participant,
    base_currency: str,
    quote_currency: str,
    mid: Decimal | str,
    spread_bps: int,
    valid_for: timedelta = timedelta(hours=24),
    valid_from: datetime | None = None,
) -> FxRate:
    """Publish an FX provider's rate ``1 base = mid quote`` with a spread, valid for a window.

    The provider must hold settlement positions in both currencies (opened here if missing).

    Raises:
        CurrencyNotSupported: unknown or identical currencies.
        ValidationFailed: the provider is not an FX provider, a non-positive rate or spread
            outside 0-2,000 bps.
    """
    base, quote = _check_currency(base_currency), _check_currency(quote_currency)
    if base == quote:
        raise CurrencyNotSupported(params={"currency": base})
    try:
        value = Decimal(mid)
    except (InvalidOperation, TypeError, ValueError):
        value = Decimal(0)
    errors = []
    if provider.kind != ParticipantKind.FX_PROVIDER:
        errors.append({"field": "provider", "code": "not_an_fx_provider"})
    if not value.is_finite() or value <= 0:
        errors.append({"field": "mid", "code": "must_be_positive"})
    if not 0 <= spread_bps <= 2_000:
        errors.append({"field": "spread_bps", "code": "out_of_range"})
    if errors:
        raise ValidationFailed(extra={"errors": errors})
    start = valid_from or clock.now()
    with transaction.atomic():
        for cur in (base, quote):
            position_ensure(participant=provider, currency=cur, kind=PositionKind.SETTLEMENT)
        rate = FxRate.objects.create(
            provider=provider,
            base_currency=base,
            quote_currency=quote,
            mid=value,
            spread_bps=spread_bps,
            valid_from=start,
            valid_until=start + valid_for,
        )
        audit_record(
            action="payments.rate_published",
            organisation_id=provider.organisation_id,
            object_type="payments_fx_rate",
            object_id=rate.pk,
            data={"pair": f"{base}/{quote}", "mid": str(value), "spread_bps": spread_bps},
        )
    return rate
