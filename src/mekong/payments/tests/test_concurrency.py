"""Payments racing in several OS processes against PostgreSQL.

The settlement position of the sending PSP is prefunded for exactly ten payments; four
processes fire thirty-two at it at once. The ledger's row locks and the position's
no-overdraft flag must let exactly ten through and refuse the rest with
``insufficient_liquidity``; and one payment retried by four processes at the same moment must
be charged once.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter

import pytest

from mekong.core.tests.processes import postgres_url
from mekong.payments import facade, fx
from mekong.payments.models import Payment, PositionKind
from mekong.payments.tests import workers
from mekong.payments.tests.factories import (
    make_hub,
    make_wallet,
    pending_by_currency,
    totals_by_currency,
)

WORKERS = 4
PER_WORKER = 8
PRINCIPAL = 1_000_000  # VND
SPAWN = multiprocessing.get_context("spawn")

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(jobs_per_worker: list[list[tuple[str, str]]]) -> list[tuple[str, str, str]]:
    with SPAWN.Manager() as manager, SPAWN.Pool(len(jobs_per_worker)) as pool:
        barrier = manager.Barrier(len(jobs_per_worker))
        results = pool.starmap(
            workers.pay_worker, [(postgres_url(), jobs, barrier) for jobs in jobs_per_worker]
        )
    return [item for chunk in results for item in chunk]


def test_simultaneous_payments_never_overdraw_the_sending_psps_position():
    # Given a Vietnamese PSP whose VND position covers exactly ten payments (principal + fee),
    fee = fx.fee_for(PRINCIPAL, "VND")
    liquidity = {"THB": 10**9, "VND": 10 * (PRINCIPAL + fee), "LAK": 10**12, "MMK": 10**9,
                 "KHR": 10**9, "USD": 10**9}  # fmt: skip
    hub = make_hub(liquidity=liquidity)
    position = hub.psps["VN"].positions.get(currency="VND", kind=PositionKind.SETTLEMENT)
    payee = facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref)
    wallets = [make_wallet(hub.psps["VN"], funds=20_000_000) for _ in range(WORKERS)]
    jobs = [
        [
            (str(facade.quote(wallet_id=w.pk, payee=payee, amount=PRINCIPAL).id), f"w{i}-{n}")
            for n in range(PER_WORKER)
        ]
        for i, w in enumerate(wallets)
    ]
    # when four processes pay 32 quotes at once,
    outcomes = Counter(outcome for _key, outcome, _id in _run(jobs))
    # then exactly ten went through, the rest were refused, and the position is exactly empty.
    assert outcomes == {"completed": 10, "insufficient_liquidity": WORKERS * PER_WORKER - 10}
    assert hub.balance(position.ledger_account_id) == 0
    assert Payment.objects.filter(status="completed").count() == 10
    assert all(v == 0 for v in totals_by_currency().values())
    assert all(v == 0 for v in pending_by_currency().values())
    paid = sum(20_000_000 - hub.balance(w.ledger_account_id) for w in wallets)
    assert paid == 10 * (PRINCIPAL + fee)


def test_one_payment_retried_by_four_processes_at_once_is_charged_once():
    hub = make_hub()
    vn = hub.wallets["VN"]
    before = hub.balance(vn.ledger_account_id)
    payee = facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref)
    quote = facade.quote(wallet_id=vn.pk, payee=payee, amount=PRINCIPAL)
    results = _run([[(str(quote.id), "the-same-key")] for _ in range(WORKERS)])
    assert {outcome for _k, outcome, _id in results} == {"completed"}
    assert len({pid for _k, _o, pid in results}) == 1
    assert Payment.objects.count() == 1
    assert hub.balance(vn.ledger_account_id) == before - quote.total_debit
    assert all(v == 0 for v in totals_by_currency().values())
