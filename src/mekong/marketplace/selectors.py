"""Reads of the catalogue for pages: product cards in the visitor's language, with fallback."""

from __future__ import annotations

from dataclasses import dataclass

from mekong.core.money import Money
from mekong.marketplace.models import Product, ProductTranslation, Seller


@dataclass(frozen=True, slots=True)
class ProductCard:
    """What a page shows of a product, in one language (or the source language as fallback)."""

    slug: str
    title: str
    description: str
    language: str
    is_fallback: bool
    price: Money
    stock: int
    category: str
    category_label: str
    hs_code: str
    origin_country: str
    seller_name: str
    seller_slug: str
    seller_country: str
    seller_verified: bool
    min_order_quantity: int = 1
    thumbnail_url: str = ""
    buyer_price: Money | None = None


def pick_translation(
    translations: list[ProductTranslation], language: str, source_language: str
) -> ProductTranslation | None:
    """The translation in ``language``, else the source language's, else any."""
    by_lang = {t.language: t for t in translations}
    return by_lang.get(language) or by_lang.get(source_language) or next(iter(translations), None)


def _card(product: Product, language: str) -> ProductCard:
    translation = pick_translation(
        list(product.translations.all()), language, product.source_language
    )
    seller = product.seller
    return ProductCard(
        slug=product.slug,
        title=translation.title if translation else product.slug,
        description=translation.description if translation else "",
        language=translation.language if translation else product.source_language,
        is_fallback=translation is None or translation.language != language,
        price=product.price,
        stock=product.stock,
        category=product.category,
        category_label=str(product.get_category_display()),
        hs_code=product.hs_code,
        origin_country=product.origin_country,
        seller_name=seller.name,
        seller_slug=seller.slug,
        seller_country=seller.country,
        seller_verified=seller.is_verified,
        min_order_quantity=product.min_order_quantity,
    )


def product_cards(product_ids: list[int], language: str) -> list[ProductCard]:
    """Cards for ``product_ids`` in that order (two queries whatever the count)."""
    products = Product.objects.select_related("seller").prefetch_related("translations")
    by_id = {p.pk: p for p in products.filter(pk__in=product_ids)}
    return [_card(by_id[i], language) for i in product_ids if i in by_id]


def product_card_by_slug(slug: str, language: str) -> ProductCard | None:
    """One product's card, or None when the slug is unknown."""
    product = (
        Product.objects.select_related("seller")
        .prefetch_related("translations")
        .filter(slug=slug)
        .first()
    )
    return _card(product, language) if product else None


def seller_by_slug(slug: str) -> Seller | None:
    """A public storefront (rejected sellers have none)."""
    return Seller.objects.filter(slug=slug).exclude(verification="rejected").first()


def seller_product_ids(seller: Seller) -> list[int]:
    """The seller's products, in stock first, then by slug."""
    return list(
        Product.objects.filter(seller=seller)
        .order_by("-stock", "slug")
        .values_list("pk", flat=True)
    )
