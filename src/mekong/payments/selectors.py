"""Reads of the payments hub: contracts from rows, positions, the settlement report, and
permission-checked lookups for the participant API."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from django.db.models import Q, QuerySet

from mekong.identity.contracts import Actor
from mekong.ledger import facade as ledger
from mekong.payments.contracts import (
    NetPosition,
    PaymentInfo,
    PositionInfo,
    QuoteInfo,
    WalletInfo,
)
from mekong.payments.directory import payee_info
from mekong.payments.errors import NotAParticipant, PaymentNotFound
from mekong.payments.fx import total_cost_percent
from mekong.payments.models import (
    Participant,
    ParticipantKind,
    Payment,
    PaymentStatus,
    Position,
    PositionKind,
    Quote,
    Wallet,
)


def quote_info(quote: Quote) -> QuoteInfo:
    """The contract of a quote, with the total cost against the mid rate."""
    from decimal import Decimal

    cost = total_cost_percent(
        total_debit=quote.total_debit,
        destination_amount=quote.destination_amount,
        mid=Decimal(quote.mid),
        source=quote.source_currency,
        destination=quote.destination_currency,
    )
    return QuoteInfo(
        id=quote.pk,
        source_currency=quote.source_currency,
        source_amount=quote.source_amount,
        destination_currency=quote.destination_currency,
        destination_amount=quote.destination_amount,
        rate=quote.rate,
        fee_amount=quote.fee_amount,
        total_debit=quote.total_debit,
        fx_provider=quote.fx_provider.name if quote.fx_provider else "",
        expires_at=quote.expires_at,
        payee=payee_info(
            quote.payee_wallet,
            proxy_kind=quote.payee_proxy_kind,
            proxy_value=quote.payee_proxy_value,
        ),
        mid_rate=quote.mid,
        total_cost_percent=str(cost),
        wallet_id=quote.wallet_id,
        fixed=quote.fixed,
    )


def payment_info(payment: Payment) -> PaymentInfo:
    """The contract of a payment."""
    return PaymentInfo(
        id=payment.pk,
        status=payment.status,
        refusal_code=payment.refusal_code,
        quote=quote_info(payment.quote),
        receipt_index=payment.receipt_index,
        created_at=payment.created_at,
        reference=payment.reference,
        refunded_amount=payment.refunded_amount,
        refund_of=payment.refund_of_id,
        sender_participant_id=payment.sender_participant_id,
        receiver_participant_id=payment.receiver_participant_id,
        transfer_ids=tuple(uuid.UUID(t) for t in payment.transfer_ids),
        has_pacs008=bool(payment.pacs008_xml),
        sandbox=payment.sandbox,
    )


def wallet_info(wallet: Wallet) -> WalletInfo:
    """The contract of a wallet with its ledger balance."""
    balance = ledger.balance(wallet.ledger_account_id)
    return WalletInfo(
        id=wallet.pk,
        owner_organisation_id=wallet.owner_organisation_id,
        owner_user_id=wallet.owner_user_id,
        participant_id=wallet.participant_id,
        country=wallet.participant.country,
        currency=wallet.currency,
        balance=balance.balance if balance else 0,
        ledger_account_id=wallet.ledger_account_id,
        account_ref=wallet.account_ref,
        holder_name=wallet.holder_name,
        participant_name=wallet.participant.name,
        kyc_tier=wallet.kyc_tier,
        available=balance.available if balance else 0,
    )


def payments_qs() -> QuerySet[Payment]:
    """Payments with everything `payment_info` reads, in one query."""
    return Payment.objects.select_related(
        "quote__wallet__participant",
        "quote__payee_wallet__participant",
        "quote__fx_provider",
    )


# --- participants and authorisation -------------------------------------------------------
def participant_for(actor: Actor, *, sandbox: bool = False) -> Participant:
    """The participant the actor's organisation is, in live or sandbox mode.

    Raises:
        NotAParticipant: the organisation is not registered (in that mode).
    """
    found = (
        Participant.objects.filter(organisation_id=actor.organisation_id, sandbox=sandbox).first()
        if actor.organisation_id is not None
        else None
    )
    if found is None:
        raise NotAParticipant()
    return found


def payments_for(participant: Participant) -> QuerySet[Payment]:
    """Payments a participant may see: it sent or received them (the hub sees all of its
    mode), newest first."""
    qs = payments_qs().filter(sandbox=participant.sandbox)
    if participant.kind != ParticipantKind.HUB:
        qs = qs.filter(
            Q(sender_participant=participant)
            | Q(receiver_participant=participant)
            | Q(quote__fx_provider=participant)
        )
    return qs.order_by("-created_at", "-id")


def payment_get_for(participant: Participant, payment_id: uuid.UUID) -> Payment:
    """A payment the participant may see.

    Raises:
        PaymentNotFound: no such payment, or not one of its own (the same answer).
    """
    found = payments_for(participant).filter(pk=payment_id).first()
    if found is None:
        raise PaymentNotFound()
    return found


def positions_of(participant: Participant) -> list[PositionInfo]:
    """The participant's ledger accounts with their balances."""
    out = []
    for p in Position.objects.filter(participant=participant).order_by("currency", "kind"):
        bal = ledger.balance(p.ledger_account_id)
        out.append(
            PositionInfo(
                participant_id=participant.pk,
                participant_name=participant.name,
                kind=p.kind,
                currency=p.currency,
                ledger_account_id=p.ledger_account_id,
                balance=bal.balance if bal else 0,
                available=bal.available if bal else 0,
                sandbox=p.sandbox,
            )
        )
    return out


# --- settlement -----------------------------------------------------------------------------
def settlement_report(
    *,
    since: datetime,
    until: datetime,
    sandbox: bool = False,
    participant: Participant | None = None,
) -> list[NetPosition]:
    """Multilateral net positions per participant and currency over ``[since, until)``.

    Built from the payments that moved money in the period (completed, refunded, and the
    refunds themselves, by completion time) and their ledger legs on settlement positions:
    what each participant's settlement position received and paid. The nets of one currency
    sum to minus the hub's fee income in it (fees leave the settlement positions for the
    hub's fee account). ``participant`` narrows the rows to its own.
    """
    payments = list(
        Payment.objects.filter(
            sandbox=sandbox,
            status__in=(PaymentStatus.COMPLETED, PaymentStatus.REFUNDED),
            completed_at__gte=since,
            completed_at__lt=until,
        ).only("id", "transfer_ids")
    )
    accounts = {
        p.ledger_account_id: p
        for p in Position.objects.select_related("participant").filter(
            sandbox=sandbox, kind=PositionKind.SETTLEMENT
        )
    }
    paid_in: dict[tuple[int, str], int] = defaultdict(int)
    paid_out: dict[tuple[int, str], int] = defaultdict(int)
    counts: dict[tuple[int, str], set[uuid.UUID]] = defaultdict(set)
    ids = [uuid.UUID(t) for p in payments for t in p.transfer_ids]
    owner = {uuid.UUID(t): p.pk for p in payments for t in p.transfer_ids}
    found = ledger.transfers_get(ids) if ids else {}
    for tid, info in found.items():
        for account_id, sign in ((info.credit_account_id, 1), (info.debit_account_id, -1)):
            pos = accounts.get(account_id)
            if pos is None:
                continue
            key = (pos.participant_id, pos.currency)
            if sign > 0:
                paid_in[key] += info.amount
            else:
                paid_out[key] += info.amount
            counts[key].add(owner[tid])
    names = {p.participant_id: p.participant.name for p in accounts.values()}
    rows = [
        NetPosition(
            participant_id=pid,
            participant_name=names[pid],
            currency=cur,
            paid_in=paid_in[(pid, cur)],
            paid_out=paid_out[(pid, cur)],
            net=paid_in[(pid, cur)] - paid_out[(pid, cur)],
            payments=len(counts[(pid, cur)]),
        )
        for pid, cur in sorted(set(paid_in) | set(paid_out), key=lambda k: (names[k[0]], k[1]))
    ]
    if participant is not None and participant.kind != ParticipantKind.HUB:
        rows = [r for r in rows if r.participant_id == participant.pk]
    return rows
