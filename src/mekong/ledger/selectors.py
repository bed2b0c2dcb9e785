"""Reads of the ledger: permission-checked account lookups, balances, history, statements, and
the invariant check that tests, the crash test and operators run.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet, Sum

from mekong.core import clock
from mekong.identity.contracts import Actor
from mekong.ledger.contracts import (
    AccountInfo,
    BalanceInfo,
    Statement,
    StatementLine,
    TransferInfo,
)
from mekong.ledger.errors import AccountNotFound, InvalidPeriod
from mekong.ledger.models import Account, PendingResolution, ResolutionStatus, Transfer


# --- accounts -----------------------------------------------------------------------------
def accounts_for(actor: Actor) -> QuerySet[Account]:
    """Accounts of the actor's organisation (none for an actor without one), oldest first."""
    if actor.organisation_id is None:
        return Account.objects.none()
    return Account.objects.filter(organisation_id=actor.organisation_id).order_by("id")


def account_get_for(*, actor: Actor, account_id: int) -> Account:
    """Return an account of the actor's organisation.

    Raises:
        AccountNotFound: no such account, or another organisation's (indistinguishable).
    """
    account = accounts_for(actor).filter(pk=account_id).first()
    if account is None:
        raise AccountNotFound()
    return account


def balance_of(account: Account) -> BalanceInfo:
    """The totals of a loaded account as a contract."""
    return BalanceInfo(
        account_id=account.pk,
        currency=account.currency,
        debits_pending=account.debits_pending,
        debits_posted=account.debits_posted,
        credits_pending=account.credits_pending,
        credits_posted=account.credits_posted,
    )


def account_info_of(account: Account) -> AccountInfo:
    """A loaded account as a contract."""
    return AccountInfo(
        id=account.pk,
        external_id=account.external_id,
        organisation_id=account.organisation_id,
        name=account.name,
        currency=account.currency,
        code=account.code,
        debits_must_not_exceed_credits=account.debits_must_not_exceed_credits,
        credits_must_not_exceed_debits=account.credits_must_not_exceed_debits,
        balances=balance_of(account),
        user_data=account.user_data,
        created_at=account.created_at,
    )


# --- transfers ----------------------------------------------------------------------------
def pending_status(transfer: Transfer, *, now: datetime | None = None) -> str | None:
    """``pending``/``posted``/``voided``/``expired`` for a pending transfer, else None.

    Needs ``resolution`` selected (``select_related("resolution")``) to avoid a query.
    """
    if not transfer.is_pending:
        return None
    resolution = getattr(transfer, "resolution", None)
    if resolution is not None:
        return str(resolution.status)
    if transfer.expires_at is not None and transfer.expires_at <= (now or clock.now()):
        return ResolutionStatus.EXPIRED.value
    return "pending"


def transfer_info_of(transfer: Transfer, *, now: datetime | None = None) -> TransferInfo:
    """A loaded transfer as a contract (``resolution`` selected for pending transfers)."""
    resolution = getattr(transfer, "resolution", None) if transfer.is_pending else None
    return TransferInfo(
        id=transfer.id,
        debit_account_id=transfer.debit_account_id,
        credit_account_id=transfer.credit_account_id,
        amount=transfer.amount,
        currency=transfer.currency,
        code=transfer.code,
        pending_id=transfer.pending_id,
        pending=transfer.is_pending,
        post_pending=transfer.post_pending,
        void_pending=transfer.void_pending,
        linked=transfer.linked,
        timeout=transfer.timeout,
        user_data=transfer.user_data,
        timestamp=transfer.timestamp,
        expires_at=transfer.expires_at,
        status=pending_status(transfer, now=now),
        amount_posted=resolution.amount_posted if resolution is not None else None,
    )


def transfers_get(ids: list[uuid.UUID]) -> dict[uuid.UUID, TransferInfo]:
    """Stored transfers by id (missing ids are absent from the result); one query."""
    now = clock.now()
    rows = Transfer.objects.filter(pk__in=ids).select_related("resolution")
    return {t.id: transfer_info_of(t, now=now) for t in rows}


def _period(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and until <= since:
        raise InvalidPeriod(extra={"errors": [{"field": "until", "code": "before_since"}]})


def history(
    *,
    account_id: int,
    since: datetime | None = None,
    until: datetime | None = None,
    code: int | None = None,
) -> QuerySet[Transfer]:
    """Every transfer row that touches the account, newest first, optionally filtered.

    ``since`` is inclusive and ``until`` exclusive (server timestamps). Includes pending, post
    and void rows; pending rows carry their resolution (selected).

    Raises:
        InvalidPeriod: ``until`` is not after ``since``.
    """
    _period(since, until)
    qs = Transfer.objects.filter(Q(debit_account_id=account_id) | Q(credit_account_id=account_id))
    if since is not None:
        qs = qs.filter(timestamp__gte=since)
    if until is not None:
        qs = qs.filter(timestamp__lt=until)
    if code is not None:
        qs = qs.filter(code=code)
    return qs.select_related("resolution").order_by("-seq")


def _postings(account_id: int) -> QuerySet[Transfer]:
    # Rows that moved posted totals: single transfers and posts (a post stores what it posted).
    return Transfer.objects.filter(
        Q(debit_account_id=account_id) | Q(credit_account_id=account_id),
        is_pending=False,
        void_pending=False,
    )


def _sums(qs: QuerySet[Transfer], account_id: int) -> tuple[int, int]:
    totals = qs.aggregate(
        debits=Sum("amount", filter=Q(debit_account_id=account_id), default=0),
        credits=Sum("amount", filter=Q(credit_account_id=account_id), default=0),
    )
    return int(totals["debits"]), int(totals["credits"])


def statement(
    *,
    account_id: int,
    since: datetime,
    until: datetime,
    offset: int = 0,
    limit: int | None = None,
) -> Statement:
    """Posted movements of an account in ``[since, until)``, with balances; lines paginated.

    Balance means credits posted minus debits posted. The opening balance sums the postings
    before ``since``; ``balance_after`` of the first line of a page adds the period's postings
    before that page, so every page reads consistently. Pending reservations are not postings;
    the posted part of a pending transfer appears on the day it was posted.

    Raises:
        AccountNotFound: no such account.
        InvalidPeriod: ``until`` is not after ``since``.
    """
    _period(since, until)
    account = Account.objects.filter(pk=account_id).only("id", "currency").first()
    if account is None:
        raise AccountNotFound()
    postings = _postings(account_id)
    opening_debits, opening_credits = _sums(postings.filter(timestamp__lt=since), account_id)
    period = postings.filter(timestamp__gte=since, timestamp__lt=until).order_by("seq")
    totals = period.aggregate(
        debits=Sum("amount", filter=Q(debit_account_id=account_id), default=0),
        credits=Sum("amount", filter=Q(credit_account_id=account_id), default=0),
        count=Count("id"),
    )
    opening = opening_credits - opening_debits
    end = None if limit is None else offset + limit
    page = list(period[offset:end])
    running = opening
    if page and offset:
        before_debits, before_credits = _sums(period.filter(seq__lt=page[0].seq), account_id)
        running += before_credits - before_debits
    lines = []
    for t in page:
        debit = t.amount if t.debit_account_id == account_id else 0
        credit = t.amount if t.credit_account_id == account_id else 0
        running += credit - debit
        lines.append(
            StatementLine(
                transfer_id=t.id,
                timestamp=t.timestamp,
                code=t.code,
                debit=debit,
                credit=credit,
                balance_after=running,
                user_data=t.user_data,
            )
        )
    return Statement(
        account_id=account_id,
        currency=account.currency,
        since=since,
        until=until,
        opening_balance=opening,
        closing_balance=opening + int(totals["credits"]) - int(totals["debits"]),
        total_debits=int(totals["debits"]),
        total_credits=int(totals["credits"]),
        line_count=int(totals["count"]),
        lines=tuple(lines),
    )


# --- invariants ---------------------------------------------------------------------------
def invariants_check() -> list[str]:
    """Recompute the ledger from its history and return every violation (empty when sound).

    Checks: per currency, Σ debits = Σ credits for posted and for pending totals; no total is
    negative and no flagged account is beyond its limit; every account's four totals equal what
    its transfer rows imply; every post/void row and its pending transfer's resolution agree;
    every transfer's currency is its accounts' currency. (Each transfer id is stored at most
    once by the primary key, and resolves at most once by two unique keys.) Reads the whole
    ledger: for tests, the crash test and operators' audits, not for request paths.
    """
    problems: list[str] = []
    per_currency = Account.objects.values("currency").annotate(
        dp=Sum("debits_pending"),
        dpo=Sum("debits_posted"),
        cp=Sum("credits_pending"),
        cpo=Sum("credits_posted"),
    )
    for row in per_currency.order_by("currency"):
        if row["dpo"] != row["cpo"]:
            problems.append(
                f"{row['currency']}: debits posted {row['dpo']} != credits posted {row['cpo']}"
            )
        if row["dp"] != row["cp"]:
            problems.append(
                f"{row['currency']}: debits pending {row['dp']} != credits pending {row['cp']}"
            )

    expected: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    posted = Transfer.objects.filter(is_pending=False, void_pending=False)
    reserved = Transfer.objects.filter(is_pending=True, resolution__isnull=True)
    for qs, debit_slot, credit_slot in ((reserved, 0, 2), (posted, 1, 3)):
        for account_id, total in qs.values_list("debit_account_id").annotate(s=Sum("amount")):
            expected[account_id][debit_slot] = int(total)
        for account_id, total in qs.values_list("credit_account_id").annotate(s=Sum("amount")):
            expected[account_id][credit_slot] = int(total)

    for a in Account.objects.order_by("id").iterator(chunk_size=2000):
        actual = [a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted]
        if min(actual) < 0:
            problems.append(f"account {a.pk}: negative total {actual}")
        if a.debits_must_not_exceed_credits and a.debits_pending + a.debits_posted > (
            a.credits_posted
        ):
            problems.append(f"account {a.pk}: debits exceed credits")
        if a.credits_must_not_exceed_debits and a.credits_pending + a.credits_posted > (
            a.debits_posted
        ):
            problems.append(f"account {a.pk}: credits exceed debits")
        want = expected.pop(a.pk, [0, 0, 0, 0])
        if actual != want:
            problems.append(
                f"account {a.pk}: totals (dp, dpo, cp, cpo) {actual} but history implies {want}"
            )
    problems.extend(f"transfers reference missing account {a}" for a in expected)

    mismatched = Transfer.objects.exclude(currency=F("debit_account__currency")) | (
        Transfer.objects.exclude(currency=F("credit_account__currency"))
    )
    problems.extend(
        f"transfer {transfer_id}: currency differs from an account's"
        for transfer_id in mismatched.values_list("id", flat=True)[:100]
    )

    resolving = Transfer.objects.filter(Q(post_pending=True) | Q(void_pending=True)).values_list(
        "id", "pending_id", "post_pending", "amount"
    )
    resolutions = {
        r.pk: r
        for r in PendingResolution.objects.select_related("pending").only(
            "pending_id",
            "status",
            "resolved_by_id",
            "amount_posted",
            "pending__amount",
            "pending__is_pending",
        )
    }
    for transfer_id, pending_id, is_post, amount in resolving:
        res = resolutions.get(pending_id)
        status = ResolutionStatus.POSTED if is_post else ResolutionStatus.VOIDED
        if res is None or res.resolved_by_id != transfer_id or res.status != status:
            problems.append(f"transfer {transfer_id}: resolution of {pending_id} missing or wrong")
        elif is_post and res.amount_posted != amount:
            problems.append(f"transfer {transfer_id}: posted {amount}, resolution says otherwise")
    for res in resolutions.values():
        if not res.pending.is_pending:
            problems.append(f"pending {res.pk}: resolved but not a pending transfer")
        if res.amount_posted > res.pending.amount:
            problems.append(f"pending {res.pk}: posted more than reserved")
        if res.status == ResolutionStatus.EXPIRED and res.resolved_by_id is not None:
            problems.append(f"pending {res.pk}: expired but resolved by a transfer")
    return problems
