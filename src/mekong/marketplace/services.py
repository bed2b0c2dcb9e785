"""Write use cases of the marketplace catalogue: sellers, products, translations, the index.

Every piece of user text is normalised with :func:`mekong.core.text.normalize_text` before it is
stored, and the search keys are derived from the stored (normalised) text, so the index and the
query always go through the same functions.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from mekong.core.audit import audit_record
from mekong.core.countries import country
from mekong.core.text import exact_key, normalize_text, search_key
from mekong.identity.facade import organisation_info
from mekong.marketplace.errors import InvalidProduct, NotAnSme, SellerExists
from mekong.marketplace.models import (
    CATEGORY_HS,
    LANGUAGES,
    Product,
    ProductTranslation,
    SearchEntry,
    Seller,
    Verification,
)

# (title, description) per language code.
Texts = Mapping[str, tuple[str, str]]


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
    actor_user_id: int | None = None,
) -> Product:
    """List a product with its translations, priced in the seller's currency, and index it.

    Invariants checked: the price and stock are not negative, every language is one of the six
    and a translation exists in ``source_language``. Writes one audit entry.
    """
    if price_minor < 0 or stock < 0:
        raise InvalidProduct()
    if source_language not in texts or any(lang not in LANGUAGES for lang in texts):
        raise InvalidProduct()
    if category not in CATEGORY_HS:
        raise InvalidProduct()
    with transaction.atomic():
        product = Product.objects.create(
            seller=seller,
            slug=slug,
            category=category,
            hs_code=hs_code or CATEGORY_HS[category],
            price_minor=price_minor,
            currency=country(seller.country).currency,
            stock=stock,
            origin_country=(origin_country or seller.country).upper(),
            source_language=source_language,
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


def product_translation_set(
    *, product: Product, language: str, title: str, description: str
) -> ProductTranslation:
    """Create or replace one translation and its search entry (normalised first).

    The entry and the translation are written in one transaction so the index never lags.
    """
    if language not in LANGUAGES:
        raise InvalidProduct()
    title = normalize_text(title)
    # Descriptions keep their line breaks; titles are one line.
    description = normalize_text(description, multiline=True)
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
                "description_folded": search_key(description),
                "title_exact": exact_key(title),
                "description_exact": exact_key(description),
            },
        )
    return translation
