"""One search over every translation, in every script, on SQLite and on PostgreSQL.

Matching works on the folded keys (:func:`mekong.core.text.search_key`) so a query typed in
Zawgyi, in Vietnamese without tones or in another case still meets the stored text. The query
is split at spaces into terms; a product matches when one of its translations contains every
term (title or description), as a substring: Thai, Lao, Khmer and Burmese are written without
spaces, so words are never assumed (research notes §2).

Candidate retrieval is vendor-specific because that is where the indexes differ:

- SQLite: terms of ≥ 3 code points go through the FTS5 ``trigram`` table (a trigram needs three
  characters); shorter terms use ``instr()`` on the base table (LIKE on a trigram table is wrong
  on the stdlib SQLite 3.40, research §2.2).
- PostgreSQL: ``LIKE '%term%'`` on the folded columns, served by GIN ``gin_trgm_ops`` indexes for
  terms of ≥ 3 characters (a sequential scan otherwise, still correct).

Ranking is one portable SQL expression (``StrIndex`` is ``instr`` on SQLite and ``strpos`` on
PostgreSQL, both case- and accent-sensitive code-point searches), so both databases return the
same order for the same data: exact-key matches over folded ones, title over description, then
verified sellers with stock, then the shorter (more specific) title, then the slug.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length, StrIndex
from django.db.models.lookups import GreaterThan

from mekong.core.text import exact_key, search_key
from mekong.marketplace.models import Product, SearchEntry, Verification

FTS_TABLE = "marketplace_search_fts"
FTS_SELECT = "SELECT rowid FROM marketplace_search_fts WHERE marketplace_search_fts MATCH %s"
# A trigram index can only serve terms of at least this many code points.
TRIGRAM_MIN = 3
MAX_QUERY_CHARS = 200

# Score weights: any exact title hit outranks every folded-only or description hit, and so on.
W_TITLE_EXACT = 32
W_TITLE_FOLDED = 16
W_TITLE_ALL_TERMS = 8
W_DESC_EXACT = 4
W_DESC_FOLDED = 2


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Facet filters; prices are in minor units of ``currency`` (the product's currency)."""

    country: str = ""
    category: str = ""
    in_stock: bool = False
    currency: str = ""
    price_min_minor: int | None = None
    price_max_minor: int | None = None


@dataclass(frozen=True, slots=True)
class PriceRange:
    """Cheapest and dearest matching price in one currency."""

    currency: str
    min_minor: int
    max_minor: int
    count: int


@dataclass(frozen=True, slots=True)
class Facets:
    """Counts over every product the query matches (filters not applied)."""

    countries: list[tuple[str, int]] = field(default_factory=list)
    categories: list[tuple[str, int]] = field(default_factory=list)
    in_stock: int = 0
    prices: list[PriceRange] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One page of product ids in rank order, the total, and the facets."""

    query: str
    product_ids: list[int]
    scores: list[int]
    count: int
    facets: Facets
    limit: int
    offset: int


def query_terms(query: str) -> tuple[str, str, list[str]]:
    """Return the folded key, the exact key and the folded terms of a query."""
    query = query[:MAX_QUERY_CHARS]
    folded = search_key(query).strip()
    exact = exact_key(query).strip()
    return folded, exact, [t for t in folded.split(" ") if t]


def _contains(column: str, needle: str) -> GreaterThan[int]:
    """``column`` contains ``needle`` as a substring (instr/strpos: exact code points)."""
    return GreaterThan(StrIndex(F(column), Value(needle)), 0)


def _fts_phrase(term: str) -> str:
    # An FTS5 string in double quotes is one phrase; a trigram phrase is a substring match.
    return '"' + term.replace('"', '""') + '"'


def matching_entries(terms: list[str]) -> QuerySet[SearchEntry]:
    """Search entries whose title or description contains every term (folded keys)."""
    qs = SearchEntry.objects.all()
    if not terms:
        return qs
    if connection.vendor == "sqlite":
        long_terms = [t for t in terms if len(t) >= TRIGRAM_MIN]
        if long_terms:
            match = " AND ".join(_fts_phrase(t) for t in long_terms)
            qs = qs.filter(
                # The table name is a constant; the user's text travels as a parameter.
                id__in=RawSQL(FTS_SELECT, [match])  # noqa: S611 - constant SQL, parameters bound
            )
        for t in terms:
            if len(t) < TRIGRAM_MIN:
                qs = qs.filter(
                    Q(_contains("title_folded", t)) | Q(_contains("description_folded", t))
                )
        return qs
    for t in terms:
        # LIKE '%t%' is what the GIN trigram index serves (strpos would force a scan).
        qs = qs.filter(Q(title_folded__contains=t) | Q(description_folded__contains=t))
    return qs


def _score(folded: str, exact: str, terms: list[str]) -> Case:
    """The text score of one search entry (see the module docstring)."""

    def weight(cond: Q, w: int) -> Case:
        return Case(When(cond, then=Value(w)), default=Value(0), output_field=IntegerField())

    all_in_title = Q()
    for t in terms:
        all_in_title &= Q(_contains("title_folded", t))
    parts = [
        weight(Q(_contains("title_exact", exact)), W_TITLE_EXACT),
        weight(Q(_contains("title_folded", folded)), W_TITLE_FOLDED),
        weight(all_in_title, W_TITLE_ALL_TERMS),
        weight(Q(_contains("description_exact", exact)), W_DESC_EXACT),
        weight(Q(_contains("description_folded", folded)), W_DESC_FOLDED),
    ]
    total = parts[0]
    for p in parts[1:]:
        total = total + p  # type: ignore[assignment]
    return total


def _apply_filters(qs: QuerySet[SearchEntry], filters: SearchFilters) -> QuerySet[SearchEntry]:
    if filters.country:
        qs = qs.filter(product__seller__country=filters.country.upper())
    if filters.category:
        qs = qs.filter(product__category=filters.category)
    if filters.in_stock:
        qs = qs.filter(product__stock__gt=0)
    if filters.currency:
        qs = qs.filter(product__currency=filters.currency.upper())
        if filters.price_min_minor is not None:
            qs = qs.filter(product__price_minor__gte=filters.price_min_minor)
        if filters.price_max_minor is not None:
            qs = qs.filter(product__price_minor__lte=filters.price_max_minor)
    return qs


def facets_for(entries: QuerySet[SearchEntry]) -> Facets:
    """Facet counts over the products that have a matching entry (four queries)."""
    products = Product.objects.filter(
        Exists(entries.filter(product_id=OuterRef("pk")).values("pk"))
    )
    countries = [
        (row["seller__country"], row["n"])
        for row in products.values("seller__country")
        .annotate(n=Count("id"))
        .order_by("-n", "seller__country")
    ]
    categories = [
        (row["category"], row["n"])
        for row in products.values("category").annotate(n=Count("id")).order_by("-n", "category")
    ]
    prices = [
        PriceRange(row["currency"], row["lo"], row["hi"], row["n"])
        for row in products.values("currency")
        .annotate(lo=Min("price_minor"), hi=Max("price_minor"), n=Count("id"))
        .order_by("currency")
    ]
    return Facets(
        countries=countries,
        categories=categories,
        in_stock=products.filter(stock__gt=0).count(),
        prices=prices,
    )


def search_products(
    query: str,
    *,
    filters: SearchFilters | None = None,
    limit: int = 20,
    offset: int = 0,
    with_facets: bool = True,
) -> SearchResult:
    """Rank products for a query typed in any of the six languages and any script.

    An empty query lists every product (verified sellers with stock first). Reads only.
    """
    filters = filters or SearchFilters()
    folded, exact, terms = query_terms(query)
    matched = matching_entries(terms)
    boost = Case(
        When(
            Q(product__seller__verification=Verification.VERIFIED, product__stock__gt=0),
            then=Value(1),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    score = _score(folded, exact, terms) if terms else Value(0, output_field=IntegerField())
    ranked = (
        _apply_filters(matched, filters)
        .annotate(boost=boost)
        .values("product_id", "product__slug", "boost")
        .annotate(score=Max(score), tlen=Min(Length("title_folded")))
        .order_by("-score", "-boost", "tlen", "product__slug")
    )
    count = ranked.count()
    rows = list(ranked[offset : offset + limit])
    return SearchResult(
        query=query,
        product_ids=[r["product_id"] for r in rows],
        scores=[r["score"] for r in rows],
        count=count,
        facets=facets_for(matched) if with_facets else Facets(),
        limit=limit,
        offset=offset,
    )
