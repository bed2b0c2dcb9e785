"""Marketplace API: public catalogue reads; cart, checkout, orders and reviews for a buyer or
seller organisation (token or session).

Object-level authorisation: every order lookup goes through `ordering.order_get_for`, so an
order of another organisation answers 404 exactly like a missing one; a buyer sees the orders
its organisation bought, a seller those sold by its storefront. Mount at ``/marketplace``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from mekong.core.currencies import CURRENCIES
from mekong.core.money import Money
from mekong.core.pagination import Page, paginate
from mekong.core.schemas import COMMON_ERRORS, PageOut, ProblemOut
from mekong.identity.contracts import Actor
from mekong.marketplace import cart as cart_services
from mekong.marketplace import disputes, ordering, reviews
from mekong.marketplace.autocomplete import router as suggest_router
from mekong.marketplace.errors import InvalidInput, OrderNotFound
from mekong.marketplace.models import Order, Product, Review, Seller
from mekong.marketplace.pricing import PriceBook
from mekong.marketplace.search import search_products
from mekong.marketplace.selectors import ProductCard, product_card_by_slug, product_cards
from mekong.marketplace.seller_api import router as seller_router
from mekong.marketplace.tiers import PurchaseOptions, purchase_options

router = Router(tags=["marketplace"])
router.add_router("/seller", seller_router)
router.add_router("/suggest", suggest_router)
NOT_FOUND = {404: ProblemOut}
#: What an order's lines need, prefetched for order lists.
LINES = ("lines__product", "lines__variant")
CONFLICT = {404: ProblemOut, 409: ProblemOut}


class MoneyOut(Schema):
    """An amount in integer minor units of an ISO 4217 currency."""

    amount: int
    currency: str


class VariantOut(Schema):
    """A buyable variant: put it in the cart by its ``sku``."""

    sku: str
    label: str
    attributes: dict[str, str]
    price: MoneyOut = Field(description="Unit price before tiers (the product's when not its own)")
    buyer_price: MoneyOut | None
    stock: int
    weight_grams: int


class PriceTierOut(Schema):
    """A price break: from ``min_quantity`` units of the product (all variants together) on."""

    min_quantity: int
    unit_price: MoneyOut = Field(
        description="For the product price; a variant with its own price gets the same reduction "
        "in proportion"
    )
    buyer_unit_price: MoneyOut | None


class ProductOut(Schema):
    """A product in the requested language (or its seller's language as a fallback).

    ``stock`` is the product's own stock; a product with ``variants`` is sold by variant, each
    with its own stock. ``min_order_quantity`` and ``price_tiers`` count the product's quantity
    in one order, all variants together.
    """

    slug: str
    title: str
    description: str
    language: str
    price: MoneyOut
    buyer_price: MoneyOut | None = Field(
        description="Indicative conversion into ?currency= at the payments hub's mid rate"
    )
    stock: int
    category: str
    hs_code: str
    origin_country: str
    seller_slug: str
    seller_country: str
    seller_verified: bool
    min_order_quantity: int = 1
    variants: list[VariantOut] = Field(default_factory=list)
    price_tiers: list[PriceTierOut] = Field(default_factory=list)


class ProductQuery(Schema):
    """Search and display parameters of the product list."""

    q: str = Field(default="", max_length=200)
    language: str = Field(default="en", max_length=5)
    currency: str = Field(default="", max_length=3, description="Show buyer_price in this")


class CartLineIn(Schema):
    """Set a product's (or one of its variants') quantity in the cart (0 removes the line).

    Errors: ``marketplace_variant_required`` (the product has variants, no ``variant``),
    ``marketplace_unknown_variant`` (not a SKU of this product), ``marketplace_insufficient_stock``,
    ``marketplace_below_minimum_order`` (the product's quantity in the cart, all variants
    together, would be below its minimum order quantity), all 422.
    """

    quantity: int = Field(ge=0, le=cart_services.MAX_QUANTITY)
    variant: str | None = Field(
        default=None, max_length=64, description="The variant's SKU (required when it has some)"
    )


class CartLineOut(Schema):
    """One line of the cart."""

    product: str
    seller: str
    quantity: int
    amount: MoneyOut
    variant: str | None = None
    variant_label: str = ""
    unit_price: MoneyOut | None = Field(default=None, description="After tiers")
    below_minimum: bool = Field(
        default=False, description="The product's quantity is below its minimum order quantity"
    )


class CheckoutIn(Schema):
    """Pay the cart from one of the buyer's wallets (one order per seller)."""

    wallet_id: int
    idempotency_key: str = Field(min_length=1, max_length=80)
    destination: str = Field(default="", max_length=2)
    shipping: dict[int, int] = Field(default_factory=dict, description="seller id → option id")
    expected_goods: dict[int, int] | None = Field(
        default=None,
        description="seller id → goods amount (minor units) as the buyer saw it; checkout "
        "answers 409 marketplace_price_changed when the cart now costs something else",
    )


class OrderLineOut(Schema):
    """A line of an order as placed: title, variant and unit price are copies from checkout."""

    product: str
    title: str
    variant: str | None
    variant_label: str
    quantity: int
    unit_price: MoneyOut = Field(description="After tiers, fixed at checkout")
    amount: MoneyOut


class OrderOut(Schema):
    """An order as its buyer or seller sees it (amounts in the seller's currency)."""

    id: uuid.UUID
    number: str
    status: str
    seller: str
    buyer_organisation_id: int
    destination_country: str
    total: MoneyOut
    commission: MoneyOut | None = Field(description="Seller's view only")
    paid: MoneyOut | None
    refunded: MoneyOut
    carrier: str
    tracking_number: str
    customs_document_ids: list[str]
    created_at: datetime
    lines: list[OrderLineOut] = Field(default_factory=list)


class CheckoutOut(Schema):
    """The orders a checkout created, with their payment outcome."""

    id: uuid.UUID
    orders: list[OrderOut]


class ShipIn(Schema):
    """Carrier and tracking number of a shipment."""

    carrier: str = Field(min_length=1, max_length=80)
    tracking_number: str = Field(min_length=1, max_length=80)


class DisputeIn(Schema):
    """The buyer's evidence."""

    evidence: str = Field(min_length=1, max_length=5_000)


class ReviewIn(Schema):
    """A rating from 1 to 5 and an optional text."""

    rating: int = Field(ge=1, le=5)
    text: str = Field(default="", max_length=2_000)


class ReviewOut(Schema):
    """A review of a verified purchase."""

    id: int
    rating: int
    text: str
    seller_reply: str
    created_at: datetime


def _actor(request: HttpRequest) -> Actor:
    actor = request.auth  # type: ignore[attr-defined]
    assert isinstance(actor, Actor)
    return actor


def _money(amount: int, currency: str) -> MoneyOut:
    return MoneyOut(amount=amount, currency=currency)


def _buyer(money: Money, book: PriceBook | None) -> MoneyOut | None:
    converted = book.price(money).buyer if book else None
    return _money(converted.minor, converted.currency) if converted else None


def _product_out(
    card: ProductCard, book: PriceBook | None, options: PurchaseOptions | None = None
) -> ProductOut:
    converted = book.price(card.price).buyer if book else None
    return ProductOut(
        slug=card.slug,
        title=card.title,
        description=card.description,
        language=card.language,
        price=_money(card.price.minor, card.price.currency),
        buyer_price=_money(converted.minor, converted.currency) if converted else None,
        stock=card.stock,
        category=card.category,
        hs_code=card.hs_code,
        origin_country=card.origin_country,
        seller_slug=card.seller_slug,
        seller_country=card.seller_country,
        seller_verified=card.seller_verified,
        min_order_quantity=options.min_order_quantity if options else card.min_order_quantity,
        variants=[
            VariantOut(
                sku=v.sku,
                label=v.label,
                attributes=v.attributes,
                price=_money(v.price.minor, v.price.currency),
                buyer_price=_buyer(v.price, book),
                stock=v.stock,
                weight_grams=v.weight_grams,
            )
            for v in (options.variants if options else [])
        ],
        price_tiers=[
            PriceTierOut(
                min_quantity=t.min_quantity,
                unit_price=_money(t.unit_price.minor, t.unit_price.currency),
                buyer_unit_price=_buyer(t.unit_price, book),
            )
            for t in (options.tiers if options else [])
        ],
    )


def _order_out(order: Order, actor: Actor) -> OrderOut:
    cur = order.currency
    is_seller = actor.organisation_id == order.seller.organisation_id
    return OrderOut(
        id=order.pk,
        number=order.number,
        status=order.status,
        seller=order.seller.slug,
        buyer_organisation_id=order.buyer_organisation_id,
        destination_country=order.destination_country,
        total=_money(order.total_minor, cur),
        commission=_money(order.commission_minor, cur) if is_seller else None,
        paid=(
            _money(order.payer_amount_minor, order.payer_currency)
            if order.payer_amount_minor is not None and order.payer_currency
            else None
        ),
        refunded=_money(order.refunded_minor, cur),
        carrier=order.carrier,
        tracking_number=order.tracking_number,
        customs_document_ids=list(order.customs_document_ids),
        created_at=order.created_at,
        lines=[
            OrderLineOut(
                product=li.product.slug,
                title=li.title,
                variant=li.variant.sku if li.variant is not None else None,
                variant_label=li.variant_label,
                quantity=li.quantity,
                unit_price=_money(li.unit_price_minor, cur),
                amount=_money(li.unit_price_minor * li.quantity, cur),
            )
            for li in order.lines.all()
        ],
    )


def _review_out(review: Review) -> ReviewOut:
    return ReviewOut(
        id=review.pk,
        rating=review.rating,
        text=review.text,
        seller_reply=review.seller_reply,
        created_at=review.created_at,
    )


def _book(currency: str) -> PriceBook | None:
    code = currency.upper()
    return PriceBook(code) if code in CURRENCIES else None


@router.get(
    "/products",
    auth=None,
    response={200: PageOut[ProductOut], **COMMON_ERRORS},
    summary="Search products (public)",
)
def products_list(
    request: HttpRequest, filters: Query[ProductQuery], page: Query[Page]
) -> PageOut[ProductOut]:
    """Products matching ``q`` in any language and script, best first (public)."""
    limit = min(page.limit, 100)
    result = search_products(filters.q, limit=limit, offset=page.offset, with_facets=False)
    book = _book(filters.currency)
    cards = product_cards(result.product_ids, filters.language)
    options = purchase_options([c.slug for c in cards])
    return PageOut[ProductOut](
        items=[_product_out(c, book, options.get(c.slug)) for c in cards], count=result.count
    )


@router.get(
    "/products/{slug}",
    auth=None,
    response={200: ProductOut, **NOT_FOUND, **COMMON_ERRORS},
    summary="One product (public)",
)
def product_detail(request: HttpRequest, slug: str, filters: Query[ProductQuery]) -> ProductOut:
    """One product by slug in ``language`` (public)."""
    card = product_card_by_slug(slug, filters.language)
    if card is None:
        raise OrderNotFound()
    return _product_out(card, _book(filters.currency), purchase_options([card.slug]).get(card.slug))


@router.get("/cart", response={200: list[CartLineOut], **COMMON_ERRORS}, summary="My cart")
def cart_get(request: HttpRequest) -> list[CartLineOut]:
    """The caller's cart lines (a user session or a token's organisation has one cart per user)."""
    actor = _actor(request)
    if actor.user_id is None:
        return []
    groups = cart_services.cart_groups(user_id=actor.user_id, language="en", destination="TH")
    return [
        CartLineOut(
            product=i.product.slug,
            seller=g.seller.slug,
            quantity=i.quantity,
            amount=_money(i.amount.minor, i.amount.currency),
            variant=i.variant.sku if i.variant is not None else None,
            variant_label=i.variant_label,
            unit_price=_money(i.unit_price.minor, i.unit_price.currency),
            below_minimum=i.below_minimum,
        )
        for g in groups
        for i in g.items
    ]


@router.put(
    "/cart/{slug}",
    response={200: list[CartLineOut], **NOT_FOUND, **COMMON_ERRORS},
    summary="Set a cart line",
)
def cart_put(request: HttpRequest, slug: str, payload: CartLineIn) -> list[CartLineOut]:
    """Set the quantity of a product (of its ``variant``) in the caller's cart (users only, not
    tokens); errors are listed on `CartLineIn`."""
    actor = _actor(request)
    product = Product.objects.filter(slug=slug).first()
    if product is None:
        raise OrderNotFound()
    if actor.user_id is None:
        raise InvalidInput()
    cart_services.cart_set(
        user_id=actor.user_id,
        product=product,
        quantity=payload.quantity,
        variant=payload.variant,
    )
    return cart_get(request)


@router.post(
    "/checkout",
    response={201: CheckoutOut, **CONFLICT, 503: ProblemOut, **COMMON_ERRORS},
    summary="Pay the cart",
)
def checkout(request: HttpRequest, payload: CheckoutIn) -> Status[CheckoutOut]:
    """One order per seller, each paid into escrow; idempotent on ``idempotency_key``.

    The cart is priced again (variants, tiers) and checked: 422 ``marketplace_variant_required``
    or ``marketplace_below_minimum_order``, 409 ``marketplace_out_of_stock`` or
    ``marketplace_price_changed`` (with ``expected_goods``).
    """
    actor = _actor(request)
    result = ordering.checkout_submit(
        actor=actor,
        wallet_id=payload.wallet_id,
        idempotency_key=payload.idempotency_key,
        destination=payload.destination,
        shipping_choice=payload.shipping,
        expected_goods=payload.expected_goods,
    )
    orders = [
        _order_out(o, actor)
        for o in result.orders.select_related("seller").prefetch_related(*LINES)
    ]
    return Status(201, CheckoutOut(id=result.pk, orders=orders))


@router.get("/orders", response={200: PageOut[OrderOut], **COMMON_ERRORS}, summary="My orders")
def orders_list(request: HttpRequest, page: Query[Page]) -> PageOut[OrderOut]:
    """Orders the caller's organisation bought or sold, newest first."""
    actor = _actor(request)
    items, count = paginate(ordering.orders_visible_to(actor).prefetch_related(*LINES), page)
    return PageOut[OrderOut](items=[_order_out(o, actor) for o in items], count=count)


@router.get(
    "/orders/{order_id}", response={200: OrderOut, **NOT_FOUND, **COMMON_ERRORS}, summary="Order"
)
def order_detail(request: HttpRequest, order_id: str) -> OrderOut:
    """One order of the caller's organisation (as buyer or seller)."""
    actor = _actor(request)
    return _order_out(ordering.order_get_for(actor=actor, order_id=order_id), actor)


@router.post(
    "/orders/{order_id}/ship",
    response={200: OrderOut, **CONFLICT, **COMMON_ERRORS},
    summary="Ship (seller)",
)
def order_ship(request: HttpRequest, order_id: str, payload: ShipIn) -> OrderOut:
    """The seller records carrier and tracking number; the release window starts."""
    actor = _actor(request)
    order = ordering.order_ship(
        actor=actor, order_id=order_id, carrier=payload.carrier, tracking=payload.tracking_number
    )
    return _order_out(order, actor)


@router.post(
    "/orders/{order_id}/confirm",
    response={200: OrderOut, **CONFLICT, **COMMON_ERRORS},
    summary="Confirm delivery (buyer)",
)
def order_confirm(request: HttpRequest, order_id: str) -> OrderOut:
    """The buyer confirms delivery; escrow is released to the seller minus commission."""
    actor = _actor(request)
    return _order_out(ordering.order_confirm_delivery(actor=actor, order_id=order_id), actor)


@router.post(
    "/orders/{order_id}/cancel",
    response={200: OrderOut, **CONFLICT, **COMMON_ERRORS},
    summary="Cancel before shipment",
)
def order_cancel(request: HttpRequest, order_id: str) -> OrderOut:
    """Buyer or seller cancels a placed or paid order; a paid order is refunded in full. A
    placed order whose payment the hub holds for a reviewer answers 409
    ``marketplace_payment_under_review`` until the reviewer decides."""
    actor = _actor(request)
    return _order_out(ordering.order_cancel(actor=actor, order_id=order_id), actor)


@router.post(
    "/orders/{order_id}/dispute",
    response={200: OrderOut, **CONFLICT, **COMMON_ERRORS},
    summary="Open a dispute (buyer)",
)
def order_dispute(request: HttpRequest, order_id: str, payload: DisputeIn) -> OrderOut:
    """The buyer disputes a shipped order with evidence; the release window stops."""
    actor = _actor(request)
    disputes.dispute_open(actor=actor, order_id=order_id, evidence=payload.evidence)
    return _order_out(ordering.order_get_for(actor=actor, order_id=order_id), actor)


@router.post(
    "/orders/{order_id}/review",
    response={201: ReviewOut, **CONFLICT, **COMMON_ERRORS},
    summary="Review a completed order (buyer)",
)
def order_review(request: HttpRequest, order_id: str, payload: ReviewIn) -> Status[ReviewOut]:
    """A rating of a verified purchase: the buyer of a completed order, once."""
    review = reviews.review_create(
        actor=_actor(request), order_id=order_id, rating=payload.rating, text=payload.text
    )
    return Status(201, _review_out(review))


@router.get(
    "/sellers/{slug}/reviews",
    auth=None,
    response={200: list[ReviewOut], **NOT_FOUND, **COMMON_ERRORS},
    summary="A seller's reviews (public)",
)
def seller_reviews(request: HttpRequest, slug: str) -> list[ReviewOut]:
    """Visible reviews of a seller, newest first (public)."""
    seller = Seller.objects.filter(slug=slug).exclude(verification="rejected").first()
    if seller is None:
        raise OrderNotFound()
    return [_review_out(r) for r in reviews.reviews_of(seller)]
