"""Customs documents API: issue, field errors, files, revoke, public verify; an auth matrix."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from mekong.customs.tests.factories import make_authority, sample
from mekong.identity.tests.factories import client_for, make_org, make_token, make_user

pytestmark = pytest.mark.django_db
BASE = "/api/v1/customs"


@pytest.fixture
def world() -> dict[str, Any]:
    auth_org = make_org(kind="certificate_issuer", country="TH")
    make_authority("TH", org=auth_org)
    exporter = make_org(country="TH")
    other = make_org(country="TH")
    importer = make_org(kind="buyer", country="VN")
    return {
        "auth_org": auth_org,
        "exporter": exporter,
        "other": other,
        "importer": importer,
        "exporter_token": make_token(exporter),
        "other_token": make_token(other),
        "viewer_token": make_token(exporter, role="viewer"),
        "authority_admin": make_user(org=auth_org, role="admin"),
    }


def post(client: Client, url: str, body: Any, headers: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def bearer(token: str) -> tuple[Client, dict[str, Any]]:
    return client_for(("token", token))


def test_issue_get_file_verify(world: dict[str, Any]) -> None:
    client, h = bearer(world["exporter_token"])
    body = {
        "doc_type": "atiga_form_d",
        "data": sample("atiga_form_d"),
        "subject_organisation_id": world["importer"].pk,
    }
    r = post(client, f"{BASE}/documents", body, h)
    assert r.status_code == 201, r.content
    doc = r.json()
    assert doc["status"] == "issued"
    assert len(doc["hash"]) == 64
    assert doc["data"]["certification"]["authority"] == "Certifying Authority TH"
    r = client.get(f"{BASE}/documents/{doc['id']}/file", **h)
    assert r.status_code == 200
    file = r.json()
    # Public verification of the file: anonymous.
    anon = Client()
    r = anon.post(f"{BASE}/verify", json.dumps(file), content_type="application/json")
    assert r.status_code == 200
    assert r.json()["valid"] is True
    assert [c["name"] for c in r.json()["checks"]][:2] == ["integrity", "issuer_trusted"]
    file["data"]["consignee"]["name"] = "Someone Else"
    r = anon.post(f"{BASE}/verify", json.dumps(file), content_type="application/json")
    result = r.json()
    assert result["valid"] is False
    failed = [c for c in result["checks"] if not c["ok"]]
    assert [c["name"] for c in failed] == ["integrity"]
    assert failed[0]["reason"] == "hash_mismatch"
    # By id, as from the QR code, with and without the right hash.
    assert anon.get(f"{BASE}/verify/{doc['id']}?hash={doc['hash']}").json()["valid"] is True
    assert anon.get(f"{BASE}/verify/{doc['id']}?hash={'0' * 64}").json()["valid"] is False
    # The trust list is public.
    tl = anon.get(f"{BASE}/trust-list").json()
    assert tl["authorities"][0]["country"] == "TH"


def test_redacted_file_through_the_api(world: dict[str, Any]) -> None:
    client, h = bearer(world["exporter_token"])
    doc = post(
        client,
        f"{BASE}/documents",
        {"doc_type": "commercial_invoice", "data": sample("commercial_invoice")},
        h,
    ).json()
    url = f"{BASE}/documents/{doc['id']}/file?hide=/lines/0/unit_price_minor&hide=/total_minor"
    file = client.get(url, **h).json()
    assert "total_minor" not in file["data"]
    assert len(file["privacy"]["obfuscated"]) == 2
    r = Client().post(f"{BASE}/verify", json.dumps(file), content_type="application/json")
    assert r.json()["valid"] is True
    r = client.get(f"{BASE}/documents/{doc['id']}/file?hide=/nope", **h)
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_redaction"


def test_field_level_errors(world: dict[str, Any]) -> None:
    client, h = bearer(world["exporter_token"])
    data = sample("atiga_form_d")
    data["items"][0]["origin_criterion"] = "RVC 40"
    data["items"][1]["origin_criterion"] = "PC 45%"
    del data["exporter"]["name"]
    r = post(client, f"{BASE}/documents", {"doc_type": "atiga_form_d", "data": data}, h)
    assert r.status_code == 422
    problem = r.json()
    assert problem["code"] == "invalid_document"
    errs = {(e["pointer"], e["code"]) for e in problem["errors"]}
    assert errs == {
        ("/exporter/name", "required"),
        ("/items/0/origin_criterion", "pattern"),
        ("/items/1/origin_criterion", "origin_criterion"),
    }
    assert all(e["message"] for e in problem["errors"])
    r = post(client, f"{BASE}/documents", {"doc_type": "bill_of_lading", "data": {}}, h)
    assert r.status_code == 422
    assert r.json()["code"] == "unknown_document_type"


def test_deeply_nested_data_is_refused(world: dict[str, Any]) -> None:
    client, h = bearer(world["exporter_token"])
    deep: Any = "x"
    for _ in range(200):
        deep = {"a": deep}
    for draft in (True, False):
        body = {"doc_type": "packing_list", "data": deep, "draft": draft}
        r = post(client, f"{BASE}/documents", body, h)
        assert r.status_code == 422
        assert r.json()["code"] == "invalid_document"


def test_unreadable_and_hostile_verify_input() -> None:
    anon = Client()
    for body in ("{nope", "[]", '"x"', json.dumps({"format": "mekong.customs.document/v1"})):
        r = anon.post(f"{BASE}/verify", body, content_type="application/json")
        assert r.status_code == 200
        assert r.json()["valid"] is False
    r = anon.get(f"{BASE}/verify/not-a-uuid")
    assert r.status_code == 422


def test_drafts_are_private_and_submit(world: dict[str, Any]) -> None:
    client, h = bearer(world["exporter_token"])
    r = post(
        client,
        f"{BASE}/documents",
        {"doc_type": "commercial_invoice", "data": {"invoice_number": "D1"}, "draft": True},
        h,
    )
    assert r.status_code == 201
    draft = r.json()
    assert draft["status"] == "draft"
    r = client.post(f"{BASE}/documents/{draft['id']}/issue", **h)
    assert r.status_code == 422  # incomplete draft: field errors
    other, oh = bearer(world["other_token"])
    assert other.get(f"{BASE}/documents/{draft['id']}", **oh).status_code == 404
    assert other.post(f"{BASE}/documents/{draft['id']}/issue", **oh).status_code == 404
    assert other.get(f"{BASE}/documents", **oh).json()["count"] == 0
    assert client.get(f"{BASE}/documents", **h).json()["count"] == 1
    # The public verify-by-id endpoint does not reveal drafts.
    assert Client().get(f"{BASE}/verify/{draft['id']}").json()["valid"] is False
    assert client.get(f"{BASE}/documents/{draft['id']}/file", **h).status_code == 409


# --- authorisation matrix ---------------------------------------------------------------------
# (caller, can see the issued document, can revoke it)
MATRIX = [
    ("anonymous", 401, 401),
    ("owner_token", 200, 403),
    ("viewer_token", 200, 403),
    ("other_token", 404, 404),
    ("subject_session", 200, 403),
    ("authority_admin_session", 200, 200),
]


@pytest.mark.parametrize(("caller", "see", "revoke"), MATRIX)
def test_authorisation_matrix(world: dict[str, Any], caller: str, see: int, revoke: int) -> None:
    client, h = bearer(world["exporter_token"])
    body = {
        "doc_type": "commercial_invoice",
        "data": sample("commercial_invoice"),
        "subject_organisation_id": world["importer"].pk,
    }
    doc = post(client, f"{BASE}/documents", body, h).json()
    cred: tuple[str, object] | None
    if caller == "anonymous":
        cred = None
    elif caller == "owner_token":
        cred = ("token", world["exporter_token"])
    elif caller == "viewer_token":
        cred = ("token", world["viewer_token"])
    elif caller == "other_token":
        cred = ("token", world["other_token"])
    elif caller == "subject_session":
        user = make_user(org=world["importer"], role="owner")
        cred = ("session", user)
    else:
        cred = ("session", world["authority_admin"])
    c, hh_ = client_for(cred)
    hh: dict[str, Any] = dict(hh_)
    if caller.endswith("_session"):
        session = c.session
        org = world["importer"] if caller == "subject_session" else world["auth_org"]
        session["organisation_id"] = org.pk
        session.save()
    assert c.get(f"{BASE}/documents/{doc['id']}", **hh).status_code == see
    assert c.get(f"{BASE}/documents/{doc['id']}/file", **hh).status_code == see
    c_csrf = c
    r = post(c_csrf, f"{BASE}/documents/{doc['id']}/revoke", {"reason": "error"}, hh)
    assert r.status_code == revoke, r.content
    # A viewer cannot issue.
    if caller == "viewer_token":
        r = post(
            c, f"{BASE}/documents", {"doc_type": "packing_list", "data": sample("packing_list")}, hh
        )
        assert r.status_code == 403
