"""Payments pages: wallets and history, My QR, Pay a QR, Send money home, receipts, the
participant dashboard and the reviewer queue.

Built on the hub's facade (`mekong.payments.facade`), which trusts its caller: every check of
who may use a wallet, see a payment or review is made here, from the logged-in actor, before
the facade is called. Another person's wallet, quote or payment is answered with 404, the same
as one that does not exist. Every refusal of the hub (a `DomainError`) is shown as its
translated message on the page it came from; none becomes a server error.
"""

from __future__ import annotations

import csv
import uuid
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mekong.core import clock
from mekong.core.countries import country as country_of
from mekong.core.errors import DomainError
from mekong.core.money import Money, MoneyError
from mekong.identity.auth import SessionActorAuth
from mekong.identity.contracts import Actor
from mekong.payments import facade, fx, names, paying, selectors
from mekong.payments.contracts import PayeeInfo, PaymentInfo, QuoteInfo, WalletInfo
from mekong.payments.errors import (
    InsufficientFunds,
    InsufficientLiquidity,
    LimitExceeded,
    QuoteExpired,
    WalletNotFound,
)
from mekong.payments.forms import (
    DESTINATIONS,
    ConfirmForm,
    MyQrForm,
    QrPayloadForm,
    RecipientForm,
    WalletAmountForm,
)
from mekong.payments.limits import USD_REFERENCE
from mekong.payments.models import (
    Participant,
    ParticipantKind,
    PaymentStatus,
    PositionKind,
    ProxyEntry,
    Quote,
    Wallet,
)
from mekong.payments.qr import QrError, encode

#: Rows in the transfers history on the home page.
HISTORY = 20
#: The SDG 10.c target for the cost of a remittance, as a fraction.
SDG_TARGET = Decimal("0.03")
#: How long a KHQR with an amount stays payable (KHQR requires an expiry on dynamic codes).
KHQR_VALIDITY_MS = 60 * 60 * 1000
#: Roles of the hub operator's organisation that may review held payments.
REVIEWER_ROLES = frozenset({"owner", "admin", "member"})


# --- who is asking -------------------------------------------------------------------------------
def _actor(request: HttpRequest) -> Actor:
    actor = SessionActorAuth().authenticate(request, None)
    if not isinstance(actor, Actor):  # the views are login_required
        raise Http404
    return actor


def _wallets(actor: Actor) -> list[WalletInfo]:
    """Wallets the actor may pay from: their own, and their organisation's unless a viewer."""
    found = facade.wallets_for(user_id=actor.user_id) if actor.user_id is not None else []
    if actor.organisation_id is not None and actor.role in REVIEWER_ROLES:
        found += facade.wallets_for(organisation_id=actor.organisation_id)
    return found


def _wallet(wallets: list[WalletInfo], wallet_id: object) -> WalletInfo:
    for wallet in wallets:
        if str(wallet.id) == str(wallet_id):
            return wallet
    raise WalletNotFound()


def _wallet_label(wallet: WalletInfo) -> str:
    return f"{wallet.participant_name} · {wallet.account_ref} ({wallet.currency})"


def _participant(actor: Actor) -> Participant | None:
    if actor.organisation_id is None:
        return None
    return Participant.objects.filter(organisation_id=actor.organisation_id, sandbox=False).first()


def _can_review(actor: Actor) -> bool:
    """Platform operators, and members of the hub operator's organisation."""
    if actor.is_operator:
        return True
    participant = _participant(actor)
    return (
        participant is not None
        and participant.kind == ParticipantKind.HUB
        and actor.role in REVIEWER_ROLES
    )


def _context(actor: Actor, section: str, **extra: Any) -> dict[str, Any]:
    participant = _participant(actor)
    return {
        "section": section,
        "can_review": _can_review(actor),
        "can_participate": participant is not None,
        **extra,
    }


def _visible(actor: Actor, payment: PaymentInfo | None) -> PaymentInfo:
    """The payment if the actor sent it from, or received it into, one of their wallets."""
    if payment is None:
        raise Http404
    wallets = _wallets(actor)
    mine = {w.id for w in wallets}
    refs = {w.account_ref for w in wallets}
    if payment.quote.wallet_id in mine or payment.quote.payee.account_ref in refs:
        return payment
    if _can_review(actor):
        return payment
    raise Http404


def _status_label(status: str) -> str:
    try:
        return str(PaymentStatus(status).label)
    except ValueError:
        return status


#: Why a recorded payment was refused, by its ``refusal_code``.
REFUSALS: dict[str, type[DomainError]] = {
    cls.code: cls for cls in (LimitExceeded, InsufficientFunds, InsufficientLiquidity)
}


def _refusal_text(error: DomainError) -> str:
    """The error's translated message; a limit's period is named in the reader's language."""
    if isinstance(error, LimitExceeded):
        periods = {"per_payment": _("per-payment"), "daily": _("daily"), "monthly": _("monthly")}
        error.params["period"] = periods.get(str(error.params.get("period")), _("per-payment"))
    return error.detail


# --- amounts -------------------------------------------------------------------------------------
def _minor(amount: Decimal, currency: str) -> int:
    """Minor units of a typed amount; more decimals than the currency has are refused."""
    return Money.from_decimal(amount, currency).minor


def _quote_view(quote: QuoteInfo) -> dict[str, Any]:
    """What the quote page shows, as Money values for the `money` filter."""
    cost = Decimal(quote.total_cost_percent or "0") / 100
    seconds = max(int((quote.expires_at - clock.now()).total_seconds()), 0)
    return {
        "quote": quote,
        "source": Money(quote.source_amount, quote.source_currency),
        "destination": Money(quote.destination_amount, quote.destination_currency),
        "fee": Money(quote.fee_amount, quote.source_currency),
        "total": Money(quote.total_debit, quote.source_currency),
        "cost": cost,
        "cost_over_target": cost > SDG_TARGET,
        "sdg_target": SDG_TARGET,
        "cross_currency": quote.source_currency != quote.destination_currency,
        "seconds_left": seconds,
    }


# --- home ----------------------------------------------------------------------------------------
@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """My wallets with their balances, and recent transfers from or to them."""
    actor = _actor(request)
    wallets = _wallets(actor)
    mine = {w.id for w in wallets}
    seen: dict[uuid.UUID, PaymentInfo] = {}
    for wallet in wallets:
        for payment in facade.payments_for_wallet(wallet.id, limit=HISTORY):
            seen[payment.id] = payment
    recent = sorted(seen.values(), key=lambda p: p.created_at, reverse=True)[:HISTORY]
    # Incoming payments name the payer's provider: the hub does not disclose payer names.
    providers = dict(
        Participant.objects.filter(pk__in={p.sender_participant_id for p in recent}).values_list(
            "pk", "name"
        )
    )
    rows = []
    for payment in recent:
        q = payment.quote
        outgoing = q.wallet_id in mine
        rows.append(
            {
                "payment": payment,
                "outgoing": outgoing,
                "amount": Money(q.total_debit, q.source_currency)
                if outgoing
                else Money(q.destination_amount, q.destination_currency),
                "counterparty": q.payee.display_name
                if outgoing
                else providers.get(payment.sender_participant_id, ""),
                "status_label": _status_label(payment.status),
            }
        )
    context = _context(
        actor,
        "home",
        wallets=[{"wallet": w, "balance": Money(w.balance, w.currency)} for w in wallets],
        history=rows,
    )
    return render(request, "payments/home.html", context)


# --- My QR ---------------------------------------------------------------------------------------
def qr_svg_data_uri(payload: str) -> str:
    """The payload drawn as an SVG QR code, as a ``data:`` URI for an ``<img>`` (CSP-safe)."""
    import segno

    code = segno.make_qr(payload, error="m", encoding="utf-8", boost_error=False)
    uri: str = code.svg_data_uri(scale=6, border=4)
    return uri


def wallet_qr_payload(wallet: Wallet, amount: Decimal | None) -> str | None:
    """The national QR code that pays ``wallet`` through the hub, or None if it has none.

    Built from the wallet's directory entries, so that paying the code resolves back to this
    wallet: a scheme merchant key (``laoqr:<iin>:<receiver>``, ``vietqr:<bin>:<account>``,
    ``khqr:<bakong id>``, ``mmqr:<merchant id>``, ``vnpayqr:<merchant id>``) or, in Thailand, a
    PromptPay mobile number.
    """
    participant = wallet.participant
    name = (wallet.holder_name if wallet.is_business else participant.name)[:25]
    entries = list(ProxyEntry.objects.filter(wallet=wallet).values_list("kind", "value"))
    for kind, key in entries:
        if kind != "qr_merchant":
            continue
        scheme, _sep, rest = key.partition(":")
        parts = rest.split(":")
        payee: dict[str, str] | None = None
        if scheme == "laoqr" and len(parts) == 2:
            kind_code = "002" if wallet.is_business else "001"
            payee = {"iin": parts[0], "receiver_id": parts[1], "payment_type": kind_code}
        elif scheme == "vietqr" and len(parts) == 2:
            payee = {"bank_bin": parts[0], "account": parts[1], "service": "QRIBFTTA"}
        elif scheme == "khqr" and len(parts) == 1:
            payee = {"bakong_account_id": parts[0]}
            if amount is not None:  # a dynamic KHQR must carry its creation and expiry
                created = int(clock.now().timestamp() * 1000)
                payee["creation_timestamp"] = str(created)
                payee["expiration_timestamp"] = str(created + KHQR_VALIDITY_MS)
        elif scheme in {"mmqr", "vnpayqr"} and len(parts) == 1:
            payee = {"merchant_id": parts[0]}
        if payee is None:
            continue
        city = _city(participant.country)
        # MMQR requires the language template (tag 64) with the name in the local script.
        language = (
            {"language_preference": "MY", "merchant_name": name, "merchant_city": city}
            if scheme == "mmqr"
            else None
        )
        try:
            return encode(
                scheme,
                payee=payee,
                amount=amount,
                currency=wallet.currency,
                merchant_name=name,
                merchant_city=city,
                language=language,
            )
        except QrError:
            continue
    phones = [value for kind, value in entries if kind == "phone"]
    if participant.country == "TH" and phones:
        try:
            return encode(
                "promptpay",
                payee={"proxy_type": "mobile", "proxy_value": phones[0]},
                amount=amount,
                currency=wallet.currency,
            )
        except QrError:
            return None
    return None


def _city(country: str) -> str:
    return {"TH": "Bangkok", "VN": "Ha Noi", "KH": "Phnom Penh", "LA": "Vientiane"}.get(
        country, "Yangon"
    )


def _first_wallet_with_qr(wallets: list[WalletInfo]) -> WalletInfo | None:
    # Open the page on a wallet that has a national QR: a co-op's personal wallet often has
    # none while its business wallet does, and an empty first screen reads as broken.
    if not wallets:
        return None
    rows = Wallet.objects.select_related("participant").in_bulk([w.id for w in wallets])
    for info in wallets:
        row = rows.get(info.id)
        if row is not None and wallet_qr_payload(row, None):
            return info
    return wallets[0]


@login_required
@require_GET
def my_qr(request: HttpRequest) -> HttpResponse:
    """Show (and print) the QR code of one of my wallets, with an optional amount."""
    actor = _actor(request)
    wallets = _wallets(actor)
    default = _first_wallet_with_qr(wallets)
    form = MyQrForm(
        request.GET or None,
        wallets=[(str(w.id), _wallet_label(w)) for w in wallets],
        initial={"wallet": str(default.id)} if default else {},
    )
    context = _context(actor, "my_qr", form=form, wallets=wallets)
    if default is None:
        return render(request, "payments/my_qr.html", context)
    chosen, amount = default, None
    if request.GET.get("wallet"):
        try:  # another person's wallet is answered like a missing one
            chosen = _wallet(wallets, request.GET["wallet"])
        except WalletNotFound:
            raise Http404 from None
    if form.is_bound and form.is_valid():
        amount = form.cleaned_data.get("amount")
    wallet = Wallet.objects.select_related("participant").get(pk=chosen.id)
    if amount is not None:
        try:
            Money.from_decimal(amount, wallet.currency)
        except MoneyError:
            form.add_error("amount", _("This currency has fewer decimals."))
            amount = None
    payload = wallet_qr_payload(wallet, amount)
    context.update(
        wallet=chosen,
        payload=payload,
        qr_image=qr_svg_data_uri(payload) if payload else None,
        amount=Money.from_decimal(amount, wallet.currency) if amount is not None else None,
    )
    return render(request, "payments/my_qr.html", context)


# --- Pay a QR ------------------------------------------------------------------------------------
def _amount_form(
    request: HttpRequest | None, wallets: list[WalletInfo], **initial: Any
) -> WalletAmountForm:
    choices = [(str(w.id), _wallet_label(w)) for w in wallets]
    data = request.POST if request is not None else None
    if wallets and "wallet" not in initial:
        initial["wallet"] = str(wallets[0].id)
    return WalletAmountForm(data, wallets=choices, initial=initial)


def _quote_or_error(
    form: WalletAmountForm,
    wallets: list[WalletInfo],
    payee: PayeeInfo,
    *,
    fixed_amount: int | None = None,
) -> QuoteInfo | None:
    """Ask the hub for a quote from the form's wallet and amount; errors go on the form."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        wallet = _wallet(wallets, data["wallet"])
    except WalletNotFound as error:
        form.add_error("wallet", _refusal_text(error))
        return None
    fixed = "destination" if fixed_amount is not None else data["fixed"]
    currency = payee.currency if fixed == "destination" else wallet.currency
    try:
        amount = fixed_amount if fixed_amount is not None else _minor(data["amount"], currency)
    except MoneyError:
        form.add_error("amount", _("%(currency)s has fewer decimals.") % {"currency": currency})
        return None
    try:
        return facade.quote(wallet_id=wallet.id, payee=payee, amount=amount, fixed=fixed)
    except DomainError as error:
        form.add_error(None, _refusal_text(error))
        return None


def _confirm_form(quote: QuoteInfo) -> ConfirmForm:
    # A fresh key per quote shown: resubmitting this page (double click, back + submit) sends
    # the same key, and the hub answers with the payment already made.
    return ConfirmForm(initial={"quote_id": str(quote.id), "idempotency_key": uuid.uuid4()})


@login_required
@require_http_methods(["GET", "POST"])
def pay_qr(request: HttpRequest) -> HttpResponse:
    """Pay a national QR code: paste or upload it, see the payee, choose wallet and amount,
    then see the quote and confirm."""
    actor = _actor(request)
    wallets = _wallets(actor)
    context = _context(actor, "pay_qr", wallets=wallets)
    step = request.POST.get("step", "scan") if request.method == "POST" else "scan"
    scan = QrPayloadForm(
        request.POST if step == "scan" and request.method == "POST" else None,
        request.FILES if step == "scan" and request.method == "POST" else None,
    )
    context["scan"] = scan
    if request.method == "GET" or (step == "scan" and not scan.is_valid()):
        return render(request, "payments/pay_qr.html", context, status=_status(request, scan))
    payload = scan.cleaned_data["payload"] if step == "scan" else request.POST.get("payload", "")
    try:
        payee, qr_amount, qr_currency = facade.resolve_qr(payload)
    except DomainError as error:
        scan = QrPayloadForm(initial={"payload": payload[:512]})
        context["scan"] = scan
        context["error"] = _refusal_text(error)
        return render(request, "payments/pay_qr.html", context, status=400)
    fixed_amount = qr_amount if qr_currency == payee.currency else None
    context.update(
        payee=payee,
        payload=payload,
        qr_amount=Money(fixed_amount, payee.currency) if fixed_amount is not None else None,
    )
    if step == "scan":
        context["form"] = _amount_form(None, wallets, fixed="destination")
        return render(request, "payments/pay_qr.html", context)
    # When the code fixes the amount, the form's amount is a placeholder and not used.
    form = _amount_form(request, wallets)
    context["form"] = form
    quote = _quote_or_error(form, wallets, payee, fixed_amount=fixed_amount)
    if quote is None:
        return render(request, "payments/pay_qr.html", context, status=400)
    context.update(_quote_view(quote), confirm=_confirm_form(quote), flow="qr")
    return render(request, "payments/quote.html", context)


def _status(request: HttpRequest, form: Any) -> int:
    return 400 if request.method == "POST" and form.is_bound and form.errors else 200


# --- Send money home -----------------------------------------------------------------------------
def _proxy_value(kind: str, value: str, country: str) -> str:
    if kind == "phone":
        return names.local_to_e164(value, country) or value
    return value


@login_required
@require_http_methods(["GET", "POST"])
def send(request: HttpRequest) -> HttpResponse:
    """Send money home: recipient's country and phone number → confirmation of payee →
    amount (what I send, or what they get) → quote with the total cost → confirm."""
    actor = _actor(request)
    wallets = _wallets(actor)
    context = _context(actor, "send", wallets=wallets)
    step = request.POST.get("step", "recipient") if request.method == "POST" else "recipient"
    recipient = RecipientForm(request.POST if request.method == "POST" else None)
    context["recipient"] = recipient
    if request.method == "GET" or not recipient.is_valid():
        if wallets:
            context["corridors"] = corridors(wallets[0].currency)
            context["corridor_source"] = wallets[0].currency
        return render(request, "payments/send.html", context, status=_status(request, recipient))
    data = recipient.cleaned_data
    value = _proxy_value(data["kind"], data["value"], data["country"])
    try:
        payee = facade.resolve_proxy(data["kind"], value)
    except DomainError as error:
        recipient.add_error(None, _refusal_text(error))
        return render(request, "payments/send.html", context, status=400)
    if payee.country != data["country"]:
        recipient.add_error(
            None,
            _("This number belongs to an account in %(country)s, not in %(chosen)s.")
            % {
                "country": country_of(payee.country).name,
                "chosen": country_of(data["country"]).name,
            },
        )
        return render(request, "payments/send.html", context, status=400)
    context["payee"] = payee
    if step == "recipient":
        context["form"] = _amount_form(None, wallets, fixed="source")
        context["rates"] = _indicative(wallets, payee)
        return render(request, "payments/send.html", context)
    form = _amount_form(request, wallets)
    context["form"] = form
    quote = _quote_or_error(form, wallets, payee)
    if quote is None:
        context["rates"] = _indicative(wallets, payee)
        return render(request, "payments/send.html", context, status=400)
    context.update(_quote_view(quote), confirm=_confirm_form(quote), flow="send")
    return render(request, "payments/quote.html", context)


#: The SDG 10.c indicator is the cost of sending USD 200.
CORRIDOR_USD = 200


def corridors(source: str) -> list[dict[str, Any]]:
    """Today's total cost of sending about USD 200 from ``source`` to each GMS country.

    Priced exactly as a quote would be (the best provider's customer rate, the hub's fee, the
    cost against the mid rate), without creating one; a corridor no provider quotes is listed
    as unavailable.
    """
    usd = paying.best_offer("USD", source)
    per_usd = usd.mid if usd is not None else 1 / USD_REFERENCE.get(source, Decimal(1))
    principal = Money.from_decimal(per_usd * CORRIDOR_USD, source, rounding=ROUND_HALF_UP).minor
    rows = []
    for code in DESTINATIONS:
        destination = country_of(code).currency
        if destination == source:
            continue
        offer = paying.best_offer(source, destination)
        row: dict[str, Any] = {"country": country_of(code).name, "currency": destination}
        if offer is not None:
            delivered = fx.convert_down(principal, offer.rate, source, destination)
            total = principal + fx.fee_for(principal, source)
            cost = fx.total_cost_percent(
                total_debit=total,
                destination_amount=delivered,
                mid=offer.mid,
                source=source,
                destination=destination,
            )
            row.update(
                principal=Money(principal, source),
                total=Money(total, source),
                delivered=Money(delivered, destination),
                cost=cost / 100,
                within=cost / 100 <= SDG_TARGET,
            )
        rows.append(row)
    return rows


def _indicative(wallets: list[WalletInfo], payee: PayeeInfo) -> list[dict[str, Any]]:
    rates = []
    for currency in sorted({w.currency for w in wallets} - {payee.currency}):
        rate = facade.indicative_rate(currency, payee.currency)
        if rate is not None:
            rates.append({"source": currency, "destination": payee.currency, "rate": rate})
    return rates


# --- confirm, countdown, receipt -----------------------------------------------------------------
def _my_quote(actor: Actor, quote_id: object) -> Quote:
    """The quote if it was made for one of the actor's wallets (404 otherwise)."""
    try:
        qid = uuid.UUID(str(quote_id))
    except ValueError:
        raise Http404 from None
    found = Quote.objects.filter(pk=qid, wallet_id__in=[w.id for w in _wallets(actor)]).first()
    if found is None:
        raise Http404
    return found


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    """Pay a quote shown to me; the hidden idempotency key makes a resubmission pay once."""
    actor = _actor(request)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The confirmation was incomplete. Please start again."))
        return redirect("payments:home")
    data = form.cleaned_data
    quote = _my_quote(actor, data["quote_id"])
    try:
        payment = facade.pay(
            quote_id=quote.pk,
            idempotency_key=str(data["idempotency_key"]),
            reference=data["reference"],
        )
    except QuoteExpired as error:
        return _requote(request, actor, quote, _refusal_text(error))
    except DomainError as error:
        messages.error(request, _refusal_text(error))
        refused = error.extra.get("payment_id")
        if refused:
            return redirect("payments:payment", payment_id=refused)
        return redirect("payments:home")
    if payment.status == "held":
        messages.warning(
            request,
            _(
                "The payment is held for a compliance review. The money is reserved and "
                "will be sent when a reviewer releases it."
            ),
        )
    return redirect("payments:payment", payment_id=payment.id)


def _requote(request: HttpRequest, actor: Actor, expired: Quote, reason: str) -> HttpResponse:
    """Price the same payment again after its quote expired, and ask to confirm once more."""
    old = selectors.quote_info(expired)
    amount = old.source_amount if old.fixed == "source" else old.destination_amount
    flow = "qr" if old.payee.proxy_kind == "qr_merchant" else "send"
    context = _context(actor, "pay_qr" if flow == "qr" else "send", flow=flow)
    try:
        quote = facade.quote(
            wallet_id=old.wallet_id, payee=old.payee, amount=amount, fixed=old.fixed
        )
    except DomainError as error:
        messages.error(request, reason)
        messages.error(request, _refusal_text(error))
        return redirect("payments:pay_qr" if flow == "qr" else "payments:send")
    context.update(
        _quote_view(quote),
        confirm=_confirm_form(quote),
        payee=quote.payee,
        requoted=_(
            "%(reason)s Here is a new quote at the current rate: check it and confirm again."
        )
        % {"reason": reason},
    )
    return render(request, "payments/quote.html", context, status=409)


@login_required
@require_GET
def quote_countdown(request: HttpRequest, quote_id: str) -> HttpResponse:
    """The seconds left on a quote (an htmx fragment polled every second; 286 stops it)."""
    actor = _actor(request)
    quote = _my_quote(actor, quote_id)
    seconds = max(int((quote.expires_at - clock.now()).total_seconds()), 0)
    response = render(request, "payments/_countdown.html", {"seconds_left": seconds})
    if seconds == 0:
        response.status_code = 286
    return response


@login_required
@require_GET
def payment_detail(request: HttpRequest, payment_id: str) -> HttpResponse:
    """The receipt of a payment I sent or received: status, amounts, log entry, messages."""
    actor = _actor(request)
    payment = _visible(actor, facade.payment_get(payment_id))
    context = _context(actor, "home", payment=payment, **_quote_view(payment.quote))
    context["outgoing"] = payment.quote.wallet_id in {w.id for w in _wallets(actor)}
    context["hits"] = facade.screening_hits(payment.id) if context["can_review"] else []
    context["status_label"] = _status_label(payment.status)
    refusal = REFUSALS.get(payment.refusal_code or "")
    context["refusal_text"] = _refusal_text(refusal()) if refusal is not None else ""
    return render(request, "payments/receipt.html", context)


@login_required
@require_GET
def payment_pacs008(request: HttpRequest, payment_id: str) -> HttpResponse:
    """Download the payment's pacs.008 credit transfer message (ISO 20022 XML)."""
    actor = _actor(request)
    payment = _visible(actor, facade.payment_get(payment_id))
    pacs008, _pacs002 = facade.payment_xml(payment.id)
    if not pacs008:
        raise Http404
    response = HttpResponse(pacs008.encode(), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pacs008-{payment.id}.xml"'
    return response


@login_required
@require_GET
def payment_receipt(request: HttpRequest, payment_id: str) -> HttpResponse:
    """Download the payment's verifiable-log receipt (JSON), to check on the verify page."""
    from mekong.trustlog import facade as trustlog

    actor = _actor(request)
    payment = _visible(actor, facade.payment_get(payment_id))
    if payment.receipt_index is None:
        raise Http404
    try:
        receipt = trustlog.receipt_for(payment.receipt_index)
    except DomainError:
        raise Http404 from None
    response = HttpResponse(receipt.to_json(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="receipt-{payment.id}.json"'
    return response


# --- participant dashboard -----------------------------------------------------------------------
PERIODS = {"1": 1, "7": 7, "30": 30}


@login_required
@require_GET
def participant(request: HttpRequest) -> HttpResponse:
    """A PSP's or FX provider's positions per currency and its settlement report."""
    actor = _actor(request)
    me = _participant(actor)
    if me is None:
        raise Http404
    days = PERIODS.get(request.GET.get("days", "1"), 1)
    until = clock.now()
    since = until - timedelta(days=days)
    report = [
        row
        for row in facade.settlement_report(since=since, until=until)
        if me.kind == ParticipantKind.HUB or row.participant_id == me.pk
    ]
    if request.GET.get("format") == "csv":
        return _report_csv(report, since, until)
    positions = [
        {
            "position": p,
            "balance": Money(p.balance, p.currency),
            "kind_label": PositionKind(p.kind).label if p.kind in PositionKind.values else p.kind,
        }
        for p in facade.positions(me.pk)
    ]
    rows = [
        {
            "row": r,
            "paid_in": Money(r.paid_in, r.currency),
            "paid_out": Money(r.paid_out, r.currency),
            "net": Money(r.net, r.currency),
        }
        for r in report
    ]
    context = _context(
        actor,
        "participant",
        me=me,
        positions=positions,
        report=rows,
        days=str(days),
        since=since,
        until=until,
    )
    return render(request, "payments/participant.html", context)


def _report_csv(report: list[Any], since: datetime, until: datetime) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="settlement-report.csv"'
    writer = csv.writer(response)
    writer.writerow(["since", "until", "participant", "currency", "paid_in", "paid_out", "net",
                     "payments"])  # fmt: skip
    for r in report:
        name = r.participant_name
        safe = "'" + name if name[:1] in {"=", "+", "-", "@"} else name
        writer.writerow(
            [since.isoformat(), until.isoformat(), safe, r.currency,
             Money(r.paid_in, r.currency), Money(r.paid_out, r.currency),
             Money(r.net, r.currency), r.payments]
        )  # fmt: skip
    return response


# --- reviewer queue ------------------------------------------------------------------------------
def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404 from None


def _reviewer(request: HttpRequest) -> Actor:
    actor = _actor(request)
    if not _can_review(actor) or actor.user_id is None:
        raise Http404
    return actor


@login_required
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    """Payments held by screening, oldest first, with what matched."""
    actor = _reviewer(request)
    held = [
        {
            "payment": p,
            "hits": facade.screening_hits(p.id),
            "source": Money(p.quote.total_debit, p.quote.source_currency),
            "destination": Money(p.quote.destination_amount, p.quote.destination_currency),
        }
        for p in facade.review_queue()
    ]
    context = _context(actor, "review", held=held)
    return render(request, "payments/review.html", context)


@login_required
@require_POST
def review_release(request: HttpRequest, payment_id: str) -> HttpResponse:
    """Release a held payment: its reserved transfers are posted."""
    actor = _reviewer(request)
    try:
        payment = facade.review_release(_uuid(payment_id), reviewer_user_id=actor.user_id or 0)
    except DomainError as error:
        messages.error(request, _refusal_text(error))
        return redirect("payments:review")
    messages.success(request, _("The payment was released and completed."))
    return redirect("payments:payment", payment_id=payment.id)


@login_required
@require_POST
def review_reject(request: HttpRequest, payment_id: str) -> HttpResponse:
    """Reject a held payment: its reserved transfers are voided and nothing moves."""
    actor = _reviewer(request)
    try:
        payment = facade.review_reject(_uuid(payment_id), reviewer_user_id=actor.user_id or 0)
    except DomainError as error:
        messages.error(request, _refusal_text(error))
        return redirect("payments:review")
    messages.success(request, _("The payment was rejected; the reserved money was released."))
    return redirect("payments:payment", payment_id=payment.id)
