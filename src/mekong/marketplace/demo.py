"""Demo storefronts: the catalogue of :mod:`mekong.marketplace.catalogue` for the demo SMEs."""

from __future__ import annotations

import io
from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from mekong.core.countries import GMS_CODES, country
from mekong.core.money import Money
from mekong.identity.facade import organisations_by_kind
from mekong.identity.models import Organisation
from mekong.marketplace.cart import shipping_option_set
from mekong.marketplace.catalogue import PRODUCTS, SELLERS
from mekong.marketplace.escrow import operator_configure
from mekong.marketplace.images import image_add
from mekong.marketplace.models import Product, ProductImage, ProductVariant, Seller, ShippingOption
from mekong.marketplace.services import (
    VariantSpec,
    product_create,
    product_tiers_set,
    product_variants_set,
    seller_register,
    seller_verify,
)


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


#: Demo products that get a generated photo: slug → (background, foreground) colours.
PHOTO_COLOURS: dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]] = {
    "la-bolaven-arabica": ((92, 58, 33), (236, 214, 170)),
    "th-doi-chaang-coffee": ((60, 40, 28), (230, 190, 120)),
    "kh-kampot-black-pepper": ((40, 44, 40), (200, 60, 50)),
    "vn-st25-rice": ((238, 232, 214), (70, 110, 60)),
    "mm-shan-laphet": ((70, 96, 48), (240, 230, 190)),
    "th-mudmee-silk": ((120, 30, 60), (240, 200, 90)),
}

#: Variants of demo products: slug → (SKU, attributes, price in major units or "", stock).
DEMO_VARIANTS: dict[str, tuple[tuple[str, dict[str, str], str, int], ...]] = {
    "th-doi-chaang-coffee": (
        ("DC-250-MED", {"weight": "250 g", "roast": "medium"}, "", 60),
        ("DC-250-DARK", {"weight": "250 g", "roast": "dark"}, "", 40),
        ("DC-1K-MED", {"weight": "1 kg", "roast": "medium"}, "1150.00", 20),
    ),
    "vn-da-lat-arabica": (
        ("DL-500-BEAN", {"weight": "500 g", "grind": "whole bean"}, "", 40),
        ("DL-500-FILTER", {"weight": "500 g", "grind": "phin filter"}, "", 30),
    ),
}

#: Business price breaks and minimum orders: slug → (minimum order, ((from quantity, unit
#: price in major units), ...)).
DEMO_TIERS: dict[str, tuple[int, tuple[tuple[int, str], ...]]] = {
    "kh-kampot-black-pepper": (1, ((20, "34000.00"), (100, "30000.00"))),
    "vn-st25-rice": (2, ((10, "195000"), (50, "180000"))),
    "la-paksong-robusta": (5, ((20, "140000.00"), (100, "130000.00"))),
}


def demo_photo(product: Product, size: int = 900) -> bytes:
    """A simple "product shot": a bag with the product's initial on a coloured background.

    Drawn with Pillow at seed time (no downloads); the bytes go through the same validation
    and re-encoding as any seller's upload.
    """
    background, foreground = PHOTO_COLOURS.get(product.slug, ((90, 90, 90), (240, 240, 240)))
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    bag = (size * 0.25, size * 0.18, size * 0.75, size * 0.86)
    draw.rounded_rectangle(bag, radius=size // 18, fill=foreground)
    draw.rectangle((bag[0], bag[1], bag[2], bag[1] + size * 0.06), fill=background)
    english = product.translations.filter(language="en").first()
    initial = (english.title if english else product.slug)[:1].upper()
    font = ImageFont.load_default(size=size // 3)
    draw.text((size / 2, size * 0.55), initial, fill=background, font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def catalogue_extras_seed() -> tuple[int, int, int]:
    """Photos, variants, price tiers and minimum orders on a few demo products.

    Idempotent: a product that already has photos, variants or tiers is left alone. Returns
    how many photos, variants and tiers were created.
    """
    photos = variants = tiers = 0
    products = {p.slug: p for p in Product.objects.select_related("seller")}
    for slug in PHOTO_COLOURS:
        product = products.get(slug)
        if product is None or ProductImage.objects.filter(product=product).exists():
            continue
        title = product.translations.filter(language="en").first()
        image_add(product=product, data=demo_photo(product), alt_text=title.title if title else "")
        photos += 1
    for slug, rows in DEMO_VARIANTS.items():
        product = products.get(slug)
        if product is None or ProductVariant.objects.filter(product=product).exists():
            continue
        specs = [
            VariantSpec(
                sku=sku,
                attributes=attrs,
                price_minor=(
                    Money.from_decimal(Decimal(price), product.currency).minor if price else None
                ),
                stock=stock,
            )
            for sku, attrs, price, stock in rows
        ]
        variants += len(product_variants_set(product=product, variants=specs))
    for slug, (minimum, breaks) in DEMO_TIERS.items():
        product = products.get(slug)
        if product is None or product.price_tiers.exists():
            continue
        if product.min_order_quantity != minimum:
            product.min_order_quantity = minimum
            product.save(update_fields=["min_order_quantity"])
        pairs = [
            (q, Money.from_decimal(Decimal(price), product.currency).minor) for q, price in breaks
        ]
        tiers += len(product_tiers_set(product=product, tiers=pairs))
    return photos, variants, tiers


def seed() -> list[str]:
    """Seed storefronts for the demo SMEs of every country (after the identity seed)."""
    org_ids = {org.slug: org.id for org in organisations_by_kind("sme")}
    with transaction.atomic():
        sellers, products = load_catalogue(org_ids)
        operator_seed()
        options = shipping_seed(list(Seller.objects.all()))
        photos, variants, tiers = catalogue_extras_seed()
    return [
        f"marketplace: {sellers} sellers and {products} products created, "
        f"{options} shipping options, operator configured",
        f"marketplace: {photos} product photos, {variants} variants and {tiers} price tiers",
    ]
