"""Ledger use cases through the services: every result code, retries, chains, two-phase transfers.

Given/when/then with exact results; balances are read back from the database, never from the
objects the test built.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mekong.core import clock
from mekong.core.events import capture_events
from mekong.core.models import AuditEntry
from mekong.identity.tests.factories import actor_of, make_org, make_user
from mekong.ledger import selectors, services
from mekong.ledger.contracts import ID_MAX, TransferIn, TransferResultCode, transfer_id
from mekong.ledger.errors import AccountExists, BatchTooLarge, InvalidAccount, NotAManager
from mekong.ledger.models import AMOUNT_MAX, Account, PendingResolution, Transfer
from mekong.ledger.tests.factories import balances, fresh_id, fund, make_account, tid, xfer

pytestmark = pytest.mark.django_db

C = TransferResultCode
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def codes(batch: list[TransferIn]) -> list[str]:
    return [str(r.code) for r in services.transfers_create(batch)]


@pytest.fixture
def world():
    """Two open THB accounts, a funded no-overdraft wallet, a no-overcredit account, VND."""
    bank = make_account(name="bank")
    other = make_account(name="other")
    wallet = make_account(name="wallet", no_overdraft=True)
    capped = make_account(name="capped", no_overcredit=True)
    vnd = make_account(currency="VND", name="vnd")
    fund(bank, wallet, 1_000)
    return {"bank": bank, "other": other, "wallet": wallet, "capped": capped, "vnd": vnd}


# --- accounts -------------------------------------------------------------------------------
def test_account_create_is_idempotent_on_external_id_and_audited():
    org = make_org()
    key = fresh_id()
    with capture_events() as events:
        first = services.account_create(
            organisation_id=org.pk, currency="LAK", code=20, name=" Float ", external_id=key
        )
        again = services.account_create(
            organisation_id=org.pk, currency="LAK", code=20, name="Float", external_id=key
        )
    assert again.pk == first.pk
    assert Account.objects.filter(external_id=key).count() == 1
    assert [e.name for e in events] == ["ledger.account_created"]
    assert AuditEntry.objects.filter(action="ledger.account_created").count() == 1
    with pytest.raises(AccountExists):
        services.account_create(organisation_id=org.pk, currency="THB", code=20, external_id=key)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"currency": "XXX"}, "currency"),
        ({"currency": "thb"}, "currency"),
        ({"code": 0}, "code"),
        ({"code": 65_536}, "code"),
        (
            {"debits_must_not_exceed_credits": True, "credits_must_not_exceed_debits": True},
            "flags",
        ),
        ({"user_data": "x" * 129}, "user_data"),
        ({"organisation_id": 10**9}, "organisation_id"),
    ],
)
def test_account_create_rejects_bad_input(kwargs, field):
    args: dict[str, Any] = {"organisation_id": make_org().pk, "currency": "THB", "code": 1}
    args.update(kwargs)
    with pytest.raises(InvalidAccount) as exc:
        services.account_create(**args)
    assert [e["field"] for e in exc.value.extra["errors"]] == [field]
    assert Account.objects.count() == 0


@pytest.mark.parametrize(("role", "allowed"), [("owner", True), ("admin", True), ("member", False)])
def test_account_create_with_an_actor_needs_a_manager_of_that_organisation(role, allowed):
    org, other = make_org(), make_org()
    actor = actor_of(make_user(org=org, role=role), org)
    if allowed:
        services.account_create(actor=actor, organisation_id=org.pk, currency="THB", code=1)
        with pytest.raises(NotAManager):
            services.account_create(actor=actor, organisation_id=other.pk, currency="THB", code=1)
    else:
        with pytest.raises(NotAManager):
            services.account_create(actor=actor, organisation_id=org.pk, currency="THB", code=1)
    assert Account.objects.count() == (1 if allowed else 0)


# --- result codes that need no state ----------------------------------------------------------
STATIC_CASES: list[tuple[str, dict[str, Any]]] = [
    ("id_must_not_be_zero", {"id": tid(0)}),
    ("id_must_not_be_int_max", {"id": tid(ID_MAX)}),
    ("flags_are_mutually_exclusive", {"pending": True, "void_pending": True, "pending_id": tid(5)}),
    ("pending_id_must_not_be_zero", {"post_pending": True}),
    ("pending_id_must_not_be_zero", {"void_pending": True, "pending_id": tid(0)}),
    ("pending_id_must_be_zero", {"pending_id": tid(5)}),
    ("timeout_reserved_for_pending_transfer", {"timeout": 10}),
    ("overflows_timeout", {"pending": True, "timeout": 2**31}),
    ("overflows_timeout", {"pending": True, "timeout": -1}),
    ("amount_must_not_be_negative", {"amount": -1}),
    ("amount_must_not_be_zero", {"amount": 0}),
    ("amount_must_not_be_zero", {"amount": None}),
    ("code_must_not_be_zero", {"code": 0}),
    ("code_out_of_range", {"code": 65_536}),
    ("invalid_currency", {"currency": "XYZ"}),
    ("invalid_currency", {"currency": None}),
    ("user_data_too_long", {"user_data": "x" * 129}),
]


@pytest.mark.parametrize(("expected", "change"), STATIC_CASES, ids=[c[0] for c in STATIC_CASES])
def test_invalid_items_fail_with_their_code_and_change_nothing(world, expected, change):
    item = dataclasses.replace(xfer(world["bank"], world["other"], 10), **change)
    before = balances(world["bank"]), balances(world["other"])
    assert codes([item]) == [expected]
    assert (balances(world["bank"]), balances(world["other"])) == before
    assert not Transfer.objects.filter(pk=item.id).exists()


def test_pending_id_must_be_different(world):
    item_id = fresh_id()
    item = xfer(world["bank"], world["other"], 5, id=item_id, post_pending=True, pending_id=item_id)
    assert codes([item]) == ["pending_id_must_be_different"]


def test_accounts_must_be_different(world):
    assert codes([xfer(world["bank"], world["bank"], 10)]) == ["accounts_must_be_different"]


def test_account_not_found(world):
    missing = TransferIn(
        id=fresh_id(),
        debit_account_id=world["bank"].pk,
        credit_account_id=10**12,
        amount=1,
        currency="THB",
        code=1,
    )
    no_account = TransferIn(id=fresh_id(), amount=1, currency="THB", code=1)
    out_of_range = TransferIn(
        id=fresh_id(),
        debit_account_id=2**64,
        credit_account_id=world["bank"].pk,
        amount=1,
        currency="THB",
        code=1,
    )
    assert codes([missing, no_account, out_of_range]) == ["account_not_found"] * 3


def test_currency_mismatch_between_accounts_or_with_the_transfer(world):
    assert codes(
        [
            xfer(world["bank"], world["vnd"], 10),
            xfer(world["bank"], world["other"], 10, currency="VND"),
        ]
    ) == ["currency_mismatch", "currency_mismatch"]


# --- limits -----------------------------------------------------------------------------------
def test_exceeds_credits_refuses_an_overdraft_to_the_unit(world):
    wallet, bank = world["wallet"], world["bank"]
    assert codes([xfer(wallet, bank, 1_001), xfer(wallet, bank, 1_000)]) == [
        "exceeds_credits",
        "ok",
    ]
    assert balances(wallet) == (0, 1_000, 0, 1_000)
    assert codes([xfer(wallet, bank, 1)]) == ["exceeds_credits"]


def test_exceeds_debits_on_a_credit_limited_account(world):
    capped, bank = world["capped"], world["bank"]
    assert codes([xfer(bank, capped, 1)]) == ["exceeds_debits"]
    fund(capped, bank, 50)  # capped now has 50 debits, so it may take 50 credits
    assert codes([xfer(bank, capped, 51), xfer(bank, capped, 50)]) == ["exceeds_debits", "ok"]
    assert balances(capped) == (0, 50, 0, 50)


def test_pending_debits_count_against_the_limit(world):
    wallet, bank = world["wallet"], world["bank"]
    assert codes([xfer(wallet, bank, 600, pending=True), xfer(wallet, bank, 500)]) == [
        "ok",
        "exceeds_credits",
    ]
    assert balances(wallet) == (600, 0, 0, 1_000)


def test_overflows_are_refused_before_the_database_sees_them():
    x, y, z = make_account(), make_account(), make_account()
    assert codes([xfer(x, y, AMOUNT_MAX)]) == ["ok"]
    assert codes([xfer(x, z, 1)]) == ["overflows_debits"]
    assert codes([xfer(z, y, 1)]) == ["overflows_credits"]
    assert codes([xfer(z, y, AMOUNT_MAX + 1)]) == ["overflows_debits"]
    assert balances(y) == (0, 0, 0, AMOUNT_MAX)


# --- idempotency ------------------------------------------------------------------------------
def test_retry_with_the_same_fields_is_exists_and_moves_nothing(world):
    item = xfer(world["bank"], world["other"], 70, user_data="inv-1")
    assert codes([item]) == ["ok"]
    before = balances(world["other"])
    assert codes([item, item]) == ["exists", "exists"]
    assert balances(world["other"]) == before == (0, 0, 0, 70)
    assert Transfer.objects.filter(pk=item.id).count() == 1


def test_same_id_twice_in_one_batch_applies_once(world):
    item = xfer(world["bank"], world["other"], 70)
    assert codes([item, item]) == ["ok", "exists"]
    assert balances(world["other"]) == (0, 0, 0, 70)


@pytest.mark.parametrize(
    "change",
    [
        {"amount": 71},
        {"code": 2},
        {"user_data": "other"},
        {"linked": True},
        {"pending": True},
        {"credit_account": "wallet"},
    ],
)
def test_same_id_with_other_fields_is_refused(world, change):
    item = xfer(world["bank"], world["other"], 70)
    assert codes([item]) == ["ok"]
    kwargs = dict(change)
    if "credit_account" in kwargs:
        kwargs = {"credit_account_id": world[kwargs.pop("credit_account")].pk}
    retry = dataclasses.replace(item, **kwargs)
    closing = [xfer(world["bank"], world["other"], 1)] if retry.linked else []
    assert codes([retry, *closing])[0] == "exists_with_different_fields"
    assert balances(world["other"]) == (0, 0, 0, 70)


def test_exists_wins_over_a_state_that_would_now_refuse_it(world):
    wallet, bank = world["wallet"], world["bank"]
    spend = xfer(wallet, bank, 1_000)
    assert codes([spend]) == ["ok"]
    # The wallet is empty now: a fresh transfer would exceed credits, the retry must not.
    assert codes([spend]) == ["exists"]


def test_transfer_ids_may_be_decimal_strings_or_integers():
    assert transfer_id("340282366920938463463374607431768211455").int == ID_MAX
    assert transfer_id(7) == tid(7)
    assert transfer_id(str(tid(9))) == tid(9)
    for bad in ("-1", str(ID_MAX + 1), "not an id", True):
        with pytest.raises(ValueError):  # noqa: PT011 - each bad input has its own message
            transfer_id(bad)  # type: ignore[arg-type]


# --- linked chains ----------------------------------------------------------------------------
def test_a_failing_item_fails_its_whole_chain_and_nothing_else(world):
    bank, other, wallet = world["bank"], world["other"], world["wallet"]
    batch = [
        xfer(bank, other, 5),  # independent
        xfer(bank, other, 10, linked=True),
        xfer(wallet, other, 10, linked=True),
        xfer(wallet, bank, 5_000, linked=True),  # exceeds credits: the chain fails here
        xfer(bank, other, 20),  # last of the chain
        xfer(bank, other, 7),  # independent again
    ]
    assert codes(batch) == [
        "ok",
        "linked_event_failed",
        "linked_event_failed",
        "exceeds_credits",
        "linked_event_failed",
        "ok",
    ]
    assert balances(other) == (0, 0, 0, 12)
    assert balances(wallet) == (0, 0, 0, 1_000)
    stored = set(Transfer.objects.values_list("id", flat=True))
    assert stored & {t.id for t in batch} == {batch[0].id, batch[5].id}


def test_a_chain_sees_its_own_earlier_items(world):
    # The second item spends what the first credited: only valid if applied in order.
    bank, wallet2 = world["bank"], make_account(no_overdraft=True)
    batch = [xfer(bank, wallet2, 300, linked=True), xfer(wallet2, bank, 300)]
    assert codes(batch) == ["ok", "ok"]
    assert balances(wallet2) == (0, 300, 0, 300)


def test_chain_left_open_at_the_end_of_the_batch(world):
    batch = [
        xfer(world["bank"], world["other"], 1),
        xfer(world["bank"], world["other"], 2, linked=True),
        xfer(world["bank"], world["other"], 4, linked=True),
    ]
    assert codes(batch) == ["ok", "linked_event_failed", "linked_event_chain_open"]
    assert balances(world["other"]) == (0, 0, 0, 1)


def test_a_retried_chain_answers_exists_throughout(world):
    chain = [
        xfer(world["bank"], world["other"], 1, linked=True),
        xfer(world["bank"], world["other"], 2),
    ]
    assert codes(chain) == ["ok", "ok"]
    assert codes(chain) == ["exists", "exists"]
    assert balances(world["other"]) == (0, 0, 0, 3)


def test_rolled_back_chain_frees_its_ids_for_a_later_item(world):
    bank, other, wallet = world["bank"], world["other"], world["wallet"]
    first = xfer(bank, other, 10, linked=True)
    batch = [first, xfer(wallet, bank, 9_999), dataclasses.replace(first, linked=False)]
    assert codes(batch) == ["linked_event_failed", "exceeds_credits", "ok"]
    assert balances(other) == (0, 0, 0, 10)


# --- two-phase transfers ------------------------------------------------------------------
def _pending(world, amount=400, **kwargs):
    item = xfer(world["wallet"], world["other"], amount, pending=True, **kwargs)
    assert codes([item]) == ["ok"]
    return item


def test_pending_reserves_then_full_post_moves_the_amount(world):
    p = _pending(world)
    assert balances(world["wallet"]) == (400, 0, 0, 1_000)
    assert balances(world["other"]) == (0, 0, 400, 0)
    post = TransferIn(id=fresh_id(), pending_id=p.id, post_pending=True)
    assert codes([post]) == ["ok"]
    assert balances(world["wallet"]) == (0, 400, 0, 1_000)
    assert balances(world["other"]) == (0, 0, 0, 400)
    stored = Transfer.objects.get(pk=post.id)
    assert (stored.amount, stored.debit_account_id, stored.code) == (400, world["wallet"].pk, 1)
    res = PendingResolution.objects.get(pk=p.id)
    assert (res.status, res.resolved_by_id, res.amount_posted) == ("posted", post.id, 400)
    assert selectors.transfers_get([p.id])[p.id].status == "posted"


def test_partial_post_releases_the_remainder(world):
    p = _pending(world)
    post = TransferIn(
        id=fresh_id(), pending_id=p.id, post_pending=True, amount=150, user_data="capture 1"
    )
    assert codes([post]) == ["ok"]
    assert balances(world["wallet"]) == (0, 150, 0, 1_000)
    assert balances(world["other"]) == (0, 0, 0, 150)
    stored = Transfer.objects.get(pk=post.id)
    assert (stored.amount, stored.code, stored.user_data) == (150, 1, "capture 1")
    assert PendingResolution.objects.get(pk=p.id).amount_posted == 150
    assert codes([post]) == ["exists"]
    again = TransferIn(id=fresh_id(), pending_id=p.id, post_pending=True, amount=1)
    assert codes([again]) == ["pending_transfer_already_posted"]


def test_void_releases_everything_and_only_once(world):
    p = _pending(world)
    void = TransferIn(id=fresh_id(), pending_id=p.id, void_pending=True)
    assert codes([void]) == ["ok"]
    assert balances(world["wallet"]) == (0, 0, 0, 1_000)
    assert balances(world["other"]) == (0, 0, 0, 0)
    assert codes([TransferIn(id=fresh_id(), pending_id=p.id, void_pending=True)]) == [
        "pending_transfer_already_voided"
    ]
    assert codes([TransferIn(id=fresh_id(), pending_id=p.id, post_pending=True)]) == [
        "pending_transfer_already_voided"
    ]


def test_post_and_void_in_the_same_batch_as_the_pending(world):
    p = xfer(world["wallet"], world["other"], 100, pending=True)
    batch = [
        p,
        TransferIn(id=fresh_id(), pending_id=p.id, post_pending=True, amount=60),
        TransferIn(id=fresh_id(), pending_id=p.id, void_pending=True),
    ]
    assert codes(batch) == ["ok", "ok", "pending_transfer_already_posted"]
    assert balances(world["other"]) == (0, 0, 0, 60)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"pending_id": "missing"}, "pending_transfer_not_found"),
        ({"pending_id": "single"}, "pending_transfer_not_pending"),
        ({"debit_account_id": "bank"}, "pending_transfer_has_different_debit_account"),
        ({"credit_account_id": "bank"}, "pending_transfer_has_different_credit_account"),
        ({"currency": "VND"}, "pending_transfer_has_different_currency"),
        ({"code": 9}, "pending_transfer_has_different_code"),
        ({"amount": 401}, "exceeds_pending_transfer_amount"),
        ({"amount": 400, "void": True}, "ok"),
        ({"amount": 399, "void": True}, "pending_transfer_has_different_amount"),
    ],
)
def test_post_or_void_must_match_its_pending_transfer(world, change, expected):
    p = _pending(world)
    single = xfer(world["bank"], world["other"], 3)
    assert codes([single]) == ["ok"]
    kwargs = dict(change)
    void = kwargs.pop("void", False)
    ref = kwargs.pop("pending_id", None)
    pending_id = {"missing": fresh_id(), "single": single.id, None: p.id}[ref]
    for key in ("debit_account_id", "credit_account_id"):
        if key in kwargs:
            kwargs[key] = world[kwargs[key]].pk
    item = TransferIn(
        id=fresh_id(),
        pending_id=pending_id,
        post_pending=not void,
        void_pending=void,
        **kwargs,
    )
    assert codes([item]) == [expected]
    assert PendingResolution.objects.filter(pk=p.id).exists() == (expected == "ok")


def test_posting_after_the_timeout_is_expired_even_before_the_sweep(world):
    with clock.frozen(T0) as c:
        p = _pending(world, timeout=60)
        assert Transfer.objects.get(pk=p.id).expires_at == T0 + timedelta(seconds=60)
        c.advance(timedelta(seconds=59))
        assert selectors.transfers_get([p.id])[p.id].status == "pending"
        c.advance(timedelta(seconds=1))
        assert selectors.transfers_get([p.id])[p.id].status == "expired"
        late = TransferIn(id=fresh_id(), pending_id=p.id, post_pending=True)
        assert codes([late]) == ["pending_transfer_expired"]
        # The reservation stays until the sweep releases it.
        assert balances(world["wallet"]) == (400, 0, 0, 1_000)


def test_posting_just_before_the_timeout_succeeds(world):
    with clock.frozen(T0) as c:
        p = _pending(world, timeout=60)
        c.advance(timedelta(seconds=59, microseconds=999_999))
        post = TransferIn(id=fresh_id(), pending_id=p.id, post_pending=True)
        assert codes([post]) == ["ok"]
    assert balances(world["wallet"]) == (0, 400, 0, 1_000)


def test_pending_expire_releases_timed_out_reservations_once(world):
    with clock.frozen(T0) as c:
        expiring = _pending(world, amount=300, timeout=60)
        forever = _pending(world, amount=100)
        later = _pending(world, amount=50, timeout=3600)
        c.advance(timedelta(seconds=61))
        with capture_events() as events:
            assert services.pending_expire() == [expiring.id]
        assert [e.name for e in events] == ["ledger.pending_transfers_expired"]
        assert services.pending_expire() == []
        assert balances(world["wallet"]) == (150, 0, 0, 1_000)
        assert balances(world["other"]) == (0, 0, 150, 0)
        assert PendingResolution.objects.get(pk=expiring.id).status == "expired"
        post = TransferIn(id=fresh_id(), pending_id=expiring.id, post_pending=True)
        assert codes([post]) == ["pending_transfer_expired"]
        info = selectors.transfers_get([expiring.id, forever.id, later.id])
        assert [info[t.id].status for t in (expiring, forever, later)] == [
            "expired",
            "pending",
            "pending",
        ]
    assert selectors.invariants_check() == []


def test_pending_expire_leaves_a_pending_that_was_posted_alone(world):
    with clock.frozen(T0) as c:
        p = _pending(world, timeout=10)
        assert codes([TransferIn(id=fresh_id(), pending_id=p.id, post_pending=True)]) == ["ok"]
        c.advance(timedelta(hours=1))
        assert services.pending_expire() == []
    assert PendingResolution.objects.get(pk=p.id).status == "posted"


def test_pending_expire_task_runs_the_sweep(world):
    from mekong.ledger.tasks import pending_expire_task

    with clock.frozen(T0) as c:
        _pending(world, timeout=1)
        c.advance(timedelta(seconds=5))
        result = pending_expire_task.enqueue()
    assert result.return_value == 1
    assert balances(world["wallet"]) == (0, 0, 0, 1_000)


def test_pending_expire_works_in_transactions_of_limit(world):
    with clock.frozen(T0) as c:
        batch = [xfer(world["bank"], world["other"], 1, pending=True, timeout=1) for _ in range(7)]
        assert codes(batch) == ["ok"] * 7
        c.advance(timedelta(seconds=2))
        assert sorted(services.pending_expire(limit=3)) == sorted(t.id for t in batch)
    assert AuditEntry.objects.filter(action="ledger.pending_expired").count() == 3
    assert balances(world["other"]) == (0, 0, 0, 0)


# --- events, audit, batch limits --------------------------------------------------------------
def test_one_event_with_the_applied_ids_and_one_audit_entry_per_batch(world):
    ok1 = xfer(world["bank"], world["other"], 1)
    bad = xfer(world["wallet"], world["bank"], 10**6)
    ok2 = xfer(world["other"], world["bank"], 1)
    with capture_events() as events:
        services.transfers_create([ok1, bad, ok2, ok1])
    [event] = events
    assert event.name == "ledger.transfers_committed"
    assert event.transfer_ids == [str(ok1.id), str(ok2.id)]  # type: ignore[attr-defined]
    assert event.account_ids == sorted([world["bank"].pk, world["other"].pk])  # type: ignore[attr-defined]
    audit = AuditEntry.objects.filter(action="ledger.transfers_created").latest("id")
    assert audit.data == {"items": 4, "applied": 2}


def test_nothing_applied_publishes_nothing(world):
    with capture_events() as events:
        assert codes([xfer(world["wallet"], world["bank"], 10**6)]) == ["exceeds_credits"]
    assert events == []


def test_empty_and_oversized_batches():
    assert services.transfers_create([]) == []
    with pytest.raises(BatchTooLarge):
        services.transfers_create(
            [TransferIn(id=tid(i + 1)) for i in range(services.BATCH_MAX + 1)]
        )


def test_results_keep_positions_and_ids(world):
    batch = [xfer(world["bank"], world["other"], n + 1) for n in range(3)]
    results = services.transfers_create(batch)
    assert [(r.index, r.id, r.succeeded) for r in results] == [
        (i, t.id, True) for i, t in enumerate(batch)
    ]


def test_every_result_code_is_documented():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[4] / "docs" / "modules" / "ledger.md").read_text()
    missing = [c.value for c in C if f"`{c.value}`" not in doc]
    assert missing == []
