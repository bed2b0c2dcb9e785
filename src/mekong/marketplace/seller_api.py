"""Marketplace seller API: create and edit products, their images, variants and price tiers.

Mounted under ``/marketplace/seller`` by :mod:`mekong.marketplace.api`. Token or session auth;
the caller acts for its organisation, which must be a verified seller (else 403
``marketplace_not_a_seller``), and reaches only its own products: another seller's product
answers 404 ``marketplace_product_not_found`` exactly like a missing one. Prices are integer
minor units of the seller's currency. Descriptions are sanitised HTML (see richtext.py).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field

from mekong.core.schemas import COMMON_ERRORS, ProblemOut
from mekong.identity.contracts import Actor
from mekong.marketplace import images
from mekong.marketplace.models import LANGUAGES, PriceTier, Product, ProductImage, ProductVariant
from mekong.marketplace.services import (
    ProductFields,
    SlugTaken,
    VariantSpec,
    editable_seller,
    product_get_for,
    product_save,
    product_slug_for,
    product_tiers_set,
    product_variants_set,
)

router = Router(tags=["marketplace"])

FORBIDDEN = {403: ProblemOut}
NOT_FOUND = {403: ProblemOut, 404: ProblemOut}
CONFLICT = {403: ProblemOut, 404: ProblemOut, 409: ProblemOut}
IMAGE_ERRORS = {403: ProblemOut, 404: ProblemOut, 409: ProblemOut, 413: ProblemOut, 415: ProblemOut}


class TextIn(Schema):
    """A product's title and description in one language (description: simple HTML)."""

    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)


class ProductIn(Schema):
    """A product's fields; ``texts`` maps language codes to its texts (the source one needed).

    On update the texts replace the stored ones: languages left out are removed.
    """

    slug: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9-]{0,79}$",
        description="New products only; generated from the title when omitted",
    )
    category: str = Field(max_length=16)
    hs_code: str = Field(default="", max_length=10, description="Empty: the category's heading")
    price_minor: int = Field(ge=0, le=10**12, description="Minor units of the seller's currency")
    stock: int = Field(ge=0, le=10**9)
    weight_grams: int = Field(default=0, ge=0, le=10**8)
    origin_country: str = Field(default="", max_length=2, description="Empty: the seller's")
    min_order_quantity: int = Field(default=1, ge=1, le=10**6)
    source_language: str = Field(max_length=2)
    texts: dict[str, TextIn] = Field(min_length=1, max_length=len(LANGUAGES))


class VariantIn(Schema):
    """A variant: SKU, attributes (name → value), own price (null: the product's), stock."""

    sku: str = Field(min_length=1, max_length=64)
    attributes: dict[str, str] = Field(default_factory=dict, max_length=10)
    price_minor: int | None = Field(default=None, ge=0, le=10**12)
    stock: int = Field(default=0, ge=0, le=10**9)
    weight_grams: int | None = Field(default=None, ge=0, le=10**8)


class VariantOut(Schema):
    """A stored variant."""

    sku: str
    attributes: dict[str, str]
    price_minor: int | None
    stock: int
    weight_grams: int | None


class TierIn(Schema):
    """A price break: from ``min_quantity`` units on, ``unit_price_minor`` each."""

    min_quantity: int = Field(ge=2, le=10**9)
    unit_price_minor: int = Field(ge=0, le=10**12)


class TierOut(Schema):
    """A stored price break."""

    min_quantity: int
    unit_price_minor: int


class ImageOut(Schema):
    """A product photo: the re-encoded original and its thumbnails (public URLs)."""

    id: int
    position: int
    url: str
    thumb_small_url: str
    thumb_large_url: str
    width: int
    height: int
    content_type: str
    sha256: str
    alt_text: str


class ImagePatchIn(Schema):
    """Change a photo's alt text or position (0 = first)."""

    alt_text: str | None = Field(default=None, max_length=200)
    position: int | None = Field(default=None, ge=0, le=99)


class ProductEditOut(Schema):
    """A product as its seller edits it: every language, variants, tiers, photos."""

    slug: str
    category: str
    hs_code: str
    price_minor: int
    currency: str
    stock: int
    weight_grams: int
    origin_country: str
    min_order_quantity: int
    source_language: str
    texts: dict[str, TextIn]
    variants: list[VariantOut]
    tiers: list[TierOut]
    images: list[ImageOut]


def _actor(request: HttpRequest) -> Actor:
    actor = request.auth  # type: ignore[attr-defined]
    assert isinstance(actor, Actor)
    return actor


def _image_out(image: ProductImage) -> ImageOut:
    return ImageOut(
        id=image.pk,
        position=image.position,
        url=image.original.url,
        thumb_small_url=image.thumb_small.url,
        thumb_large_url=image.thumb_large.url,
        width=image.width,
        height=image.height,
        content_type=image.content_type,
        sha256=image.sha256,
        alt_text=image.alt_text,
    )


def _variant_out(v: ProductVariant) -> VariantOut:
    return VariantOut(
        sku=v.sku,
        attributes={str(k): str(val) for k, val in sorted(v.attributes.items())},
        price_minor=v.price_minor,
        stock=v.stock,
        weight_grams=v.weight_grams,
    )


def _tier_out(t: PriceTier) -> TierOut:
    return TierOut(min_quantity=t.min_quantity, unit_price_minor=t.unit_price_minor)


def _product_out(product: Product) -> ProductEditOut:
    return ProductEditOut(
        slug=product.slug,
        category=product.category,
        hs_code=product.hs_code,
        price_minor=product.price_minor,
        currency=product.currency,
        stock=product.stock,
        weight_grams=product.weight_grams,
        origin_country=product.origin_country,
        min_order_quantity=product.min_order_quantity,
        source_language=product.source_language,
        texts={
            t.language: TextIn(title=t.title, description=t.description)
            for t in product.translations.all()
        },
        variants=[_variant_out(v) for v in product.variants.all()],
        tiers=[_tier_out(t) for t in product.price_tiers.all()],
        images=[_image_out(i) for i in product.images.all()],
    )


def _fields(payload: ProductIn) -> ProductFields:
    return ProductFields(
        category=payload.category,
        price_minor=payload.price_minor,
        stock=payload.stock,
        source_language=payload.source_language,
        texts={lang: (t.title, t.description) for lang, t in payload.texts.items()},
        hs_code=payload.hs_code,
        origin_country=payload.origin_country.upper() or None,
        weight_grams=payload.weight_grams,
        min_order_quantity=payload.min_order_quantity,
    )


def _fresh(product: Product) -> Product:
    return (
        Product.objects.select_related("seller")
        .prefetch_related("translations", "variants", "price_tiers", "images")
        .get(pk=product.pk)
    )


@router.get(
    "/products",
    response={200: list[ProductEditOut], **FORBIDDEN, **COMMON_ERRORS},
    summary="My products (seller)",
)
def products_mine(request: HttpRequest) -> list[ProductEditOut]:
    """Every product of the caller's storefront, newest first."""
    seller = editable_seller(_actor(request))
    products = (
        Product.objects.filter(seller=seller)
        .select_related("seller")
        .prefetch_related("translations", "variants", "price_tiers", "images")
        .order_by("-created_at", "-pk")
    )
    return [_product_out(p) for p in products]


@router.post(
    "/products",
    response={201: ProductEditOut, **CONFLICT, **COMMON_ERRORS},
    summary="Create a product (seller)",
)
def product_new(request: HttpRequest, payload: ProductIn) -> Status[ProductEditOut]:
    """List a new product in the seller's currency (422 ``marketplace_invalid_product`` names
    the bad field in ``field``; 409 ``marketplace_slug_taken`` when the slug is in use)."""
    actor = _actor(request)
    seller = editable_seller(actor)
    texts = payload.texts
    title = (texts.get("en") or texts.get(payload.source_language) or TextIn(title="-")).title
    slug = payload.slug or product_slug_for(seller=seller, title=title)
    if Product.objects.filter(slug=slug).exists():
        raise SlugTaken()
    product = product_save(
        seller=seller, product=None, slug=slug, fields=_fields(payload), actor_user_id=actor.user_id
    )
    return Status(201, _product_out(_fresh(product)))


@router.get(
    "/products/{slug}",
    response={200: ProductEditOut, **NOT_FOUND, **COMMON_ERRORS},
    summary="One of my products (seller)",
)
def product_mine(request: HttpRequest, slug: str) -> ProductEditOut:
    """One product of the caller's storefront with every language, variant, tier and photo."""
    return _product_out(_fresh(product_get_for(actor=_actor(request), slug=slug)))


@router.put(
    "/products/{slug}",
    response={200: ProductEditOut, **NOT_FOUND, **COMMON_ERRORS},
    summary="Update a product (seller)",
)
def product_put(request: HttpRequest, slug: str, payload: ProductIn) -> ProductEditOut:
    """Replace the product's fields and texts (the slug stays; ``payload.slug`` is ignored)."""
    actor = _actor(request)
    product = product_get_for(actor=actor, slug=slug)
    product_save(
        seller=product.seller, product=product, fields=_fields(payload), actor_user_id=actor.user_id
    )
    return _product_out(_fresh(product))


@router.put(
    "/products/{slug}/variants",
    response={200: list[VariantOut], **CONFLICT, **COMMON_ERRORS},
    summary="Set a product's variants (seller)",
)
def variants_put(request: HttpRequest, slug: str, payload: list[VariantIn]) -> list[VariantOut]:
    """Make the variants exactly these, matched by SKU (409 ``marketplace_variant_ordered``
    when a variant to remove has orders)."""
    actor = _actor(request)
    product = product_get_for(actor=actor, slug=slug)
    specs = [
        VariantSpec(
            sku=v.sku,
            attributes=v.attributes,
            price_minor=v.price_minor,
            stock=v.stock,
            weight_grams=v.weight_grams,
        )
        for v in payload
    ]
    saved = product_variants_set(product=product, variants=specs, actor_user_id=actor.user_id)
    return [_variant_out(v) for v in saved]


@router.put(
    "/products/{slug}/tiers",
    response={200: list[TierOut], **NOT_FOUND, **COMMON_ERRORS},
    summary="Set a product's price tiers (seller)",
)
def tiers_put(request: HttpRequest, slug: str, payload: list[TierIn]) -> list[TierOut]:
    """Replace the product's price breaks."""
    actor = _actor(request)
    product = product_get_for(actor=actor, slug=slug)
    saved = product_tiers_set(
        product=product,
        tiers=[(t.min_quantity, t.unit_price_minor) for t in payload],
        actor_user_id=actor.user_id,
    )
    return [_tier_out(t) for t in saved]


@router.post(
    "/products/{slug}/images",
    response={201: ImageOut, 200: ImageOut, **IMAGE_ERRORS, **COMMON_ERRORS},
    summary="Upload a product photo (seller)",
)
def image_upload(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    alt_text: Form[str] = "",
) -> Status[ImageOut]:
    """Add a JPEG, PNG or WebP photo (multipart ``file``, ≤ 5 MB, ≤ 40 megapixels, ≤ 8 per
    product). The type is sniffed from the bytes; metadata (EXIF, GPS) is stripped. The same
    photo again answers 200 with the stored one. Errors: 413 ``image_too_large``, 415
    ``image_unsupported_type``, 422 ``image_too_many_pixels`` / ``image_corrupt``, 409
    ``too_many_images``."""
    actor = _actor(request)
    product = product_get_for(actor=actor, slug=slug)
    data = images.read_upload(file)
    before = ProductImage.objects.filter(product=product).count()
    image = images.image_add(
        product=product, data=data, alt_text=alt_text[:200], actor_user_id=actor.user_id
    )
    after = ProductImage.objects.filter(product=product).count()
    return Status(201 if after > before else 200, _image_out(image))


@router.patch(
    "/products/{slug}/images/{image_id}",
    response={200: ImageOut, **NOT_FOUND, **COMMON_ERRORS},
    summary="Change a product photo's alt text or position (seller)",
)
def image_patch(request: HttpRequest, slug: str, image_id: int, payload: ImagePatchIn) -> ImageOut:
    """Set the alt text or position of one photo (404 ``image_not_found`` for another's)."""
    product = product_get_for(actor=_actor(request), slug=slug)
    image = images.image_update(
        product=product, image_id=image_id, alt_text=payload.alt_text, position=payload.position
    )
    return _image_out(image)


@router.delete(
    "/products/{slug}/images/{image_id}",
    response={204: None, **NOT_FOUND, **COMMON_ERRORS},
    summary="Delete a product photo (seller)",
)
def image_remove(request: HttpRequest, slug: str, image_id: int) -> Status[None]:
    """Remove a photo and its files."""
    actor = _actor(request)
    product = product_get_for(actor=actor, slug=slug)
    images.image_delete(product=product, image_id=image_id, actor_user_id=actor.user_id)
    return Status(204, None)
