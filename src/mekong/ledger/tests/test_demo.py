"""The demo seed: settlement accounts for every demo PSP, funded once, idempotent."""

from __future__ import annotations

import pytest

from mekong.identity.tests.factories import make_org
from mekong.ledger import demo
from mekong.ledger.models import Account, Transfer
from mekong.ledger.selectors import invariants_check

pytestmark = pytest.mark.django_db


def test_seed_opens_and_funds_settlement_accounts_once():
    thai_psp = make_org(kind="psp", country="TH")
    vn_psp = make_org(kind="psp", country="VN")
    make_org(kind="psp", country="LA")  # no Lao central bank below: skipped
    for country in ("TH", "VN"):
        make_org(kind="regulator", country=country)
    assert demo.seed() == ["ledger: 4 accounts opened, 2 funding transfers applied"]
    assert demo.seed() == ["ledger: 0 accounts opened, 0 funding transfers applied"]
    assert Transfer.objects.count() == 2
    settlement = Account.objects.get(organisation=thai_psp)
    assert (settlement.currency, settlement.debits_must_not_exceed_credits) == ("THB", True)
    assert settlement.credits_posted == 10_000_000 * 100
    vn = Account.objects.get(organisation=vn_psp)
    assert (vn.currency, vn.credits_posted) == ("VND", 10_000_000)  # VND has no minor units
    assert invariants_check() == []
