"""Catalogue write use cases: sellers, products, normalisation before storage, the demo seed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mekong.core.models import AuditEntry
from mekong.identity.tests.factories import make_org
from mekong.marketplace.catalogue import PRODUCTS, SELLERS
from mekong.marketplace.demo import load_catalogue, seed
from mekong.marketplace.errors import InvalidProduct, NotAnSme, SellerExists
from mekong.marketplace.models import Product, ProductTranslation, SearchEntry, Seller
from mekong.marketplace.selectors import product_card_by_slug
from mekong.marketplace.services import product_create, seller_register, seller_verify
from mekong.marketplace.tests.relevance import zawgyi

pytestmark = pytest.mark.django_db


def test_only_an_sme_can_open_one_storefront() -> None:
    with pytest.raises(NotAnSme):
        seller_register(organisation_id=make_org(kind="buyer").pk, slug="buyer")
    org = make_org(kind="sme", country="KH")
    seller = seller_register(organisation_id=org.pk, slug="kh")
    assert (seller.country, seller.verification) == ("KH", "pending")
    with pytest.raises(SellerExists):
        seller_register(organisation_id=org.pk, slug="kh-2")
    seller_verify(seller=seller)
    assert Seller.objects.get(pk=seller.pk).is_verified
    actions = list(AuditEntry.objects.filter(object_type="seller").values_list("action", flat=True))
    assert actions == ["marketplace.seller_register", "marketplace.seller_verify"]


@pytest.fixture
def lao_seller() -> Seller:
    return seller_register(organisation_id=make_org(country="LA").pk, slug="lao")


def test_price_is_in_the_sellers_currency_and_text_is_normalised(lao_seller: Seller) -> None:
    product = product_create(
        seller=lao_seller,
        slug="tea",
        category="tea",
        price_minor=8_000_000,
        stock=3,
        source_language="lo",
        texts={
            "lo": ("ຊາ\u200bປ່າ", "ແຖວ 1\n\n\nແຖວ 2"),
            "my": (zawgyi("လက်ဖက်ရည်"), ""),
        },
    )
    assert (str(product.price), product.hs_code, product.origin_country) == (
        "80000.00 LAK",
        "0902",
        "LA",
    )
    lo = ProductTranslation.objects.get(product=product, language="lo")
    assert lo.title == "ຊາປ່າ"  # the zero-width space is gone
    assert "\n" in lo.description  # descriptions keep their lines
    my = ProductTranslation.objects.get(product=product, language="my")
    assert my.title == "လက်ဖက်ရည်"  # Zawgyi converted before storage
    assert SearchEntry.objects.filter(product=product).count() == 2


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"price_minor": -1}, InvalidProduct),
        ({"source_language": "th"}, InvalidProduct),
        ({"category": "weapons"}, InvalidProduct),
        ({"texts": {"lo": ("  ", "")}}, InvalidProduct),
        ({"texts": {"lo": ("x", ""), "fr": ("y", "")}}, InvalidProduct),
    ],
)
def test_invalid_products_are_refused(
    lao_seller: Seller, changes: dict[str, object], error: type[Exception]
) -> None:
    args: dict[str, object] = {
        "seller": lao_seller,
        "slug": "p",
        "category": "tea",
        "price_minor": 1,
        "stock": 1,
        "source_language": "lo",
        "texts": {"lo": ("ຊາ", "")},
    }
    args.update(changes)
    with pytest.raises(error):
        product_create(**args)  # type: ignore[arg-type]
    assert not Product.objects.exists()


def test_missing_translation_falls_back_to_the_source_language(
    catalogue: dict[str, int],
) -> None:
    card = product_card_by_slug("mm-thanaka", "th")
    assert card is not None
    assert (card.language, card.is_fallback, card.title) == ("my", True, "သနပ်ခါး")
    card = product_card_by_slug("mm-thanaka", "en")
    assert card is not None
    assert (card.language, card.is_fallback) == ("en", False)


def test_catalogue_loads_once(catalogue: dict[str, int]) -> None:
    assert Product.objects.count() == len(PRODUCTS)
    assert load_catalogue(catalogue) == (0, 0)
    assert Product.objects.count() == len(PRODUCTS)


def test_demo_seed_is_idempotent(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path  # the demo photos are written here, not into var/
    for slug, (country, _verified) in SELLERS.items():
        make_org(kind="sme", country=country, name=slug)
    assert seed() == [
        f"marketplace: {len(SELLERS)} sellers and {len(PRODUCTS)} products created, "
        f"{len(SELLERS) * 5} shipping options, operator configured",
        "marketplace: 6 product photos, 5 variants and 6 price tiers",
    ]
    assert seed() == [
        "marketplace: 0 sellers and 0 products created, 0 shipping options, operator configured",
        "marketplace: 0 product photos, 0 variants and 0 price tiers",
    ]
