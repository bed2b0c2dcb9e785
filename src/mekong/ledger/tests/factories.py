"""Builders for ledger tests; state is made through the services, like production."""

from __future__ import annotations

import itertools
import uuid

from mekong.identity.models import Organisation
from mekong.identity.tests.factories import make_org
from mekong.ledger import services
from mekong.ledger.contracts import TransferIn
from mekong.ledger.models import Account

_ids = itertools.count(1)


def tid(n: int) -> uuid.UUID:
    """A readable transfer id: ``tid(7)`` is the 128-bit integer 7."""
    return uuid.UUID(int=n)


def fresh_id() -> uuid.UUID:
    """A transfer id no other test uses."""
    return uuid.UUID(int=(1 << 100) + next(_ids))


def make_account(
    org: Organisation | None = None,
    *,
    currency: str = "THB",
    code: int = 10,
    no_overdraft: bool = False,
    no_overcredit: bool = False,
    name: str = "",
) -> Account:
    """Open an account; ``no_overdraft`` sets debits_must_not_exceed_credits."""
    return services.account_create(
        organisation_id=(org or make_org()).pk,
        currency=currency,
        code=code,
        name=name,
        debits_must_not_exceed_credits=no_overdraft,
        credits_must_not_exceed_debits=no_overcredit,
    )


def xfer(debit: Account, credit: Account, amount: int, **kwargs: object) -> TransferIn:
    """A single transfer between two accounts in their currency, with a fresh id."""
    fields: dict[str, object] = {
        "id": fresh_id(),
        "debit_account_id": debit.pk,
        "credit_account_id": credit.pk,
        "amount": amount,
        "currency": debit.currency,
        "code": 1,
    }
    fields.update(kwargs)
    return TransferIn(**fields)  # type: ignore[arg-type]


def fund(source: Account, target: Account, amount: int) -> None:
    """Move ``amount`` from ``source`` to ``target`` (must succeed)."""
    [result] = services.transfers_create([xfer(source, target, amount)])
    assert result.code == "ok", result


def balances(account: Account) -> tuple[int, int, int, int]:
    """(debits_pending, debits_posted, credits_pending, credits_posted), fresh from the DB."""
    account.refresh_from_db()
    return (
        account.debits_pending,
        account.debits_posted,
        account.credits_pending,
        account.credits_posted,
    )
