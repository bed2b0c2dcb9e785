"""Fixtures of the threat-intelligence tests: an alliance with two sharing groups.

- ``cert_a`` (CERT) and ``bank_b`` (PSP) are in group G, whose collection is ``alliance``.
- ``regulator_c`` is in group H only: a community member (GREEN) but not in G (no AMBER).
- ``outsider_d`` is in no group: it sees only TLP:CLEAR (the collection is open to all).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from mekong.identity.tests.factories import PASSWORD, make_org, make_token, make_user
from mekong.threatintel import services

DATA = Path(__file__).parent / "data"
TAXII = "application/taxii+json;version=2.1"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


class Taxii:
    """A Django test client speaking TAXII as one organisation (token or Basic)."""

    def __init__(self, auth: str | None) -> None:
        self.client = Client()
        self.auth = auth

    def headers(self) -> dict[str, Any]:
        headers: dict[str, Any] = {"HTTP_ACCEPT": TAXII}
        if self.auth:
            headers["HTTP_AUTHORIZATION"] = self.auth
        return headers

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, **self.headers())

    def post(self, path: str, body: Any, content_type: str = TAXII) -> Any:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.client.generic("POST", path, raw, content_type=content_type, **self.headers())

    def delete(self, path: str, **params: Any) -> Any:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return self.client.delete(path + (f"?{query}" if query else ""), **self.headers())


@pytest.fixture
def alliance(db: Any) -> dict[str, Any]:
    cert_a = make_org(name="CERT A", kind="cert", country="LA")
    bank_b = make_org(name="Bank B", kind="psp", country="TH")
    regulator_c = make_org(name="Regulator C", kind="regulator", country="VN")
    outsider_d = make_org(name="Outsider D", kind="sme", country="KH")
    group_g = services.sharing_group_create(
        name="Fraud group", slug="fraud", member_ids=[cert_a.pk, bank_b.pk]
    )
    group_h = services.sharing_group_create(
        name="Regulators", slug="regulators", member_ids=[regulator_c.pk]
    )
    root = services.api_root_create(slug="alliance", title="GMS alliance", is_default=True)
    coll = services.collection_create(
        api_root=root,
        title="Fraud indicators",
        alias="fraud",
        sharing_group=group_g,
        open_to_all=True,
    )
    services.grant_set(collection=coll, group=group_h, can_read=True, can_write=False)
    user_a = make_user(org=cert_a, role="member", email="analyst@cert-a.example")
    return {
        "orgs": {"cert_a": cert_a, "bank_b": bank_b, "regulator_c": regulator_c,
                 "outsider_d": outsider_d},
        "root": root,
        "collection": coll,
        "user_a": user_a,
        "objects_url": f"/taxii2/alliance/collections/{coll.id}/objects/",
        "clients": {
            name: Taxii(f"Bearer {make_token(org)}")
            for name, org in (("cert_a", cert_a), ("bank_b", bank_b),
                              ("regulator_c", regulator_c), ("outsider_d", outsider_d))
        },
        "basic_a": Taxii(
            "Basic " + base64.b64encode(f"{user_a.email}:{PASSWORD}".encode()).decode()
        ),
    }  # fmt: skip
