"""What other modules (marketplace, the payments UI, KPIs) may call in the payments hub.

Takes and returns contracts (`mekong.payments.contracts`), never ORM objects. Callers are
trusted modules: they decide who may act (e.g. that the logged-in user owns the wallet)
before calling. Live money only; the sandbox is reached through the participant API.

Typical flow::

    payee, amount, currency = facade.resolve_qr(scanned_text)
    quote = facade.quote(wallet_id=my_wallet.id, payee=payee, amount=amount or typed)
    # show quote.total_debit, quote.destination_amount, quote.rate, quote.total_cost_percent
    payment = facade.pay(quote_id=quote.id, idempotency_key=form_token)
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from mekong.identity.models import Organisation
from mekong.payments import directory, paying, selectors, services
from mekong.payments.contracts import (
    NetPosition,
    PayeeInfo,
    PaymentInfo,
    PositionInfo,
    QuoteInfo,
    WalletInfo,
)
from mekong.payments.errors import (
    CurrencyNotSupported,
    PayeeNotFound,
    PaymentNotFound,
    WalletNotFound,
)
from mekong.payments.models import KycTier, Payment, ProxyKind, Wallet

__all__ = [
    "indicative_rate",
    "pay",
    "payment_get",
    "payments_for_wallet",
    "quote",
    "refund",
    "register_merchant",
    "resolve_proxy",
    "resolve_qr",
    "review_queue",
    "review_reject",
    "review_release",
    "settlement_report",
    "wallet_open",
    "wallets_for",
]


def resolve_proxy(kind: str, value: str) -> PayeeInfo:
    """The payee registered under an alias (``phone`` in E.164, ``national_id``,
    ``business_id``, ``wallet_id``, ``qr_merchant``), with the masked name.

    Raises:
        ProxyInvalid: unknown kind or malformed value.
        PayeeNotFound: nothing is registered under it.
    """
    wallet, key = directory.wallet_for_proxy(kind, value)
    return directory.payee_info(wallet, proxy_kind=kind, proxy_value=key)


def resolve_qr(payload: str) -> tuple[PayeeInfo, int | None, str | None]:
    """Decode a national QR code and resolve its payee.

    Returns the payee, the amount the code carries (minor units, None for a static code) and
    its currency (ISO 4217 alphabetic, or None).

    Raises:
        QrInvalid: not a valid payment code (strict, then the documented lenient quirks), an
            expired KHQR, or a scheme without a routable payee.
        PayeeNotFound: the payee is not registered with the hub.
    """
    _wallet, payee, amount, currency = directory.resolve_qr(payload)
    return payee, amount, currency


def indicative_rate(source_currency: str, destination_currency: str) -> Decimal | None:
    """Today's mid rate (destination major units per source major unit), or None."""
    offer = paying.best_offer(source_currency.upper(), destination_currency.upper())
    return None if offer is None else offer.mid


def wallets_for(
    *, organisation_id: int | None = None, user_id: int | None = None
) -> list[WalletInfo]:
    """Live wallets owned by a user or by an organisation (not its users'), oldest first."""
    qs = Wallet.objects.select_related("participant").filter(sandbox=False)
    if user_id is not None:
        qs = qs.filter(owner_user_id=user_id)
    elif organisation_id is not None:
        qs = qs.filter(owner_organisation_id=organisation_id, owner_user=None)
    else:
        return []
    return [selectors.wallet_info(w) for w in qs.order_by("id")]


def wallet_open(
    *,
    country: str,
    currency: str,
    organisation_id: int | None = None,
    user_id: int | None = None,
    holder_name: str = "",
) -> WalletInfo:
    """Open (or return) a wallet at the country's default PSP; idempotent per owner.

    The holder name defaults to the organisation's name or the user's display name.

    Raises:
        CurrencyNotSupported: no PSP serves the country, or the currency is unknown.
        WalletNotFound: neither an organisation nor a user was given.
    """
    from mekong.identity.models import User

    psp = services.default_psp(country)
    if psp is None:
        raise CurrencyNotSupported(params={"currency": currency})
    if user_id is not None:
        user = User.objects.filter(pk=user_id).first()
        name = holder_name or (
            (getattr(user, "display_name", "") or (user.get_full_name() if user else ""))
            or (user.email.split("@")[0] if user else "")
        )
        wallet = services.wallet_open(
            participant=psp, holder_name=name, currency=currency, owner_user_id=user_id
        )
    elif organisation_id is not None:
        org = Organisation.objects.filter(pk=organisation_id).first()
        if org is None:
            raise WalletNotFound()
        wallet = services.wallet_open(
            participant=psp,
            holder_name=holder_name or org.name,
            currency=currency,
            owner_organisation_id=organisation_id,
            is_business=True,
            kyc_tier=KycTier.FULL,
        )
    else:
        raise WalletNotFound()
    return selectors.wallet_info(Wallet.objects.select_related("participant").get(pk=wallet.pk))


def register_merchant(*, organisation_id: int, country: str, currency: str) -> PayeeInfo:
    """Make an organisation payable in ``currency``: a business wallet at the country's default
    PSP and ``business_id`` proxies for it; idempotent.

    The business id is the organisation's registration number, or its slug upper-cased. A
    merchant may hold wallets in several currencies, so the directory has one business id
    proxy per wallet: ``<ID>:<CUR>`` (e.g. ``0105561234567:THB``) always names the wallet in
    that currency, and the bare ``<ID>`` names the merchant's first registered wallet (what a
    payer who only knows the registration number reaches). The returned payee carries the
    bare id when it names this wallet, otherwise the currency-qualified one.

    Raises:
        CurrencyNotSupported, WalletNotFound: as `wallet_open`.
        ProxyTaken (``proxy_taken``): the id is registered to another organisation's wallet.
    """
    info = wallet_open(country=country, currency=currency, organisation_id=organisation_id)
    org = Organisation.objects.get(pk=organisation_id)
    wallet = Wallet.objects.select_related("participant").get(pk=info.id)
    value = (org.registration_number or org.slug).upper()
    bare = directory.proxy_entry(ProxyKind.BUSINESS_ID, value, sandbox=wallet.sandbox)
    foreign = bare is not None and bare.wallet_id != wallet.pk
    if foreign and bare is not None and not _same_owner(bare.wallet_id, organisation_id):
        raise services.ProxyTaken(params={"kind": ProxyKind.BUSINESS_ID})
    qualified = services.proxy_register(
        kind=ProxyKind.BUSINESS_ID, value=f"{value}:{wallet.currency}", wallet=wallet
    )
    if bare is None:
        bare = services.proxy_register(kind=ProxyKind.BUSINESS_ID, value=value, wallet=wallet)
    entry = bare if bare.wallet_id == wallet.pk else qualified
    return directory.payee_info(wallet, proxy_kind=entry.kind, proxy_value=entry.value)


def _same_owner(wallet_id: int, organisation_id: int) -> bool:
    return Wallet.objects.filter(
        pk=wallet_id, owner_organisation_id=organisation_id, owner_user=None
    ).exists()


def quote(*, wallet_id: int, payee: PayeeInfo, amount: int, fixed: str = "source") -> QuoteInfo:
    """Price a payment from a live wallet to a payee and lock it for 60 seconds.

    ``fixed="source"``: ``amount`` is the principal in the wallet's currency, the fee comes on
    top; ``"destination"``: ``amount`` is exactly what the payee receives.

    Raises:
        WalletNotFound: no such live wallet.
        PayeeNotFound: the payee's account is unknown.
        InvalidAmount, CurrencyNotSupported: see `paying.quote_create`.
    """
    wallet = (
        Wallet.objects.select_related("participant").filter(pk=wallet_id, sandbox=False).first()
    )
    if wallet is None:
        raise WalletNotFound()
    payee_wallet = (
        Wallet.objects.select_related("participant")
        .filter(ledger_account_id=payee.ledger_account_id, account_ref=payee.account_ref)
        .filter(sandbox=False)
        .first()
    )
    if payee_wallet is None:
        raise PayeeNotFound()
    q = paying.quote_create(
        wallet=wallet,
        payee_wallet=payee_wallet,
        amount=amount,
        fixed=fixed,
        proxy_kind=payee.proxy_kind,
        proxy_value=payee.proxy_value,
    )
    return selectors.quote_info(q)


def pay(*, quote_id: uuid.UUID, idempotency_key: str, reference: str = "") -> PaymentInfo:
    """Pay a quote; a retry with the same key and request returns the same payment.

    Returns a ``completed`` payment, or a ``held`` one when screening matched (a reviewer
    decides; the money is reserved meanwhile).

    Raises:
        QuoteNotFound, QuoteExpired, QuoteUsed, IdempotencyConflict, LimitExceeded,
        InsufficientFunds, InsufficientLiquidity (nothing moved; ``extra["payment_id"]``
        names the refused payment).
    """
    payment = paying.payment_create(
        quote_id=quote_id, idempotency_key=idempotency_key, reference=reference
    )
    return selectors.payment_info(payment)


def payment_get(payment_id: uuid.UUID | str) -> PaymentInfo | None:
    """A payment by id (live or sandbox), or None; a completed payment whose receipt is
    missing gets it anchored first (inline receipts)."""
    found = _payment_row(payment_id)
    if found is None:
        return None
    paying.receipt_ensure(found)
    return selectors.payment_info(found)


def payment_status(payment_id: uuid.UUID | str) -> PaymentInfo | None:
    """`payment_get` without the receipt side effect: for callers inside a transaction of
    their own, such as event handlers. Anchoring writes the trustlog and asks its witnesses to
    cosign; if the caller's transaction then rolled back, the log would lose entries that
    witnesses have already signed for."""
    found = _payment_row(payment_id)
    return selectors.payment_info(found) if found is not None else None


def payment_by_key(*, wallet_id: int, idempotency_key: str) -> PaymentInfo | None:
    """The payment ``wallet_id`` made under ``idempotency_key``, or None. For a caller that
    sent `pay` and may not have seen the answer (it stopped in between): read only, like
    `payment_status`, so it never pays."""
    found = (
        selectors.payments_qs().filter(wallet_id=wallet_id, idempotency_key=idempotency_key).first()
    )
    return selectors.payment_info(found) if found is not None else None


def _payment_row(payment_id: uuid.UUID | str) -> Payment | None:
    try:
        pid = payment_id if isinstance(payment_id, uuid.UUID) else uuid.UUID(str(payment_id))
    except ValueError:
        return None
    return selectors.payments_qs().filter(pk=pid).first()


def payment_xml(payment_id: uuid.UUID) -> tuple[str, str]:
    """The payment's pacs.008 and pacs.002 XML ("" when none was built).

    Raises:
        PaymentNotFound: no such payment.
    """
    found = Payment.objects.filter(pk=payment_id).values_list("pacs008_xml", "pacs002_xml")
    row = found.first()
    if row is None:
        raise PaymentNotFound()
    return row[0], row[1]


def payments_for_wallet(wallet_id: int, *, limit: int = 50) -> list[PaymentInfo]:
    """Payments from or to a wallet (refunds included), newest first."""
    from django.db.models import Q

    qs = selectors.payments_qs().filter(
        Q(wallet_id=wallet_id) | Q(quote__payee_wallet_id=wallet_id)
    )
    return [selectors.payment_info(p) for p in qs.order_by("-created_at")[:limit]]


def refund(*, payment_id: uuid.UUID, amount: int, idempotency_key: str) -> PaymentInfo:
    """Send back (part of) a completed payment, in its destination currency; idempotent.

    Returns the refund (a payment from the payee to the original sender).

    Raises:
        PaymentNotFound, RefundNotAllowed, InvalidAmount, IdempotencyConflict,
        InsufficientFunds, InsufficientLiquidity.
    """
    r = paying.refund_create(payment_id=payment_id, amount=amount, idempotency_key=idempotency_key)
    info = payment_get(r.pk)
    assert info is not None
    return info


def review_queue(*, limit: int = 100) -> list[PaymentInfo]:
    """Held live payments waiting for a reviewer, oldest first."""
    qs = selectors.payments_qs().filter(status="held", sandbox=False).order_by("created_at")
    return [selectors.payment_info(p) for p in qs[:limit]]


def screening_hits(payment_id: uuid.UUID) -> list[dict[str, str]]:
    """Why a payment was held: the matched observables and indicators (may be TLP-limited)."""
    row = Payment.objects.filter(pk=payment_id).values_list("screening_hits", flat=True).first()
    return list(row or [])


def review_release(payment_id: uuid.UUID, *, reviewer_user_id: int) -> PaymentInfo:
    """Release a held payment: its reserved legs are posted and it completes.

    Raises:
        PaymentNotFound, NotReviewable.
    """
    p = paying.review_release(payment_id, reviewer_user_id=reviewer_user_id)
    info = payment_get(p.pk)
    assert info is not None
    return info


def review_reject(payment_id: uuid.UUID, *, reviewer_user_id: int) -> PaymentInfo:
    """Reject a held payment: its reserved legs are voided; nothing moves.

    Raises:
        PaymentNotFound, NotReviewable.
    """
    p = paying.review_reject(payment_id, reviewer_user_id=reviewer_user_id)
    info = payment_get(p.pk)
    assert info is not None
    return info


def positions(participant_id: int) -> list[PositionInfo]:
    """A participant's ledger accounts and balances (for dashboards)."""
    from mekong.payments.models import Participant

    participant = Participant.objects.filter(pk=participant_id).first()
    return [] if participant is None else selectors.positions_of(participant)


def settlement_report(*, since: datetime, until: datetime) -> list[NetPosition]:
    """Live multilateral net positions per participant and currency in ``[since, until)``."""
    return selectors.settlement_report(since=since, until=until)
