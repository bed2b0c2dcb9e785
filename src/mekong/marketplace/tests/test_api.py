"""Marketplace API: public reads, checkout/orders/reviews with an authorisation matrix.

Served by ``tests/api_urls.py`` (the router with the platform's auth and problem+json
handlers) until ``mekong/api.py`` mounts it at the same path.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from mekong.identity.models import Organisation
from mekong.identity.tests.factories import client_for, make_org, make_token, make_user
from mekong.marketplace.models import Order
from mekong.marketplace.tests.conftest import Market

pytestmark = [pytest.mark.django_db, pytest.mark.urls("mekong.marketplace.tests.api_urls")]
BASE = "/api/v1/marketplace"


def _call(cred: Any, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    client, headers = client_for(cred)
    fn = getattr(client, method)
    kwargs: dict[str, Any] = dict(headers)
    if body is not None:
        kwargs["data"] = json.dumps(body)
        kwargs["content_type"] = "application/json"
    response = fn(BASE + path, **kwargs)
    ctype = response.get("Content-Type", "")
    data = response.json() if "json" in ctype and response.content else None
    return response.status_code, data


def test_products_are_public_with_buyer_currency(market: Market) -> None:
    status, data = _call(None, "get", "/products?q=Bolaven&currency=VND&language=vi")
    assert status == 200
    first = data["items"][0]
    assert first["slug"] == "la-bolaven-arabica"
    assert first["price"] == {"amount": 9_500_000, "currency": "LAK"}
    assert first["buyer_price"] == {"amount": 110_311, "currency": "VND"}
    assert _call(None, "get", "/products/nope")[0] == 404
    assert _call(None, "get", "/products?limit=0")[0] == 422


def _paid_order(m: Market) -> Order:
    status, data = _call(("session", m.buyer), "put", "/cart/la-bolaven-arabica", {"quantity": 1})
    assert status == 200
    assert data[0]["quantity"] == 1
    body = {"wallet_id": m.wallet.id, "idempotency_key": "api-1"}
    status, data = _call(("session", m.buyer), "post", "/checkout", body)
    assert status == 201, data
    again = _call(("session", m.buyer), "post", "/checkout", body)
    assert again[1]["orders"] == data["orders"]  # the same checkout, paid once
    assert data["orders"][0]["status"] == "paid"
    return Order.objects.get(pk=data["orders"][0]["id"])


def test_authorisation_matrix_on_orders(market: Market) -> None:
    order = _paid_order(market)
    seller_org = Organisation.objects.get(pk=market.seller.organisation_id)
    stranger_org = make_org(kind="buyer", country="TH")
    callers: dict[str, Any] = {
        "anonymous": None,
        "buyer_session": ("session", market.buyer),
        "buyer_token": ("token", make_token(market.buyer_org)),
        "seller_session": ("session", make_user(org=seller_org)),
        "seller_token": ("token", make_token(seller_org)),
        "stranger_session": ("session", make_user(org=stranger_org)),
        "stranger_token": ("token", make_token(stranger_org)),
    }
    sees = {"buyer_session", "buyer_token", "seller_session", "seller_token"}
    for name, cred in callers.items():
        status, data = _call(cred, "get", f"/orders/{order.pk}")
        expected = 401 if cred is None else (200 if name in sees else 404)
        assert status == expected, (name, status, data)
        status, data = _call(cred, "get", "/orders")
        if cred is None:
            assert status == 401
        else:
            ids = [o["id"] for o in data["items"]]
            assert ids == ([str(order.pk)] if name in sees else []), name
        if name.startswith("buyer"):
            assert data["items"][0]["commission"] is None  # the seller's figures stay hidden
    # Writes: only the seller ships, only the buyer confirms; strangers get 404.
    ship = {"carrier": "EMS", "tracking_number": "EE1"}
    assert _call(callers["stranger_token"], "post", f"/orders/{order.pk}/ship", ship)[0] == 404
    assert _call(callers["buyer_token"], "post", f"/orders/{order.pk}/ship", ship)[0] == 409
    assert _call(callers["seller_token"], "post", f"/orders/{order.pk}/ship", ship)[0] == 200
    assert _call(callers["seller_token"], "post", f"/orders/{order.pk}/confirm")[0] == 409
    assert _call(callers["stranger_session"], "post", f"/orders/{order.pk}/confirm")[0] == 404
    status, data = _call(callers["buyer_token"], "post", f"/orders/{order.pk}/confirm")
    assert status == 200
    assert data["status"] == "completed"
    review = {"rating": 5, "text": "<b>great</b>"}
    assert _call(callers["stranger_token"], "post", f"/orders/{order.pk}/review", review)[0] == 404
    assert _call(callers["seller_token"], "post", f"/orders/{order.pk}/review", review)[0] == 409
    assert _call(callers["buyer_token"], "post", f"/orders/{order.pk}/review", review)[0] == 201
    status, data = _call(None, "get", "/sellers/la-bolaven-coffee/reviews")
    assert status == 200
    assert data[0]["text"] == "<b>great</b>"  # JSON carries the text; pages escape it


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/checkout", {"wallet_id": "x"}),
        ("post", "/checkout", {"wallet_id": 1, "idempotency_key": ""}),
        ("post", "/checkout", {"wallet_id": 999, "idempotency_key": "k"}),
        ("put", "/cart/la-bolaven-arabica", {"quantity": -1}),
        ("put", "/cart/la-bolaven-arabica", {"quantity": 100000}),
        ("get", "/orders/not-a-uuid", None),
        ("post", "/orders/00000000-0000-0000-0000-000000000000/ship", {"carrier": ""}),
        ("post", "/orders/00000000-0000-0000-0000-000000000000/review", {"rating": 9}),
    ],
)
def test_bad_input_is_a_problem_not_a_500(
    market: Market, method: str, path: str, body: dict[str, Any] | None
) -> None:
    status, data = _call(("session", market.buyer), method, path, body)
    assert 400 <= status < 500
    assert data["code"]
