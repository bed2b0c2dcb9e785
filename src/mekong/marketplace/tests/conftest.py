"""Fixtures of the marketplace tests: the six-language catalogue behind every relevance test."""

from __future__ import annotations

import pytest

from mekong.identity.tests.factories import make_org
from mekong.marketplace.catalogue import SELLERS
from mekong.marketplace.demo import load_catalogue


@pytest.fixture
def catalogue(db: None) -> dict[str, int]:
    """The demo catalogue (35 products, five sellers); returns organisation ids by slug."""
    org_ids = {}
    for slug, (country, _verified) in SELLERS.items():
        org = make_org(kind="sme", country=country, name=slug)
        org_ids[slug] = org.pk
    load_catalogue(org_ids)
    return org_ids
