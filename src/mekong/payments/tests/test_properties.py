"""Property: whatever sequence of payments, refusals, holds, reviews and refunds runs, every
currency's balances still sum to zero, no pending amount is left dangling, and no settlement
position or wallet is below zero."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mekong.core.errors import DomainError
from mekong.identity.tests.factories import make_user
from mekong.ledger import facade as ledger
from mekong.payments import facade
from mekong.payments.models import Position, Wallet, WatchlistEntry
from mekong.payments.tests.factories import (
    make_hub,
    make_wallet,
    pending_by_currency,
    totals_by_currency,
)

pytestmark = pytest.mark.django_db
COUNTRIES = ("TH", "VN", "LA", "MM", "KH")

step = st.tuples(
    st.sampled_from(("pay", "pay", "flagged", "refund", "release", "reject")),
    st.sampled_from(COUNTRIES),
    st.sampled_from(COUNTRIES),
    st.integers(min_value=1, max_value=2_000_000),
    st.sampled_from(("source", "destination")),
)


@pytest.fixture
def world():
    # Positions hold about USD 1,500-3,000 each: enough for some payments, not for all.
    hub = make_hub(
        liquidity={"THB": 50_000_00, "VND": 50_000_000, "LAK": 50_000_000_00,
                   "MMK": 5_000_000_00, "KHR": 10_000_000_00, "USD": 1_000_00},
    )  # fmt: skip
    WatchlistEntry.objects.create(reason="prop", names=["Flagged Person"])
    flagged = {c: make_wallet(hub.psps[c], name="Flagged Person") for c in COUNTRIES}
    return hub, flagged, make_user()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=8))
def test_money_is_conserved_whatever_happens(world, steps):
    # Examples share one hub (and its draining liquidity): the invariants hold throughout.
    hub, flagged, reviewer = world
    done: list = []
    held: list = []
    for action, src, dst, amount, fixed in steps:
        try:
            if action in ("pay", "flagged"):
                target = flagged[dst] if action == "flagged" else hub.wallets[dst]
                payee = facade.resolve_proxy("wallet_id", target.account_ref)
                quote = facade.quote(
                    wallet_id=hub.wallets[src].pk, payee=payee, amount=amount, fixed=fixed
                )
                info = facade.pay(quote_id=quote.id, idempotency_key=str(uuid.uuid4()))
                (held if info.status == "held" else done).append(info)
            elif action == "refund" and done:
                paid = done[amount % len(done)]
                part = 1 + amount % paid.quote.destination_amount
                facade.refund(payment_id=paid.id, amount=part, idempotency_key=str(uuid.uuid4()))
            elif action in ("release", "reject") and held:
                info = held.pop()
                if action == "release":
                    facade.review_release(info.id, reviewer_user_id=reviewer.pk)
                else:
                    facade.review_reject(info.id, reviewer_user_id=reviewer.pk)
        except DomainError:
            pass  # refusals are expected; the invariants below must hold anyway
    assert all(v == 0 for v in totals_by_currency().values())
    assert all(v == 0 for v in pending_by_currency().values())
    limited = [p.ledger_account_id for p in Position.objects.filter(kind="settlement")]
    limited += [w.ledger_account_id for w in Wallet.objects.all()]
    for account_id in limited:
        info = ledger.balance(account_id)
        assert info is not None
        assert info.available >= 0
