"""Payments hub API for participants (token auth): proxy and QR lookup, quotes, payments,
status polling, refunds, wallets, positions, settlement reports — live and sandbox.

Every endpoint exists twice: under ``/api/v1/payments/`` with live money and under
``/api/v1/payments/sandbox/`` with sandbox money (register first with
``POST /payments/sandbox/register``). The caller is its organisation's participant in that
mode. Object-level rules: a participant quotes and pays only from wallets it holds; it sees a
payment only if it sent it, received it or provided its FX (the hub sees all); positions and
settlement rows are its own. Another participant's object answers 404 like a missing one.
Viewer tokens may read, not write.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Header, Query, Router, Schema
from ninja.responses import Status
from pydantic import AwareDatetime, Field

from mekong.core.errors import PermissionDenied
from mekong.core.pagination import Page, paginate
from mekong.core.schemas import COMMON_ERRORS, Out, PageOut, ProblemOut
from mekong.identity.contracts import Actor
from mekong.payments import (
    directory,
    fastreads,
    paying,
    sandbox,
    selectors,
    services,
    webhooks,
)
from mekong.payments.contracts import NetPosition, PayeeInfo, PaymentInfo, QuoteInfo
from mekong.payments.errors import (
    InvalidPeriod,
    NotAParticipant,
    PayeeNotFound,
    QuoteNotFound,
    WalletNotFound,
)
from mekong.payments.models import (
    KycTier,
    Participant,
    ParticipantKind,
    Payment,
    Quote,
    Wallet,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
)

router = Router(tags=["payments"])

#: The ``Idempotency-Key`` header every money-moving request must send.
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Your unique key for this request; a retry with it never pays twice",
    ),
]

WRITE_ROLES = frozenset({"owner", "admin", "member"})
ERRORS_403_404 = {403: ProblemOut, 404: ProblemOut, **COMMON_ERRORS}
ERRORS_ALL = {403: ProblemOut, 404: ProblemOut, 409: ProblemOut, **COMMON_ERRORS}


# --- schemas ------------------------------------------------------------------------------
class PayeeOut(Out):
    """Confirmation of payee: who and where, with the name masked (never the account)."""

    participant_id: int
    participant_name: str
    country: str
    currency: str
    display_name: str = Field(description="Masked for people (e.g. 'Somchai P.')")
    is_business: bool
    proxy_kind: str
    proxy_value: str


class QrResolveIn(Schema):
    """A national QR code's text (PromptPay, VietQR, VNPAY, KHQR, Lao QR, MMQR)."""

    payload: str = Field(min_length=1, max_length=512)


class QrResolveOut(Schema):
    """The QR's payee and the amount it carries (minor units; null for a static code)."""

    payee: PayeeOut
    amount: int | None
    currency: str | None


class PayeeRef(Schema):
    """Whom to pay: an alias (``kind`` + ``value``) or a QR payload."""

    kind: str | None = Field(
        default=None, description="phone, national_id, business_id, wallet_id or qr_merchant"
    )
    value: str | None = Field(default=None, max_length=120)
    qr: str | None = Field(default=None, max_length=512, description="A QR payload instead")


class QuoteIn(Schema):
    """A quote request from one of the caller's wallets."""

    wallet_id: int
    payee: PayeeRef
    amount: int = Field(gt=0, le=10**15, description="Minor units")
    fixed: str = Field(
        default="source",
        pattern="^(source|destination)$",
        description="source: amount is the principal sent; destination: what the payee gets",
    )


class QuoteOut(Out):
    """A locked quote: show these to the sender before confirming."""

    id: uuid.UUID
    wallet_id: int
    source_currency: str
    source_amount: int
    destination_currency: str
    destination_amount: int
    rate: str
    mid_rate: str
    fee_amount: int
    total_debit: int
    total_cost_percent: str = Field(description="Fees + FX margin against the mid rate, %")
    fx_provider: str
    fixed: str
    expires_at: datetime
    payee: PayeeOut


class PaymentIn(Schema):
    """Pay a quote (send an ``Idempotency-Key`` header)."""

    quote_id: uuid.UUID
    reference: str = Field(default="", max_length=140)


class PaymentOut(Out):
    """A payment and its status (poll ``GET /payments/{id}`` until it is final)."""

    id: uuid.UUID
    status: str = Field(description="completed, held, refused, rejected or refunded")
    refusal_code: str | None
    reference: str
    quote: QuoteOut
    receipt_index: int | None = Field(description="Trustlog entry (GET /api/v1/log/...)")
    refunded_amount: int
    refund_of: uuid.UUID | None
    created_at: datetime
    sandbox: bool


class MessagesOut(Schema):
    """The payment's ISO 20022 messages (XML text)."""

    pacs008: str
    pacs002: str


class RefundIn(Schema):
    """A refund in the payment's destination currency (send an ``Idempotency-Key``)."""

    amount: int = Field(gt=0, le=10**15)


class WalletIn(Schema):
    """A customer wallet to open at the caller (a PSP)."""

    holder_name: str = Field(min_length=1, max_length=140)
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    is_business: bool = False
    kyc_tier: int = Field(default=KycTier.STANDARD, ge=1, le=3)


class WalletOut(Schema):
    """A wallet held at the caller, with its balance."""

    id: int
    account_ref: str
    holder_name: str
    currency: str
    kyc_tier: int
    balance: int
    available: int


class ProxyIn(Schema):
    """An alias to register for a wallet."""

    kind: str = Field(pattern="^(phone|national_id|business_id|wallet_id|qr_merchant)$")
    value: str = Field(min_length=1, max_length=120)


class FundIn(Schema):
    """Sandbox cash-in."""

    amount: int = Field(gt=0, le=10**13)


class PositionOut(Schema):
    """One of the caller's ledger accounts in the hub."""

    kind: str
    currency: str
    balance: int
    available: int


class NetPositionOut(Schema):
    """A multilateral net position (positive: the participant is owed)."""

    participant_id: int
    participant_name: str
    currency: str
    paid_in: int
    paid_out: int
    net: int
    payments: int


class PaymentFilter(Schema):
    """Filters for status polling: changes since a time, a status."""

    since: AwareDatetime | None = None
    status: str | None = Field(default=None, pattern="^(completed|held|refused|rejected|refunded)$")


class Period(Schema):
    """A settlement period: ``since`` inclusive, ``until`` exclusive."""

    since: AwareDatetime
    until: AwareDatetime


class SandboxOut(Schema):
    """The sandbox participant, its funded test wallets, the test payees' phones and a new
    sandbox-scoped API token (shown once)."""

    participant_id: int
    code: str
    wallets: list[WalletOut]
    test_phones: dict[str, str]
    base_path: str
    token: str = Field(
        description="A new API token of scope 'sandbox' (role member), shown once and never "
        "again: accepted only under base_path; every other API answers 403 sandbox_token"
    )
    token_id: int = Field(description="The new token's id, to revoke it like any other")


class WebhookIn(Schema):
    """A webhook endpoint to register: https URL and the event types (none listed: all)."""

    url: str = Field(min_length=1, max_length=500)
    event_types: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="payment.completed, payment.held, payment.released, payment.refused, "
        "payment.rejected, payment.refunded; empty for all",
    )
    description: str = Field(default="", max_length=200)


class WebhookOut(Schema):
    """A registered endpoint (its secret is never shown again)."""

    id: uuid.UUID
    url: str
    event_types: list[str]
    description: str
    created_at: datetime


class WebhookCreatedOut(WebhookOut):
    """The new endpoint with its signing secret: store it now, it is shown only once."""

    secret: str = Field(description="Standard Webhooks secret (whsec_...), shown once")


class WebhookDeliveryOut(Schema):
    """One event sent (or to be sent) to an endpoint, with its delivery state."""

    id: int
    webhook_id: str = Field(description="The webhook-id header; dedupe on it")
    event_type: str
    status: str = Field(description="pending, delivered or failed")
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any]


# --- helpers ------------------------------------------------------------------------------
def _actor(request: HttpRequest) -> Actor:
    actor = request.auth  # type: ignore[attr-defined]
    assert isinstance(actor, Actor)
    return actor


def _utc(value: datetime) -> datetime:
    """An aware datetime in UTC; offsets PostgreSQL cannot store (``+16:02``) are converted
    here, and instants outside the representable range are a 422."""
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise InvalidPeriod() from None


def _writer(actor: Actor) -> None:
    if actor.role not in WRITE_ROLES:
        raise PermissionDenied()


def _payee_out(p: PayeeInfo) -> PayeeOut:
    return PayeeOut(
        participant_id=p.participant_id,
        participant_name=p.participant_name,
        country=p.country,
        currency=p.currency,
        display_name=p.display_name,
        is_business=p.is_business,
        proxy_kind=p.proxy_kind,
        proxy_value=p.proxy_value,
    )


def _quote_out(q: QuoteInfo) -> QuoteOut:
    return QuoteOut(
        id=q.id,
        wallet_id=q.wallet_id,
        source_currency=q.source_currency,
        source_amount=q.source_amount,
        destination_currency=q.destination_currency,
        destination_amount=q.destination_amount,
        rate=q.rate,
        mid_rate=q.mid_rate,
        fee_amount=q.fee_amount,
        total_debit=q.total_debit,
        total_cost_percent=q.total_cost_percent,
        fx_provider=q.fx_provider,
        fixed=q.fixed,
        expires_at=q.expires_at,
        payee=_payee_out(q.payee),
    )


def _payment_out(p: PaymentInfo) -> PaymentOut:
    return PaymentOut(
        id=p.id,
        status=p.status,
        refusal_code=p.refusal_code,
        reference=p.reference,
        quote=_quote_out(p.quote),
        receipt_index=p.receipt_index,
        refunded_amount=p.refunded_amount,
        refund_of=p.refund_of,
        created_at=p.created_at,
        sandbox=p.sandbox,
    )


def _wallet_out(w: Wallet) -> WalletOut:
    info = selectors.wallet_info(w)
    return WalletOut(
        id=w.pk,
        account_ref=w.account_ref,
        holder_name=w.holder_name,
        currency=w.currency,
        kyc_tier=w.kyc_tier,
        balance=info.balance,
        available=info.available,
    )


def _own_wallet(participant: Participant, wallet_id: int) -> Wallet:
    wallet = (
        Wallet.objects.select_related("participant")
        .filter(pk=wallet_id, participant=participant)
        .first()
    )
    if wallet is None:
        raise WalletNotFound()
    return wallet


def _wallet_of(
    request: HttpRequest, wallet_id: int, *, sandbox: bool, me: Callable[[HttpRequest], Any]
) -> Wallet:
    """A wallet of the caller's PSP in this mode, in one query (the hot path of quoting)."""
    organisation_id = _actor(request).organisation_id
    if organisation_id is None:
        raise NotAParticipant()
    wallet = fastreads.wallet_of_organisation(wallet_id, organisation_id, sandbox=sandbox)
    if wallet is None:
        me(request)  # a non-participant is told so rather than that the wallet is missing
        raise WalletNotFound()
    return wallet


def _payee_wallet(ref: PayeeRef, *, sandbox: bool) -> tuple[Wallet, str, str]:
    if ref.qr:
        wallet, info, _amount, _cur = directory.resolve_qr(ref.qr, sandbox=sandbox)
        return wallet, info.proxy_kind, info.proxy_value
    if not ref.kind or not ref.value:
        raise PayeeNotFound()
    wallet, key = directory.wallet_for_proxy(ref.kind, ref.value, sandbox=sandbox)
    return wallet, ref.kind, key


def _webhook_out(e: WebhookEndpoint) -> WebhookOut:
    return WebhookOut(
        id=e.id,
        url=e.url,
        event_types=list(e.event_types),
        description=e.description,
        created_at=e.created_at,
    )


def _delivery_out(d: WebhookDelivery) -> WebhookDeliveryOut:
    pending = d.status == WebhookDeliveryStatus.PENDING
    return WebhookDeliveryOut(
        id=d.pk,
        webhook_id=f"msg_{d.event_id.hex}",
        event_type=d.event_type,
        status=d.status,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at if pending else None,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        created_at=d.created_at,
        delivered_at=d.delivered_at,
        payload=d.payload,
    )


def _info(payment: Payment) -> PaymentInfo:
    paying.receipt_ensure(payment)
    return selectors.payment_info(payment)


# --- endpoints (built twice: live and sandbox) -----------------------------------------------
def _mount(r: Router, *, sandbox: bool) -> None:
    prefix = "sandbox_" if sandbox else ""
    mode = " (sandbox)" if sandbox else ""

    def me(request: HttpRequest) -> Participant:
        return selectors.participant_for(_actor(request), sandbox=sandbox)

    @r.get(
        "/proxies/{kind}/{value}",
        response={200: PayeeOut, **ERRORS_403_404},
        summary=f"Look up a payee by alias{mode}",
        operation_id=f"payments_{prefix}proxy_lookup",
    )
    def proxy_lookup(request: HttpRequest, kind: str, value: str) -> PayeeOut:
        """Confirmation of payee: the PSP, currency and masked name behind an alias."""
        me(request)
        wallet, key = directory.wallet_for_proxy(kind, value, sandbox=sandbox)
        return _payee_out(directory.payee_info(wallet, proxy_kind=kind, proxy_value=key))

    @r.post(
        "/qr/resolve",
        response={200: QrResolveOut, **ERRORS_403_404},
        summary=f"Resolve a national QR code{mode}",
        operation_id=f"payments_{prefix}qr_resolve",
    )
    def qr_resolve(request: HttpRequest, payload: QrResolveIn) -> QrResolveOut:
        """Decode the QR and resolve its payee; ``qr_invalid`` (422) for a bad code."""
        me(request)
        _wallet, info, amount, cur = directory.resolve_qr(payload.payload, sandbox=sandbox)
        return QrResolveOut(payee=_payee_out(info), amount=amount, currency=cur)

    @r.post(
        "/quotes",
        response={201: QuoteOut, **ERRORS_ALL},
        summary=f"Ask for a locked quote{mode}",
        operation_id=f"payments_{prefix}quote_create",
    )
    def quote_create(request: HttpRequest, payload: QuoteIn) -> Status[QuoteOut]:
        """Price a payment from one of your wallets; the quote is locked for 60 seconds."""
        actor = _actor(request)
        _writer(actor)
        wallet = _wallet_of(request, payload.wallet_id, sandbox=sandbox, me=me)
        payee, kind, key = _payee_wallet(payload.payee, sandbox=sandbox)
        quote = paying.quote_create(
            wallet=wallet,
            payee_wallet=payee,
            amount=payload.amount,
            fixed=payload.fixed,
            proxy_kind=kind,
            proxy_value=key,
        )
        return Status(201, _quote_out(selectors.quote_info(quote)))

    @r.get(
        "/quotes/{quote_id}",
        response={200: QuoteOut, **ERRORS_403_404},
        summary=f"Get a quote{mode}",
        operation_id=f"payments_{prefix}quote_get",
    )
    def quote_get(request: HttpRequest, quote_id: uuid.UUID) -> QuoteOut:
        """One of your quotes."""
        quote = (
            Quote.objects.select_related("wallet__participant", "payee_wallet__participant")
            .filter(pk=quote_id, wallet__participant=me(request), is_refund=False)
            .first()
        )
        if quote is None:
            raise QuoteNotFound()
        return _quote_out(selectors.quote_info(quote))

    @r.post(
        "/payments",
        response={201: PaymentOut, 202: PaymentOut, **ERRORS_ALL},
        summary=f"Pay a quote{mode}",
        operation_id=f"payments_{prefix}payment_create",
    )
    def payment_create(
        request: HttpRequest,
        payload: PaymentIn,
        idempotency_key: IdempotencyKey,
    ) -> Status[PaymentOut]:
        """Pay a quote once per ``Idempotency-Key``: 201 completed, 202 held for review.

        A retry with the same key and body answers the same payment (201/202) or the same
        refusal (409 with ``payment_id``); the same key with another body is
        ``idempotency_conflict`` (409).
        """
        actor = _actor(request)
        _writer(actor)
        try:
            payment = paying.payment_create(
                quote_id=payload.quote_id,
                idempotency_key=idempotency_key,
                reference=payload.reference,
                sender_organisation_id=actor.organisation_id,
                sandbox=sandbox,
            )
        except QuoteNotFound:
            me(request)  # a non-participant is told so rather than that the quote is missing
            raise
        status = 202 if payment.status == "held" else 201
        return Status(status, _payment_out(_info(payment)))

    @r.get(
        "/payments",
        response={200: PageOut[PaymentOut], **ERRORS_403_404},
        summary=f"List and poll payments{mode}",
        operation_id=f"payments_{prefix}payment_list",
    )
    def payment_list(
        request: HttpRequest, filters: Query[PaymentFilter], page: Query[Page]
    ) -> PageOut[PaymentOut]:
        """Payments you sent, received or converted, newest first; filter by status and time."""
        qs = selectors.payments_for(me(request))
        if filters.since is not None:
            qs = qs.filter(created_at__gte=_utc(filters.since))
        if filters.status is not None:
            qs = qs.filter(status=filters.status)
        items, count = paginate(qs, page)
        return PageOut[PaymentOut](
            items=[_payment_out(selectors.payment_info(p)) for p in items], count=count
        )

    @r.get(
        "/payments/{payment_id}",
        response={200: PaymentOut, **ERRORS_403_404},
        summary=f"Payment status{mode}",
        operation_id=f"payments_{prefix}payment_get",
    )
    def payment_get(request: HttpRequest, payment_id: uuid.UUID) -> PaymentOut:
        """A payment you sent, received or converted (404 for any other)."""
        return _payment_out(_info(selectors.payment_get_for(me(request), payment_id)))

    @r.get(
        "/payments/{payment_id}/messages",
        response={200: MessagesOut, **ERRORS_403_404},
        summary=f"ISO 20022 messages of a payment{mode}",
        operation_id=f"payments_{prefix}payment_messages",
    )
    def payment_messages(request: HttpRequest, payment_id: uuid.UUID) -> MessagesOut:
        """The pacs.008 and the pacs.002 of its current status."""
        p = selectors.payment_get_for(me(request), payment_id)
        return MessagesOut(pacs008=p.pacs008_xml, pacs002=p.pacs002_xml)

    @r.post(
        "/payments/{payment_id}/refunds",
        response={201: PaymentOut, **ERRORS_ALL},
        summary=f"Refund a payment you received{mode}",
        operation_id=f"payments_{prefix}refund_create",
    )
    def refund_create(
        request: HttpRequest,
        payment_id: uuid.UUID,
        payload: RefundIn,
        idempotency_key: IdempotencyKey,
    ) -> Status[PaymentOut]:
        """Send back (part of) a payment; only its receiving PSP may. Idempotent on the key."""
        actor = _actor(request)
        _writer(actor)
        participant = me(request)
        original = selectors.payment_get_for(participant, payment_id)
        if original.receiver_participant_id != participant.pk:
            raise PermissionDenied()
        refund = paying.refund_create(
            payment_id=original.pk, amount=payload.amount, idempotency_key=idempotency_key
        )
        return Status(201, _payment_out(_info(refund)))

    @r.get(
        "/wallets",
        response={200: PageOut[WalletOut], **ERRORS_403_404},
        summary=f"Wallets you hold{mode}",
        operation_id=f"payments_{prefix}wallet_list",
    )
    def wallet_list(request: HttpRequest, page: Query[Page]) -> PageOut[WalletOut]:
        """Your customers' wallets with balances, oldest first."""
        qs = Wallet.objects.select_related("participant").filter(participant=me(request))
        items, count = paginate(qs.order_by("id"), page)
        return PageOut[WalletOut](items=[_wallet_out(w) for w in items], count=count)

    @r.post(
        "/wallets",
        response={201: WalletOut, **ERRORS_ALL},
        summary=f"Open a customer wallet{mode}",
        operation_id=f"payments_{prefix}wallet_create",
    )
    def wallet_create(request: HttpRequest, payload: WalletIn) -> Status[WalletOut]:
        """Open a wallet for one of your customers (PSPs only)."""
        actor = _actor(request)
        _writer(actor)
        participant = me(request)
        if participant.kind != ParticipantKind.PSP:
            raise PermissionDenied()
        wallet = services.wallet_open(
            participant=participant,
            holder_name=payload.holder_name,
            currency=payload.currency,
            is_business=payload.is_business,
            kyc_tier=payload.kyc_tier,
        )
        return Status(201, _wallet_out(wallet))

    @r.post(
        "/wallets/{wallet_id}/proxies",
        response={201: PayeeOut, **ERRORS_ALL},
        summary=f"Register an alias for a wallet{mode}",
        operation_id=f"payments_{prefix}proxy_create",
    )
    def proxy_create(request: HttpRequest, wallet_id: int, payload: ProxyIn) -> Status[PayeeOut]:
        """Make one of your wallets payable by phone, id or QR key (409 if taken)."""
        actor = _actor(request)
        _writer(actor)
        wallet = _own_wallet(me(request), wallet_id)
        entry = services.proxy_register(kind=payload.kind, value=payload.value, wallet=wallet)
        info = directory.payee_info(wallet, proxy_kind=entry.kind, proxy_value=entry.value)
        return Status(201, _payee_out(info))

    @r.get(
        "/positions",
        response={200: list[PositionOut], **ERRORS_403_404},
        summary=f"My positions{mode}",
        operation_id=f"payments_{prefix}positions",
    )
    def positions(request: HttpRequest) -> list[PositionOut]:
        """Your settlement positions (and treasuries or fee accounts) with balances."""
        return [
            PositionOut(kind=p.kind, currency=p.currency, balance=p.balance, available=p.available)
            for p in selectors.positions_of(me(request))
        ]

    @r.get(
        "/settlement",
        response={200: list[NetPositionOut], **ERRORS_403_404},
        summary=f"Settlement report{mode}",
        operation_id=f"payments_{prefix}settlement",
    )
    def settlement(request: HttpRequest, period: Query[Period]) -> list[NetPositionOut]:
        """Multilateral net positions per currency in ``[since, until)``: yours (all for the
        hub operator)."""
        since, until = _utc(period.since), _utc(period.until)
        if until <= since:
            raise InvalidPeriod()
        rows = selectors.settlement_report(
            since=since, until=until, sandbox=sandbox, participant=me(request)
        )
        return [_net_out(row) for row in rows]

    @r.post(
        "/webhooks",
        response={201: WebhookCreatedOut, **ERRORS_403_404},
        summary=f"Register a webhook endpoint{mode}",
        operation_id=f"payments_{prefix}webhook_create",
    )
    def webhook_create(request: HttpRequest, payload: WebhookIn) -> Status[WebhookCreatedOut]:
        """Receive payment status events at an https URL, signed per Standard Webhooks.

        The answer carries the signing ``secret`` once; it cannot be read again.
        """
        actor = _actor(request)
        _writer(actor)
        endpoint = webhooks.endpoint_create(
            participant=me(request),
            url=payload.url,
            event_types=payload.event_types,
            description=payload.description,
        )
        out = _webhook_out(endpoint)
        return Status(201, WebhookCreatedOut(**out.model_dump(), secret=endpoint.secret))

    @r.get(
        "/webhooks",
        response={200: list[WebhookOut], **ERRORS_403_404},
        summary=f"Your webhook endpoints{mode}",
        operation_id=f"payments_{prefix}webhook_list",
    )
    def webhook_list(request: HttpRequest) -> list[WebhookOut]:
        """Your active endpoints, oldest first (without secrets)."""
        qs = WebhookEndpoint.objects.filter(participant=me(request), active=True)
        return [_webhook_out(e) for e in qs.order_by("created_at")]

    @r.delete(
        "/webhooks/{webhook_id}",
        response={204: None, **ERRORS_403_404},
        summary=f"Delete a webhook endpoint{mode}",
        operation_id=f"payments_{prefix}webhook_delete",
    )
    def webhook_delete(request: HttpRequest, webhook_id: uuid.UUID) -> Status[None]:
        """Stop sending to an endpoint; its pending deliveries are dropped."""
        actor = _actor(request)
        _writer(actor)
        webhooks.endpoint_delete(webhooks.endpoint_get_for(me(request), webhook_id))
        return Status(204, None)

    @r.get(
        "/webhooks/{webhook_id}/deliveries",
        response={200: PageOut[WebhookDeliveryOut], **ERRORS_403_404},
        summary=f"Recent deliveries of a webhook endpoint{mode}",
        operation_id=f"payments_{prefix}webhook_deliveries",
    )
    def webhook_deliveries(
        request: HttpRequest, webhook_id: uuid.UUID, page: Query[Page]
    ) -> PageOut[WebhookDeliveryOut]:
        """Events queued for the endpoint, newest first, with attempts and the last answer."""
        endpoint = webhooks.endpoint_get_for(me(request), webhook_id)
        items, count = paginate(endpoint.deliveries.order_by("-created_at", "-id"), page)
        return PageOut[WebhookDeliveryOut](items=[_delivery_out(d) for d in items], count=count)


def _net_out(row: NetPosition) -> NetPositionOut:
    return NetPositionOut(
        participant_id=row.participant_id,
        participant_name=row.participant_name,
        currency=row.currency,
        paid_in=row.paid_in,
        paid_out=row.paid_out,
        net=row.net,
        payments=row.payments,
    )


sandbox_router = Router(tags=["payments sandbox"])


@sandbox_router.post(
    "/register",
    response={201: SandboxOut, 403: ProblemOut, **COMMON_ERRORS},
    summary="Register as a sandbox participant",
    operation_id="payments_sandbox_register",
)
def sandbox_register(request: HttpRequest) -> Status[SandboxOut]:
    """Become a sandbox PSP with prefunded sandbox positions and two funded test wallets
    (owners and administrators; the participant and wallets are made once).

    Every call also issues a new sandbox-scoped API token (``token``, shown once): use it on
    ``/payments/sandbox/``; every other API refuses it with 403 ``sandbox_token``, so it can
    never touch live money. Revoke tokens you no longer use."""
    actor = _actor(request)
    if actor.organisation_id is None:
        raise PermissionDenied()
    setup = sandbox.register(actor=actor)
    return Status(
        201,
        SandboxOut(
            participant_id=setup.participant.pk,
            code=setup.participant.code,
            wallets=[_wallet_out(w) for w in setup.wallets],
            test_phones=setup.test_phones,
            base_path="/api/v1/payments/sandbox/",
            token=setup.token.secret,
            token_id=setup.token.id,
        ),
    )


@sandbox_router.post(
    "/wallets/{wallet_id}/fund",
    response={200: WalletOut, **ERRORS_ALL},
    summary="Add sandbox money to a wallet",
    operation_id="payments_sandbox_wallet_fund",
)
def sandbox_fund(
    request: HttpRequest,
    wallet_id: int,
    payload: FundIn,
    idempotency_key: IdempotencyKey,
) -> WalletOut:
    """Cash-in of play money to one of your sandbox wallets (idempotent on the key)."""
    actor = _actor(request)
    _writer(actor)
    participant = selectors.participant_for(actor, sandbox=True)
    wallet = _own_wallet(participant, wallet_id)
    services.wallet_fund(wallet=wallet, amount=payload.amount, reference=f"api:{idempotency_key}")
    return _wallet_out(wallet)


_mount(sandbox_router, sandbox=True)
router.add_router("/sandbox", sandbox_router)
_mount(router, sandbox=False)
