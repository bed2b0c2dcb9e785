"""Seller pages to list, create and edit products (with images, variants and price tiers).

Only members (owner, admin, member) of a verified seller's organisation may edit, and only
their own products: every lookup goes through :func:`services.product_get_for`, so another
seller's product answers 404 exactly like a missing one. Prices are typed as decimals in the
seller's currency and stored in its minor units.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mekong.core.countries import COUNTRIES, country
from mekong.core.errors import DomainError
from mekong.core.money import Money, MoneyError
from mekong.marketplace import images
from mekong.marketplace.actors import actor_required, parse_int
from mekong.marketplace.models import (
    CATEGORY_HS,
    LANGUAGES,
    Category,
    Language,
    PriceTier,
    Product,
    ProductImage,
    ProductVariant,
    Seller,
)
from mekong.marketplace.ordering import seller_of
from mekong.marketplace.selectors import seller_products_for_editing
from mekong.marketplace.services import (
    NotASeller,
    ProductFields,
    ProductNotFound,
    VariantSpec,
    editable_seller,
    product_get_for,
    product_save,
    product_slug_for,
    product_tiers_set,
    product_variants_set,
)


@dataclass
class ProductForm:
    """What the editor form holds: raw strings to show back, parsed values to save."""

    source_language: str = ""
    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    category: str = ""
    hs_code: str = ""
    price: str = ""
    stock: str = "0"
    weight_grams: str = "0"
    origin_country: str = ""
    min_order_quantity: str = "1"
    variants: str = ""
    tiers: str = ""
    errors: list[str] = field(default_factory=list)

    def texts(self) -> dict[str, tuple[str, str]]:
        """(title, description) of every language with a title."""
        return {
            lang: (self.titles[lang], self.descriptions.get(lang, ""))
            for lang in LANGUAGES
            if self.titles.get(lang, "").strip()
        }


def _decimal_minor(raw: str, currency: str) -> int | None:
    """Minor units of a decimal typed in ``currency`` (commas and spaces as group separators
    are accepted); None when it is not a number with at most the currency's decimals."""
    cleaned = raw.strip().replace(",", "").replace(" ", "").replace("\u00a0", "")
    if not cleaned:
        return None
    try:
        return Money.from_decimal(Decimal(cleaned), currency).minor
    except (MoneyError, ArithmeticError, ValueError):
        return None


def _money_text(minor: int | None, currency: str) -> str:
    return "" if minor is None else str(Money(minor, currency).to_decimal())


def parse_variants(text: str, currency: str) -> list[VariantSpec] | None:
    """Variants, one a line: ``SKU | name=value; name=value | price | stock`` (price may be
    empty: the product's). None when a line is malformed."""
    variants = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        parts += [""] * (4 - len(parts))
        if len(parts) > 4 or not parts[0]:
            return None
        attributes: dict[str, str] = {}
        for pair in filter(None, (a.strip() for a in parts[1].split(";"))):
            name, sep, value = pair.partition("=")
            if not sep or not name.strip() or not value.strip():
                return None
            attributes[name.strip()] = value.strip()
        price = _decimal_minor(parts[2], currency) if parts[2] else None
        if parts[2] and price is None:
            return None
        stock = parse_int(parts[3], 0)
        if stock < 0:
            return None
        variants.append(
            VariantSpec(sku=parts[0], attributes=attributes, price_minor=price, stock=stock)
        )
    return variants


def parse_tiers(text: str, currency: str) -> list[tuple[int, int]] | None:
    """Price tiers, one a line: ``from quantity | unit price``. None when malformed."""
    tiers = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 2:
            return None
        quantity = parse_int(parts[0])
        price = _decimal_minor(parts[1], currency)
        if quantity < 1 or price is None:
            return None
        tiers.append((quantity, price))
    return tiers


def variants_text(variants: list[ProductVariant], currency: str) -> str:
    """The editor's text form of stored variants (round-trips through :func:`parse_variants`)."""
    lines = []
    for v in variants:
        # By name: PostgreSQL's jsonb does not keep the order the seller typed (SQLite does).
        attrs = "; ".join(f"{k}={val}" for k, val in sorted(v.attributes.items()))
        lines.append(f"{v.sku} | {attrs} | {_money_text(v.price_minor, currency)} | {v.stock}")
    return "\n".join(lines)


def tiers_text(tiers: list[PriceTier], currency: str) -> str:
    """The editor's text form of stored tiers."""
    return "\n".join(
        f"{t.min_quantity} | {_money_text(t.unit_price_minor, currency)}" for t in tiers
    )


def _form_from_product(product: Product) -> ProductForm:
    translations = {t.language: t for t in product.translations.all()}
    return ProductForm(
        source_language=product.source_language,
        titles={lang: t.title for lang, t in translations.items()},
        descriptions={lang: t.description for lang, t in translations.items()},
        category=product.category,
        hs_code=product.hs_code,
        price=_money_text(product.price_minor, product.currency),
        stock=str(product.stock),
        weight_grams=str(product.weight_grams),
        origin_country=product.origin_country,
        min_order_quantity=str(product.min_order_quantity),
        variants=variants_text(list(product.variants.all()), product.currency),
        tiers=tiers_text(list(product.price_tiers.all()), product.currency),
    )


def _form_from_post(post: QueryDict) -> ProductForm:
    return ProductForm(
        source_language=post.get("source_language", ""),
        titles={lang: post.get(f"title_{lang}", "")[:300] for lang in LANGUAGES},
        descriptions={lang: post.get(f"description_{lang}", "") for lang in LANGUAGES},
        category=post.get("category", ""),
        hs_code=post.get("hs_code", "").strip(),
        price=post.get("price", ""),
        stock=post.get("stock", "0"),
        weight_grams=post.get("weight_grams", "0"),
        origin_country=post.get("origin_country", "").upper(),
        min_order_quantity=post.get("min_order_quantity", "1"),
        variants=post.get("variants", ""),
        tiers=post.get("tiers", ""),
    )


def _slug(seller: Seller, form: ProductForm) -> str:
    title = form.titles.get("en", "").strip() or form.titles.get(form.source_language, "")
    return product_slug_for(seller=seller, title=title)


def _save(
    request: HttpRequest, seller: Seller, product: Product | None, form: ProductForm, user_id: int
) -> Product | None:
    """Save the form through the services; None (with ``form.errors``) when it is invalid."""
    currency = country(seller.country).currency
    price = _decimal_minor(form.price, currency)
    variants = parse_variants(form.variants, currency)
    tiers = parse_tiers(form.tiers, currency)
    if price is None:
        form.errors.append(_("Price: type an amount in your currency, e.g. 95000.00."))
    if variants is None:
        form.errors.append(_("Variants: one a line, SKU | name=value; name=value | price | stock."))
    if tiers is None:
        form.errors.append(_("Price tiers: one a line, from quantity | unit price."))
    if form.errors or price is None or variants is None or tiers is None:
        return None
    fields = ProductFields(
        category=form.category,
        price_minor=price,
        stock=parse_int(form.stock),
        source_language=form.source_language,
        texts=form.texts(),
        hs_code=form.hs_code,
        origin_country=form.origin_country or seller.country,
        weight_grams=parse_int(form.weight_grams),
        min_order_quantity=parse_int(form.min_order_quantity),
    )
    try:
        # All or nothing: a bad variant line must not leave the new price half saved.
        with transaction.atomic():
            product = product_save(
                seller=seller,
                product=product,
                fields=fields,
                slug="" if product else _slug(seller, form),
                actor_user_id=user_id,
            )
            product_variants_set(product=product, variants=variants, actor_user_id=user_id)
            product_tiers_set(product=product, tiers=tiers, actor_user_id=user_id)
    except DomainError as exc:
        field_name = exc.extra.get("field")
        form.errors.append(f"{exc.detail} ({field_name})" if field_name else exc.detail)
        return None
    return product


def _images_apply(request: HttpRequest, product: Product, user_id: int) -> None:
    """Alt text, order and deletion of existing photos, then the new uploads."""
    for image in list(ProductImage.objects.filter(product=product)):
        if request.POST.get(f"delete_image_{image.pk}"):
            images.image_delete(product=product, image_id=image.pk, actor_user_id=user_id)
            continue
        alt = request.POST.get(f"alt_{image.pk}")
        position = parse_int(request.POST.get(f"position_{image.pk}"), image.position)
        if alt is not None or position != image.position:
            images.image_update(
                product=product,
                image_id=image.pk,
                alt_text=alt if alt is not None else image.alt_text,
                position=position if position >= 0 else image.position,
            )
    new_alt = request.POST.get("new_alt", "")
    for n, upload in enumerate(request.FILES.getlist("images")):
        name = str(getattr(upload, "name", "") or "")
        if n >= images.MAX_IMAGES:  # never decode more than a product can hold
            messages.error(request, f"{name}: {images.TooManyImages().detail}")
            continue
        try:
            data = images.read_upload(upload)
            images.image_add(product=product, data=data, alt_text=new_alt, actor_user_id=user_id)
        except DomainError as exc:
            messages.error(request, f"{name}: {exc.detail}")


def _context(seller: Seller, product: Product | None, form: ProductForm) -> dict[str, object]:
    return {
        "seller": seller,
        "product": product,
        "form": form,
        "currency": country(seller.country).currency,
        "languages": Language.choices,
        "text_rows": [
            (code, label, form.titles.get(code, ""), form.descriptions.get(code, ""))
            for code, label in Language.choices
        ],
        "categories": [(value, label, CATEGORY_HS[value]) for value, label in Category.choices],
        "countries": sorted(COUNTRIES.values(), key=lambda c: c.name),
        "photos": list(ProductImage.objects.filter(product=product)) if product else [],
        "max_images": images.MAX_IMAGES,
    }


@login_required
def product_list(request: HttpRequest) -> HttpResponse:
    """The seller's products with their thumbnails, and a link to add one."""
    actor = actor_required(request)
    seller = seller_of(actor)
    if seller is None:
        return redirect("marketplace:apply")
    try:
        editable_seller(actor)
        can_edit = True
    except NotASeller:
        can_edit = False
    cards = seller_products_for_editing(seller, get_language() or "en")
    return render(
        request,
        "marketplace/seller_products.html",
        {"seller": seller, "cards": cards, "can_edit": can_edit},
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Create (no slug) or edit one of the seller's products; POST saves and comes back."""
    actor = actor_required(request)
    try:
        seller = editable_seller(actor)
        product = product_get_for(actor=actor, slug=slug) if slug else None
    except (NotASeller, ProductNotFound) as exc:
        raise Http404 from exc
    user_id = actor.user_id or 0
    if request.method == "POST":
        form = _form_from_post(request.POST)
        saved = _save(request, seller, product, form, user_id)
        if saved is not None:
            _images_apply(request, saved, user_id)
        if not form.errors and saved is not None:
            messages.success(request, _("The product is saved."))
            return redirect("marketplace:product_edit", slug=saved.slug)
        for error in form.errors:
            messages.error(request, error)
        status = 422
    else:
        form = (
            _form_from_product(product)
            if product
            else ProductForm(
                source_language=_default_language(seller), origin_country=seller.country
            )
        )
        status = 200
    return render(
        request, "marketplace/product_edit.html", _context(seller, product, form), status=status
    )


#: The catalogue language a new product starts in, by the seller's country.
COUNTRY_LANGUAGE: dict[str, str] = {"TH": "th", "VN": "vi", "KH": "km", "LA": "lo", "MM": "my"}


def _default_language(seller: Seller) -> str:
    return COUNTRY_LANGUAGE.get(seller.country, "en")
