"""Participant API: the authorisation matrix, idempotency over HTTP, bad input → 4xx problem
documents with stable codes, and the sandbox kept apart from live money."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest

from mekong.core import clock
from mekong.identity.tests.factories import client_for, make_org, make_token
from mekong.payments.models import Payment, Wallet
from mekong.payments.tests.factories import make_hub

pytestmark = pytest.mark.django_db
BASE = "/api/v1/payments"


class Caller:
    """A test client acting with one organisation's token."""

    def __init__(self, secret: str | None) -> None:
        self.client, self.headers = client_for(("token", secret) if secret else None)

    def get(self, path: str, **params: Any) -> Any:
        extra: dict[str, Any] = dict(self.headers)
        return self.client.get(BASE + path, params, **extra)

    def post(self, path: str, body: object, key: str | None = None) -> Any:
        headers: dict[str, Any] = dict(self.headers)
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        return self.client.post(
            BASE + path, json.dumps(body), content_type="application/json", **headers
        )


@pytest.fixture
def world():
    hub = make_hub()
    org_of = {c: p.organisation for c, p in hub.psps.items()}
    callers = {
        "vn": Caller(make_token(org_of["VN"], role="member")),
        "vn_viewer": Caller(make_token(org_of["VN"], role="viewer")),
        "la": Caller(make_token(org_of["LA"], role="member")),
        "th": Caller(make_token(org_of["TH"], role="member")),
        "fx": Caller(make_token(hub.fxp.organisation, role="member")),
        "hub": Caller(make_token(hub.hub.organisation, role="member")),
        "outsider": Caller(make_token(make_org(kind="sme"), role="admin")),
        "anonymous": Caller(None),
    }
    return hub, callers


def _quote_body(hub, src="VN", dst="LA", amount=1_000_000):
    return {
        "wallet_id": hub.wallets[src].pk,
        "payee": {"kind": "wallet_id", "value": hub.wallets[dst].account_ref},
        "amount": amount,
    }


def _pay(hub, callers, key="k1"):
    quote = callers["vn"].post("/quotes", _quote_body(hub))
    assert quote.status_code == 201, quote.content
    paid = callers["vn"].post("/payments", {"quote_id": quote.json()["id"]}, key=key)
    assert paid.status_code == 201, paid.content
    return paid.json()


def test_authorisation_matrix_on_a_payment(world):
    hub, callers = world
    payment = _pay(hub, callers)
    path = f"/payments/{payment['id']}"
    expected = {
        "vn": 200,  # sender
        "vn_viewer": 200,  # read-only token of the sender
        "la": 200,  # receiver
        "fx": 200,  # FX provider of the payment
        "hub": 200,  # hub operator
        "th": 404,  # another participant: as if it did not exist
        "outsider": 403,  # not a participant
        "anonymous": 401,
    }
    for who, status in expected.items():
        response = callers[who].get(path)
        assert response.status_code == status, (who, response.content)
        if status >= 400:
            assert response["Content-Type"].startswith("application/problem+json")
    assert callers["outsider"].get(path).json()["code"] == "not_a_participant"
    assert callers["th"].get(path).json()["code"] == "payment_not_found"
    for who in ("vn", "la"):
        messages = callers[who].get(path + "/messages")
        assert messages.status_code == 200
        assert "pacs.008.001.08" in messages.json()["pacs008"]
    assert callers["th"].get(path + "/messages").status_code == 404
    # Lists show a participant only its own payments.
    assert callers["vn"].get("/payments").json()["count"] == 1
    assert callers["la"].get("/payments").json()["count"] == 1
    assert callers["th"].get("/payments").json()["count"] == 0
    assert callers["hub"].get("/payments").json()["count"] == 1


def test_authorisation_matrix_on_writes(world):
    hub, callers = world
    # Only the wallet's own PSP may quote from it; a viewer token may not write at all.
    body = _quote_body(hub)
    expected = {"vn": 201, "vn_viewer": 403, "la": 404, "th": 404, "fx": 404, "outsider": 403,
                "anonymous": 401}  # fmt: skip
    for who, status in expected.items():
        assert callers[who].post("/quotes", body).status_code == status, who
    assert callers["la"].post("/quotes", body).json()["code"] == "wallet_not_found"
    # Another PSP cannot pay the VN wallet's quote either.
    quote = callers["vn"].post("/quotes", body).json()
    stolen = callers["th"].post("/payments", {"quote_id": quote["id"]}, key="x")
    assert stolen.status_code == 404
    assert stolen.json()["code"] == "quote_not_found"
    assert callers["th"].get(f"/quotes/{quote['id']}").status_code == 404
    assert callers["vn"].get(f"/quotes/{quote['id']}").status_code == 200
    # Refunds: only the receiving PSP.
    payment = _pay(hub, callers, key="k-refund")
    refund_path = f"/payments/{payment['id']}/refunds"
    assert callers["vn"].post(refund_path, {"amount": 100}, key="r").status_code == 403
    assert callers["th"].post(refund_path, {"amount": 100}, key="r").status_code == 404
    ok = callers["la"].post(refund_path, {"amount": 100}, key="r")
    assert ok.status_code == 201, ok.content
    assert ok.json()["refund_of"] == payment["id"]
    # Wallets: each PSP lists only its own.
    la_wallets = callers["la"].get("/wallets").json()
    assert {w["id"] for w in la_wallets["items"]} == {hub.wallets["LA"].pk}


def test_positions_and_settlement_are_the_callers_own(world):
    hub, callers = world
    _pay(hub, callers)
    vn_positions = callers["vn"].get("/positions").json()
    assert {(p["kind"], p["currency"]) for p in vn_positions} == {
        ("settlement", "VND"),
        ("treasury", "VND"),
    }
    fx_currencies = {p["currency"] for p in callers["fx"].get("/positions").json()}
    assert {"VND", "LAK", "THB"} <= fx_currencies
    since = (clock.now() - timedelta(hours=1)).isoformat()
    until = (clock.now() + timedelta(hours=1)).isoformat()
    rows = callers["vn"].get("/settlement", since=since, until=until).json()
    assert {r["participant_id"] for r in rows} == {hub.psps["VN"].pk}
    assert rows[0]["net"] < 0  # it paid out
    assert callers["th"].get("/settlement", since=since, until=until).json() == []
    everyone = callers["hub"].get("/settlement", since=since, until=until).json()
    assert len({r["participant_id"] for r in everyone}) == 3  # VN, FX provider, LA
    assert callers["outsider"].get("/positions").status_code == 403
    assert callers["vn"].get("/settlement", since="yesterday").status_code == 422
    same = callers["vn"].get("/settlement", since=since, until=since)
    assert same.status_code == 422
    assert same.json()["code"] == "invalid_period"
    empty = callers["vn"].get("/settlement", since="2000-01-01T00:00:00Z", until=since)
    assert empty.status_code == 200
    assert empty.json() == []


def test_idempotency_over_http(world):
    hub, callers = world
    quote = callers["vn"].post("/quotes", _quote_body(hub)).json()
    missing = callers["vn"].post("/payments", {"quote_id": quote["id"]})
    assert missing.status_code == 422
    first = callers["vn"].post("/payments", {"quote_id": quote["id"]}, key="same")
    again = callers["vn"].post("/payments", {"quote_id": quote["id"]}, key="same")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Payment.objects.count() == 1
    other = callers["vn"].post(
        "/payments", {"quote_id": quote["id"], "reference": "changed"}, key="same"
    )
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_conflict"
    used = callers["vn"].post("/payments", {"quote_id": quote["id"]}, key="new-key")
    assert used.status_code == 409
    assert used.json()["code"] == "quote_used"


def test_bad_input_answers_4xx_with_stable_codes(world):
    hub, callers = world
    vn = callers["vn"]
    cases = [
        (vn.post("/quotes", {**_quote_body(hub), "amount": -5}), 422, "validation_error"),
        (vn.post("/quotes", {**_quote_body(hub), "fixed": "both"}), 422, "validation_error"),
        (vn.post("/quotes", {"wallet_id": "x"}), 422, "validation_error"),
        (vn.post("/quotes", {**_quote_body(hub), "payee": {"kind": "phone", "value": "+6690"}}),
         422, "proxy_invalid"),
        (vn.post("/quotes", {**_quote_body(hub), "payee": {"kind": "phone",
                                                            "value": "+66812229999"}}),
         404, "payee_not_found"),
        (vn.post("/quotes", {**_quote_body(hub), "payee": {}}), 404, "payee_not_found"),
        (vn.post("/quotes", {**_quote_body(hub), "payee": {"qr": "000201garbage"}}), 422,
         "qr_invalid"),
        (vn.post("/qr/resolve", {"payload": "not a qr"}), 422, "qr_invalid"),
        (vn.post("/quotes", {**_quote_body(hub, "VN", "VN"), "wallet_id": 10**9}), 404,
         "wallet_not_found"),
        (vn.get("/proxies/email/a@b.c"), 422, "proxy_invalid"),
        (vn.get("/proxies/phone/+66812229999"), 404, "payee_not_found"),
        (vn.get("/payments/not-a-uuid"), 422, "validation_error"),
        (vn.get(f"/payments/{uuid.uuid4()}"), 404, "payment_not_found"),
        (vn.post("/payments", {"quote_id": str(uuid.uuid4())}, key="k"), 404,
         "quote_not_found"),
        (vn.post("/payments", {"quote_id": "nope"}, key="k"), 422, "validation_error"),
        (vn.post("/payments", {"quote_id": str(uuid.uuid4())}, key="x" * 201), 422,
         "validation_error"),
        (vn.get("/payments", status="lost"), 422, "validation_error"),
        (vn.post("/wallets/999999/proxies", {"kind": "phone", "value": "+66812223333"}), 404,
         "wallet_not_found"),
    ]  # fmt: skip
    for response, status, code in cases:
        assert response.status_code == status, (code, response.content)
        assert response.json()["code"] == code, response.content
    with clock.frozen(clock.now()) as frozen:
        quote = vn.post("/quotes", _quote_body(hub)).json()
        frozen.advance(timedelta(minutes=2))
        late = vn.post("/payments", {"quote_id": quote["id"]}, key="late")
    assert late.status_code == 409
    assert late.json()["code"] == "quote_expired"


def test_refusals_over_http_name_the_refused_payment(world):
    hub, callers = world
    body = _quote_body(hub, amount=10**12)  # far more than the wallet holds
    quote = callers["vn"].post("/quotes", body).json()
    refused = callers["vn"].post("/payments", {"quote_id": quote["id"]}, key="big")
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] in {"insufficient_funds", "limit_exceeded"}
    status = callers["vn"].get(f"/payments/{problem['payment_id']}")
    assert status.json()["status"] == "refused"
    assert status.json()["refusal_code"] == problem["code"]


def test_proxy_lookup_shows_only_the_masked_name(world):
    hub, callers = world
    wallet = Wallet.objects.get(pk=hub.wallets["LA"].pk)
    created = callers["la"].post(
        f"/wallets/{wallet.pk}/proxies", {"kind": "phone", "value": "+856 20 5555 0001"}
    )
    assert created.status_code == 201, created.content
    taken = callers["la"].post(
        f"/wallets/{wallet.pk}/proxies",
        {"kind": "wallet_id", "value": hub.wallets["VN"].account_ref},
    )
    assert taken.status_code == 409
    assert taken.json()["code"] == "proxy_taken"
    found = callers["th"].get("/proxies/phone/+8562055550001")
    assert found.status_code == 200
    body = found.json()
    assert body["display_name"].endswith(".")
    assert wallet.holder_name not in json.dumps(body)
    assert "account_ref" not in body


def test_sandbox_is_separate_from_live_money(world):
    hub, callers = world
    fintech = make_org(kind="sme", country="TH", name="Tuk Tuk Pay")
    owner = Caller(make_token(fintech, role="admin"))
    member = Caller(make_token(fintech, role="member"))
    assert member.post("/sandbox/register", {}).status_code == 403
    registered = owner.post("/sandbox/register", {})
    assert registered.status_code == 201, registered.content
    setup = registered.json()
    assert owner.post("/sandbox/register", {}).json()["participant_id"] == setup["participant_id"]
    thb_wallet = next(w for w in setup["wallets"] if w["currency"] == "THB")
    # Live endpoints do not know the fintech; sandbox ones do.
    assert owner.get("/positions").status_code == 403
    assert owner.get("/sandbox/positions").status_code == 200
    quote = owner.post(
        "/sandbox/quotes",
        {"wallet_id": thb_wallet["id"], "payee": {"kind": "phone",
                                                   "value": setup["test_phones"]["MM"]},
         "amount": 1_000_00},
    )  # fmt: skip
    assert quote.status_code == 201, quote.content
    paid = owner.post("/sandbox/payments", {"quote_id": quote.json()["id"]}, key="s1")
    assert paid.status_code == 201, paid.content
    assert paid.json()["sandbox"] is True
    # A live participant cannot see or reach it, and live positions did not move.
    live_before = callers["vn"].get("/positions").json()
    assert callers["hub"].get(f"/payments/{paid.json()['id']}").status_code == 404
    assert callers["vn"].get(f"/proxies/phone/{setup['test_phones']['MM'][1:]}").status_code in (
        404,
        422,
    )
    live_payee = {"kind": "wallet_id", "value": hub.wallets["LA"].account_ref}
    cross = owner.post(
        "/sandbox/quotes", {"wallet_id": thb_wallet["id"], "payee": live_payee, "amount": 100}
    )
    assert cross.status_code == 404  # live payees do not exist in the sandbox
    assert callers["vn"].get("/positions").json() == live_before
    funded = owner.post(f"/sandbox/wallets/{thb_wallet['id']}/fund", {"amount": 500}, key="f1")
    assert funded.status_code == 200
    assert funded.json()["balance"] == thb_wallet["balance"] - quote.json()["total_debit"] + 500


def test_control_characters_in_text_never_reach_the_database(world):
    hub, callers = world
    quote = callers["vn"].post("/quotes", _quote_body(hub)).json()
    paid = callers["vn"].post(
        "/payments", {"quote_id": quote["id"], "reference": "inv\x00 42\x07"}, key="nul"
    )
    assert paid.status_code == 201, paid.content
    assert paid.json()["reference"] == "inv 42"
    wallet = callers["la"].post("/wallets", {"holder_name": "Kham\x00 Phet\x1b"})
    assert wallet.status_code == 201, wallet.content
    assert wallet.json()["holder_name"] == "Kham Phet"
    for value in ("\x00", "+66\x00812223333", "abc\x00def"):
        for kind in ("phone", "wallet_id", "qr_merchant"):
            r = callers["vn"].get(f"/proxies/{kind}/{value}")
            assert r.status_code in (404, 422), (kind, value, r.status_code)


def test_odd_time_zone_offsets_are_converted_not_a_500(world):
    hub, callers = world
    _pay(hub, callers, key="tz")
    rows = callers["hub"].get(
        "/settlement", since="2000-01-01T00:00:00+16:02", until="3804-06-20T18:18:16+16:02"
    )
    assert rows.status_code == 200
    assert len({r["participant_id"] for r in rows.json()}) == 3
    polled = callers["vn"].get("/payments", since="2000-01-01T00:00:00-15:59")
    assert polled.status_code == 200
    assert polled.json()["count"] == 1
