"""Demo storefronts: the catalogue of :mod:`mekong.marketplace.catalogue` for the demo SMEs."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction

from mekong.core.countries import GMS_CODES, country
from mekong.core.money import Money
from mekong.identity.facade import organisations_by_kind
from mekong.identity.models import Organisation
from mekong.marketplace.cart import shipping_option_set
from mekong.marketplace.catalogue import PRODUCTS, SELLERS
from mekong.marketplace.escrow import operator_configure
from mekong.marketplace.models import Product, Seller, ShippingOption
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


#: Demo shipping: (name, cost in USD-ish major units of the seller's currency scale, days) to
#: the seller's own country and to the other GMS countries. Illustrative prices.
DOMESTIC_SHIPPING: dict[str, str] = {
    "TH": "60",
    "VN": "30000",
    "KH": "8000",
    "LA": "25000",
    "MM": "3000",
}
CROSS_BORDER_FACTOR = 4


def shipping_seed(sellers: list[Seller]) -> int:
    """A "Mekong Post" option from every seller to every GMS country; returns how many new."""
    created = 0
    for seller in sellers:
        currency = country(seller.country).currency
        domestic = Money.from_decimal(Decimal(DOMESTIC_SHIPPING[seller.country]), currency)
        for dest in GMS_CODES:
            cost = domestic.minor * (1 if dest == seller.country else CROSS_BORDER_FACTOR)
            exists = ShippingOption.objects.filter(
                seller=seller, destination_country=dest, name="Mekong Post"
            ).exists()
            if not exists:
                shipping_option_set(
                    seller=seller,
                    destination_country=dest,
                    name="Mekong Post",
                    cost_minor=cost,
                    days=3 if dest == seller.country else 7,
                )
                created += 1
    return created


def operator_seed() -> int:
    """The organisation that runs the demo marketplace (5 % commission, 14-day window)."""
    org = Organisation.objects.filter(slug="gms-marketplace").first()
    if org is None:
        # The marketplace operator is a platform body, not one of identity's demo members.
        org = Organisation.objects.create(
            name="GMS Digital Marketplace (demo)",
            slug="gms-marketplace",
            kind="regulator",
            country="TH",
        )
    operator_configure(organisation_id=org.pk, commission_bps=500, release_days=14)
    return org.pk


def seed() -> list[str]:
    """Seed storefronts for the demo SMEs of every country (after the identity seed)."""
    org_ids = {org.slug: org.id for org in organisations_by_kind("sme")}
    with transaction.atomic():
        sellers, products = load_catalogue(org_ids)
        operator_seed()
        options = shipping_seed(list(Seller.objects.all()))
    return [
        f"marketplace: {sellers} sellers and {products} products created, "
        f"{options} shipping options, operator configured"
    ]
