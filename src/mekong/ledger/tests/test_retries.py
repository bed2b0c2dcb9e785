"""Retries at volume: 10,000 transfers, each sent two or three times, in shuffled batches."""

from __future__ import annotations

import random
import uuid

import pytest
from django.db.models import Sum

from mekong.identity.tests.factories import make_org
from mekong.ledger import services
from mekong.ledger.contracts import TransferIn
from mekong.ledger.models import Account, Transfer
from mekong.ledger.selectors import invariants_check
from mekong.ledger.tests.factories import make_account

pytestmark = pytest.mark.django_db

TRANSFERS = 10_000
BATCH = 1_000


def test_ten_thousand_transfers_sent_two_or_three_times_are_each_applied_once():
    rng = random.Random(20260301)
    org = make_org()
    accounts = [make_account(org, name=f"a{i}").pk for i in range(20)]
    originals = []
    for n in range(TRANSFERS):
        debit, credit = rng.sample(accounts, 2)
        originals.append(
            TransferIn(
                id=uuid.UUID(int=(3 << 96) + n),
                debit_account_id=debit,
                credit_account_id=credit,
                amount=rng.randint(1, 10_000),
                currency="THB",
                code=1 + n % 5,
            )
        )
    # Every transfer goes out 2 or 3 times; copies land in the same batch or in later ones.
    sends = [t for t in originals for _ in range(rng.choice((2, 3)))]
    rng.shuffle(sends)

    seen: set[uuid.UUID] = set()
    for start in range(0, len(sends), BATCH):
        chunk = sends[start : start + BATCH]
        for t, result in zip(chunk, services.transfers_create(chunk), strict=True):
            expected = "exists" if t.id in seen else "ok"
            assert result.code == expected, (t.id, result.code)
            seen.add(t.id)

    assert Transfer.objects.count() == TRANSFERS
    total = sum(t.amount or 0 for t in originals)
    sums = Account.objects.filter(pk__in=accounts).aggregate(
        d=Sum("debits_posted"), c=Sum("credits_posted")
    )
    assert sums == {"d": total, "c": total}
    assert invariants_check() == []
