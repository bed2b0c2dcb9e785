"""Marketplace pages: search with facets, a product page, a seller's storefront."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import translation

from mekong.core.countries import COUNTRIES
from mekong.core.currencies import CURRENCIES
from mekong.core.money import Money
from mekong.marketplace.actors import request_actor
from mekong.marketplace.models import Category, ShippingOption
from mekong.marketplace.pricing import CHOOSER_CURRENCIES, PriceBook, buyer_currency
from mekong.marketplace.reviews import reviews_of, seller_rating
from mekong.marketplace.search import SearchFilters, search_products
from mekong.marketplace.selectors import (
    ProductCard,
    product_card_by_slug,
    product_cards,
    seller_by_slug,
    seller_product_ids,
)
from mekong.marketplace.tiers import purchase_options

PAGE_SIZE = 20


def price_context(request: HttpRequest) -> tuple[PriceBook, dict[str, object]]:
    """The visitor's price book and the currency chooser's template context."""
    language = translation.get_language() or "en"
    code = buyer_currency(request, language=language, actor=request_actor(request))
    return PriceBook(code), {"buyer_currency": code, "chooser_currencies": CHOOSER_CURRENCIES}


def with_prices(cards: list[ProductCard], book: PriceBook) -> list[ProductCard]:
    """The cards with their price converted into the buyer's currency (when a rate exists)."""
    return [replace(c, buyer_price=book.price(c.price).buyer) for c in cards]


def _minor(raw: str, currency: str) -> int | None:
    """A price typed in major units (``12.50``) as minor units, or None if blank or invalid."""
    if not raw or currency not in CURRENCIES:
        return None
    try:
        return Money.from_decimal(Decimal(raw), currency, rounding="ROUND_HALF_UP").minor
    except (InvalidOperation, ValueError):
        return None


def _filters(params: QueryDict) -> SearchFilters:
    currency = params.get("currency", "").upper()
    currency = currency if currency in CURRENCIES else ""
    country = params.get("country", "").upper()
    category = params.get("category", "")
    return SearchFilters(
        country=country if country in COUNTRIES else "",
        category=category if category in Category.values else "",
        in_stock=params.get("in_stock") == "1",
        currency=currency,
        price_min_minor=_minor(params.get("price_min", ""), currency),
        price_max_minor=_minor(params.get("price_max", ""), currency),
    )


def _offset(params: QueryDict) -> int:
    try:
        return max(0, min(int(params.get("offset", "0")), 10_000))
    except ValueError:
        return 0


def home(request: HttpRequest) -> HttpResponse:
    """Search box, facets and one page of product cards."""
    query = request.GET.get("q", "").strip()
    filters = _filters(request.GET)
    offset = _offset(request.GET)
    result = search_products(query, filters=filters, limit=PAGE_SIZE, offset=offset)
    book, currency_context = price_context(request)
    cards = with_prices(product_cards(result.product_ids, translation.get_language() or "en"), book)
    categories = dict(Category.choices)
    base = request.GET.copy()
    base.pop("offset", None)
    context = {
        "query": query,
        "filters": filters,
        "result": result,
        "cards": cards,
        "country_facets": [
            (code, COUNTRIES[code].name if code in COUNTRIES else code, n)
            for code, n in result.facets.countries
        ],
        "category_facets": [(c, categories.get(c, c), n) for c, n in result.facets.categories],
        "price_facets": [
            (p.currency, Money(p.min_minor, p.currency), Money(p.max_minor, p.currency), p.count)
            for p in result.facets.prices
        ],
        "previous_offset": offset - PAGE_SIZE if offset > 0 else None,
        "next_offset": offset + PAGE_SIZE if offset + PAGE_SIZE < result.count else None,
        "base_query": base.urlencode(),
        **currency_context,
    }
    return render(request, "marketplace/home.html", context)


def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One product in the visitor's language (fallback: the seller's language)."""
    card = product_card_by_slug(slug, translation.get_language() or "en")
    if card is None:
        raise Http404
    book, currency_context = price_context(request)
    (card,) = with_prices([card], book)
    shipping = ShippingOption.objects.filter(seller__slug=card.seller_slug).order_by(
        "destination_country", "cost_minor"
    )
    options = [(o, Money(o.cost_minor, card.price.currency)) for o in shipping]
    buying = purchase_options([card.slug]).get(card.slug)
    if buying is None:  # deleted since the card was read
        raise Http404
    # Pre-select a variant that can fill the minimum order alone, else any in stock.
    in_stock = [v.sku for v in buying.variants if v.stock >= buying.min_order_quantity] + [
        v.sku for v in buying.variants if v.stock
    ]
    return render(
        request,
        "marketplace/product.html",
        {
            "card": card,
            "shipping": options,
            "buying": buying,
            "variants": [(v, book.price(v.price).buyer) for v in buying.variants],
            "default_variant": in_stock[0] if in_stock else "",
            "tiers": [(t, book.price(t.unit_price).buyer) for t in buying.tiers],
            **currency_context,
        },
    )


def storefront(request: HttpRequest, slug: str) -> HttpResponse:
    """A seller's public page with its products."""
    seller = seller_by_slug(slug)
    if seller is None:
        raise Http404
    book, currency_context = price_context(request)
    cards = with_prices(
        product_cards(seller_product_ids(seller), translation.get_language() or "en"), book
    )
    rating, count = seller_rating(seller)
    return render(
        request,
        "marketplace/storefront.html",
        {
            "seller": seller,
            "cards": cards,
            "rating": rating,
            "review_count": count,
            "reviews": reviews_of(seller),
            **currency_context,
        },
    )
