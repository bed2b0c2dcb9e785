"""The payment flow: quote → pay (screening, limits, one linked ledger batch) → receipt;
review of held payments; refunds.

Ledger legs of a payment of principal S + fee F (source currency c1) that delivers D
(destination currency c2), from a wallet at PSP P to a wallet at PSP R through FX provider X,
hub H (docs/modules/payments.md draws them):

    1. sender wallet      → P treasury         T = S + F  c1   (the customer pays its PSP)
    2. P settlement       → X settlement c1    S          c1   (P pays the FX provider)
    3. P settlement       → H fees c1          F          c1   (P pays the hub's fee)
    4. X settlement c2    → R settlement       D          c2   (X delivers in c2)
    5. R treasury         → payee wallet       D          c2   (R credits its customer)

Every leg balances, so each currency's sum stays zero. Settlement positions refuse to go below
zero (ledger flag), so a leg 2/3/4 failure is ``insufficient_liquidity`` and leg 1's is
``insufficient_funds``; the legs are one linked chain, so then nothing moves. Without FX
(one currency) leg 2 goes straight to R's settlement position and leg 4 is left out. A refund
is the same chain for a reverse quote (payee → original sender, no fee).

Locks, in this order everywhere: the quote row then the sender wallet row (pay), or the
original payment row (refund, review); then the ledger accounts (the ledger locks them in
ascending id order). No transaction takes a payments row lock after a ledger lock, so these
cannot deadlock.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NoReturn, cast

import rfc8785
from django.db import IntegrityError, transaction
from django.db.models import Sum

from mekong.core import clock
from mekong.core.audit import audit_record, audit_record_many
from mekong.core.db import writer_gate
from mekong.core.db.rows import insert, prepare_insert
from mekong.core.events import publish, publish_many
from mekong.core.switches import switched_on
from mekong.core.text import normalize_text
from mekong.ledger import facade as ledger
from mekong.ledger.contracts import TransferIn, TransferResultCode
from mekong.payments import (
    fastreads,
    fx,
    limits,
    log_compaction,
    screening,
    spending,
    webhooks,
    writer,
)
from mekong.payments.errors import (
    CurrencyNotSupported,
    HubBusy,
    IdempotencyConflict,
    InsufficientFunds,
    InsufficientLiquidity,
    InvalidAmount,
    InvalidIdempotencyKey,
    LimitExceeded,
    NotReviewable,
    PaymentNotFound,
    QuoteExpired,
    QuoteNotFound,
    QuoteUsed,
    RefundNotAllowed,
)
from mekong.payments.events import (
    PaymentCompleted,
    PaymentHeld,
    PaymentRefused,
    PaymentRejected,
    PaymentReleased,
)
from mekong.payments.groupcommit import GroupCommitter, Item, QueueTimeout
from mekong.payments.models import (
    FxRate,
    Participant,
    ParticipantKind,
    Payment,
    PaymentStatus,
    PositionKind,
    Quote,
    Wallet,
)
from mekong.trustlog import facade as trustlog

log = logging.getLogger(__name__)

#: How long a quote's price is locked.
QUOTE_TTL = timedelta(seconds=60)
#: Largest amount accepted, in minor units (fits every ledger and XML field).
AMOUNT_MAX = 10**15
#: Ledger transfer codes: 41xx payment legs, 42xx refund legs (last digit: the leg number).
CODE_PAYMENT = 4100
CODE_REFUND = 4200


# --- rates and quotes ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Offer:
    """The best customer rate found for a pair, with its provider and the mid rate."""

    provider: Participant | None
    rate: Decimal
    mid: Decimal


def best_offer(source: str, destination: str, *, sandbox: bool = False) -> Offer | None:
    """The best rate any FX provider offers now from ``source`` to ``destination``.

    Each provider's newest valid rate for the pair (published either way round) counts; the
    highest customer rate wins (more destination per source unit), ties to the older provider.
    The same currency needs no provider (rate 1).
    """
    if source == destination:
        return Offer(provider=None, rate=Decimal(1), mid=Decimal(1))
    now = clock.now()
    pair = {(source, destination), (destination, source)}
    rows = [
        r
        for r in _current_rates(now)
        if (r.base_currency, r.quote_currency) in pair
        and r.provider.sandbox == sandbox
        and r.valid_from <= now < r.valid_until
    ]
    seen: set[int] = set()
    best: Offer | None = None
    for row in rows:
        if row.provider_id in seen:
            continue
        seen.add(row.provider_id)
        rate, mid = fx.customer_rate(
            mid=row.mid, spread_bps=row.spread_bps, inverse=row.base_currency != source
        )
        if best is None or rate > best.rate:
            best = Offer(provider=row.provider, rate=rate, mid=mid)
    return best


#: How long a process may keep its copy of the rates (and their providers' names) when no
#: rate is published meanwhile; a publication is seen at the next quote.
RATES_TTL = 60.0
_rates_cache: dict[str, tuple[int, float, list[FxRate]]] = {}


def _current_rates(now: datetime) -> list[FxRate]:
    """Every rate not yet expired, newest first, with its provider; cached per process.

    Rates are only ever added (`services.rate_publish`; the admin is read-only), so the
    table's highest id changes exactly when one is published: one index probe decides whether
    the copy is still good (not a row count: the table keeps every rate ever published, and
    counting it would grow with that history on every quote). A row deleted by hand below the
    highest id is seen within `RATES_TTL`. Inside a transaction (a caller's, or a test's that
    may roll back) the table is read afresh.
    """
    conn = transaction.get_connection()
    if conn.in_atomic_block:
        return _rates_from(now)
    with conn.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM payments_fxrate")
        (top,) = cursor.fetchone()
    token = int(top or 0)
    cached = _rates_cache.get(conn.alias)
    if cached is not None and cached[0] == token and time.monotonic() - cached[1] < RATES_TTL:
        return cached[2]  # the usual case: not even the query object is built
    rows = _rates_from(now)
    _rates_cache[conn.alias] = (token, time.monotonic(), rows)
    return rows


def _rates_from(now: datetime) -> list[FxRate]:
    return list(
        FxRate.objects.select_related("provider")
        .filter(valid_until__gt=now)
        .order_by("-valid_from", "-id")
    )


def quote_create(
    *,
    wallet: Wallet,
    payee_wallet: Wallet,
    amount: int,
    fixed: str = "source",
    proxy_kind: str = "",
    proxy_value: str = "",
) -> Quote:
    """Price a payment from ``wallet`` to ``payee_wallet`` and lock it for `QUOTE_TTL`.

    ``fixed="source"``: ``amount`` is the principal in the wallet's currency (the fee comes on
    top); ``fixed="destination"``: ``amount`` is exactly what the payee receives.

    Raises:
        InvalidAmount: not a positive int ≤ `AMOUNT_MAX`, a bad ``fixed``, or an amount that
            converts to nothing.
        CurrencyNotSupported: no FX provider quotes the pair now.
    """
    if not fx.is_minor(amount, AMOUNT_MAX) or fixed not in ("source", "destination"):
        raise InvalidAmount()
    source, destination = wallet.currency, payee_wallet.currency
    offer = best_offer(source, destination, sandbox=wallet.sandbox)
    if offer is None:
        raise CurrencyNotSupported(params={"currency": f"{source}/{destination}"})
    if fixed == "source":
        principal = amount
        delivered = fx.convert_down(principal, offer.rate, source, destination)
    else:
        delivered = amount
        principal = fx.convert_up_inverse(delivered, offer.rate, source, destination)
    if delivered <= 0 or principal > AMOUNT_MAX:
        raise InvalidAmount()
    fee = fx.fee_for(principal, source)
    now = clock.now()
    quote = Quote(
        wallet=wallet,
        payee_wallet=payee_wallet,
        payee_proxy_kind=proxy_kind,
        payee_proxy_value=proxy_value,
        fx_provider=offer.provider,
        fixed=fixed,
        source_currency=source,
        source_amount=principal,
        destination_currency=destination,
        destination_amount=delivered,
        rate=fx.rate_text(offer.rate),
        mid=fx.rate_text(offer.mid),
        fee_amount=fee,
        total_debit=principal + fee,
        sandbox=wallet.sandbox,
        created_at=now,
        expires_at=now + QUOTE_TTL,
    )
    store = prepare_insert([quote])  # its values are prepared before the writer lock
    with writer.serial():
        store()
    return quote


# --- ledger legs --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Leg:
    """One transfer of a payment; ``role`` tells which refusal its failure means."""

    debit: int
    credit: int
    amount: int
    currency: str
    code: int
    role: str  # "payer" (a customer's wallet) or "position" (a participant's account)


class _Accounts:
    """The ledger accounts that quotes' legs touch, read in one query (one or many quotes)."""

    def __init__(self, *quotes: Quote) -> None:
        ids: set[int] = set()
        currencies: set[str] = set()
        for quote in quotes:
            ids.update((quote.wallet.participant_id, quote.payee_wallet.participant_id))
            if quote.fx_provider_id is not None:
                ids.add(quote.fx_provider_id)
            currencies.update((quote.source_currency, quote.destination_currency))
        rows = fastreads.positions(sorted(ids), sorted(currencies))
        self.by_key = {(pid, cur, kind): acct for pid, _pk, _sb, cur, kind, acct in rows}
        self.hub = {
            (sandbox, cur, kind): acct
            for _pid, pkind, sandbox, cur, kind, acct in rows
            if pkind == ParticipantKind.HUB
        }

    def of(self, participant: Participant, currency: str, kind: str) -> int:
        found = self.by_key.get((participant.pk, currency, kind))
        if found is None:
            # A participant without an account in a currency cannot take part: no liquidity.
            raise InsufficientLiquidity(params={"currency": currency})
        return found

    def hub_fees(self, currency: str, *, sandbox: bool) -> int:
        found = self.hub.get((sandbox, currency, PositionKind.FEES))
        if found is None:
            raise InsufficientLiquidity(params={"currency": currency})
        return found


class _AnyAccounts(_Accounts):
    """Stand-in accounts (all 0) for what a quote's legs are before the lock is taken: their
    number, hence the ids of its transfers (`pay_request`). No query."""

    def __init__(self) -> None:
        self.by_key, self.hub = {}, {}

    def of(self, participant: Participant, currency: str, kind: str) -> int:
        return 0

    def hub_fees(self, currency: str, *, sandbox: bool) -> int:
        return 0


def legs_for(quote: Quote, accounts: _Accounts | None = None) -> list[Leg]:
    """The ledger legs that execute ``quote`` (see the module docstring).

    Raises:
        InsufficientLiquidity: a participant has no account in a currency it must use.
    """
    accounts = accounts or _Accounts(quote)
    _account = accounts.of
    payer, payee = quote.wallet, quote.payee_wallet
    p, r, x = payer.participant, payee.participant, quote.fx_provider
    c1, c2 = quote.source_currency, quote.destination_currency
    base = CODE_REFUND if quote.is_refund else CODE_PAYMENT
    settle, treasury = PositionKind.SETTLEMENT, PositionKind.TREASURY
    legs = [
        Leg(
            payer.ledger_account_id,
            _account(p, c1, treasury),
            quote.total_debit,
            c1,
            base + 1,
            "payer",
        )
    ]
    if x is None:
        if p.pk != r.pk:
            legs.append(
                Leg(_account(p, c1, settle), _account(r, c1, settle), quote.source_amount, c1,
                    base + 2, "position")
            )  # fmt: skip
    else:
        legs.append(
            Leg(_account(p, c1, settle), _account(x, c1, settle), quote.source_amount, c1,
                base + 2, "position")
        )  # fmt: skip
    if quote.fee_amount > 0:
        legs.append(
            Leg(_account(p, c1, settle), accounts.hub_fees(c1, sandbox=quote.sandbox),
                quote.fee_amount, c1, base + 3, "position")
        )  # fmt: skip
    if x is not None:
        legs.append(
            Leg(_account(x, c2, settle), _account(r, c2, settle), quote.destination_amount, c2,
                base + 4, "position")
        )  # fmt: skip
    legs.append(
        Leg(_account(r, c2, treasury), payee.ledger_account_id, quote.destination_amount, c2,
            base + 5, "payee")
    )  # fmt: skip
    return legs


def _leg_ids(payment_id: uuid.UUID, count: int, phase: str = "leg") -> list[uuid.UUID]:
    return [uuid.uuid5(payment_id, f"{phase}:{i}") for i in range(count)]


def _refusal(legs: list[Leg], results: list[TransferResultCode]) -> str | None:
    """The refusal code for a failed chain, None when every leg went through.

    Raises:
        RuntimeError: the ledger refused a leg for a reason that is a bug here (an unknown
            account, a currency mismatch...), not a business refusal.
    """
    for leg, code in zip(legs, results, strict=True):
        if code in (TransferResultCode.OK, TransferResultCode.EXISTS):
            continue
        if code == TransferResultCode.LINKED_EVENT_FAILED:
            continue
        if code == TransferResultCode.EXCEEDS_CREDITS:
            return "insufficient_funds" if leg.role == "payer" else "insufficient_liquidity"
        raise RuntimeError(f"the ledger refused a payment leg: {code}")
    return None


def _execute(
    payment_id: uuid.UUID, legs: list[Leg], *, pending: bool, user_data: str
) -> tuple[list[uuid.UUID], str | None]:
    ids = _leg_ids(payment_id, len(legs))
    results = ledger.transfers_create(
        _transfers(payment_id, legs, pending=pending, user_data=user_data)
    )
    return ids, _refusal(legs, [r.code for r in results])


def _transfers(
    payment_id: uuid.UUID, legs: list[Leg], *, pending: bool, user_data: str = ""
) -> list[TransferIn]:
    """The linked chain of ledger transfers that executes ``legs`` (ids derived from the
    payment's, so a replayed chain is recognised by the ledger)."""
    ids = _leg_ids(payment_id, len(legs))
    data = user_data or f"payment:{payment_id}"
    return [
        TransferIn(
            id=tid,
            debit_account_id=leg.debit,
            credit_account_id=leg.credit,
            amount=leg.amount,
            currency=leg.currency,
            code=leg.code,
            pending=pending,
            linked=i < len(legs) - 1,
            user_data=data,
        )
        for i, (tid, leg) in enumerate(zip(ids, legs, strict=True))
    ]


# --- pay ----------------------------------------------------------------------------------
def printable(value: object) -> str:
    """User text fit for storage and messages: normalised, control characters dropped.

    PostgreSQL refuses NUL in text and XML cannot carry most C0 controls, so they never reach
    the database or a pacs message.
    """
    if not isinstance(value, str):
        return ""
    return "".join(ch for ch in normalize_text(value) if ch.isprintable()).strip()


def _idempotency_key(value: object) -> str:
    key = value.strip() if isinstance(value, str) else ""
    if not 1 <= len(key) <= 200 or not key.isprintable():
        raise InvalidIdempotencyKey()
    return key


def request_hash(*, quote_id: uuid.UUID, reference: str) -> str:
    """What identifies a payment request for idempotency: the quote and the reference."""
    return hashlib.sha256(f"{quote_id}\n{reference}".encode()).hexdigest()


def _limit_breaches(pairs: list[tuple[Wallet, Quote]], now: datetime) -> list[str | None]:
    """Each wallet's limit breach (a reason) or None, for distinct wallets, from one read of
    their daily totals (`spending`)."""
    if not pairs:
        return []
    totals = spending.spent([(w.pk, w.participant.country) for w, _q in pairs], now=now)
    out = []
    for wallet, quote in pairs:
        this_month, today = totals.get(wallet.pk, (0, 0))
        out.append(
            limits.breached(
                tier=wallet.kyc_tier,
                amount=quote.total_debit,
                today=today,
                this_month=this_month,
                code=wallet.currency,
            )
        )
    return out


def _raise_refusal(payment: Payment) -> NoReturn:
    """Raise the error of a refused payment (the first answer and every retry alike)."""
    extra = {"payment_id": str(payment.pk)}
    if payment.refusal_code == "limit_exceeded":
        raise LimitExceeded(
            params={"period": payment.refusal_detail},
            extra={**extra, "limit": payment.refusal_detail},
        )
    if payment.refusal_code == "insufficient_liquidity":
        raise InsufficientLiquidity(extra=extra)
    raise InsufficientFunds(extra=extra)


def payment_create(
    *,
    quote_id: uuid.UUID,
    idempotency_key: str,
    reference: str = "",
    sender_participant: Participant | None = None,
    sender_organisation_id: int | None = None,
    sandbox: bool = False,
) -> Payment:
    """Pay a quote, once per idempotency key.

    Steps: before any lock, read the quote with both ends, screen both ends (watchlist and
    threat intelligence) and build the pacs.008/pacs.002 for the status the screening gives
    (`pay_request`). Then, inside one transaction (batched with concurrent payments of the
    process): lock the quote and the sender wallet; find an earlier payment under the same key
    (same request → it is returned, nothing moves again; other request →
    ``idempotency_conflict``); refuse a used or expired quote (nothing recorded); check the
    wallet's limits; run the legs as one linked ledger chain (a screening hit holds the
    payment: its legs are reserved as pending transfers for a reviewer), and append the
    receipts of the completed ones to the trustlog (`_append_receipts`; deferred receipts are
    queued instead). After commit, witnesses cosign; a receipt the batch could not append is
    anchored then (`receipt_ensure`).

    A refused payment (limits, funds, liquidity) is recorded with its ``refusal_code`` and the
    error raised; retrying the same request raises the same error. ``sender_participant``,
    when given, must be the PSP holding the quote's wallet; ``sender_organisation_id`` (the
    API), the organisation of that PSP in the ``sandbox`` mode.

    Events (after commit): `PaymentCompleted`, `PaymentHeld` or `PaymentRefused`.

    Raises:
        QuoteNotFound, QuoteExpired, QuoteUsed, IdempotencyConflict, LimitExceeded,
        InsufficientFunds, InsufficientLiquidity, InvalidAmount (a bad key).
    """
    key = _idempotency_key(idempotency_key)
    reference = printable(reference)[:140]
    digest = request_hash(quote_id=quote_id, reference=reference)
    quote = fastreads.quote_with_ends(quote_id)
    if quote is None:
        raise QuoteNotFound()
    psp = quote.wallet.participant
    if (sender_participant is not None and psp.pk != sender_participant.pk) or (
        sender_organisation_id is not None
        and (psp.organisation_id != sender_organisation_id or psp.sandbox != sandbox)
    ):
        raise QuoteNotFound()
    request = pay_request(quote, key=key, reference=reference, digest=digest)
    try:
        payment = _pay(request)
    except IntegrityError:
        # PostgreSQL: a concurrent request under the same key won the insert after we
        # checked; ours rolled back whole. Answer as a retry.
        payment = Payment.objects.get(wallet_id=quote.wallet_id, idempotency_key=key)
        if payment.request_hash != digest:
            raise IdempotencyConflict() from None
    if payment.status == PaymentStatus.REFUSED:
        _raise_refusal(payment)
    receipt_ensure(payment)
    return payment


@dataclass(frozen=True, slots=True)
class PayRequest:
    """A validated request to pay a quote (what group commit queues), with the work that does
    not depend on the locked state done beforehand, outside the batch's write lock: the
    payment's id and time, its screening hits, its ISO 20022 messages for the status those
    hits give (completed, or held on a hit) and, when it would complete with an inline
    receipt, that receipt's entry. The batch decides whether it is paid at all.

    ``quote`` was read without a lock; only its fields that never change after creation are
    trusted (whether it is used is read again under the lock).
    """

    quote: Quote
    key: str
    reference: str
    digest: str
    payment_id: uuid.UUID
    created_at: datetime
    hits: list[dict[str, str]]
    pacs008_xml: str
    pacs002_xml: str
    #: The receipt's trustlog entry if the payment completes with the transfers
    #: ``receipt_transfers`` (their ids follow from the payment's and the legs' number).
    receipt: tuple[str, bytes] | None = None
    receipt_transfers: tuple[str, ...] = ()

    @property
    def quote_id(self) -> uuid.UUID:
        return self.quote.pk

    @property
    def wallet_id(self) -> int:
        return self.quote.wallet_id


def pay_request(quote: Quote, *, key: str, reference: str, digest: str) -> PayRequest:
    """Prepare the request to pay ``quote`` (read with both ends, `fastreads.quote_with_ends`):
    screen both ends, build the messages and, for a payment that would complete with an
    inline receipt, the receipt's entry, before any lock is taken (after this process's
    writer, if one holds the lock: `writer_gate`)."""
    writer_gate.make_way()
    now = clock.now()
    (hits,) = screening.screen_many([quote])
    draft = _payment(quote, payment_id=uuid.uuid4(), key=key, reference=reference, digest=digest)
    draft.created_at = now
    _decided(draft, hits, now)
    _messages(draft, quote)
    receipt = None
    if draft.status == PaymentStatus.COMPLETED and not receipts_deferred():
        # ~7 % of a batch's time under the lock when built there (summary, RFC 8785).
        legs = legs_for(quote, _AnyAccounts())
        draft.transfer_ids = [str(t) for t in _leg_ids(draft.pk, len(legs))]
        receipt = receipt_entry(draft)
    return PayRequest(
        quote,
        key,
        reference,
        digest,
        draft.pk,
        now,
        hits,
        draft.pacs008_xml,
        draft.pacs002_xml,
        receipt,
        tuple(draft.transfer_ids or ()),
    )


def _payment(
    quote: Quote, *, payment_id: uuid.UUID, key: str, reference: str, digest: str
) -> Payment:
    """The payment of ``quote`` before it is decided."""
    return Payment(
        id=payment_id,
        wallet=quote.wallet,
        quote=quote,
        idempotency_key=key,
        request_hash=digest,
        reference=reference,
        sender_participant=quote.wallet.participant,
        receiver_participant=quote.payee_wallet.participant,
        sandbox=quote.sandbox,
    )


def _decided(payment: Payment, hits: list[dict[str, str]], now: datetime) -> None:
    """Mark a payment whose legs went through: held for review on a screening hit, else
    completed at ``now``."""
    payment.screening_hits = hits
    if hits:
        payment.status = PaymentStatus.HELD
    else:
        payment.status = PaymentStatus.COMPLETED
        payment.completed_at = now


def group_commit_enabled() -> bool:
    """Whether concurrent payments of a process share transactions (``PAYMENTS_GROUP_COMMIT``,
    on unless set to ``off``); see `mekong.payments.groupcommit`."""
    return switched_on("PAYMENTS_GROUP_COMMIT")


def _pay(request: PayRequest) -> Payment:
    """Apply one payment request: batched with concurrent ones (group commit) when it runs
    on its own (not inside a caller's transaction), else in a transaction of its own."""
    in_caller_transaction = transaction.get_connection().in_atomic_block
    if group_commit_enabled() and not in_caller_transaction:
        try:
            payment = _committer.submit(request, queue_timeout=QUEUE_TIMEOUT_S)
        except QueueTimeout:
            raise HubBusy() from None
    else:
        with writer.busy_on_lock_timeout(), writer.serial():
            payment = _pay_locked(request)
    if payment.receipt_index is not None and trustlog.witness_keys():
        if in_caller_transaction:
            transaction.on_commit(lambda: _cosigner.submit(None))
        else:
            _cosigner.submit(None)
    return payment


#: Longest wait of a payment queued behind other batches of its process before it is
#: withdrawn (unapplied) and answered ``hub_busy``; a batch's own lock waits are bounded by
#: `writer.LOCK_TIMEOUT_S`.
QUEUE_TIMEOUT_S = 30.0


def _pay_alone(item: Item[PayRequest, Payment]) -> None:
    try:
        with writer.busy_on_lock_timeout(), writer.serial():
            item.result = _pay_locked(item.payload)
    except Exception as exc:  # the submitting thread raises it
        item.error = exc


def _pay_batch(items: Sequence[Item[PayRequest, Payment]]) -> None:
    """Group commit's runner: apply concurrent payment requests in one transaction.

    One request per wallet goes into the batch (the limits and the idempotency check read
    the wallet's payments, which a batch-mate could change); later requests of the same
    wallet run alone after it. If the batch transaction fails as a whole (an insert race on an
    idempotency key, a deadlock, a bug), it rolled back entirely and every request is run
    alone, so each still gets its own answer. Outcomes are handed out only after commit.
    """
    batch: list[Item[PayRequest, Payment]] = []
    later: list[Item[PayRequest, Payment]] = []
    wallets: set[int] = set()
    for item in items:
        (later if item.payload.wallet_id in wallets else batch).append(item)
        wallets.add(item.payload.wallet_id)
    if batch:
        try:
            with writer.busy_on_lock_timeout(), writer.serial(), transaction.atomic():
                writer.bound_lock_waits()
                outcomes = _apply_batch([item.payload for item in batch])
        except HubBusy as busy:
            # A lock it needs is held elsewhere: one by one they would each wait as long.
            log.warning("payment batch of %d could not get its locks", len(batch))
            for item in [*batch, *later]:
                item.error = busy
            return
        except Exception:
            log.warning(
                "payment batch of %d rolled back; paying one by one", len(batch), exc_info=True
            )
            later[:0] = batch
        else:
            for item, outcome in zip(batch, outcomes, strict=True):
                if isinstance(outcome, Payment):
                    item.result = outcome
                else:
                    item.error = outcome
    for item in later:
        _pay_alone(item)


#: The gate is the SQLite writer lock: a leader takes its batch once it holds the lock, so the
#: payments that queued while it waited for another process's batch ride along.
_committer: GroupCommitter[PayRequest, Payment] = GroupCommitter(_pay_batch, gate=writer.serial)


def _apply_batch(requests: list[PayRequest]) -> list[Payment | Exception]:
    """Apply payment requests (distinct wallets) in the caller's transaction: each one's outcome is
    its payment (completed, held or refused) or the error to raise for it.

    Per request, in this order: the quote (still there), the idempotency key (a retry answers
    the earlier payment), the quote again (unused, unexpired), the wallet's limits, the ledger
    accounts, the legs as one linked chain (pending transfers, held for a reviewer, when the
    request's screening found hits). Screening and the ISO 20022 messages were done with the
    request (`pay_request`), outside the lock this runs under: on SQLite the batches of all
    processes take turns on one writer lock, so every millisecond spent here is one the other
    processes wait. Each request decides only its own outcome; the reads and writes are
    shared: one locking read of the quotes and one of the wallets (in id order, so batches of
    different processes cannot deadlock on them), one idempotency read, one limits read, one
    ledger call carrying every payment's linked chain (a refused chain moves nothing and does
    not affect the others), one insert of the payment rows and one update of the quotes."""
    now = clock.now()
    unused = fastreads.quotes_unused_locked([r.quote_id for r in requests])
    wallets = {w.pk: w for w in fastreads.wallets_locked([r.wallet_id for r in requests])}
    earlier = {
        (p.wallet_id, p.idempotency_key): p
        for p in fastreads.payments_by_key(list(wallets), [r.key for r in requests])
    }
    outcomes: list[Payment | Exception | None] = [None] * len(requests)
    todo: list[tuple[int, Payment, Quote]] = []
    prepared: dict[uuid.UUID, PayRequest] = {}
    for i, r in enumerate(requests):
        quote = r.quote
        existing = earlier.get((r.wallet_id, r.key))
        if quote.pk not in unused:
            outcomes[i] = QuoteNotFound()
        elif existing is not None:
            same = existing.request_hash == r.digest
            outcomes[i] = existing if same else IdempotencyConflict()
        elif not unused[quote.pk]:
            outcomes[i] = QuoteUsed()
        elif quote.expires_at <= now:
            outcomes[i] = QuoteExpired()
        else:
            locked = wallets[r.wallet_id]
            locked.participant = quote.wallet.participant  # read with the quote
            quote.wallet = locked
            payment = _payment(
                quote, payment_id=r.payment_id, key=r.key, reference=r.reference, digest=r.digest
            )
            payment.created_at = r.created_at
            prepared[payment.pk] = r
            todo.append((i, payment, quote))
    breaches = _limit_breaches([(p.wallet, q) for _i, p, q in todo], now)
    refused: list[tuple[int, Payment, str, str]] = []
    going: list[tuple[int, Payment, Quote]] = []
    for (i, payment, quote), breach in zip(todo, breaches, strict=True):
        if breach is not None:
            refused.append((i, payment, "limit_exceeded", breach))
        else:
            going.append((i, payment, quote))
    accounts = _Accounts(*(q for _i, _p, q in going)) if going else None
    chains: list[tuple[int, Payment, Quote, list[Leg]]] = []
    for i, payment, quote in going:
        try:
            chains.append((i, payment, quote, legs_for(quote, accounts)))
        except InsufficientLiquidity as exc:  # no account: refused before anything moves
            outcomes[i] = exc
    hits_of = [prepared[p.pk].hits for _i, p, _q, _l in chains]
    chained = [
        _transfers(payment.pk, legs, pending=bool(hits))
        for (_i, payment, _q, legs), hits in zip(chains, hits_of, strict=True)
    ]
    transfers = [t for chain in chained for t in chain]
    results = iter(ledger.transfers_create(transfers) if transfers else [])
    done: list[tuple[int, Payment, Quote]] = []
    for (i, payment, quote, legs), hits, chain in zip(chains, hits_of, chained, strict=True):
        codes = [next(results).code for _leg in legs]
        try:
            refusal = _refusal(legs, codes)
        except RuntimeError as exc:  # its chain moved nothing; the others stand
            outcomes[i] = exc
            continue
        if refusal is not None:
            refused.append((i, payment, refusal, ""))
            continue
        payment.transfer_ids = [str(t.id) for t in chain]
        request = prepared[payment.pk]
        _decided(payment, hits, request.created_at)
        # Built with the request for this very status (held exactly when there are hits).
        payment.pacs008_xml = request.pacs008_xml
        payment.pacs002_xml = request.pacs002_xml
        done.append((i, payment, quote))
    for i, payment, code, detail in refused:
        payment.status = PaymentStatus.REFUSED
        payment.refusal_code = code
        payment.refusal_detail = detail
        outcomes[i] = payment
    if done and not receipts_deferred():
        completed = [p for _i, p, _q in done if p.status == PaymentStatus.COMPLETED]
        _append_receipts(completed, [_receipt_of(prepared[p.pk], p) for p in completed])
    rows = [p for _i, p, _q in done] + [p for _i, p, _c, _d in refused]
    insert(rows)
    if done:
        fastreads.quotes_mark_used([q.pk for _i, _p, q in done], now)
        spending.add(
            (p.wallet_id, p.sender_participant.country, p.created_at, q.total_debit)
            for _i, p, q in done
        )
    decided: list[tuple[Payment, dict[str, object]]] = []
    for i, payment, quote in done:
        quote.used_at = now
        outcomes[i] = payment
        decided.append((payment, {"quote": str(quote.pk), "hits": len(payment.screening_hits)}))
    decided += [(payment, {"refusal_code": code}) for _i, payment, code, _d in refused]
    _record_many(decided)
    assert all(o is not None for o in outcomes)
    return cast(list[Payment | Exception], outcomes)


def _record(payment: Payment, *, data: dict[str, object]) -> None:
    """Audit entry, event and webhooks of a payment that was just decided (in its
    transaction)."""
    _record_many([(payment, data)])


def _record_many(decided: Sequence[tuple[Payment, dict[str, object]]]) -> None:
    """`_record` for the payments of one batch: one insert each of audit entries, outbox
    events and webhook deliveries."""
    audit_record_many(
        {
            "action": f"payments.payment_{payment.status}",
            "organisation_id": payment.sender_participant.organisation_id,
            "object_type": "payments_payment",
            "object_id": str(payment.pk),
            "data": data,
        }
        for payment, data in decided
    )
    publish_many([_status_event(payment) for payment, _data in decided])
    webhooks.enqueue_many([payment for payment, _data in decided])


def _status_event(payment: Payment) -> PaymentCompleted | PaymentHeld | PaymentRefused:
    if payment.status == PaymentStatus.REFUSED:
        return PaymentRefused(payment_id=str(payment.pk), status=payment.refusal_code or "")
    event = PaymentHeld if payment.status == PaymentStatus.HELD else PaymentCompleted
    return event(payment_id=str(payment.pk), status=payment.status)


def _pay_locked(request: PayRequest) -> Payment:
    """Apply one payment request in a transaction of its own (a savepoint inside a caller's):
    `_apply_batch` of one, so a payment alone goes through exactly the checks of a batch.

    Raises:
        The request's refusal error (quote used, expired or not found, idempotency conflict).
    """
    outermost = not transaction.get_connection().in_atomic_block
    with transaction.atomic():
        if outermost:  # SET LOCAL would otherwise outlive this call in the caller's transaction
            writer.bound_lock_waits()
        (outcome,) = _apply_batch([request])
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _refuse(payment: Payment, code: str, *, detail: str = "") -> Payment:
    payment.status = PaymentStatus.REFUSED
    payment.refusal_code = code
    payment.refusal_detail = detail
    payment.save(force_insert=True)
    _record(payment, data={"refusal_code": code})
    return payment


# --- evidence -----------------------------------------------------------------------------
def summary(payment: Payment) -> dict[str, object]:
    """The payment's public summary, anchored in the trustlog (no names, no account numbers)."""
    q = payment.quote
    return {
        "payment_id": str(payment.pk),
        "refund_of": str(payment.refund_of_id) if payment.refund_of_id else None,
        "status": payment.status,
        "sender_psp": payment.sender_participant.code,
        "receiver_psp": payment.receiver_participant.code,
        "fx_provider": q.fx_provider.code if q.fx_provider else None,
        "source": {"amount": q.source_amount, "currency": q.source_currency},
        "destination": {"amount": q.destination_amount, "currency": q.destination_currency},
        "fee": {"amount": q.fee_amount, "currency": q.source_currency},
        "rate": q.rate,
        "ledger_transfers": list(payment.transfer_ids),
        "completed_at": payment.completed_at.isoformat() if payment.completed_at else None,
        "sandbox": payment.sandbox,
    }


def _receipt_of(request: PayRequest, payment: Payment) -> tuple[str, bytes]:
    """The receipt entry built with the request, if the payment completed as it assumed
    (with the same transfers), else built now."""
    if request.receipt is not None and list(request.receipt_transfers) == payment.transfer_ids:
        return request.receipt
    return receipt_entry(payment)


def _append_receipts(
    payments: Sequence[Payment], entries: Sequence[tuple[str, bytes]] | None = None
) -> None:
    """Inline receipts of a batch's completed payments: their entries go into the trustlog in
    the batch's own transaction (`trustlog.append_signed`, one append and one signed
    checkpoint), so each payment is stored with its ``receipt_index`` and commits with its
    entry or not at all. The log's writes ride on the batch's turn of the writer lock instead
    of taking three turns of their own after it. Witnesses are asked after commit, outside
    the lock, by each request's thread (`_cosigner`).

    The log is another module's store: if it cannot append, the savepoint it ran in is rolled
    back, the error logged, and the payments go through without an index (the next read or
    retry anchors them, `receipt_ensure`). ``entries``: the payments' receipt entries when
    they were built before the lock (`_receipt_of`)."""
    if not payments:
        return
    try:
        appended = trustlog.append_signed(
            list(entries) if entries is not None else [receipt_entry(p) for p in payments]
        )
    except Exception:  # the payments stand; their receipts can be made later
        log.exception("could not append the receipts of %d payments", len(payments))
        return
    for n, payment in enumerate(payments):
        payment.receipt_index = appended.first_index + n
    if appended.compaction_due:  # after commit: the log's larger index merges, off this batch
        log_compaction.kick()


def _cosign(items: Sequence[Item[None, None]]) -> None:
    """Group commit's runner for cosignatures: after payments with inline receipts committed,
    ask the witnesses once for all the requests waiting (`trustlog.cosign`; its writes in the
    writer queue, its witness requests outside it). A failure costs the receipts
    cosignatures, not their entries: it is logged."""
    try:
        trustlog.cosign(write_section=writer.serial)
    except Exception:
        log.exception("could not collect cosignatures for %d payment receipts", len(items))


#: No gate: witnesses are asked outside the writer lock, never inside a payment batch.
_cosigner: GroupCommitter[None, None] = GroupCommitter(_cosign)


def anchor_receipt(payment: Payment) -> None:
    """Anchor the payment's summary in the trustlog and keep the entry index: for a payment
    whose batch could not append its receipt, and for released and refunded payments.

    Runs after the payment committed: the log is another module's store and its witnesses
    are separate processes, so money never waits on them. A failure leaves ``receipt_index``
    empty and is retried by the next read or retry of the payment (`receipt_ensure`).

    Concurrent calls of a process (not inside a transaction) share the work by group commit:
    one `trustlog.anchor_many` for the receipts queued meanwhile, one append and one signed
    checkpoint for all instead of one each, which is what an inline receipt mostly costs.
    """
    if not transaction.get_connection().in_atomic_block:
        _receipts_committer.submit(payment)
        return
    try:
        receipt = trustlog.anchor(*receipt_entry(payment))
    except Exception:  # the payment stands; the receipt can be made later
        log.exception("could not anchor payment %s", payment.pk)
        return
    payment.receipt_index = receipt.entry.index
    Payment.objects.filter(pk=payment.pk, receipt_index=None).update(
        receipt_index=receipt.entry.index
    )


def _anchor_batch(items: Sequence[Item[Payment, None]]) -> None:
    """Group commit's runner for inline receipts: anchor the queued payments' receipts with one
    `trustlog.anchor_many` (each payment once, however many requests wait for it, and not
    again if it was anchored since its caller read it) and store their indexes in one UPDATE.
    A failure is logged and leaves them empty, as `anchor_receipt` does (the next read or retry
    anchors them)."""
    payments: dict[uuid.UUID, Payment] = {}
    for item in items:
        payments.setdefault(item.payload.pk, item.payload)
    # Anchored since the caller read it (by an earlier batch, say, for a retry): keep that.
    indexes = {k: v for k, v in fastreads.receipt_indexes(list(payments)).items() if v is not None}
    todo = [p for pk, p in payments.items() if pk not in indexes]
    try:
        fresh = anchor_receipts(todo)
        if fresh:
            with writer.serial():
                # A payment anchored meanwhile by another path keeps the index it got first.
                fastreads.receipts_set(fresh)
    except Exception:  # the payments stand; their receipts can be made later
        log.exception("could not anchor the receipts of %d payments", len(todo))
        return
    indexes.update(fresh)
    for item in items:
        item.payload.receipt_index = indexes[item.payload.pk]


_receipts_committer: GroupCommitter[Payment, None] = GroupCommitter(_anchor_batch)


def anchor_receipts(payments: Sequence[Payment]) -> dict[uuid.UUID, int]:
    """Anchor the receipts of ``payments`` with one `trustlog.anchor_many` (its writes in the
    SQLite writer queue, its witness requests outside it) and return each one's log index;
    storing the indexes is the caller's. Raises what anchoring raised."""
    if not payments:
        return {}
    anchored = trustlog.anchor_many(
        [receipt_entry(p) for p in payments], write_section=writer.serial
    )
    return {p.pk: r.entry.index for p, r in zip(payments, anchored, strict=True)}


def receipt_entry(payment: Payment) -> tuple[str, bytes]:
    """The trustlog entry (kind, payload) of a payment's receipt: its `summary` in RFC 8785
    canonical JSON, so anyone holding the summary can recompute the leaf."""
    return "payment", rfc8785.dumps(cast(Any, summary(payment)))


def receipts_deferred() -> bool:
    """Whether receipts are anchored in the background (``PAYMENTS_RECEIPTS=deferred``).

    Inline (the default) anchors each payment right after it commits, so the answer carries
    its ``receipt_index``. Deferred leaves that to the server's background loop and ``mekong
    payments anchor`` (`mekong.payments.receipts`), taking the trustlog's writes out of the
    payment's path.
    """
    return os.environ.get("PAYMENTS_RECEIPTS", "inline").strip().lower() == "deferred"


def receipt_ensure(payment: Payment, *, force: bool = False) -> None:
    """Anchor a completed payment whose receipt is missing (idempotent; inline mode only
    unless ``force``)."""
    if payment.receipt_index is None and payment.status in (
        PaymentStatus.COMPLETED,
        PaymentStatus.REFUNDED,
    ):
        if force or not receipts_deferred():
            anchor_receipt(payment)
        else:
            from mekong.payments import receipts

            receipts.kick()  # queued in the payment's transaction; the loop anchors it


def _messages(payment: Payment, quote: Quote) -> None:
    """Build the pacs.008 for the payment and the pacs.002 for its current status."""
    from mekong.payments import messages  # lxml is loaded only when payments run

    payment.pacs008_xml = messages.pacs008_for(payment, quote)
    payment.pacs002_xml = messages.pacs002_for(payment, quote)


# --- review -------------------------------------------------------------------------------
def _resolve_held(payment_id: uuid.UUID, *, reviewer_user_id: int, post: bool) -> Payment:
    now = clock.now()
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update(of=("self",))
            .select_related("quote", "sender_participant", "receiver_participant")
            .filter(pk=payment_id)
            .first()
        )
        if payment is None:
            raise PaymentNotFound()
        target = PaymentStatus.COMPLETED if post else PaymentStatus.REJECTED
        if payment.status == target and payment.reviewed_by_id == reviewer_user_id:
            return payment  # a retried review
        if payment.status != PaymentStatus.HELD:
            raise NotReviewable()
        pending_ids = [uuid.UUID(t) for t in payment.transfer_ids]
        phase = "post" if post else "void"
        ids = _leg_ids(payment.pk, len(pending_ids), phase)
        batch = [
            TransferIn(
                id=tid,
                pending_id=pid,
                post_pending=post,
                void_pending=not post,
                linked=i < len(ids) - 1,
            )
            for i, (tid, pid) in enumerate(zip(ids, pending_ids, strict=True))
        ]
        results = ledger.transfers_create(batch)
        bad = [r.code for r in results if not r.succeeded]
        if bad:
            raise RuntimeError(f"the ledger refused to {phase} a held payment: {bad}")
        payment.status = target
        if not post:  # a rejected payment no longer counts against the wallet's limits
            spending.add(
                [
                    (
                        payment.wallet_id,
                        payment.sender_participant.country,
                        payment.created_at,
                        -payment.quote.total_debit,
                    )
                ]
            )
        payment.reviewed_by_id = reviewer_user_id
        payment.reviewed_at = now
        if post:
            payment.completed_at = now
        payment.pacs002_xml = _status_xml(payment)
        payment.save(
            update_fields=["status", "reviewed_by", "reviewed_at", "completed_at", "pacs002_xml"]
        )
        audit_record(
            action=f"payments.payment_{'released' if post else 'rejected'}",
            actor_user_id=reviewer_user_id,
            organisation_id=payment.sender_participant.organisation_id,
            object_type="payments_payment",
            object_id=str(payment.pk),
        )
        status_event = (PaymentCompleted if post else PaymentRefused)(
            payment_id=str(payment.pk), status=payment.status
        )
        review_event = (PaymentReleased if post else PaymentRejected)(payment_id=str(payment.pk))
        publish_many([status_event, review_event])
        webhooks.enqueue(payment, reviewed=True)
    if post:
        receipt_ensure(payment)
    return payment


def _status_xml(payment: Payment) -> str:
    from mekong.payments import messages

    return messages.pacs002_for(payment, payment.quote)


def review_release(payment_id: uuid.UUID, *, reviewer_user_id: int) -> Payment:
    """Release a held payment: post its reserved legs; it completes and is anchored.

    Raises:
        PaymentNotFound: no such payment.
        NotReviewable: it is not held (a repeated release by the same reviewer is a no-op).
    """
    return _resolve_held(payment_id, reviewer_user_id=reviewer_user_id, post=True)


def review_reject(payment_id: uuid.UUID, *, reviewer_user_id: int) -> Payment:
    """Reject a held payment: void its reserved legs; the money returns where it was.

    Raises:
        PaymentNotFound: no such payment.
        NotReviewable: it is not held.
    """
    return _resolve_held(payment_id, reviewer_user_id=reviewer_user_id, post=False)


# --- refunds ------------------------------------------------------------------------------
def refund_create(*, payment_id: uuid.UUID, amount: int, idempotency_key: str) -> Payment:
    """Send (part of) a completed payment back: payee → original sender, at the original rate.

    ``amount`` is in the payment's destination currency (what the payee gives back), at most
    what is left unrefunded. The sender gets the matching share of the principal, rounded
    down (the whole principal for a full refund); the fee is not refunded. Idempotent on
    (payee wallet, key): a retry returns the same refund. When the whole destination amount
    has been refunded the original payment's status becomes ``refunded``.

    Raises:
        PaymentNotFound, RefundNotAllowed, InvalidAmount, IdempotencyConflict,
        InsufficientFunds (the payee's wallet), InsufficientLiquidity.
    """
    key = _idempotency_key(idempotency_key)
    if not fx.is_minor(amount, AMOUNT_MAX):
        raise InvalidAmount()
    digest = hashlib.sha256(f"refund\n{payment_id}\n{amount}".encode()).hexdigest()
    now = clock.now()
    with transaction.atomic():
        original = (
            Payment.objects.select_for_update(of=("self",))
            .select_related(
                "quote__wallet__participant",
                "quote__payee_wallet__participant",
                "quote__fx_provider",
            )
            .filter(pk=payment_id, refund_of=None)
            .first()
        )
        if original is None:
            raise PaymentNotFound()
        q = original.quote
        payer = q.payee_wallet  # the refund is paid by the original payee
        existing = Payment.objects.filter(wallet=payer, idempotency_key=key).first()
        if existing is not None:
            if existing.request_hash != digest:
                raise IdempotencyConflict()
            if existing.status == PaymentStatus.REFUSED:
                _raise_refusal(existing)
            return existing
        left = q.destination_amount - original.refunded_amount
        if original.status != PaymentStatus.COMPLETED or amount > left:
            raise RefundNotAllowed(extra={"refundable": max(left, 0)})
        if amount == left:
            back = q.source_amount - _refunded_source(original)
        else:
            back = amount * q.source_amount // q.destination_amount
        if back <= 0:
            raise InvalidAmount()
        reverse = Quote.objects.create(
            wallet=payer,
            payee_wallet=q.wallet,
            fx_provider=q.fx_provider,
            fixed="source",
            source_currency=q.destination_currency,
            source_amount=amount,
            destination_currency=q.source_currency,
            destination_amount=back,
            rate=fx.rate_text(Decimal(back) / Decimal(amount)),
            mid=q.mid,
            fee_amount=0,
            total_debit=amount,
            is_refund=True,
            sandbox=q.sandbox,
            created_at=now,
            expires_at=now,
            used_at=now,
        )
        refund = Payment(
            id=uuid.uuid4(),
            wallet=payer,
            quote=reverse,
            idempotency_key=key,
            request_hash=digest,
            reference=f"refund {original.pk}"[:140],
            sender_participant=payer.participant,
            receiver_participant=q.wallet.participant,
            refund_of=original,
            sandbox=q.sandbox,
            created_at=now,
        )
        ids, refusal = _execute(
            refund.pk, legs_for(reverse), pending=False, user_data=f"refund:{refund.pk}"
        )
        if refusal is not None:
            refused = _refuse(refund, refusal)
        else:
            refused = None
            refund.transfer_ids = [str(i) for i in ids]
            refund.status = PaymentStatus.COMPLETED
            refund.completed_at = now
            _messages(refund, reverse)
            refund.save(force_insert=True)
            original.refunded_amount += amount
            if original.refunded_amount == q.destination_amount:
                original.status = PaymentStatus.REFUNDED
            original.save(update_fields=["refunded_amount", "status"])
            audit_record(
                action="payments.payment_refunded",
                organisation_id=payer.participant.organisation_id,
                object_type="payments_payment",
                object_id=str(original.pk),
                data={"refund": str(refund.pk), "amount": amount},
            )
            publish(PaymentCompleted(payment_id=str(refund.pk), status=refund.status))
            webhooks.enqueue(refund)
    if refused is not None:
        _raise_refusal(refused)
    receipt_ensure(refund)
    return refund


def _refunded_source(original: Payment) -> int:
    total = (
        Payment.objects.filter(refund_of=original, status=PaymentStatus.COMPLETED)
        .aggregate(total=Sum("quote__destination_amount"))
        .get("total")
    )
    return int(total or 0)
