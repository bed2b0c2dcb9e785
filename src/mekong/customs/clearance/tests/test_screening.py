"""Screening against the threat-intelligence exchange: a shared indicator reaches the lane.

The indicator is shared over TAXII by a CERT, exactly as members do; the Vietnamese customs
authority is in no sharing group, so only TLP:CLEAR indicators may reach its declarations.
"""

from __future__ import annotations

import uuid

import pytest

from mekong.customs.clearance.tests.factories import lodge
from mekong.threatintel.tests.conftest import alliance  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
#: The TLP 2.0 marking definitions (FIRST's published STIX ids).
TLP_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
TLP_AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"


def _indicator(pattern: str, marking: str) -> dict[str, object]:
    return {
        "type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-11-01T00:00:00.000Z", "modified": "2026-11-01T00:00:00.000Z",
        "name": "Rice invoice fraud ring", "pattern": pattern, "pattern_type": "stix",
        "valid_from": "2026-11-01T00:00:00Z", "confidence": 95,
        "object_marking_refs": [marking],
    }  # fmt: skip


def _share(alliance, obj):  # noqa: F811
    r = alliance["clients"]["cert_a"].post(alliance["objects_url"], {"objects": [obj]})
    assert r.json()["failure_count"] == 0, r.json()


def test_shared_indicator_on_the_exporter_domain_flags_the_declaration(corridor, alliance):  # noqa: F811
    _share(alliance, _indicator("[domain-name:value = 'siamjasmine.example']", TLP_CLEAR))
    d = lodge(corridor)
    (hit,) = d.risk_hits
    assert hit["rule"] == "indicator_hit"
    assert hit["params"]["observable"] == "domain:siamjasmine.example"
    assert hit["params"]["indicator"] == "Rice invoice fraud ring"
    assert d.lane == ("red" if float(hit["params"]["score"]) >= 70 else "yellow")
    assert d.assessment["screening"] == {"threat_intel": "screened", "observables": 2}


def test_amber_indicator_outside_the_sharing_group_does_not_reach_customs(corridor, alliance):  # noqa: F811
    _share(alliance, _indicator("[email-addr:value = 'export@siamjasmine.example']", TLP_AMBER))
    d = lodge(corridor)
    assert (d.lane, d.risk_hits) == ("green", [])
