"""The seller's product editor pages, sanitised descriptions and the search index behind them.

Given a verified Lao seller (through the services), when its members create and edit products
through the pages, then prices are stored in LAK minor units, variants and tiers round-trip,
photos are attached, other sellers' products answer 404, and HTML in descriptions is reduced
to the allowed tags while the search index gets the words.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from mekong.identity.models import Organisation
from mekong.identity.tests.factories import make_org, make_user
from mekong.marketplace.errors import InvalidProduct
from mekong.marketplace.models import (
    PriceTier,
    Product,
    ProductImage,
    ProductTranslation,
    ProductVariant,
    SearchEntry,
)
from mekong.marketplace.richtext import description_html
from mekong.marketplace.search import search_products
from mekong.marketplace.services import product_translation_set, seller_register
from mekong.marketplace.templatetags.marketplace_extras import rich_text
from mekong.marketplace.tests.photos import image_bytes, jpeg_with_gps, make_product, make_seller

pytestmark = pytest.mark.django_db

XSS = (
    '<p onclick="steal()">Dark roast</p><script>alert(1)</script>'
    '<img src=x onerror="alert(2)"><a href="javascript:alert(3)">click</a>'
    '<a href="https://bolaven.example/farm">our farm</a><iframe src="https://evil"></iframe>'
    '<strong style="color:red">strong</strong>'
)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """A temporary MEDIA_ROOT for the test (default storage follows the setting)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source_language": "lo",
        "title_lo": "ກາເຟອາຣາບິກາ ຄົ່ວເຂັ້ມ",
        "description_lo": "ເມັດກາເຟຄົ່ວ\n\nຈາກປາກຊ່ອງ",
        "title_en": "Organic Arabica, Dark Roast",
        "description_en": XSS,
        "category": "coffee",
        "hs_code": "090121",
        "price": "125,000.50",
        "stock": "40",
        "weight_grams": "500",
        "origin_country": "LA",
        "min_order_quantity": "2",
        "variants": "ARB-250 | weight=250 g; roast=dark | 70000 | 15\nARB-1K | weight=1 kg | | 5",
        "tiers": "10 | 115000\n50 | 105000.00",
    }
    data.update(overrides)
    return data


# --- create and edit through the pages ----------------------------------------------------------


def test_seller_creates_a_product_with_variants_tiers_and_a_photo(media_root: Path) -> None:
    seller, user = make_seller()
    client = logged_in(user)
    page = client.get(reverse("marketplace:product_new"))
    assert page.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in page.content
    photo = io.BytesIO(jpeg_with_gps())
    photo.name = "farm.jpg"
    response = client.post(
        reverse("marketplace:product_new"), {**form_data(), "images": [photo], "new_alt": "Bag"}
    )
    assert response.status_code == 302, response.content[:2000]
    product = Product.objects.get(seller=seller)
    assert response["Location"] == reverse("marketplace:product_edit", args=[product.slug])
    assert product.slug.startswith(f"{seller.slug}-organic-arabica-dark-roast")
    # LAK has two minor digits in ISO 4217: 125,000.50 LAK = 12,500,050 minor units.
    assert (product.price_minor, product.currency) == (12_500_050, "LAK")
    # With variants the product's stock is their total (15 + 5), whatever the form said (40).
    assert (product.stock, product.weight_grams, product.min_order_quantity) == (20, 500, 2)
    assert (product.hs_code, product.origin_country, product.source_language) == (
        "090121",
        "LA",
        "lo",
    )
    variants = list(ProductVariant.objects.filter(product=product))
    assert [(v.sku, v.attributes, v.price_minor, v.stock) for v in variants] == [
        ("ARB-250", {"weight": "250 g", "roast": "dark"}, 7_000_000, 15),
        ("ARB-1K", {"weight": "1 kg"}, None, 5),
    ]
    tiers = [
        (t.min_quantity, t.unit_price_minor) for t in PriceTier.objects.filter(product=product)
    ]
    assert tiers == [(10, 11_500_000), (50, 10_500_000)]
    image = ProductImage.objects.get(product=product)
    assert image.alt_text == "Bag"
    assert b"Exif" not in (media_root / image.original.name).read_bytes()

    # The edit page shows the stored values back, ready to save unchanged.
    edit = client.get(response["Location"])
    assert edit.status_code == 200
    text = edit.content.decode()
    assert 'value="125000.50"' in text
    assert "ARB-250 | roast=dark; weight=250 g | 70000.00 | 15" in text  # attributes by name
    assert "10 | 115000.00" in text
    assert image.thumb_small.url in text
    again = client.post(response["Location"], form_data())
    assert again.status_code == 302
    assert ProductVariant.objects.filter(product=product).count() == 2


def test_edit_replaces_languages_and_deletes_a_photo(media_root: Path) -> None:
    seller, user = make_seller()
    product = make_product(seller)
    client = logged_in(user)
    url = reverse("marketplace:product_edit", args=[product.slug])
    upload = io.BytesIO(image_bytes("PNG"))
    upload.name = "a.png"
    assert client.post(url, {**form_data(title_en=""), "images": [upload]}).status_code == 302
    image = ProductImage.objects.get(product=product)
    assert set(product.translations.values_list("language", flat=True)) == {"lo"}
    response = client.post(url, {**form_data(), f"delete_image_{image.pk}": "1"})
    assert response.status_code == 302
    assert not ProductImage.objects.filter(product=product).exists()
    assert set(product.translations.values_list("language", flat=True)) == {"lo", "en"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"price": "12.345"}, "Price"),
        ({"price": "abc"}, "Price"),
        ({"title_lo": ""}, "source_language"),
        ({"hs_code": "09-01"}, "hs_code"),
        ({"category": "weapons"}, "category"),
        ({"variants": "only-a-sku | weight"}, "Variants"),
        ({"variants": "A | x=1 | | 1\nA | x=2 | | 1"}, "sku"),
        ({"tiers": "1 | 100"}, "tiers"),
        ({"tiers": "ten | 100"}, "Price tiers"),
        ({"min_order_quantity": "0"}, "min_order_quantity"),
        ({"stock": "-3"}, "stock"),
    ],
)
def test_bad_input_is_a_422_page_and_saves_nothing(
    overrides: dict[str, str],
    message: str,
    media_root: Path,
) -> None:
    seller, user = make_seller()
    response = logged_in(user).post(reverse("marketplace:product_new"), form_data(**overrides))
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Product.objects.filter(seller=seller).exists()


def test_an_unsupported_photo_is_reported_and_the_product_still_saved(
    media_root: Path,
) -> None:
    seller, user = make_seller()
    fake = io.BytesIO(b"<svg onload=alert(1)></svg>")
    fake.name = "photo.jpg"
    client = logged_in(user)
    response = client.post(reverse("marketplace:product_new"), {**form_data(), "images": [fake]})
    assert response.status_code == 302
    product = Product.objects.get(seller=seller)
    assert not product.images.exists()
    page = client.get(response["Location"])
    assert "photo.jpg: Upload a JPEG, PNG or WebP photo." in page.content.decode()


# --- authorisation matrix -----------------------------------------------------------------------


def test_authorisation_matrix_of_the_editor_pages(media_root: Path) -> None:
    seller, owner = make_seller()
    product = make_product(seller)
    other_seller, other_owner = make_seller("TH", "Doi Chaang Farm")
    buyer = make_user(org=make_org(kind="buyer", country="VN"))
    seller_org = Organisation.objects.get(pk=seller.organisation_id)
    viewer = make_user(org=seller_org, role="viewer")
    member = make_user(org=seller_org, role="member")
    pending_org = make_org(kind="sme", country="KH")
    seller_register(organisation_id=pending_org.pk, slug="pending-shop")
    pending = make_user(org=pending_org)

    edit = reverse("marketplace:product_edit", args=[product.slug])
    new = reverse("marketplace:product_new")
    listing = reverse("marketplace:seller_products")
    expected = {
        # caller: (list, new, edit own product of `seller`)
        "owner": (200, 200, 200),
        "member": (200, 200, 200),
        "viewer": (200, 404, 404),
        "other_seller": (200, 200, 404),
        "pending_seller": (200, 404, 404),
        "buyer": (302, 404, 404),
    }
    users = {
        "owner": owner,
        "member": member,
        "viewer": viewer,
        "other_seller": other_owner,
        "pending_seller": pending,
        "buyer": buyer,
    }
    for name, user in users.items():
        client = logged_in(user)
        got = tuple(client.get(url).status_code for url in (listing, new, edit))
        assert got == expected[name], name
        if expected[name][2] == 404:
            assert client.post(edit, form_data(price="1")).status_code == 404, name
    anonymous = Client()
    for url in (listing, new, edit):
        response = anonymous.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    assert anonymous.post(edit, form_data(price="1")).status_code == 302
    product.refresh_from_db()
    assert product.price_minor == 9_500_000  # nobody but the seller's members changed it
    # The other seller's list shows only its own products.
    other_list = logged_in(other_owner).get(listing).content.decode()
    assert product.slug not in other_list
    assert other_seller.slug in other_list


def test_the_editor_needs_the_csrf_token(media_root: Path) -> None:
    seller, user = make_seller()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("marketplace:product_new"), form_data())
    assert response.status_code == 403
    assert not Product.objects.filter(seller=seller).exists()


def test_the_dashboard_links_to_the_products(media_root: Path) -> None:
    _seller, user = make_seller()
    page = logged_in(user).get(reverse("marketplace:dashboard")).content.decode()
    assert f'href="{reverse("marketplace:seller_products")}"' in page


# --- sanitised descriptions --------------------------------------------------------------------


def test_descriptions_are_sanitised_on_write_and_indexed_as_text(media_root: Path) -> None:
    seller, _user = make_seller()
    product = make_product(seller)
    product_translation_set(product=product, language="en", title="Arabica", description=XSS)
    stored = ProductTranslation.objects.get(product=product, language="en").description
    for bad in ("<script", "alert(1)", "onerror", "onclick", "javascript:", "<iframe", "style="):
        assert bad not in stored, bad
    assert '<a href="https://bolaven.example/farm" rel="nofollow noopener">our farm</a>' in stored
    assert "<p>Dark roast</p>" in stored
    assert "<strong>strong</strong>" in stored
    entry = SearchEntry.objects.get(translation__product=product, translation__language="en")
    assert "<" not in entry.description_exact
    assert "href" not in entry.description_exact
    assert "dark roast" in entry.description_folded
    assert "our farm" in entry.description_folded
    assert product.pk in search_products("our farm", limit=10).product_ids
    assert product.pk not in search_products("nofollow", limit=10).product_ids


def test_product_page_renders_sanitised_html_and_plain_paragraphs(
    client: Client,
    media_root: Path,
) -> None:
    seller, _user = make_seller()
    product = make_product(seller)
    product_translation_set(product=product, language="en", title="Arabica", description=XSS)
    product_translation_set(
        product=product, language="lo", title="ກາເຟ", description="ແຖວທີ 1\nແຖວທີ 2\n\nວັກທີ 2 <3 & co"
    )
    page = client.get(reverse("marketplace:product", args=[product.slug])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "onerror=" not in page
    assert '<a href="https://bolaven.example/farm" rel="nofollow noopener">our farm</a>' in page
    lao = client.get(f"/lo/marketplace/products/{product.slug}/").content.decode()
    assert "<p>ແຖວທີ 1<br>ແຖວທີ 2</p><p>ວັກທີ 2 &lt;3 &amp; co</p>" in lao


def test_rich_text_sanitises_again_on_output() -> None:
    # A row written before sanitising existed (or by hand) is made safe when shown.
    html = str(rich_text('<p>ok</p><script>alert(1)</script><a href="javascript:x">j</a>'))
    assert html == '<p>ok</p><a rel="nofollow noopener">j</a>'
    assert str(rich_text("Kampot pepper\n\nOrganic <b>&</b> fresh")) == (
        "<p>Kampot pepper</p><p>Organic &amp; fresh</p>"
    )
    assert description_html("") == ""


def test_demo_descriptions_keep_their_text(catalogue: dict[str, int]) -> None:
    # Plain-text catalogue descriptions go through the sanitiser unchanged in meaning.
    t = ProductTranslation.objects.get(product__slug="la-bolaven-arabica", language="en")
    assert t.description == "Roasted beans from Paksong, Champasak."
    assert str(rich_text(t.description)) == "<p>Roasted beans from Paksong, Champasak.</p>"


def test_the_service_refuses_a_missing_source_title(media_root: Path) -> None:
    seller, _user = make_seller()
    with pytest.raises(InvalidProduct) as exc:
        make_product_texts(seller, {"en": ("English only", "")})
    assert exc.value.extra["field"] == "source_language"


def make_product_texts(seller: Any, texts: dict[str, tuple[str, str]]) -> Product:
    from mekong.marketplace.services import product_create

    return product_create(
        seller=seller,
        slug="texts-test",
        category="coffee",
        price_minor=100,
        stock=1,
        source_language="lo",
        texts=texts,
    )


def test_the_product_list_costs_the_same_queries_for_2_or_6_products(
    media_root: Path,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mekong.marketplace import images

    seller, user = make_seller()
    client = logged_in(user)

    def add(n: int) -> None:
        product = make_product(seller, f"coffee-{n}")
        images.image_add(product=product, data=image_bytes("PNG", (60, 60), (n, 7, 7)))

    counts = []
    for total in (2, 6):
        while Product.objects.filter(seller=seller).count() < total:
            add(Product.objects.filter(seller=seller).count())
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("marketplace:seller_products"))
        assert page.content.decode().count("/media/marketplace/thumbs/") == total
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_nine_photos_in_one_form_keep_eight_and_say_so(media_root: Path) -> None:
    seller, user = make_seller()
    files = []
    for i in range(9):
        f = io.BytesIO(image_bytes("PNG", (30, 30), (i, 50, 50)))
        f.name = f"p{i}.png"
        files.append(f)
    client = logged_in(user)
    with translation.override("en"):  # the message is checked in English
        url = reverse("marketplace:product_new")
    response = client.post(url, {**form_data(), "images": files})
    assert response.status_code == 302
    product = Product.objects.get(seller=seller)
    assert product.images.count() == 8
    page = client.get(response["Location"]).content.decode()
    assert "p8.png: A product can have at most 8 photos." in page
