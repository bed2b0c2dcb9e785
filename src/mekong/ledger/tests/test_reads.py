"""Reads: balances, history with filters and pages, statements, and the invariant check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from mekong.core import clock
from mekong.ledger import facade, selectors, services
from mekong.ledger.contracts import TransferIn
from mekong.ledger.errors import AccountNotFound, InvalidPeriod
from mekong.ledger.tests.factories import fresh_id, make_account, xfer

pytestmark = pytest.mark.django_db

DAY1 = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.fixture
def days():
    """Three days of activity on ``acct`` (credit-normal: its balance is credits - debits)."""
    acct, other = make_account(name="acct"), make_account(name="other")
    ids = {}
    with clock.frozen(DAY1 + timedelta(hours=9)) as c:
        ids["in100"] = xfer(other, acct, 100, code=1)
        ids["out30"] = xfer(acct, other, 30, code=2)
        services.transfers_create([ids["in100"], ids["out30"]])
        c.advance(timedelta(days=1))
        ids["hold50"] = xfer(acct, other, 50, code=3, pending=True)
        ids["in7"] = xfer(other, acct, 7, code=1)
        services.transfers_create([ids["hold50"], ids["in7"]])
        c.advance(timedelta(days=1))
        ids["capture20"] = TransferIn(
            id=fresh_id(), pending_id=ids["hold50"].id, post_pending=True, amount=20
        )
        services.transfers_create([ids["capture20"]])
    return {"acct": acct, "other": other, "ids": {k: v.id for k, v in ids.items()}}


def test_balance_and_account_info_through_the_facade(days):
    bal = facade.balance(days["acct"].pk)
    assert bal is not None
    assert (bal.debits_pending, bal.debits_posted, bal.credits_pending, bal.credits_posted) == (
        0,
        50,
        0,
        107,
    )
    assert (bal.balance, bal.available) == (57, 57)
    info = facade.account_info(days["acct"].pk)
    assert info is not None
    assert (info.balances, info.name) == (bal, "acct")
    assert facade.balance(10**9) is None
    assert facade.account_info(10**9) is None


def test_history_is_newest_first_and_filters(days):
    ids, acct = days["ids"], days["acct"].pk
    assert [t.id for t in selectors.history(account_id=acct)] == [
        ids["capture20"],
        ids["in7"],
        ids["hold50"],
        ids["out30"],
        ids["in100"],
    ]
    day2 = DAY1 + timedelta(days=1)
    assert [
        t.id for t in selectors.history(account_id=acct, since=day2, until=day2 + timedelta(days=1))
    ] == [ids["in7"], ids["hold50"]]
    assert [t.id for t in selectors.history(account_id=acct, code=1)] == [ids["in7"], ids["in100"]]
    with pytest.raises(InvalidPeriod):
        selectors.history(account_id=acct, since=day2, until=day2)


def test_statement_has_opening_lines_and_closing(days):
    ids = days["ids"]
    st = selectors.statement(
        account_id=days["acct"].pk, since=DAY1 + timedelta(days=1), until=DAY1 + timedelta(days=3)
    )
    # Opening: day 1 left 100 - 30 = 70. The pending hold is not a posting; its capture is.
    assert (st.opening_balance, st.total_credits, st.total_debits, st.closing_balance) == (
        70,
        7,
        20,
        57,
    )
    assert [
        (line.transfer_id, line.credit, line.debit, line.balance_after) for line in st.lines
    ] == [
        (ids["in7"], 7, 0, 77),
        (ids["capture20"], 0, 20, 57),
    ]
    assert st.line_count == 2
    assert st.closing_balance == facade.balance(days["acct"].pk).balance  # type: ignore[union-attr]


def test_a_statement_page_continues_the_running_balance(days):
    full = selectors.statement(
        account_id=days["acct"].pk, since=DAY1, until=DAY1 + timedelta(days=3)
    )
    assert [line.balance_after for line in full.lines] == [100, 70, 77, 57]
    page = selectors.statement(
        account_id=days["acct"].pk, since=DAY1, until=DAY1 + timedelta(days=3), offset=2, limit=1
    )
    assert [line.balance_after for line in page.lines] == [77]
    assert (page.opening_balance, page.closing_balance, page.line_count) == (0, 57, 4)


def test_statement_of_a_missing_account_or_backwards_period():
    with pytest.raises(AccountNotFound):
        selectors.statement(account_id=10**9, since=DAY1, until=DAY1 + timedelta(days=1))
    with pytest.raises(InvalidPeriod):
        facade.statement(account_id=1, since=DAY1, until=DAY1)


def test_invariants_check_finds_a_tampered_balance(days):
    assert selectors.invariants_check() == []
    # Bypass the service: credit the account without a transfer (as a buggy script might).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_account SET credits_posted = credits_posted + 5 WHERE id = %s",
            [days["acct"].pk],
        )
    problems = selectors.invariants_check()
    assert any("THB: debits posted" in p for p in problems)
    assert any(f"account {days['acct'].pk}: totals" in p for p in problems)


def test_transfers_get_reports_pending_status_and_posted_amount(days):
    ids = days["ids"]
    found = facade.transfers_get([ids["hold50"], ids["in7"], fresh_id()])
    assert set(found) == {ids["hold50"], ids["in7"]}
    assert (found[ids["hold50"]].status, found[ids["hold50"]].amount_posted) == ("posted", 20)
    assert found[ids["in7"]].status is None
