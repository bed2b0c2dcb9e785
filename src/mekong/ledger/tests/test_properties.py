"""Property test: random batch sequences against an independent reference model.

Hypothesis drives a state machine through batches of single, pending, post, void and retried
transfers (some linked, some invalid, some overdrawing), clock jumps and expiry sweeps. After
every step the database must agree with `Model` — a second, deliberately naive implementation
of the rules written from docs/modules/ledger.md — on every result code and every balance, and
`invariants_check()` must find nothing.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from mekong.core import clock
from mekong.identity.tests.factories import make_org
from mekong.ledger import selectors, services
from mekong.ledger.contracts import TransferIn
from mekong.ledger.models import Account
from mekong.ledger.tests.factories import make_account

T0 = datetime(2026, 1, 1, tzinfo=UTC)
#: Amounts to draw; EXACT and OVER mean "exactly what the debit account may still spend" and one
#: more, so that limits are probed at their boundary, not just far from it.
EXACT, OVER = -1, -2
AMOUNTS = [0, 1, 7, 50, 300, 1_000, 2_500, EXACT, OVER, EXACT, OVER]


@dataclass
class Pend:
    amount: int
    debit: int
    credit: int
    expires_at: datetime | None
    state: str = "pending"


@dataclass
class Model:
    """The reference: per account index [debits_pending, debits_posted, credits_pending,
    credits_posted], plus what is stored and the state of each pending transfer."""

    currencies: list[str]
    limits: list[str | None]  # "debits", "credits" or None
    balances: list[list[int]]
    stored: dict[uuid.UUID, TransferIn] = field(default_factory=dict)
    pendings: dict[uuid.UUID, Pend] = field(default_factory=dict)

    def code(self, t: TransferIn, ix: dict[int, int], now: datetime, last: bool) -> str:
        """Expected result of ``t``; applies it when ``ok``."""
        if t.linked and last:
            return "linked_event_chain_open"
        if t.amount == 0 or (t.amount is None and not (t.post_pending or t.void_pending)):
            return "amount_must_not_be_zero"
        if t.debit_account_id is not None and t.debit_account_id == t.credit_account_id:
            return "accounts_must_be_different"
        if t.id in self.stored:
            return "exists" if self.stored[t.id] == t else "exists_with_different_fields"
        if t.post_pending or t.void_pending:
            return self._resolve(t, ix, now)
        d, c = ix[t.debit_account_id], ix[t.credit_account_id]  # type: ignore[index]
        if self.currencies[d] != self.currencies[c] or t.currency != self.currencies[d]:
            return "currency_mismatch"
        dr, cr = self.balances[d], self.balances[c]
        amount = t.amount or 0
        if self.limits[d] == "debits" and dr[0] + dr[1] + amount > dr[3]:
            return "exceeds_credits"
        if self.limits[c] == "credits" and cr[2] + cr[3] + amount > cr[1]:
            return "exceeds_debits"
        slot = 0 if t.pending else 1
        dr[slot] += amount
        cr[slot + 2] += amount
        if t.pending:
            expires = now + timedelta(seconds=t.timeout) if t.timeout else None
            self.pendings[t.id] = Pend(amount, d, c, expires)
        self.stored[t.id] = t
        return "ok"

    def _resolve(self, t: TransferIn, ix: dict[int, int], now: datetime) -> str:
        p = self.pendings.get(t.pending_id)  # type: ignore[arg-type]
        if p is None:
            return (
                "pending_transfer_not_pending"
                if t.pending_id in self.stored
                else "pending_transfer_not_found"
            )
        if t.amount is not None and t.post_pending and t.amount > p.amount:
            return "exceeds_pending_transfer_amount"
        if p.state != "pending":
            return {
                "posted": "pending_transfer_already_posted",
                "voided": "pending_transfer_already_voided",
                "expired": "pending_transfer_expired",
            }[p.state]
        if p.expires_at is not None and p.expires_at <= now:
            return "pending_transfer_expired"
        self.balances[p.debit][0] -= p.amount
        self.balances[p.credit][2] -= p.amount
        if t.post_pending:
            posted = p.amount if t.amount is None else t.amount
            self.balances[p.debit][1] += posted
            self.balances[p.credit][3] += posted
            p.state = "posted"
        else:
            p.state = "voided"
        self.stored[t.id] = t
        return "ok"

    def batch(self, items: list[TransferIn], ix: dict[int, int], now: datetime) -> list[str]:
        out: list[str] = []
        chain_start, broken, saved = -1, False, None
        for i, t in enumerate(items):
            if chain_start < 0 and t.linked:
                chain_start, broken = i, False
                saved = copy.deepcopy((self.balances, self.stored, self.pendings))
            if chain_start >= 0 and broken:
                code = "linked_event_failed"
            else:
                code = self.code(t, ix, now, last=i == len(items) - 1)
                if chain_start >= 0 and code not in ("ok", "exists"):
                    broken = True
                    assert saved is not None
                    self.balances, self.stored, self.pendings = saved
                    for j in range(chain_start, i):
                        if out[j] == "ok":
                            out[j] = "linked_event_failed"
            out.append(code)
            if chain_start >= 0 and not t.linked:
                chain_start = -1
        return out

    def expire(self, now: datetime) -> set[uuid.UUID]:
        gone = set()
        for pid, p in self.pendings.items():
            if p.state == "pending" and p.expires_at is not None and p.expires_at <= now:
                p.state = "expired"
                self.balances[p.debit][0] -= p.amount
                self.balances[p.credit][2] -= p.amount
                gone.add(pid)
        return gone


#: (debit, credit) account indexes: mostly valid THB pairs, some same-account and THB/VND ones.
PAIRS = [(0, 1), (1, 0), (1, 2), (2, 1), (0, 3), (3, 0), (1, 3), (3, 2), (2, 0), (1, 1), (4, 0)]

ops = st.tuples(
    st.sampled_from(["single", "single", "pending", "pending", "post", "void", "retry", "other"]),
    st.sampled_from(PAIRS),
    st.sampled_from(AMOUNTS),
    st.sampled_from([False, False, False, True]),  # linked
    st.sampled_from([0, 30, 30, 120]),  # timeout of pending transfers
    st.integers(0, 50),  # picks a pending transfer or an earlier transfer
)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._clock_cm = clock.frozen(T0)
        self.clock = self._clock_cm.__enter__()
        org = make_org()
        specs = [
            ("THB", None),
            ("THB", "debits"),
            ("THB", "debits"),
            ("THB", "credits"),
            ("VND", None),
        ]
        self.accounts: list[Account] = [
            make_account(
                org, currency=cur, no_overdraft=lim == "debits", no_overcredit=lim == "credits"
            )
            for cur, lim in specs
        ]
        self.ix = {a.pk: i for i, a in enumerate(self.accounts)}
        self.model = Model(
            currencies=[c for c, _ in specs],
            limits=[lim for _, lim in specs],
            balances=[[0, 0, 0, 0] for _ in specs],
        )
        self.counter = 0
        self.sent: list[TransferIn] = []
        funding = [self._single(0, 1, 1_000, False), self._single(0, 2, 500, False)]
        self._run(funding)

    def teardown(self) -> None:
        self._clock_cm.__exit__(None, None, None)
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _new_id(self) -> uuid.UUID:
        self.counter += 1
        return uuid.UUID(int=(7 << 64) + self.counter)

    def _single(self, d: int, c: int, amount: int, linked: bool, **kw: object) -> TransferIn:
        return TransferIn(
            id=self._new_id(),
            debit_account_id=self.accounts[d].pk,
            credit_account_id=self.accounts[c].pk,
            amount=amount,
            currency=self.accounts[d].currency,
            code=1,
            linked=linked,
            **kw,  # type: ignore[arg-type]
        )

    def _run(self, items: list[TransferIn]) -> None:
        expected = self.model.batch(items, self.ix, clock.now())
        actual = [str(r.code) for r in services.transfers_create(items)]
        assert actual == expected, (items, actual, expected)
        self.sent.extend(items)
        self._compare_balances()

    def _compare_balances(self) -> None:
        stored = {
            a.pk: [a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted]
            for a in Account.objects.filter(pk__in=self.ix)
        }
        assert [stored[a.pk] for a in self.accounts] == self.model.balances

    @rule(batch=st.lists(ops, min_size=1, max_size=8))
    def apply_batch(self, batch: list[tuple[str, tuple[int, int], int, bool, int, int]]) -> None:
        items: list[TransferIn] = []
        pendings = list(self.model.pendings)
        # Pending transfers whose deadline is exactly now: posting them probes the boundary.
        due = [k for k, p in self.model.pendings.items() if p.expires_at == clock.now()]
        for kind, (d, c), amount, linked, timeout, pick in batch:
            if amount in (EXACT, OVER):
                b = self.model.balances[d]
                amount = max(b[3] - b[1] - b[0], 1) + (amount == OVER)
            if kind in ("single", "pending"):
                extra = {"pending": True, "timeout": timeout} if kind == "pending" else {}
                items.append(self._single(d, c, amount, linked, **extra))
            elif kind in ("post", "void"):
                missing = uuid.UUID(int=(9 << 64) + pick)
                target = pendings[pick % len(pendings)] if pendings and pick % 8 else missing
                if due and pick % 2:
                    target = due[pick % len(due)]
                if target in self.model.pendings and amount in (1_000, 2_500):
                    # The pending amount itself, and one more: the post's upper boundary.
                    amount = self.model.pendings[target].amount + (amount == 2_500)
                items.append(
                    TransferIn(
                        id=self._new_id(),
                        pending_id=target,
                        post_pending=kind == "post",
                        void_pending=kind == "void",
                        amount=None if kind == "void" or amount == 0 else amount,
                        linked=linked,
                    )
                )
            elif self.sent:
                old = self.sent[pick % len(self.sent)]
                if kind == "retry":
                    items.append(old)
                elif old.amount:  # the same id with other fields
                    items.append(replace(old, amount=old.amount + 1))
        if items:
            self._run(items)

    # Steps that add up to the timeouts exactly, to probe the expiry boundary.
    @rule(seconds=st.sampled_from([1, 29, 30, 90, 120]))
    def time_passes(self, seconds: int) -> None:
        self.clock.advance(timedelta(seconds=seconds))

    @rule()
    def until_the_next_expiry(self) -> None:
        # Land exactly on a deadline: a post now must be refused, one microsecond earlier not.
        deadlines = [
            p.expires_at
            for p in self.model.pendings.values()
            if p.state == "pending" and p.expires_at is not None and p.expires_at > clock.now()
        ]
        if deadlines:
            self.clock.advance(min(deadlines) - clock.now())

    @rule()
    def sweep(self) -> None:
        assert set(services.pending_expire()) == self.model.expire(clock.now())
        self._compare_balances()

    @invariant()
    def ledger_is_sound(self) -> None:
        assert selectors.invariants_check() == []


@pytest.mark.django_db
def test_random_batch_sequences_keep_the_invariants_and_match_the_model():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=50,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
