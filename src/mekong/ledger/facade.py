"""What other modules (payments, marketplace escrow, …) may call in the ledger.

Takes and returns contracts (`mekong.ledger.contracts`), never ORM objects. Callers are trusted
modules: no actor is checked here; they decide who may move money before calling.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from mekong.ledger import selectors, services
from mekong.ledger.contracts import (
    AccountInfo,
    BalanceInfo,
    Statement,
    TransferIn,
    TransferInfo,
    TransferResult,
)
from mekong.ledger.models import Account


def account_create(
    *,
    organisation_id: int,
    currency: str,
    code: int,
    name: str = "",
    external_id: uuid.UUID | None = None,
    debits_must_not_exceed_credits: bool = False,
    credits_must_not_exceed_debits: bool = False,
    user_data: str = "",
) -> AccountInfo:
    """Open an account (idempotent on ``external_id``); see `services.account_create`.

    Pass a deterministic ``external_id`` (e.g. ``uuid5`` of your own key) so that a retry
    returns the same account instead of opening a second one.

    Raises:
        InvalidAccount: bad currency, code, flags or organisation.
        AccountExists: ``external_id`` is taken by an account with other fields.
    """
    account = services.account_create(
        organisation_id=organisation_id,
        currency=currency,
        code=code,
        name=name,
        external_id=external_id,
        debits_must_not_exceed_credits=debits_must_not_exceed_credits,
        credits_must_not_exceed_debits=credits_must_not_exceed_debits,
        user_data=user_data,
    )
    return selectors.account_info_of(account)


def account_info(account_id: int) -> AccountInfo | None:
    """An account with its current totals, or None."""
    account = Account.objects.filter(pk=account_id).first()
    return None if account is None else selectors.account_info_of(account)


def account_by_external_id(external_id: uuid.UUID) -> AccountInfo | None:
    """An account by the creator's key, or None."""
    account = Account.objects.filter(external_id=external_id).first()
    return None if account is None else selectors.account_info_of(account)


def balance(account_id: int) -> BalanceInfo | None:
    """The four totals of an account (committed state), or None if there is no such account."""
    account = Account.objects.filter(pk=account_id).first()
    return None if account is None else selectors.balance_of(account)


def transfers_create(batch: Sequence[TransferIn]) -> list[TransferResult]:
    """Apply a batch of transfers; one result per item. See `services.transfers_create`.

    Publishes ``ledger.transfers_committed`` after commit when something was applied.

    Raises:
        BatchTooLarge: more than 8,190 items.
    """
    return services.transfers_create(batch)


def transfers_get(ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, TransferInfo]:
    """Stored transfers by id, with the status of pending ones; unknown ids are left out."""
    return selectors.transfers_get(list(ids))


def statement(*, account_id: int, since: datetime, until: datetime) -> Statement:
    """Posted movements of an account in ``[since, until)`` with opening and closing balances.

    Raises:
        AccountNotFound: no such account.
        InvalidPeriod: ``until`` is not after ``since``.
    """
    return selectors.statement(account_id=account_id, since=since, until=until)


def invariants_check() -> list[str]:
    """Recompute the ledger from its history; every violation found (empty when sound): see
    `mekong.ledger.selectors.invariants_check`. It reads every transfer: for checks and
    tests, not for a request path."""
    return selectors.invariants_check()
