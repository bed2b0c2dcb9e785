"""The demo seed: four Vietnamese declarations of Thai coffee, one per lane, idempotent."""

from __future__ import annotations

import pytest

from mekong.customs.clearance import demo
from mekong.customs.clearance.models import Declaration
from mekong.customs.tests.factories import make_authority
from mekong.identity.tests.factories import make_org

pytestmark = pytest.mark.django_db


def test_seed_lodges_one_declaration_per_lane_once():
    assert demo.seed() == ["clearance: demo organisations missing, nothing seeded"]
    make_org(kind="sme", country="TH")
    make_org(kind="buyer", country="VN")
    make_org(kind="customs_authority", country="VN")
    assert demo.seed() == ["clearance: no Thai issuing authority (run the customs seed first)"]
    make_authority("TH")
    (line,) = demo.seed()
    assert line.startswith("clearance: 4 demo declarations into VN")
    rows = {d.idempotency_key: d for d in Declaration.objects.all()}
    by_name = {name: rows[demo.uuid.uuid5(demo.NAMESPACE, name)] for name in
               ("released", "green", "yellow", "red")}  # fmt: skip
    assert {n: (d.lane, d.status) for n, d in by_name.items()} == {
        "released": ("green", "released"),
        "green": ("green", "lodged"),
        "yellow": ("yellow", "lodged"),
        "red": ("red", "lodged"),
    }
    assert demo.seed() == ["clearance: 4 declarations (demo already seeded)"]
    assert Declaration.objects.count() == 4
