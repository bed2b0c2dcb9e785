"""Authorisation matrix: each TLP level × each kind of member/non-member, on every read path.

cert_a shares one indicator per TLP level. AMBER+STRICT is addressed to bank_b and RED to
regulator_c. Expected audiences (the sharer always sees its own objects):

| level        | cert_a | bank_b (group G) | regulator_c (group H) | outsider_d (no group) |
|--------------|--------|------------------|-----------------------|-----------------------|
| CLEAR        | yes    | yes              | yes                   | yes                   |
| GREEN        | yes    | yes              | yes                   | no                    |
| AMBER        | yes    | yes              | no                    | no                    |
| AMBER+STRICT | yes    | yes (recipient)  | no                    | no                    |
| RED          | yes    | no               | yes (recipient)       | no                    |
"""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from django.test import Client

from mekong.identity.tests.factories import make_user
from mekong.threatintel import facade, tlp
from mekong.threatintel.contracts import Observable

pytestmark = pytest.mark.django_db

LEVEL_IP = {
    tlp.CLEAR: "203.0.113.1", tlp.GREEN: "203.0.113.2", tlp.AMBER: "203.0.113.3",
    tlp.AMBER_STRICT: "203.0.113.4", tlp.RED: "203.0.113.5",
}  # fmt: skip
EXPECTED = {
    "cert_a": set(LEVEL_IP),
    "bank_b": {tlp.CLEAR, tlp.GREEN, tlp.AMBER, tlp.AMBER_STRICT},
    "regulator_c": {tlp.CLEAR, tlp.GREEN, tlp.RED},
    "outsider_d": {tlp.CLEAR},
}


def _indicator(level, ip, recipients=()):
    obj = {
        "type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "name": f"matrix-{level}", "pattern": f"[ipv4-addr:value = '{ip}']",
        "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z", "confidence": 80,
        "object_marking_refs": [tlp.TLP2_IDS[level]],
    }  # fmt: skip
    if recipients:
        obj["x_mekong_recipients"] = list(recipients)
    return obj


@pytest.fixture
def shared(alliance):
    orgs = alliance["orgs"]
    recipients = {tlp.AMBER_STRICT: [orgs["bank_b"].slug], tlp.RED: [orgs["regulator_c"].slug]}
    objs = {lvl: _indicator(lvl, ip, recipients.get(lvl, ())) for lvl, ip in LEVEL_IP.items()}
    status = alliance["clients"]["cert_a"].post(
        alliance["objects_url"], {"objects": list(objs.values())}
    )
    assert status.json()["success_count"] == 5
    return {**alliance, "objs": objs, "level_of": {o["id"]: lvl for lvl, o in objs.items()}}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_taxii_objects_manifest_object_and_versions(shared, who):
    client, url = shared["clients"][who], shared["objects_url"]
    envelope = client.get(url).json()
    assert {shared["level_of"][o["id"]] for o in envelope.get("objects", [])} == EXPECTED[who]
    manifest = client.get(url.replace("objects/", "manifest/")).json()
    assert {shared["level_of"][r["id"]] for r in manifest.get("objects", [])} == EXPECTED[who]
    for level, obj in shared["objs"].items():
        expected = 200 if level in EXPECTED[who] else 404
        assert client.get(f"{url}{obj['id']}/").status_code == expected, level
        assert client.get(f"{url}{obj['id']}/versions/").status_code == expected, level


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_matching_service(shared, who):
    observables = [Observable("ip", ip) for ip in LEVEL_IP.values()]
    matches = facade.match(observables, caller_organisation_id=shared["orgs"][who].pk)
    assert {shared["level_of"][m.indicator_id] for m in matches} == EXPECTED[who]


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_ui_dashboard_search_object_page_and_exports(shared, who):
    client = Client()
    client.force_login(make_user(org=shared["orgs"][who], role="member"))
    home = client.get("/en/threatintel/").content.decode()
    search = client.get("/en/threatintel/", {"q": "203.0.113"}).content.decode()
    for level, obj in shared["objs"].items():
        visible = level in EXPECTED[who]
        assert (f"matrix-{level}" in home) is visible, level
        assert (f"matrix-{level}" in search) is visible, level
        page = client.get(f"/en/threatintel/objects/{obj['id']}/")
        assert page.status_code == (200 if visible else 404), level
    bundle = client.get("/en/threatintel/export/bundle/").json()
    assert {shared["level_of"][o["id"]] for o in bundle["objects"]} == EXPECTED[who]
    rows = list(
        csv.DictReader(io.StringIO(client.get("/en/threatintel/export/csv/").content.decode()))
    )
    assert {r["tlp"] for r in rows} == EXPECTED[who]


def test_tlp1_markings_map_to_tlp2(alliance):
    obj = _indicator(tlp.CLEAR, "203.0.113.9")
    obj["object_marking_refs"] = [tlp.TLP1_IDS[tlp.RED], tlp.TLP1_IDS[tlp.GREEN]]
    alliance["clients"]["cert_a"].post(alliance["objects_url"], {"objects": [obj]})
    # TLP 1.0 RED (most restrictive wins) without recipients: only the sharer sees it.
    assert (
        alliance["clients"]["bank_b"].get(f"{alliance['objects_url']}{obj['id']}/").status_code
        == 404
    )
    assert (
        alliance["clients"]["cert_a"].get(f"{alliance['objects_url']}{obj['id']}/").status_code
        == 200
    )
