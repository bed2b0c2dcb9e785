"""Ledger API: the object-level authorisation matrix, then the shapes of each endpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mekong.core import clock
from mekong.identity.tests.factories import client_for, make_org, make_token, make_user
from mekong.ledger import services
from mekong.ledger.contracts import TransferIn
from mekong.ledger.models import Account
from mekong.ledger.tests.factories import fresh_id, make_account, xfer

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def world():
    """Org A owns the target account (with history); org B is the neighbour."""
    org_a, org_b = make_org(name="Org A"), make_org(name="Org B", country="VN")
    target = make_account(org_a, name="A settlement")
    source = make_account(org_b, name="B float")
    with clock.frozen(T0):
        services.transfers_create([xfer(source, target, 500)])
    return {
        "org_a": org_a,
        "org_b": org_b,
        "target": target,
        "source": source,
        "credentials": {
            "anonymous": None,
            "token_viewer_a": ("token", make_token(org_a, role="viewer")),
            "token_member_a": ("token", make_token(org_a, role="member")),
            "token_admin_a": ("token", make_token(org_a, role="admin")),
            "token_admin_b": ("token", make_token(org_b, role="admin")),
            "session_owner_a": ("session", make_user(org=org_a, role="owner")),
            "session_viewer_a": ("session", make_user(org=org_a, role="viewer")),
            "session_owner_b": ("session", make_user(org=org_b, role="owner")),
        },
    }


# Expected status per (endpoint, caller). Org A's account is the target of every call; creating
# an account always creates it in the caller's own organisation.
MATRIX = {
    "list_accounts": {
        "anonymous": 401,
        "token_viewer_a": 200,
        "token_member_a": 200,
        "token_admin_a": 200,
        "token_admin_b": 200,
        "session_owner_a": 200,
        "session_viewer_a": 200,
        "session_owner_b": 200,
    },
    "get_account": {
        "anonymous": 401,
        "token_viewer_a": 200,
        "token_member_a": 200,
        "token_admin_a": 200,
        "token_admin_b": 404,
        "session_owner_a": 200,
        "session_viewer_a": 200,
        "session_owner_b": 404,
    },
    "create_account": {
        "anonymous": 401,
        "token_viewer_a": 403,
        "token_member_a": 403,
        "token_admin_a": 201,
        "token_admin_b": 201,
        "session_owner_a": 201,
        "session_viewer_a": 403,
        "session_owner_b": 201,
    },
    "history": {
        "anonymous": 401,
        "token_viewer_a": 200,
        "token_member_a": 200,
        "token_admin_a": 200,
        "token_admin_b": 404,
        "session_owner_a": 200,
        "session_viewer_a": 200,
        "session_owner_b": 404,
    },
    "statement": {
        "anonymous": 401,
        "token_viewer_a": 200,
        "token_member_a": 200,
        "token_admin_a": 200,
        "token_admin_b": 404,
        "session_owner_a": 200,
        "session_viewer_a": 200,
        "session_owner_b": 404,
    },
}
CALLERS = list(MATRIX["get_account"])
A_CALLERS = {c for c in CALLERS if c.endswith("_a")}


@pytest.mark.parametrize("endpoint", list(MATRIX))
@pytest.mark.parametrize("caller", CALLERS)
def test_authorisation_matrix(world, endpoint, caller):
    client, headers = client_for(world["credentials"][caller])
    account_id = world["target"].pk
    base = f"/api/v1/ledger/accounts/{account_id}"
    counts_before = {
        org: Account.objects.filter(organisation=world[org]).count() for org in ("org_a", "org_b")
    }
    if endpoint == "list_accounts":
        response = client.get("/api/v1/ledger/accounts", **headers)
    elif endpoint == "get_account":
        response = client.get(base, **headers)
    elif endpoint == "create_account":
        response = client.post(
            "/api/v1/ledger/accounts",
            {"currency": "THB", "code": 300, "name": "new"},
            content_type="application/json",
            **headers,
        )
    elif endpoint == "history":
        response = client.get(f"{base}/transfers", **headers)
    else:
        response = client.get(
            f"{base}/statement",
            {"since": T0.isoformat(), "until": (T0 + timedelta(days=1)).isoformat()},
            **headers,
        )
    expected = MATRIX[endpoint][caller]
    assert response.status_code == expected, response.content
    counts_after = {
        org: Account.objects.filter(organisation=world[org]).count() for org in ("org_a", "org_b")
    }
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == expected
        assert counts_after == counts_before  # a refused call changes nothing
    if expected == 404:
        # Another organisation's account looks exactly like a missing one.
        assert response.json()["code"] == "account_not_found"
    if endpoint == "list_accounts" and expected == 200:
        ids = [item["id"] for item in response.json()["items"]]
        assert (account_id in ids) == (caller in A_CALLERS)
        assert world["source"].pk not in ids or caller not in A_CALLERS
    if endpoint == "create_account" and expected == 201:
        own = "org_a" if caller in A_CALLERS else "org_b"
        assert Account.objects.get(pk=response.json()["id"]).organisation_id == world[own].pk
        assert counts_after[own] == counts_before[own] + 1


def test_a_missing_account_answers_like_another_organisations(world):
    client, headers = client_for(world["credentials"]["token_admin_a"])
    other = client.get(f"/api/v1/ledger/accounts/{world['source'].pk}", **headers)
    missing = client.get("/api/v1/ledger/accounts/999999999", **headers)
    assert other.status_code == missing.status_code == 404
    assert {k: v for k, v in other.json().items() if k != "instance"} == {
        k: v for k, v in missing.json().items() if k != "instance"
    }


def test_account_list_shows_balances_within_a_query_budget(world, django_assert_max_num_queries):
    for n in range(5):
        make_account(world["org_a"], name=f"extra {n}")
    client, headers = client_for(world["credentials"]["token_viewer_a"])
    with django_assert_max_num_queries(5):
        body = client.get("/api/v1/ledger/accounts?limit=3", **headers).json()
    assert body["count"] == 6
    first = body["items"][0]
    assert (first["name"], first["credits_posted"], first["balance"], first["available"]) == (
        "A settlement",
        500,
        500,
        500,
    )


def test_create_account_is_idempotent_and_validates(world):
    client, headers = client_for(world["credentials"]["token_admin_a"])
    key = str(fresh_id())
    body = {
        "currency": "LAK",
        "code": 200,
        "external_id": key,
        "debits_must_not_exceed_credits": True,
    }
    first = client.post("/api/v1/ledger/accounts", body, content_type="application/json", **headers)
    again = client.post("/api/v1/ledger/accounts", body, content_type="application/json", **headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    clash = client.post(
        "/api/v1/ledger/accounts", {**body, "code": 201}, content_type="application/json", **headers
    )
    assert (clash.status_code, clash.json()["code"]) == (
        409,
        "account_exists_with_different_fields",
    )
    bad = client.post(
        "/api/v1/ledger/accounts",
        {
            "currency": "ZZZ",
            "code": 1,
            "credits_must_not_exceed_debits": True,
            "debits_must_not_exceed_credits": True,
        },
        content_type="application/json",
        **headers,
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_account")
    assert {e["field"] for e in bad.json()["errors"]} == {"currency", "flags"}


def test_history_lists_pending_status_and_paginates(world, django_assert_max_num_queries):
    target, source = world["target"], world["source"]
    with clock.frozen(T0 + timedelta(hours=1)):
        hold = xfer(target, source, 100, pending=True, timeout=60, code=5)
        services.transfers_create([hold])
        void = TransferIn(id=fresh_id(), pending_id=hold.id, void_pending=True)
        services.transfers_create([void])
    client, headers = client_for(world["credentials"]["session_viewer_a"])
    url = f"/api/v1/ledger/accounts/{target.pk}/transfers"
    with django_assert_max_num_queries(8):
        body = client.get(url, {"limit": 2}, **headers).json()
    assert body["count"] == 3
    assert [(i["kind"], i["status"]) for i in body["items"]] == [
        ("void_pending", None),
        ("pending", "voided"),
    ]
    filtered = client.get(url, {"code": 5}, **headers).json()  # the void inherits code 5
    assert [i["id"] for i in filtered["items"]] == [str(void.id), str(hold.id)]
    since = client.get(url, {"since": (T0 + timedelta(minutes=30)).isoformat()}, **headers).json()
    assert since["count"] == 2


def test_naive_datetimes_are_a_validation_error(world):
    client, headers = client_for(world["credentials"]["token_admin_a"])
    url = f"/api/v1/ledger/accounts/{world['target'].pk}/statement"
    response = client.get(
        url, {"since": "2026-06-01T00:00:00", "until": "2026-06-02T00:00:00"}, **headers
    )
    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    backwards = client.get(
        url, {"since": "2026-06-02T00:00:00Z", "until": "2026-06-01T00:00:00Z"}, **headers
    )
    assert (backwards.status_code, backwards.json()["code"]) == (422, "invalid_period")


def test_statement_over_http(world):
    client, headers = client_for(world["credentials"]["token_member_a"])
    response = client.get(
        f"/api/v1/ledger/accounts/{world['target'].pk}/statement",
        {"since": T0.isoformat(), "until": (T0 + timedelta(days=1)).isoformat()},
        **headers,
    )
    body = response.json()
    assert (body["opening_balance"], body["closing_balance"], body["count"]) == (0, 500, 1)
    assert [(i["credit"], i["debit"], i["balance_after"]) for i in body["items"]] == [(500, 0, 500)]
