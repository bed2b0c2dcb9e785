"""Ledger operator API: the caller's organisation's accounts, balances, history, statements.

Every account lookup goes through `selectors.account_get_for`, so another organisation's
account answers 404 exactly like a missing one. Transfers are not created over HTTP: the
modules that own the business flows (payments, escrow) call the facade.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import AwareDatetime, Field

from mekong.core import clock
from mekong.core.pagination import Page, paginate
from mekong.core.schemas import COMMON_ERRORS, PageOut, ProblemOut
from mekong.identity.contracts import Actor
from mekong.ledger import selectors, services
from mekong.ledger.models import Account, Transfer

router = Router(tags=["ledger"])


class AccountOut(Schema):
    """An account with its totals in minor units; ``balance`` = credits − debits posted."""

    id: int
    external_id: uuid.UUID
    name: str
    currency: str
    code: int
    debits_must_not_exceed_credits: bool
    credits_must_not_exceed_debits: bool
    debits_pending: int
    debits_posted: int
    credits_pending: int
    credits_posted: int
    balance: int = Field(description="credits_posted - debits_posted")
    available: int = Field(description="credits_posted - debits_posted - debits_pending")
    user_data: str
    created_at: datetime


class AccountIn(Schema):
    """A request to open an account for the caller's organisation."""

    currency: str = Field(min_length=3, max_length=3, description="ISO 4217 code, e.g. THB")
    code: int = Field(ge=1, le=65535, description="Business code of the account's kind")
    name: str = Field(default="", max_length=200)
    external_id: uuid.UUID | None = Field(
        default=None, description="Your key for idempotent retries; generated when absent"
    )
    debits_must_not_exceed_credits: bool = False
    credits_must_not_exceed_debits: bool = False
    user_data: str = Field(default="", max_length=128)


class TransferOut(Schema):
    """A transfer touching the account; ``status`` only for pending transfers."""

    id: uuid.UUID
    kind: str = Field(description="single, pending, post_pending or void_pending")
    debit_account_id: int
    credit_account_id: int
    amount: int
    currency: str
    code: int
    pending_id: uuid.UUID | None
    linked: bool
    timeout: int
    user_data: str
    timestamp: datetime
    expires_at: datetime | None
    status: str | None = Field(description="pending, posted, voided or expired (pending only)")


class HistoryFilter(Schema):
    """Filters of the history: ``since`` inclusive, ``until`` exclusive, business code."""

    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    code: int | None = Field(default=None, ge=0, le=65535)


class Period(Schema):
    """A statement period: ``since`` inclusive, ``until`` exclusive (aware datetimes)."""

    since: AwareDatetime
    until: AwareDatetime


class StatementLineOut(Schema):
    """One posting; ``balance_after`` is credits − debits posted after it."""

    transfer_id: uuid.UUID
    timestamp: datetime
    code: int
    debit: int
    credit: int
    balance_after: int
    user_data: str


class StatementOut(Schema):
    """Posted movements in a period; ``items`` is one page of ``count`` lines."""

    account_id: int
    currency: str
    since: datetime
    until: datetime
    opening_balance: int
    closing_balance: int
    total_debits: int
    total_credits: int
    items: list[StatementLineOut]
    count: int


def _actor(request: HttpRequest) -> Actor:
    actor = request.auth  # type: ignore[attr-defined]
    assert isinstance(actor, Actor)
    return actor


def _account_out(a: Account) -> AccountOut:
    return AccountOut(
        id=a.pk,
        external_id=a.external_id,
        name=a.name,
        currency=a.currency,
        code=a.code,
        debits_must_not_exceed_credits=a.debits_must_not_exceed_credits,
        credits_must_not_exceed_debits=a.credits_must_not_exceed_debits,
        debits_pending=a.debits_pending,
        debits_posted=a.debits_posted,
        credits_pending=a.credits_pending,
        credits_posted=a.credits_posted,
        balance=a.credits_posted - a.debits_posted,
        available=a.credits_posted - a.debits_posted - a.debits_pending,
        user_data=a.user_data,
        created_at=a.created_at,
    )


def _transfer_out(t: Transfer, now: datetime) -> TransferOut:
    return TransferOut(
        id=t.id,
        kind=t.kind,
        debit_account_id=t.debit_account_id,
        credit_account_id=t.credit_account_id,
        amount=t.amount,
        currency=t.currency,
        code=t.code,
        pending_id=t.pending_id,
        linked=t.linked,
        timeout=t.timeout,
        user_data=t.user_data,
        timestamp=t.timestamp,
        expires_at=t.expires_at,
        status=selectors.pending_status(t, now=now),
    )


@router.get(
    "/accounts",
    response={200: PageOut[AccountOut], **COMMON_ERRORS},
    summary="List my organisation's accounts",
)
def accounts_list(request: HttpRequest, page: Query[Page]) -> PageOut[AccountOut]:
    """Accounts of the caller's organisation with their balances, oldest first."""
    items, count = paginate(selectors.accounts_for(_actor(request)), page)
    return PageOut[AccountOut](items=[_account_out(a) for a in items], count=count)


@router.post(
    "/accounts",
    response={201: AccountOut, 403: ProblemOut, 409: ProblemOut, **COMMON_ERRORS},
    summary="Open an account",
)
def account_create(request: HttpRequest, payload: AccountIn) -> Status[AccountOut]:
    """Open an account for the caller's organisation (owners and administrators).

    Idempotent on ``external_id``: the same request again returns the same account (201);
    the same ``external_id`` with other fields is a 409.
    """
    actor = _actor(request)
    account = services.account_create(
        actor=actor,
        organisation_id=actor.organisation_id or 0,
        currency=payload.currency,
        code=payload.code,
        name=payload.name,
        external_id=payload.external_id,
        debits_must_not_exceed_credits=payload.debits_must_not_exceed_credits,
        credits_must_not_exceed_debits=payload.credits_must_not_exceed_debits,
        user_data=payload.user_data,
    )
    return Status(201, _account_out(account))


@router.get(
    "/accounts/{account_id}",
    response={200: AccountOut, 404: ProblemOut, **COMMON_ERRORS},
    summary="Get an account",
)
def account_get(request: HttpRequest, account_id: int) -> AccountOut:
    """One account of the caller's organisation; 404 for any other."""
    return _account_out(selectors.account_get_for(actor=_actor(request), account_id=account_id))


@router.get(
    "/accounts/{account_id}/transfers",
    response={200: PageOut[TransferOut], 404: ProblemOut, **COMMON_ERRORS},
    summary="Account history",
)
def account_history(
    request: HttpRequest, account_id: int, filters: Query[HistoryFilter], page: Query[Page]
) -> PageOut[TransferOut]:
    """Every transfer touching the account (pending, post, void, single), newest first."""
    account = selectors.account_get_for(actor=_actor(request), account_id=account_id)
    qs = selectors.history(
        account_id=account.pk, since=filters.since, until=filters.until, code=filters.code
    )
    items, count = paginate(qs, page)
    now = clock.now()
    return PageOut[TransferOut](items=[_transfer_out(t, now) for t in items], count=count)


@router.get(
    "/accounts/{account_id}/statement",
    response={200: StatementOut, 404: ProblemOut, **COMMON_ERRORS},
    summary="Account statement",
)
def account_statement(
    request: HttpRequest, account_id: int, period: Query[Period], page: Query[Page]
) -> StatementOut:
    """Opening balance, posted lines (paginated, oldest first) and closing balance."""
    account = selectors.account_get_for(actor=_actor(request), account_id=account_id)
    st = selectors.statement(
        account_id=account.pk,
        since=period.since,
        until=period.until,
        offset=page.offset,
        limit=page.limit,
    )
    return StatementOut(
        account_id=st.account_id,
        currency=st.currency,
        since=st.since,
        until=st.until,
        opening_balance=st.opening_balance,
        closing_balance=st.closing_balance,
        total_debits=st.total_debits,
        total_credits=st.total_credits,
        items=[
            StatementLineOut(
                transfer_id=line.transfer_id,
                timestamp=line.timestamp,
                code=line.code,
                debit=line.debit,
                credit=line.credit,
                balance_after=line.balance_after,
                user_data=line.user_data,
            )
            for line in st.lines
        ],
        count=st.line_count,
    )
