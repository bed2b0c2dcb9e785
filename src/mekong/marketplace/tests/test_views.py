"""Marketplace pages: search with facets, product page, storefront; escaping; query budget."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from mekong.identity.tests.factories import make_org
from mekong.marketplace.services import product_create, seller_register, seller_verify

pytestmark = pytest.mark.django_db


def test_home_searches_and_shows_facets_and_formatted_prices(
    client: Client, catalogue: dict[str, int], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(12):
        response = client.get("/en/marketplace/", {"q": "ca phe"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cà phê Arabica Đà Lạt" not in html  # English page shows the English title
    assert "Da Lat Arabica Coffee" in html
    assert "₫250,000" in html or "250,000" in html  # VND, no decimals
    assert "?q=ca%20phe&amp;country=VN" in html


def test_home_in_thai_shows_thai_titles(client: Client, catalogue: dict[str, int]) -> None:
    html = client.get("/th/marketplace/", {"q": "ดอยช้าง"}).content.decode()
    assert "กาแฟดอยช้างคั่วกลาง 250 กรัม" in html
    assert "Bolaven" not in html


def test_filters_and_pagination_links(client: Client, catalogue: dict[str, int]) -> None:
    html = client.get("/en/marketplace/", {"category": "coffee", "country": "LA"}).content
    text = html.decode()
    assert "Bolaven Plateau Arabica Coffee" in text
    assert "Kampot" not in text
    first = client.get("/en/marketplace/").content.decode()
    assert "offset=20" in first
    second = client.get("/en/marketplace/", {"offset": "20"}).content.decode()
    assert "offset=0" in second
    assert "offset=40" not in second


def test_bad_parameters_are_ignored(client: Client, catalogue: dict[str, int]) -> None:
    response = client.get(
        "/en/marketplace/",
        {"offset": "x", "price_min": "abc", "currency": "XXX", "country": "ZZ", "category": "?"},
    )
    assert response.status_code == 200


def test_product_and_storefront_pages(client: Client, catalogue: dict[str, int]) -> None:
    product = client.get("/lo/marketplace/products/la-bolaven-arabica/").content.decode()
    assert "ກາເຟອາຣາບິກາພູພຽງບໍລະເວນ" in product
    assert "0901" in product
    store = client.get("/en/marketplace/sellers/kh-kampot-pepper/").content.decode()
    assert "Kampot Black Pepper 100 g" in store
    assert client.get("/en/marketplace/products/nope/").status_code == 404
    assert client.get("/en/marketplace/sellers/nope/").status_code == 404


def test_user_text_is_escaped(client: Client) -> None:
    seller = seller_register(organisation_id=make_org(country="TH").pk, slug="x")
    seller_verify(seller=seller)
    product_create(
        seller=seller,
        slug="evil",
        category="food",
        price_minor=100,
        stock=1,
        source_language="en",
        texts={"en": ("<script>alert(1)</script> sauce", "<img src=x onerror=alert(2)>")},
    )
    for url in ("/en/marketplace/?q=sauce", "/en/marketplace/products/evil/"):
        html = client.get(url).content.decode()
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in client.get("/en/marketplace/products/evil/").content.decode()


def test_a_capped_count_is_shown_as_a_lower_bound(
    client: Client, catalogue: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mekong.marketplace import search

    monkeypatch.setattr(search, "COUNT_CAP", 2)
    html = client.get("/en/marketplace/").content.decode()
    assert "More than 2 products found" in html
    monkeypatch.setattr(search, "COUNT_CAP", 100_000)
    html = client.get("/en/marketplace/").content.decode()
    assert "More than" not in html
    assert "products found" in html
