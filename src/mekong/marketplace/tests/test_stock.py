"""A product with variants carries their total stock (cards and the in-stock facet read it)."""

from __future__ import annotations

import pytest

from mekong.marketplace.models import Product
from mekong.marketplace.services import VariantSpec, product_variants_set
from mekong.marketplace.tests.conftest import Roast

pytestmark = pytest.mark.django_db


def _stock(roast: Roast) -> int:
    return Product.objects.get(pk=roast.product.pk).stock


def test_the_fixture_product_carries_its_variants_total(roast: Roast) -> None:
    assert _stock(roast) == 40 + 10 + 0


def test_setting_variants_recomputes_the_product_stock(roast: Roast) -> None:
    product_variants_set(
        product=roast.product,
        variants=[
            VariantSpec(sku="R-250", attributes={"size": "250 g"}, stock=7),
            VariantSpec(sku="R-1K", attributes={"size": "1 kg"}, stock=3, price_minor=300_000_00),
        ],
    )
    assert _stock(roast) == 10


def test_a_product_without_variants_keeps_its_own_stock(roast: Roast) -> None:
    Product.objects.filter(pk=roast.product.pk).update(stock=99)
    product_variants_set(product=roast.product, variants=[])
    assert _stock(roast) == 99
