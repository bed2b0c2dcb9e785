"""Reads of the catalogue for pages: product cards in the visitor's language, with fallback."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db.models import OuterRef, QuerySet, Subquery

from mekong.core.money import Money
from mekong.marketplace.models import Product, ProductImage, ProductTranslation, Seller


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


def with_thumbnail(products: QuerySet[Product]) -> QuerySet[Product]:
    """Annotate each product with its first photo's small thumbnail (``thumb``) in the same
    query, so a page of cards costs no query per card."""
    first = ProductImage.objects.filter(product=OuterRef("pk")).order_by("position", "pk")
    return products.annotate(thumb=Subquery(first.values("thumb_small")[:1]))


def thumbnail_url(product: Product) -> str:
    """The URL of the product's card thumbnail ("" without photos or the annotation)."""
    name = getattr(product, "thumb", None)
    return default_storage.url(name) if name else ""


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
        thumbnail_url=thumbnail_url(product),
    )


def product_cards(product_ids: list[int], language: str) -> list[ProductCard]:
    """Cards for ``product_ids`` in that order (two queries whatever the count)."""
    products = with_thumbnail(
        Product.objects.select_related("seller").prefetch_related("translations")
    )
    by_id = {p.pk: p for p in products.filter(pk__in=product_ids)}
    return [_card(by_id[i], language) for i in product_ids if i in by_id]


def product_card_by_slug(slug: str, language: str) -> ProductCard | None:
    """One product's card, or None when the slug is unknown."""
    product = (
        with_thumbnail(Product.objects.select_related("seller").prefetch_related("translations"))
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


def product_images(slug: str) -> list[ProductImage]:
    """The photos of the product with ``slug`` in display order (empty for an unknown slug)."""
    return list(ProductImage.objects.filter(product__slug=slug).order_by("position", "pk"))


def seller_products_for_editing(seller: Seller, language: str) -> list[ProductCard]:
    """All the seller's products as cards (any stock), newest first, in three queries."""
    ids = list(
        Product.objects.filter(seller=seller)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
    )
    return product_cards(ids, language)
