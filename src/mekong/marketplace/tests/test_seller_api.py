"""The seller API at /api/v1/marketplace/seller: products, photos, variants, tiers.

Given verified sellers built through the services, when they call the API with a token or a
session, then they reach only their own products (another seller's answers 404 like a missing
one), buyers get 403 and anonymous callers 401, and every bad input is a 4xx with a stable code.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from mekong.identity.models import Organisation
from mekong.identity.tests.factories import client_for, make_org, make_token, make_user
from mekong.marketplace.models import Product, ProductImage, ProductVariant
from mekong.marketplace.tests.photos import (
    image_bytes,
    jpeg_with_gps,
    make_product,
    make_seller,
    png_bomb,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/marketplace/seller"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """A temporary MEDIA_ROOT for the test (default storage follows the setting)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def call(cred: Any, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    client, headers = client_for(cred)
    kwargs: dict[str, Any] = dict(headers)
    if body is not None:
        kwargs["data"] = json.dumps(body)
        kwargs["content_type"] = "application/json"
    response = getattr(client, method)(BASE + path, **kwargs)
    ctype = response.get("Content-Type", "")
    return response.status_code, response.json() if "json" in ctype and response.content else None


def upload(
    cred: Any, slug: str, data: bytes, name: str = "photo.jpg", alt: str = ""
) -> tuple[int, Any]:
    client, headers = client_for(cred)
    f = io.BytesIO(data)
    f.name = name
    extra: dict[str, Any] = dict(headers)
    response = client.post(f"{BASE}/products/{slug}/images", {"file": f, "alt_text": alt}, **extra)
    return response.status_code, response.json() if response.content else None


PRODUCT: dict[str, Any] = {
    "category": "coffee",
    "price_minor": 12_000_000,
    "stock": 30,
    "weight_grams": 1000,
    "min_order_quantity": 5,
    "source_language": "lo",
    "texts": {
        "lo": {"title": "ກາເຟໂຣບັສຕາ", "description": "ເມັດກາເຟ"},
        "en": {
            "title": "Robusta Green Beans",
            "description": (
                '<p>Green <em>robusta</em></p><script>alert(1)</script><a href="javascript:x">x</a>'
            ),
        },
    },
}


def test_seller_creates_edits_and_reads_a_product_with_a_token() -> None:
    seller, _owner = make_seller()
    token = ("token", make_token(Organisation.objects.get(pk=seller.organisation_id)))
    status, data = call(token, "post", "/products", PRODUCT)
    assert status == 201, data
    assert data["slug"] == f"{seller.slug}-robusta-green-beans"
    assert data["currency"] == "LAK"
    assert data["hs_code"] == "0901"
    assert data["origin_country"] == "LA"
    assert data["min_order_quantity"] == 5
    assert (
        data["texts"]["en"]["description"]
        == '<p>Green <em>robusta</em></p><a rel="nofollow noopener">x</a>'
    )
    slug = data["slug"]

    status, data = call(
        token,
        "put",
        f"/products/{slug}",
        {**PRODUCT, "price_minor": 11_000_000, "texts": {"lo": PRODUCT["texts"]["lo"]}},
    )  # type: ignore[dict-item]
    assert status == 200, data
    assert data["price_minor"] == 11_000_000
    assert set(data["texts"]) == {"lo"}

    variants = [
        {"sku": "ROB-1K", "attributes": {"weight": "1 kg"}, "stock": 10},
        {"sku": "ROB-5K", "attributes": {"weight": "5 kg"}, "price_minor": 50_000_000, "stock": 2},
    ]
    status, data = call(token, "put", f"/products/{slug}/variants", variants)
    assert status == 200, data
    assert [v["sku"] for v in data] == ["ROB-1K", "ROB-5K"]
    status, data = call(
        token,
        "put",
        f"/products/{slug}/tiers",
        [{"min_quantity": 20, "unit_price_minor": 10_000_000}],
    )
    assert status == 200
    assert data == [{"min_quantity": 20, "unit_price_minor": 10_000_000}]

    status, data = call(token, "get", f"/products/{slug}")
    assert status == 200
    assert len(data["variants"]) == 2
    assert data["tiers"][0]["min_quantity"] == 20
    status, data = call(token, "get", "/products")
    assert [p["slug"] for p in data] == [slug]
    # The slug is taken now.
    status, data = call(token, "post", "/products", {**PRODUCT, "slug": slug})
    assert (status, data["code"]) == (409, "marketplace_slug_taken")


def test_photo_upload_strips_gps_dedupes_and_deletes(media_root: Path) -> None:
    seller, owner = make_seller()
    product = make_product(seller)
    session = ("session", owner)
    status, data = upload(session, product.slug, jpeg_with_gps(), alt="Beans")
    assert status == 201, data
    assert data["content_type"] == "image/jpeg"
    assert data["alt_text"] == "Beans"
    stored = (media_root / ProductImage.objects.get(pk=data["id"]).original.name).read_bytes()
    assert b"Exif" not in stored
    served = Client().get(data["url"])
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    again = upload(session, product.slug, jpeg_with_gps())
    assert again == (200, data)  # the same photo: the stored one, not a second copy

    status, patched = call(
        session,
        "patch",
        f"/products/{product.slug}/images/{data['id']}",
        {"alt_text": "Roasted beans", "position": 3},
    )
    assert status == 200
    assert (patched["alt_text"], patched["position"]) == ("Roasted beans", 3)
    status, _ = call(session, "delete", f"/products/{product.slug}/images/{data['id']}")
    assert status == 204
    assert not ProductImage.objects.filter(product=product).exists()
    status, body = call(session, "delete", f"/products/{product.slug}/images/{data['id']}")
    assert (status, body["code"]) == (404, "image_not_found")


@pytest.mark.parametrize(
    ("data", "name", "status", "code"),
    [
        (b"hello, I am text", "photo.jpg", 415, "image_unsupported_type"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "x.png",
            415,
            "image_unsupported_type",
        ),
        (jpeg_with_gps((300, 300))[:900], "cut.jpg", 422, "image_corrupt"),
        (png_bomb(), "bomb.png", 422, "image_too_many_pixels"),
        (b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), "huge.jpg", 413, "image_too_large"),
    ],
    ids=["text", "svg", "truncated", "bomb", "too-large"],
)
def test_bad_uploads_answer_stable_codes(data: bytes, name: str, status: int, code: str) -> None:
    seller, owner = make_seller()
    product = make_product(seller)
    got, body = upload(("session", owner), product.slug, data, name)
    assert (got, body["code"]) == (status, code)
    assert not ProductImage.objects.filter(product=product).exists()


def test_the_ninth_photo_is_a_conflict() -> None:
    seller, owner = make_seller()
    product = make_product(seller)
    for i in range(8):
        assert (
            upload(("session", owner), product.slug, image_bytes("PNG", (40, 40), (i, 1, 1)))[0]
            == 201
        )
    status, body = upload(
        ("session", owner), product.slug, image_bytes("PNG", (40, 40), (200, 1, 1))
    )
    assert (status, body["code"]) == (409, "too_many_images")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "weapons"}, "category"),
        ({"hs_code": "12ab"}, "hs_code"),
        ({"origin_country": "ZZ"}, "origin_country"),
        ({"source_language": "th"}, "source_language"),
        ({"texts": {"xx": {"title": "t"}, "lo": {"title": "ກາເຟ"}}}, "language"),
    ],
)
def test_invalid_products_name_the_field(change: dict[str, Any], field: str) -> None:
    _seller, owner = make_seller()
    status, body = call(("session", owner), "post", "/products", {**PRODUCT, **change})
    assert status == 422, body
    assert body["code"] == "marketplace_invalid_product"
    assert body["field"] == field


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/products", {**PRODUCT, "price_minor": -1}),
        ("/products", {**PRODUCT, "min_order_quantity": 0}),
        ("/products", {**PRODUCT, "texts": {}}),
        ("/products", {**PRODUCT, "slug": "Not A Slug"}),
        ("/products", "not an object"),
    ],
)
def test_malformed_bodies_are_validation_errors(path: str, body: Any) -> None:
    _seller, owner = make_seller()
    status, data = call(("session", owner), "post", path, body)
    assert status == 422
    assert data["code"] == "validation_error"


def test_variant_and_tier_rules() -> None:
    seller, owner = make_seller()
    product = make_product(seller)
    s = ("session", owner)
    status, body = call(
        s, "put", f"/products/{product.slug}/variants", [{"sku": "A"}, {"sku": "A"}]
    )
    assert (status, body["code"], body["field"]) == (422, "marketplace_invalid_product", "sku")
    status, body = call(s, "put", f"/products/{product.slug}/variants", [{"sku": "bad sku!"}])
    assert (status, body["field"]) == (422, "sku")
    status, body = call(
        s,
        "put",
        f"/products/{product.slug}/tiers",
        [{"min_quantity": 5, "unit_price_minor": 1}, {"min_quantity": 5, "unit_price_minor": 2}],
    )
    assert (status, body["field"]) == (422, "tiers")
    status, body = call(
        s, "put", f"/products/{product.slug}/tiers", [{"min_quantity": 1, "unit_price_minor": 1}]
    )
    assert status == 422
    # Variants are matched by SKU: an update keeps the row (carts and orders point at it).
    call(s, "put", f"/products/{product.slug}/variants", [{"sku": "A", "stock": 1}])
    first = ProductVariant.objects.get(product=product, sku="A")
    call(s, "put", f"/products/{product.slug}/variants", [{"sku": "A", "stock": 9}, {"sku": "B"}])
    assert ProductVariant.objects.get(product=product, sku="A").pk == first.pk
    assert ProductVariant.objects.get(pk=first.pk).stock == 9


def test_authorisation_matrix_of_the_seller_api() -> None:
    seller, owner = make_seller()
    product = make_product(seller)
    image_owner_status, image = upload(("session", owner), product.slug, image_bytes("PNG"))
    assert image_owner_status == 201
    seller_org = Organisation.objects.get(pk=seller.organisation_id)
    other_seller, other_owner = make_seller("TH", "Doi Chaang Farm")
    other_org = Organisation.objects.get(pk=other_seller.organisation_id)
    buyer_org = make_org(kind="buyer", country="VN")
    callers: dict[str, Any] = {
        "anonymous": None,
        "seller_session": ("session", owner),
        "seller_token": ("token", make_token(seller_org)),
        "seller_viewer": ("session", make_user(org=seller_org, role="viewer")),
        "other_seller_session": ("session", other_owner),
        "other_seller_token": ("token", make_token(other_org)),
        "buyer_session": ("session", make_user(org=buyer_org)),
        "buyer_token": ("token", make_token(buyer_org)),
    }
    own = {"seller_session", "seller_token"}
    other = {"other_seller_session", "other_seller_token"}
    slug = product.slug
    requests: list[tuple[str, str, Any]] = [
        ("get", f"/products/{slug}", None),
        ("put", f"/products/{slug}", PRODUCT),
        ("put", f"/products/{slug}/variants", [{"sku": "X"}]),
        ("put", f"/products/{slug}/tiers", []),
        ("patch", f"/products/{slug}/images/{image['id']}", {"alt_text": "mine"}),
        ("delete", f"/products/{slug}/images/{image['id']}", None),
    ]
    for name, cred in callers.items():
        for method, path, body in requests:
            if name in own:
                continue  # checked last: the delete must not run before the others
            status, data = call(cred, method, path, body)
            if cred is None:
                expected = 401
            elif name in other:
                expected, code = 404, "marketplace_product_not_found"
            else:
                expected, code = 403, "marketplace_not_a_seller"
            assert status == expected, (name, method, path, status, data)
            if cred is not None:
                assert data["code"] == code, (name, path)
        status, _ = upload(cred, slug, image_bytes("PNG", (30, 30), (5, 5, 5)))
        if name not in own:
            assert status in {401, 403, 404}, (name, status)
        status, data = call(cred, "get", "/products")
        if cred is None:
            assert status == 401
        elif name in own or name in other:
            assert status == 200
            assert (slug in [p["slug"] for p in data]) == (name in own)
        else:
            assert status == 403
    product.refresh_from_db()
    assert product.price_minor == 9_500_000  # untouched by anyone else
    assert ProductImage.objects.get(pk=image["id"]).alt_text == ""
    for name in own:
        for method, path, body in requests[:-1]:
            status, data = call(callers[name], method, path, body)
            assert status == 200, (name, method, path, data)
    assert call(callers["seller_token"], "delete", requests[-1][1])[0] == 204
    assert Product.objects.filter(slug=slug).exists()


def test_my_products_cost_the_same_queries_for_2_or_6_products() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seller, owner = make_seller()
    counts = []
    for total in (2, 6):
        while (n := Product.objects.filter(seller=seller).count()) < total:
            product = make_product(seller, f"coffee-{n}")
            upload(("session", owner), product.slug, image_bytes("PNG", (40, 40), (n, 3, 3)))
        with CaptureQueriesContext(connection) as ctx:
            status, data = call(("session", owner), "get", "/products")
        assert status == 200
        assert len(data) == total
        assert all(len(p["images"]) == 1 for p in data)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
