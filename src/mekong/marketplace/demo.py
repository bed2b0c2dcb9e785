"""Demo storefronts: the catalogue of :mod:`mekong.marketplace.catalogue` for the demo SMEs."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction

from mekong.core.countries import country
from mekong.core.money import Money
from mekong.identity.facade import organisations_by_kind
from mekong.marketplace.catalogue import PRODUCTS, SELLERS
from mekong.marketplace.models import Product, Seller
from mekong.marketplace.services import product_create, seller_register, seller_verify


def load_catalogue(org_ids: Mapping[str, int]) -> tuple[int, int]:
    """Create the sellers and products that do not exist yet; return how many were created.

    ``org_ids`` maps organisation slugs to ids; sellers whose organisation is missing are
    skipped. Idempotent: existing sellers and products (by slug) are left as they are.
    """
    sellers: dict[str, Seller] = {}
    created_sellers = 0
    for slug, (_country, verified) in SELLERS.items():
        if slug not in org_ids:
            continue
        seller = Seller.objects.filter(slug=slug).first()
        if seller is None:
            seller = seller_register(organisation_id=org_ids[slug], slug=slug)
            if verified:
                seller_verify(seller=seller)
            created_sellers += 1
        sellers[slug] = seller
    existing = set(Product.objects.values_list("slug", flat=True))
    created_products = 0
    for item in PRODUCTS:
        if item.slug in existing or item.seller not in sellers:
            continue
        seller = sellers[item.seller]
        currency = country(seller.country).currency
        product_create(
            seller=seller,
            slug=item.slug,
            category=item.category,
            price_minor=Money.from_decimal(Decimal(item.price), currency).minor,
            stock=item.stock,
            source_language=item.source_language,
            texts=item.texts,
        )
        created_products += 1
    return created_sellers, created_products


def seed() -> list[str]:
    """Seed storefronts for the demo SMEs of every country (after the identity seed)."""
    org_ids = {org.slug: org.id for org in organisations_by_kind("sme")}
    with transaction.atomic():
        sellers, products = load_catalogue(org_ids)
    return [f"marketplace: {sellers} sellers and {products} products created"]
