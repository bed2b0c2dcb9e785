"""History cannot be rewritten: not through the ORM, not with raw SQL; balances cannot go
beyond a limit even when code bypasses the services (CHECK constraints)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from mekong.core.models import AppendOnlyError
from mekong.ledger import services
from mekong.ledger.contracts import TransferIn
from mekong.ledger.models import PendingResolution, Transfer
from mekong.ledger.tests.factories import fresh_id, fund, make_account, xfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    a, b = make_account(), make_account(no_overdraft=True)
    fund(a, b, 100)
    pending = xfer(b, a, 40, pending=True)
    post = TransferIn(id=fresh_id(), pending_id=pending.id, post_pending=True)
    assert [r.code for r in services.transfers_create([pending, post])] == ["ok", "ok"]
    return {"a": a, "b": b, "pending": pending.id}


def _raw(sql: str, params: list[int | bool]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_transfer SET amount = amount + 1",
        "UPDATE ledger_transfer SET user_data = 'rewritten'",
        "DELETE FROM ledger_transfer",
        "UPDATE ledger_pendingresolution SET status = 'voided'",
        "DELETE FROM ledger_pendingresolution",
    ],
)
def test_raw_sql_cannot_change_or_delete_history(history, sql):
    before = list(Transfer.objects.order_by("seq").values_list("id", "amount", "user_data"))
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(sql, [])
    assert list(Transfer.objects.order_by("seq").values_list("id", "amount", "user_data")) == (
        before
    )
    assert PendingResolution.objects.get(pk=history["pending"]).status == "posted"


def test_the_orm_refuses_to_save_or_delete_a_stored_transfer(history):
    transfer = Transfer.objects.first()
    assert transfer is not None
    transfer.amount = 1
    with pytest.raises(AppendOnlyError):
        transfer.save()
    with pytest.raises(AppendOnlyError):
        transfer.delete()


@pytest.mark.parametrize(
    ("sql", "flags"),
    [
        # b may not be debited beyond its credits (100 credited, 40 debited).
        ("UPDATE ledger_account SET debits_posted = 101 WHERE id = %s", []),
        ("UPDATE ledger_account SET debits_pending = 61 WHERE id = %s", []),
        ("UPDATE ledger_account SET credits_posted = -1 WHERE id = %s", []),
        (
            "UPDATE ledger_account SET debits_must_not_exceed_credits = %s, "
            "credits_must_not_exceed_debits = %s WHERE id = %s",
            [True, True],
        ),
    ],
    ids=["debits_within_credits", "pending_counts", "non_negative", "flags_exclusive"],
)
def test_check_constraints_refuse_an_overdraft_even_from_raw_sql(history, sql, flags):
    with pytest.raises(IntegrityError):
        _raw(sql, [*flags, history["b"].pk])
    history["b"].refresh_from_db()
    assert (history["b"].debits_posted, history["b"].credits_posted) == (40, 100)


def test_a_pending_transfer_resolves_once_even_bypassing_the_service(history):
    # A second post row for the same pending transfer breaks the partial unique index.
    with pytest.raises(IntegrityError):
        Transfer.objects.create(
            id=fresh_id(),
            seq=10**9,
            debit_account=history["b"],
            credit_account=history["a"],
            amount=1,
            currency="THB",
            code=1,
            pending_id=history["pending"],
            post_pending=True,
            timestamp=Transfer.objects.first().timestamp,  # type: ignore[union-attr]
        )
