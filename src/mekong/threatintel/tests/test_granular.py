"""Granular markings: properties marked beyond the reader's TLP are cut from what it receives."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from mekong.identity.tests.factories import make_user
from mekong.threatintel import facade, granular, tlp
from mekong.threatintel.contracts import Observable

pytestmark = pytest.mark.django_db

STAMP = "2026-01-01T00:00:00.000Z"


def test_redact_removes_properties_list_elements_and_nested_keys_but_never_identity():
    obj = {
        "type": "malware", "id": "malware--1", "description": "d", "labels": ["x"],
        "external_references": [{"source_name": "a"}, {"source_name": "b"}, {"source_name": "c"}],
        "kill_chain_phases": [{"kill_chain_name": "k", "phase_name": "p"}],
    }  # fmt: skip
    out = granular.redact(obj, ["description", "external_references.[0]",
                                "external_references.[2]", "kill_chain_phases.[0].phase_name",
                                "labels.[0]", "id", "missing.[4].x"])  # fmt: skip
    assert out == {"type": "malware", "id": "malware--1",
                   "external_references": [{"source_name": "b"}],
                   "kill_chain_phases": [{"kill_chain_name": "k"}]}  # fmt: skip
    assert obj["description"] == "d"  # the stored object is untouched


def _marked(alliance):
    orgs = alliance["orgs"]
    return {
        "type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.UUID(int=77)}",
        "created": STAMP, "modified": STAMP, "name": "Wallet ring", "pattern_type": "stix",
        "pattern": "[x-mekong-payment-id:value = 'WAL-GRAN-1']", "valid_from": STAMP,
        "description": "Seen at the bank's branch in Pakse", "valid_until": "2099-01-01T00:00:00Z",
        "external_references": [{"source_name": "case", "external_id": "CASE-9"},
                                {"source_name": "public", "url": "https://example.org/a"}],
        "object_marking_refs": [tlp.TLP2_IDS[tlp.GREEN]],
        "granular_markings": [
            {"marking_ref": tlp.TLP2_IDS[tlp.AMBER], "selectors": ["description"]},
            {"marking_ref": tlp.TLP2_IDS[tlp.RED], "selectors": ["external_references.[0]"]},
        ],
        "x_mekong_recipients": [orgs["regulator_c"].slug],
    }  # fmt: skip


def test_taxii_ui_exports_and_matching_cut_what_each_reader_may_not_see(alliance):
    obj = _marked(alliance)
    status = alliance["clients"]["cert_a"].post(alliance["objects_url"], {"objects": [obj]})
    assert status.json()["success_count"] == 1
    refs = obj["external_references"]
    expected = {
        # sharer: everything; bank B: AMBER (group G) but not the RED reference;
        # regulator C: GREEN + RED recipient, not AMBER (not in group G).
        "cert_a": {"description": True, "refs": refs},
        "bank_b": {"description": True, "refs": refs[1:]},
        "regulator_c": {"description": False, "refs": refs},
    }
    for who, want in expected.items():
        client = alliance["clients"][who]
        [got] = client.get(alliance["objects_url"]).json()["objects"]
        [by_id] = client.get(f"{alliance['objects_url']}{obj['id']}/").json()["objects"]
        for view in (got, by_id):
            assert ("description" in view) is want["description"], who
            assert view["external_references"] == want["refs"], who
            assert view["granular_markings"] == obj["granular_markings"], who
    # Outsider D is not in the community: the GREEN object is absent altogether.
    assert "objects" not in alliance["clients"]["outsider_d"].get(alliance["objects_url"]).json()

    regulator = Client()
    regulator.force_login(make_user(org=alliance["orgs"]["regulator_c"]))
    page = regulator.get(f"/en/threatintel/objects/{obj['id']}/").content.decode()
    assert "Wallet ring" in page
    assert "Pakse" not in page
    assert "Pakse" not in regulator.get("/en/threatintel/export/bundle/").content.decode()
    matches = facade.match([Observable("wallet", "wal-gran-1")],
                           caller_organisation_id=alliance["orgs"]["regulator_c"].pk)  # fmt: skip
    assert [m.name for m in matches] == ["Wallet ring"]


def test_matching_skips_an_indicator_whose_pattern_is_marked_beyond_the_caller(alliance):
    obj = {**_marked(alliance), "id": f"indicator--{uuid.UUID(int=78)}",
           "granular_markings": [{"marking_ref": tlp.TLP2_IDS[tlp.AMBER],
                                  "selectors": ["pattern"]}]}  # fmt: skip
    alliance["clients"]["cert_a"].post(alliance["objects_url"], {"objects": [obj]})
    seen = {
        who: bool(facade.match([Observable("wallet", "wal-gran-1")], caller_organisation_id=o.pk))
        for who, o in alliance["orgs"].items()
    }
    assert seen == {"cert_a": True, "bank_b": True, "regulator_c": False, "outsider_d": False}
