"""Sandbox-scoped API tokens over real HTTP (ADR 0011).

Registering for the sandbox hands out a token that pays sandbox payees and is refused with 403
``sandbox_token`` on every live payments endpoint and every other module's API, while the
organisation's normal tokens keep working on both. The matrix below uses one organisation, a
live PSP that also registered for the sandbox, so the two tokens differ only in their scope.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from mekong.core import clock
from mekong.identity.models import ApiToken, TokenScope
from mekong.identity.tests.factories import make_org, make_token
from mekong.payments.models import Payment, ProxyEntry, Quote, Wallet, WebhookEndpoint
from mekong.payments.tests.factories import Hub, make_hub

pytestmark = pytest.mark.django_db
API = "/api/v1"
BASE = f"{API}/payments"
SANDBOX = f"{BASE}/sandbox"


def call(
    method: str, path: str, secret: str | None, body: object = None, key: str | None = None
) -> Any:
    """One request with a bearer token (and an Idempotency-Key when given)."""
    headers: dict[str, Any] = {}
    if secret is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    client = Client()
    if method == "GET":
        return client.get(path, body if isinstance(body, dict) else {}, **headers)
    data = json.dumps(body) if body is not None else ""
    return client.generic(method, path, data, content_type="application/json", **headers)


def register(secret: str) -> dict[str, Any]:
    response = call("POST", f"{SANDBOX}/register", secret, {})
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def assert_sandbox_refusal(response: Any) -> None:
    assert response.status_code == 403, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "sandbox_token"
    assert problem["status"] == 403
    assert "/api/v1/payments/sandbox/" in problem["detail"]


def pay(hub: Hub, secret: str, src: str, dst: str, key: str) -> dict[str, Any]:
    """A live payment from ``src``'s test wallet to ``dst``'s, with a normal token of src."""
    quote = call(
        "POST",
        f"{BASE}/quotes",
        secret,
        {
            "wallet_id": hub.wallets[src].pk,
            "payee": {"kind": "wallet_id", "value": hub.wallets[dst].account_ref},
            "amount": 1_000_000,
        },
    )
    assert quote.status_code == 201, quote.content
    paid = call("POST", f"{BASE}/payments", secret, {"quote_id": quote.json()["id"]}, key=key)
    assert paid.status_code == 201, paid.content
    body: dict[str, Any] = paid.json()
    return body


@pytest.fixture
def scene() -> dict[str, Any]:
    """The VN PSP (live) with a normal admin token, registered for the sandbox, and one live
    object of each kind the live endpoints address."""
    hub = make_hub()
    vn_org = hub.psps["VN"].organisation
    normal = make_token(vn_org, role="admin")
    setup = register(normal)
    la = make_token(hub.psps["LA"].organisation, role="member")
    sent = pay(hub, normal, "VN", "LA", key="sent")
    received = pay(hub, la, "LA", "VN", key="received")
    open_quote = call(
        "POST",
        f"{BASE}/quotes",
        normal,
        {
            "wallet_id": hub.wallets["VN"].pk,
            "payee": {"kind": "wallet_id", "value": hub.wallets["LA"].account_ref},
            "amount": 500_000,
        },
    ).json()
    hook = call("POST", f"{BASE}/webhooks", normal, {"url": "https://hooks.example.org/mekong"})
    assert hook.status_code == 201, hook.content
    now = clock.now()
    return {
        "hub": hub,
        "normal": normal,
        "sandbox": setup["token"],
        "setup": setup,
        "ids": {
            "la_ref": hub.wallets["LA"].account_ref,
            "vn_wallet": hub.wallets["VN"].pk,
            "sent": sent["id"],
            "received": received["id"],
            "quote": open_quote["id"],
            "hook": hook.json()["id"],
            "since": (now - timedelta(days=1)).isoformat(),
            "until": (now + timedelta(days=1)).isoformat(),
        },
    }


def _quote_body(ids: dict[str, Any]) -> dict[str, Any]:
    return {
        "wallet_id": ids["vn_wallet"],
        "payee": {"kind": "wallet_id", "value": ids["la_ref"]},
        "amount": 100_000,
    }


# Every live payments endpoint: (method, path, body, Idempotency-Key?, status for the normal
# token). ``{name}`` is filled from the scene's ids; a body that is callable is built from them.
LIVE_ENDPOINTS: dict[str, tuple[str, str, Any, bool, int]] = {
    "proxy_lookup": ("GET", "/proxies/wallet_id/{la_ref}", None, False, 200),
    "qr_resolve": ("POST", "/qr/resolve", {"payload": "not a qr code"}, False, 422),
    "quote_create": ("POST", "/quotes", _quote_body, False, 201),
    "quote_get": ("GET", "/quotes/{quote}", None, False, 200),
    "payment_create": ("POST", "/payments", lambda ids: {"quote_id": ids["quote"]}, True, 201),
    "payment_list": ("GET", "/payments", None, False, 200),
    "payment_get": ("GET", "/payments/{sent}", None, False, 200),
    "payment_messages": ("GET", "/payments/{sent}/messages", None, False, 200),
    "refund_create": ("POST", "/payments/{received}/refunds", {"amount": 1_000}, True, 201),
    "wallet_list": ("GET", "/wallets", None, False, 200),
    "wallet_create": ("POST", "/wallets", {"holder_name": "Nguyen Van A"}, False, 201),
    "proxy_create": (
        "POST",
        "/wallets/{vn_wallet}/proxies",
        {"kind": "phone", "value": "+84912345678"},
        False,
        201,
    ),
    "positions": ("GET", "/positions", None, False, 200),
    "settlement": (
        "GET",
        "/settlement",
        lambda ids: {"since": ids["since"], "until": ids["until"]},
        False,
        200,
    ),
    "webhook_create": ("POST", "/webhooks", {"url": "https://b.example.org/hook"}, False, 201),
    "webhook_list": ("GET", "/webhooks", None, False, 200),
    "webhook_delete": ("DELETE", "/webhooks/{hook}", None, False, 204),
    "webhook_deliveries": ("GET", "/webhooks/{hook}/deliveries", None, False, 200),
}


def _request(scene: dict[str, Any], endpoint: str, secret: str) -> Any:
    method, path, body, keyed, _expected = LIVE_ENDPOINTS[endpoint]
    ids = scene["ids"]
    if callable(body):
        body = body(ids)
    key = f"matrix-{uuid.uuid4()}" if keyed else None
    return call(method, BASE + path.format(**ids), secret, body, key=key)


def _live_state(scene: dict[str, Any]) -> tuple[Any, ...]:
    positions = call("GET", f"{BASE}/positions", scene["normal"]).json()
    return (
        Payment.objects.count(),
        Quote.objects.count(),
        Wallet.objects.count(),
        ProxyEntry.objects.count(),
        WebhookEndpoint.objects.filter(active=True).count(),
        json.dumps(positions, sort_keys=True),
    )


@pytest.mark.parametrize("endpoint", list(LIVE_ENDPOINTS))
def test_sandbox_token_is_refused_on_every_live_payments_endpoint(scene, endpoint):
    before = _live_state(scene)
    assert_sandbox_refusal(_request(scene, endpoint, scene["sandbox"]))
    assert _live_state(scene) == before  # the refusal moved and created nothing


@pytest.mark.parametrize("endpoint", list(LIVE_ENDPOINTS))
def test_normal_token_of_the_same_organisation_still_works_live(scene, endpoint):
    response = _request(scene, endpoint, scene["normal"])
    assert response.status_code == LIVE_ENDPOINTS[endpoint][4], response.content
    if response.status_code >= 400:
        assert response.json()["code"] != "sandbox_token"


def test_the_matrix_lists_every_live_payments_operation(scene):
    """A new live endpoint must join LIVE_ENDPOINTS (the sweep below covers it meanwhile)."""
    schema = Client().get(f"{API}/openapi.json").json()
    live = {
        op["operationId"].removeprefix("payments_")
        for path, item in schema["paths"].items()
        if path.startswith(f"{BASE}/") and not path.startswith(f"{SANDBOX}/")
        for op in item.values()
    }
    assert live == set(LIVE_ENDPOINTS)


def test_registration_returns_a_sandbox_token_that_pays_a_test_payee():
    fintech = make_org(kind="sme", country="TH", name="Tuk Tuk Pay")
    admin = make_token(fintech, role="admin")
    setup = register(admin)
    secret = setup["token"]
    token = ApiToken.objects.get(pk=setup["token_id"])
    assert (token.organisation_id, token.scope, token.role, token.name) == (
        fintech.pk,
        TokenScope.SANDBOX,
        "member",
        "sandbox",
    )
    assert secret.split("_")[1] == token.prefix  # mkt_<prefix>_<secret>
    assert token.digest not in json.dumps(setup)
    thb = next(w for w in setup["wallets"] if w["currency"] == "THB")
    quote = call(
        "POST",
        f"{SANDBOX}/quotes",
        secret,
        {
            "wallet_id": thb["id"],
            "payee": {"kind": "phone", "value": setup["test_phones"]["MM"]},
            "amount": 1_000_00,
        },
    )
    assert quote.status_code == 201, quote.content
    paid = call("POST", f"{SANDBOX}/payments", secret, {"quote_id": quote.json()["id"]}, key="p1")
    assert paid.status_code == 201, paid.content
    assert paid.json()["sandbox"] is True
    assert paid.json()["status"] == "completed"
    assert call("GET", f"{SANDBOX}/payments/{paid.json()['id']}", secret).status_code == 200
    funded = call("POST", f"{SANDBOX}/wallets/{thb['id']}/fund", secret, {"amount": 500}, key="f")
    assert funded.status_code == 200, funded.content
    assert funded.json()["balance"] == thb["balance"] - quote.json()["total_debit"] + 500
    # The organisation's admin sees the new token, with its scope, in identity's token list.
    listed = call("GET", f"{API}/organisations/{fintech.pk}/tokens", admin).json()["items"]
    assert {(t["id"], t["scope"]) for t in listed} >= {(token.pk, "sandbox")}


def test_each_registration_issues_a_new_token_for_the_same_participant():
    fintech = make_org(kind="sme", country="KH")
    admin = make_token(fintech, role="admin")
    first, second = register(admin), register(admin)
    assert first["participant_id"] == second["participant_id"]
    assert [w["id"] for w in first["wallets"]] == [w["id"] for w in second["wallets"]]
    assert first["token"] != second["token"]
    assert first["token_id"] != second["token_id"]
    for secret in (first["token"], second["token"]):
        assert call("GET", f"{SANDBOX}/positions", secret).status_code == 200


def test_only_managers_register_and_a_refusal_issues_no_token():
    fintech = make_org(kind="sme", country="LA")
    member = make_token(fintech, role="member")
    before = ApiToken.objects.filter(organisation=fintech).count()
    refused = call("POST", f"{SANDBOX}/register", member, {})
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_a_participant"
    assert ApiToken.objects.filter(organisation=fintech).count() == before
    # A sandbox token is a member token: it cannot mint more of itself either.
    sandbox_token = register(make_token(fintech, role="admin"))["token"]
    again = call("POST", f"{SANDBOX}/register", sandbox_token, {})
    assert again.status_code == 403
    assert again.json()["code"] == "not_a_participant"


def test_normal_token_keeps_working_on_the_sandbox(scene):
    normal = scene["normal"]
    assert call("GET", f"{SANDBOX}/positions", normal).status_code == 200
    wallets = call("GET", f"{SANDBOX}/wallets", normal).json()["items"]
    assert {w["id"] for w in wallets} == {w["id"] for w in scene["setup"]["wallets"]}


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/marketplace/orders", {}),
        ("/marketplace/cart", {}),
        ("/customs/documents", {}),
        ("/me", {}),
        ("/organisations", {}),
    ],
)
def test_sandbox_token_is_refused_by_other_modules_and_normal_token_is_not(scene, path, params):
    assert_sandbox_refusal(call("GET", API + path, scene["sandbox"], params))
    assert call("GET", API + path, scene["normal"], params).status_code == 200


def test_sandbox_token_is_refused_on_every_authenticated_operation_outside_the_sandbox(scene):
    """A sweep over the served OpenAPI document, so an endpoint added later is covered without
    anyone remembering to add it here. Public operations (no security) ignore tokens."""
    schema = Client().get(f"{API}/openapi.json").json()
    checked, wrong = 0, []
    for path, item in schema["paths"].items():
        if path.startswith(f"{SANDBOX}/"):
            continue
        for method, op in item.items():
            if not op.get("security"):
                continue
            response = call(method.upper(), _fill(path, op), scene["sandbox"], key="sweep")
            checked += 1
            if response.status_code != 403 or response.json().get("code") != "sandbox_token":
                wrong.append(f"{method.upper()} {path} -> {response.status_code}")
    assert wrong == []
    assert checked >= len(LIVE_ENDPOINTS) + 10  # the sweep really walked the API


def _fill(path: str, operation: dict[str, Any]) -> str:
    """The path with each path parameter replaced by a value its converter accepts."""
    for param in operation.get("parameters", []):
        if param["in"] != "path":
            continue
        schema = param.get("schema", {})
        if schema.get("type") == "integer":
            value = "1"
        elif schema.get("format") == "uuid":
            value = str(uuid.uuid4())
        else:
            value = "x"
        path = path.replace("{" + param["name"] + "}", value)
    return path


def test_sandbox_operations_accept_the_sandbox_token(scene):
    """The other half of the sweep: nothing under the sandbox prefix refuses it for its scope."""
    schema = Client().get(f"{API}/openapi.json").json()
    sandbox_ops = [
        (method.upper(), path, op)
        for path, item in schema["paths"].items()
        if path.startswith(f"{SANDBOX}/")
        for method, op in item.items()
    ]
    assert len(sandbox_ops) == len(LIVE_ENDPOINTS) + 2  # the live twins, register and fund
    for method, path, op in sandbox_ops:
        response = call(method, _fill(path, op), scene["sandbox"], key="sweep")
        assert response.status_code != 401, (method, path)
        if response["Content-Type"] == "application/problem+json":
            assert response.json()["code"] != "sandbox_token", (method, path)


def test_revoked_sandbox_token_is_not_authenticated(scene):
    setup = scene["setup"]
    revoked = call(
        "DELETE",
        f"{API}/organisations/{scene['hub'].psps['VN'].organisation_id}/tokens/{setup['token_id']}",
        scene["normal"],
    )
    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["scope"] == "sandbox"
    for path in (f"{SANDBOX}/positions", f"{BASE}/positions"):
        response = call("GET", path, scene["sandbox"])
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
