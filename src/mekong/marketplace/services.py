"""Write use cases of the marketplace catalogue: sellers, products, translations, the index.

Every piece of user text is normalised with :func:`mekong.core.text.normalize_text` before it is
stored, and the search keys are derived from the stored (normalised) text, so the index and the
query always go through the same functions. Descriptions are also sanitised to a small set of
HTML tags (:mod:`mekong.marketplace.richtext`); the index gets their words without the markup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from mekong.core.audit import audit_record
from mekong.core.countries import COUNTRIES, country
from mekong.core.errors import DomainError
from mekong.core.text import exact_key, normalize_text, search_key
from mekong.identity.contracts import Actor
from mekong.identity.facade import organisation_info
from mekong.marketplace.errors import InvalidProduct, NotAnSme, SellerExists
from mekong.marketplace.models import (
    CATEGORY_HS,
    LANGUAGES,
    PriceTier,
    Product,
    ProductTranslation,
    ProductVariant,
    SearchEntry,
    Seller,
    Verification,
)
from mekong.marketplace.richtext import description_text, sanitize_description
from mekong.marketplace.stock import sync_stock_from_variants

# (title, description) per language code.
Texts = Mapping[str, tuple[str, str]]

#: Upper bounds checked before anything reaches the database.
MAX_PRICE_MINOR = 10**12
MAX_STOCK = 10**9
MAX_WEIGHT_GRAMS = 10**8
MAX_MIN_ORDER = 10**6
MAX_VARIANTS = 50
MAX_TIERS = 10
MAX_ATTRIBUTES = 10
MAX_DESCRIPTION = 20_000
HS_CODE = re.compile(r"^[0-9]{4,10}$")
SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
#: Roles that may edit an organisation's products (viewers may only look).
EDITOR_ROLES = frozenset({"owner", "admin", "member"})


# These three belong with the module's other errors; they live here while errors.py is being
# edited by the buying work, and move there afterwards (their codes are already final).
class ProductNotFound(DomainError):
    """No such product among the caller's own (another seller's product looks the same)."""

    code = "marketplace_product_not_found"
    http_status = 404
    title = _("Product not found.")


class NotASeller(DomainError):
    """The caller's organisation has no verified storefront, or the caller may not edit it."""

    code = "marketplace_not_a_seller"
    http_status = 403
    title = _("Only members of a verified seller can edit products.")


class VariantOrdered(DomainError):
    """A variant that buyers have ordered cannot be removed (set its stock to 0 instead)."""

    code = "marketplace_variant_ordered"
    http_status = 409
    title = _("This variant has orders: set its stock to 0 instead of removing it.")


class SlugTaken(DomainError):
    """Another product already has this slug (slugs are global: they are the product's URL)."""

    code = "marketplace_slug_taken"
    http_status = 409
    title = _("Another product already has this address (slug).")


@dataclass(frozen=True, slots=True)
class VariantSpec:
    """A variant as the editor or the API gives it (``price_minor`` None = the product's)."""

    sku: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    price_minor: int | None = None
    stock: int = 0
    weight_grams: int | None = None


def _invalid(field_name: str) -> InvalidProduct:
    return InvalidProduct(extra={"field": field_name})


def editable_seller(actor: Actor) -> Seller:
    """The verified storefront the actor may edit products of.

    Raises ``NotASeller`` when the actor's organisation has no verified seller or the actor is
    only a viewer.
    """
    if actor.organisation_id is None or actor.role not in EDITOR_ROLES:
        raise NotASeller()
    seller = Seller.objects.filter(organisation_id=actor.organisation_id).first()
    if seller is None or not seller.is_verified:
        raise NotASeller()
    return seller


def product_slug_for(*, seller: Seller, title: str) -> str:
    """A free slug for a new product: the seller's slug and the title's ASCII words, with a
    number appended when taken (a title in Lao or Thai script adds nothing, so the number
    tells those products apart)."""
    base = slugify(f"{seller.slug} {title}")[:70].strip("-") or seller.slug[:70]
    slug, n = base, 1
    while Product.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def product_get_for(*, actor: Actor, slug: str) -> Product:
    """One of the actor's own seller's products, for editing.

    Raises:
        NotASeller: the actor may not edit any product.
        ProductNotFound: unknown slug or another seller's product (indistinguishable).
    """
    seller = editable_seller(actor)
    product = Product.objects.select_related("seller").filter(seller=seller, slug=slug).first()
    if product is None:
        raise ProductNotFound()
    return product


def seller_register(*, organisation_id: int, slug: str, actor_user_id: int | None = None) -> Seller:
    """Open a storefront for an SME organisation (pending verification).

    Raises ``NotAnSme`` for any other kind of organisation and ``SellerExists`` when the
    organisation already sells. Writes one audit entry.
    """
    info = organisation_info(organisation_id)
    if info is None or info.kind != "sme":
        raise NotAnSme()
    with transaction.atomic():
        if Seller.objects.filter(organisation_id=organisation_id).exists():
            raise SellerExists()
        seller = Seller.objects.create(
            organisation_id=organisation_id,
            name=normalize_text(info.name),
            slug=slug,
            country=info.country,
        )
        audit_record(
            action="marketplace.seller_register",
            actor_user_id=actor_user_id,
            organisation_id=organisation_id,
            object_type="seller",
            object_id=seller.pk,
        )
    return seller


def seller_verify(
    *, seller: Seller, verified: bool = True, actor_user_id: int | None = None
) -> Seller:
    """Record an operator's decision on a seller (verified or rejected); audited."""
    with transaction.atomic():
        seller.verification = Verification.VERIFIED if verified else Verification.REJECTED
        seller.save(update_fields=["verification"])
        audit_record(
            action="marketplace.seller_verify",
            actor_user_id=actor_user_id,
            organisation_id=seller.organisation_id,
            object_type="seller",
            object_id=seller.pk,
            data={"verification": seller.verification},
        )
    return seller


def _check_fields(
    *,
    category: str,
    price_minor: int,
    stock: int,
    source_language: str,
    texts: Texts,
    hs_code: str,
    origin_country: str,
    weight_grams: int,
    min_order_quantity: int,
) -> None:
    if not 0 <= price_minor <= MAX_PRICE_MINOR:
        raise _invalid("price")
    if not 0 <= stock <= MAX_STOCK:
        raise _invalid("stock")
    if not 0 <= weight_grams <= MAX_WEIGHT_GRAMS:
        raise _invalid("weight_grams")
    if not 1 <= min_order_quantity <= MAX_MIN_ORDER:
        raise _invalid("min_order_quantity")
    if category not in CATEGORY_HS:
        raise _invalid("category")
    if hs_code and not HS_CODE.match(hs_code):
        raise _invalid("hs_code")
    if origin_country not in COUNTRIES:
        raise _invalid("origin_country")
    if any(lang not in LANGUAGES for lang in texts):
        raise _invalid("language")
    if source_language not in texts or not normalize_text(texts[source_language][0]):
        raise _invalid("source_language")
    if any(len(description) > MAX_DESCRIPTION for _title, description in texts.values()):
        raise _invalid("description")


def product_create(
    *,
    seller: Seller,
    slug: str,
    category: str,
    price_minor: int,
    stock: int,
    source_language: str,
    texts: Texts,
    hs_code: str = "",
    origin_country: str | None = None,
    weight_grams: int = 0,
    min_order_quantity: int = 1,
    actor_user_id: int | None = None,
) -> Product:
    """List a product with its translations, priced in the seller's currency, and index it.

    Invariants checked: price, stock and weight are in range and not negative, the minimum
    order is at least 1, the HS code is 4–10 digits (the category's heading when empty), the
    origin is a known country, every language is one of the six and a non-empty title exists
    in ``source_language``. Writes one audit entry.

    Raises:
        InvalidProduct: a field is out of range (``extra["field"]`` names it).
    """
    origin = (origin_country or seller.country).upper()
    hs = hs_code.strip()
    _check_fields(
        category=category,
        price_minor=price_minor,
        stock=stock,
        source_language=source_language,
        texts=texts,
        hs_code=hs,
        origin_country=origin,
        weight_grams=weight_grams,
        min_order_quantity=min_order_quantity,
    )
    with transaction.atomic():
        product = Product.objects.create(
            seller=seller,
            slug=slug,
            category=category,
            hs_code=hs or CATEGORY_HS[category],
            price_minor=price_minor,
            currency=country(seller.country).currency,
            stock=stock,
            weight_grams=weight_grams,
            origin_country=origin,
            source_language=source_language,
            min_order_quantity=min_order_quantity,
        )
        for language, (title, description) in texts.items():
            product_translation_set(
                product=product, language=language, title=title, description=description
            )
        audit_record(
            action="marketplace.product_create",
            actor_user_id=actor_user_id,
            organisation_id=seller.organisation_id,
            object_type="product",
            object_id=product.pk,
        )
    return product


def product_update(
    *,
    product: Product,
    category: str,
    price_minor: int,
    stock: int,
    source_language: str,
    texts: Texts,
    hs_code: str = "",
    origin_country: str | None = None,
    weight_grams: int = 0,
    min_order_quantity: int = 1,
    actor_user_id: int | None = None,
) -> Product:
    """Replace a product's fields and translations (languages left out are removed); audited.

    The same checks as :func:`product_create`. The currency never changes (it is the seller's).
    Translations are rewritten through :func:`product_translation_set`, so the index follows.

    Raises:
        InvalidProduct: a field is out of range (``extra["field"]`` names it).
    """
    origin = (origin_country or product.seller.country).upper()
    hs = hs_code.strip()
    _check_fields(
        category=category,
        price_minor=price_minor,
        stock=stock,
        source_language=source_language,
        texts=texts,
        hs_code=hs,
        origin_country=origin,
        weight_grams=weight_grams,
        min_order_quantity=min_order_quantity,
    )
    with transaction.atomic():
        product = Product.objects.select_for_update().select_related("seller").get(pk=product.pk)
        product.category = category
        product.hs_code = hs or CATEGORY_HS[category]
        product.price_minor = price_minor
        product.stock = stock
        product.weight_grams = weight_grams
        product.origin_country = origin
        product.source_language = source_language
        product.min_order_quantity = min_order_quantity
        product.save()
        for language, (title, description) in texts.items():
            product_translation_set(
                product=product, language=language, title=title, description=description
            )
        ProductTranslation.objects.filter(product=product).exclude(
            language__in=list(texts)
        ).delete()
        sync_stock_from_variants([product.pk])  # with variants, their total wins
        audit_record(
            action="marketplace.product_update",
            actor_user_id=actor_user_id,
            organisation_id=product.seller.organisation_id,
            object_type="product",
            object_id=product.pk,
        )
    return product


@dataclass(frozen=True, slots=True)
class ProductFields:
    """A product's editable fields, as the editor page and the API give them."""

    category: str
    price_minor: int
    stock: int
    source_language: str
    texts: Texts
    hs_code: str = ""
    origin_country: str | None = None
    weight_grams: int = 0
    min_order_quantity: int = 1


def product_save(
    *,
    seller: Seller,
    product: Product | None,
    fields: ProductFields,
    slug: str = "",
    actor_user_id: int | None = None,
) -> Product:
    """Create (``product`` None, with ``slug``) or update one of ``seller``'s products.

    See :func:`product_create` and :func:`product_update` for the checks and the audit.
    """
    f = fields
    if product is None:
        return product_create(
            seller=seller,
            slug=slug,
            category=f.category,
            price_minor=f.price_minor,
            stock=f.stock,
            source_language=f.source_language,
            texts=f.texts,
            hs_code=f.hs_code,
            origin_country=f.origin_country,
            weight_grams=f.weight_grams,
            min_order_quantity=f.min_order_quantity,
            actor_user_id=actor_user_id,
        )
    return product_update(
        product=product,
        category=f.category,
        price_minor=f.price_minor,
        stock=f.stock,
        source_language=f.source_language,
        texts=f.texts,
        hs_code=f.hs_code,
        origin_country=f.origin_country,
        weight_grams=f.weight_grams,
        min_order_quantity=f.min_order_quantity,
        actor_user_id=actor_user_id,
    )


def product_translation_set(
    *, product: Product, language: str, title: str, description: str
) -> ProductTranslation:
    """Create or replace one translation and its search entry (normalised first).

    The description is normalised, then sanitised (:func:`richtext.sanitize_description`); the
    index gets its words without markup. The entry and the translation are written in one
    transaction so the index never lags.
    """
    if language not in LANGUAGES:
        raise InvalidProduct()
    title = normalize_text(title)
    # Descriptions keep their line breaks; titles are one line.
    description = sanitize_description(normalize_text(description, multiline=True))
    text = description_text(description)
    if not title:
        raise InvalidProduct()
    with transaction.atomic():
        translation, _created = ProductTranslation.objects.update_or_create(
            product=product,
            language=language,
            defaults={"title": title, "description": description},
        )
        SearchEntry.objects.update_or_create(
            translation=translation,
            defaults={
                "product": product,
                "title_folded": search_key(title),
                "description_folded": search_key(text),
                "title_exact": exact_key(title),
                "description_exact": exact_key(text),
            },
        )
    return translation


def _check_variants(variants: Sequence[VariantSpec]) -> None:
    if len(variants) > MAX_VARIANTS:
        raise _invalid("variants")
    skus = [v.sku for v in variants]
    if len(set(skus)) != len(skus):
        raise _invalid("sku")
    for v in variants:
        if not SKU.match(v.sku):
            raise _invalid("sku")
        if v.price_minor is not None and not 0 <= v.price_minor <= MAX_PRICE_MINOR:
            raise _invalid("variant_price")
        if not 0 <= v.stock <= MAX_STOCK:
            raise _invalid("variant_stock")
        if v.weight_grams is not None and not 0 <= v.weight_grams <= MAX_WEIGHT_GRAMS:
            raise _invalid("variant_weight")
        if len(v.attributes) > MAX_ATTRIBUTES:
            raise _invalid("attributes")


def _attributes(raw: Mapping[str, str]) -> dict[str, str]:
    cleaned = {normalize_text(k)[:40]: normalize_text(v)[:80] for k, v in raw.items()}
    if any(not k or not v for k, v in cleaned.items()):
        raise _invalid("attributes")
    return cleaned


def product_variants_set(
    *, product: Product, variants: Sequence[VariantSpec], actor_user_id: int | None = None
) -> list[ProductVariant]:
    """Make the product's variants exactly ``variants`` (matched by SKU, in the given order).

    Existing SKUs are updated in place (orders and carts keep pointing at them), new ones
    created, missing ones removed. Audited.

    Raises:
        InvalidProduct: a SKU is malformed or repeated, or a number is out of range.
        VariantOrdered: a variant to remove appears on an order.
    """
    _check_variants(variants)
    specs = [(v, _attributes(v.attributes)) for v in variants]
    with transaction.atomic():
        Product.objects.select_for_update().filter(pk=product.pk).first()
        existing = {v.sku: v for v in ProductVariant.objects.filter(product=product)}
        try:
            ProductVariant.objects.filter(product=product).exclude(
                sku__in=[v.sku for v in variants]
            ).delete()
        except ProtectedError as exc:
            raise VariantOrdered() from exc
        result = []
        for position, (spec, attributes) in enumerate(specs):
            variant = existing.get(spec.sku) or ProductVariant(product=product, sku=spec.sku)
            variant.attributes = attributes
            variant.price_minor = spec.price_minor
            variant.stock = spec.stock
            variant.weight_grams = spec.weight_grams
            variant.position = position
            variant.save()
            result.append(variant)
        sync_stock_from_variants([product.pk])
        audit_record(
            action="marketplace.product_variants_set",
            actor_user_id=actor_user_id,
            organisation_id=product.seller.organisation_id,
            object_type="product",
            object_id=product.pk,
            data={"skus": [v.sku for v in variants]},
        )
    return result


def product_tiers_set(
    *, product: Product, tiers: Sequence[tuple[int, int]], actor_user_id: int | None = None
) -> list[PriceTier]:
    """Replace the product's price breaks with ``tiers`` of (from quantity, unit price minor).

    Invariants: each from-quantity is at least 2 and appears once; prices are in range. The
    pricing rule (:mod:`mekong.marketplace.tiers`) decides how they apply. Audited.

    Raises:
        InvalidProduct: a quantity repeats or is below 2, or a price is out of range.
    """
    if len(tiers) > MAX_TIERS:
        raise _invalid("tiers")
    quantities = [q for q, _price in tiers]
    if len(set(quantities)) != len(quantities):
        raise _invalid("tiers")
    for quantity, price in tiers:
        if not 2 <= quantity <= MAX_STOCK or not 0 <= price <= MAX_PRICE_MINOR:
            raise _invalid("tiers")
    with transaction.atomic():
        Product.objects.select_for_update().filter(pk=product.pk).first()
        PriceTier.objects.filter(product=product).delete()
        created = PriceTier.objects.bulk_create(
            PriceTier(product=product, min_quantity=q, unit_price_minor=p) for q, p in sorted(tiers)
        )
        audit_record(
            action="marketplace.product_tiers_set",
            actor_user_id=actor_user_id,
            organisation_id=product.seller.organisation_id,
            object_type="product",
            object_id=product.pk,
            data={"tiers": [list(t) for t in sorted(tiers)]},
        )
    return created
