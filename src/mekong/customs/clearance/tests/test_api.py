"""The clearance API: lodging over HTTP, problem documents, and the authorisation matrix."""

from __future__ import annotations

import json
import uuid

import pytest

from mekong.customs.clearance.tests.factories import lodge
from mekong.identity.tests.factories import client_for, make_org, make_token, make_user

pytestmark = pytest.mark.django_db
BASE = "/api/v1/clearance"


def _body(corridor, **changes):
    body = {
        "importer_name": "Hanoi Foods JSC",
        "exporter_name": "Siam Jasmine Rice Export Co.",
        "exporter_email": "export@siamjasmine.example",
        "import_country": "VN",
        "export_country": "TH",
        "transport_mode": "road",
        "currency": "USD",
        "document_ids": corridor.document_ids,
        "lines": [
            {
                "hs_code": "10063040",
                "description": "Thai Hom Mali rice",
                "quantity": "20000",
                "quantity_unit": "kg",
                "gross_mass_g": 20_400_000,
                "customs_value": 2_000_000,
                "origin_country": "TH",
                "preference": "atiga",
            }
        ],
    }
    return {**body, **changes}


def _post(client, headers, path, body):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def test_lodge_over_http_then_read_it(corridor):
    client, headers = client_for(("token", make_token(corridor.importer)))
    key = str(uuid.uuid4())
    r = _post(client, headers, f"{BASE}/declarations", _body(corridor, idempotency_key=key))
    assert r.status_code == 201, r.content
    data = r.json()
    assert (data["lane"], data["status"], data["duty"], data["vat"]) == (
        "green",
        "lodged",
        0,
        52_600_000,
    )
    assert data["assessment"]["lines"][0]["regime"] == "atiga"
    assert "fingerprint" not in data["assessment"]
    assert [e["kind"] for e in data["events"]] == ["lodged", "auto_checks", "lane_assigned"]
    again = _post(client, headers, f"{BASE}/declarations", _body(corridor, idempotency_key=key))
    assert (again.status_code, again.json()["id"]) == (201, data["id"])
    listed = client.get(f"{BASE}/declarations", **headers).json()
    assert [d["id"] for d in listed["items"]] == [data["id"]]


def test_validation_errors_are_problem_documents(corridor):
    client, headers = client_for(("token", make_token(corridor.importer)))
    bad = _body(corridor, currency="XXX")
    bad["lines"][0]["hs_code"] = "12"
    r = _post(client, headers, f"{BASE}/declarations", bad)
    assert r.status_code == 422
    problem = r.json()
    assert problem["code"] == "invalid_declaration"
    assert {(e["field"], e["code"]) for e in problem["errors"]} == {
        ("currency", "invalid_choice"),
        ("lines[0].hs_code", "wrong_length"),
    }
    r = _post(client, headers, f"{BASE}/declarations", {"lines": "nope"})
    assert r.status_code == 422
    r = client.post(f"{BASE}/declarations", b"{", content_type="application/json", **headers)
    assert r.status_code in (400, 422)


def test_explanations_follow_the_language(corridor):
    d = lodge(corridor, document_ids=(str(uuid.uuid4()),))
    client, headers = client_for(("token", make_token(corridor.importer)))
    data = client.get(f"{BASE}/declarations/{d.pk}", HTTP_ACCEPT_LANGUAGE="en", **headers).json()
    hit = data["risk_hits"][0]
    assert hit["rule"] == "document_missing"
    assert hit["explanation"].startswith("Document ")


def test_authorisation_matrix(corridor):
    d = lodge(corridor)
    other_trader = make_org(kind="sme", country="VN")
    thai_customs = make_org(kind="customs_authority", country="TH")
    callers = {
        "anonymous": None,
        "importer": ("token", make_token(corridor.importer)),
        "importer_viewer": ("token", make_token(corridor.importer, role="viewer")),
        "other_trader": ("token", make_token(other_trader)),
        "vn_officer": ("session", corridor.officer),
        "vn_viewer": ("token", make_token(corridor.customs, role="viewer")),
        "th_officer": ("session", make_user(org=thai_customs)),
    }
    get = f"{BASE}/declarations/{d.pk}"
    queue = f"{BASE}/queue"
    hold = f"{BASE}/declarations/{d.pk}/hold"
    lodge_url = f"{BASE}/declarations"
    expected = {
        # caller: (get, queue, lodge, hold)
        "anonymous": (401, 401, 401, 401),
        "importer": (200, 403, 201, 403),
        "importer_viewer": (200, 403, 403, 403),
        "other_trader": (404, 403, 201, 403),  # may lodge its own, not see ours
        "vn_officer": (200, 200, 403, 200),
        "vn_viewer": (200, 200, 403, 403),
        "th_officer": (404, 200, 403, 404),
    }
    for name, cred in callers.items():
        client, headers = client_for(cred)
        got = (
            client.get(get, **headers).status_code,
            client.get(queue, **headers).status_code,
            _post(client, headers, lodge_url, _body(corridor)).status_code,
            _post(client, headers, hold, {"note": "inspect"}).status_code,
        )
        assert got == expected[name], name
    # The Thai officer's queue does not show the Vietnamese declaration.
    client, headers = client_for(callers["th_officer"])
    assert client.get(queue, **headers).json()["count"] == 0


def test_officer_decisions_over_http(corridor):
    d = lodge(corridor)
    client, headers = client_for(("token", make_token(corridor.customs)))
    assert client.get(f"{BASE}/queue?lane=green", **headers).json()["count"] == 1
    assert client.get(f"{BASE}/queue?lane=red", **headers).json()["count"] == 0
    r = _post(client, headers, f"{BASE}/declarations/{d.pk}/release", {"note": ""})
    assert (r.status_code, r.json()["status"]) == (200, "released")
    assert r.json()["clearance_seconds"] is not None
    r = _post(client, headers, f"{BASE}/declarations/{d.pk}/release", {"note": ""})
    assert (r.status_code, r.json()["code"]) == (409, "invalid_declaration_state")
    assert client.get(f"{BASE}/queue", **headers).json()["count"] == 0


def test_list_query_budget(corridor, django_assert_max_num_queries):
    for _ in range(3):
        lodge(corridor)
    client, headers = client_for(("token", make_token(corridor.importer)))
    with django_assert_max_num_queries(8):
        r = client.get(f"{BASE}/declarations", **headers)
    assert r.json()["count"] == 3
