"""Stock of products with variants: the product row carries the sum of its variants' stock.

A variant's stock is what checkout takes from (a conditional UPDATE on the variant row). Search
cards, the in-stock facet and the storefront order read ``Product.stock``, so for a product
with variants that column is kept equal to the variants' total, recomputed in the same
transaction as every change to a variant's stock (never adjusted by a delta, so it cannot
drift).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from mekong.marketplace.models import Product, ProductVariant


def sync_stock_from_variants(product_ids: Iterable[int]) -> None:
    """Set ``stock`` of those products that have variants to their variants' total."""
    ids = set(product_ids)
    if not ids:
        return
    total = (
        ProductVariant.objects.filter(product=OuterRef("pk"))
        .values("product")
        .annotate(total=Sum("stock"))
        .values("total")
    )
    Product.objects.filter(pk__in=ids, variants__isnull=False).distinct().update(
        stock=Coalesce(Subquery(total), 0)
    )
