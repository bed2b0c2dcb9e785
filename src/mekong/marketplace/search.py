"""One search over every translation, in every script, on SQLite and on PostgreSQL.

Matching works on the folded keys (:func:`mekong.core.text.search_key`) so a query typed in
Zawgyi, in Vietnamese without tones or in another case still meets the stored text. The query
is split at spaces into terms; a product matches when one of its translations contains every
term (title or description), as a substring: Thai, Lao, Khmer and Burmese are written without
spaces, so words are never assumed (research notes §2).

Candidate retrieval is vendor-specific because that is where the indexes differ:

- SQLite: terms of ≥ 3 code points go through the FTS5 ``trigram`` table (a trigram needs three
  characters; LIKE on a trigram table is wrong on the stdlib SQLite 3.40, research §2.2);
  shorter terms through the gram table of migration 0007 (one token per character and pair of
  characters of each entry), which drives the loop when the query has no longer term. When it
  has one, the trigram table drives and ``instr()`` checks the short terms on the rows it
  yields: those rows already share a long term, so few are read before the window fills.
- PostgreSQL: ``LIKE '%term%'`` on the folded columns, served by GIN ``gin_trgm_ops`` indexes for
  terms of ≥ 3 characters (a sequential scan otherwise, still correct).

Ranking is one portable SQL expression (``StrIndex`` is ``instr`` on SQLite and ``strpos`` on
PostgreSQL, both case- and accent-sensitive code-point searches), so both databases return the
same order for the same data: exact-key matches over folded ones, title over description, then
verified sellers with stock, then the shorter (more specific) title, then the slug.

Bounded work per query (docs/benchmarks.md): a broad query ("coffee", "ca") can match most of
the catalogue, and scoring, grouping and counting every match took up to seconds at 100,000
products. So, like Elasticsearch's ``track_total_hits`` and rescore window:

- the total is counted up to `COUNT_CAP` products: `SearchResult.count_exact` says whether
  ``count`` is the total or a lower bound ("1,000+");
- ranking is exact over the *candidates*: the products that counting met (every matching
  product when the count is exact), plus, when it is not, the first `CANDIDATES` products with
  an entry whose title holds every term. Every matched entry of a candidate is scored, so its
  score and title length are exact. A title hit scores at least 8 (all terms in the title) and
  a description-only hit at most 6, so when at most `CANDIDATES` products have a title hit, all
  of them are ranked exactly, ahead of the rest; the products after them (description-only
  hits) and the title hits of a query with more than `CANDIDATES` of them are ranked within
  the first `COUNT_CAP` matching products in index order. Candidates do not depend on the
  page, so pages never overlap.
"""

from __future__ import annotations

import contextlib
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
# Terms shorter than a trigram: one token per character and character pair (migration 0007).
GRAM_TABLE = "marketplace_search_gram"
GRAM_SELECT = "SELECT rowid FROM marketplace_search_gram WHERE marketplace_search_gram MATCH %s"
# A trigram index can only serve terms of at least this many code points.
TRIGRAM_MIN = 3
MAX_QUERY_CHARS = 200

#: Bytes of the SQLite file a searching connection maps into memory (see `tune_sqlite`).
SQLITE_MMAP_BYTES = 256 * 1024 * 1024

#: Title-hit products added to the candidates of a broad query (see the module docstring).
CANDIDATES = 500
#: Products counted at most; beyond it ``count`` is a lower bound.
COUNT_CAP = 1000

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
    #: False when more than `COUNT_CAP` products match: ``count`` is then a lower bound.
    count_exact: bool = True


def tune_sqlite() -> None:
    """Let this SQLite connection read the database through ``mmap``, once per connection.

    A search visits a thousand or so search entries scattered over the file; through SQLite's
    small default page cache each page is a ``pread`` system call, and mapped they are memory
    reads (about twice as fast in bench/search.py). Reads only: durability is unchanged, and
    the mapping shares the operating system's page cache instead of growing each process.
    """
    if connection.vendor != "sqlite":
        return
    connection.ensure_connection()
    raw = connection.connection
    if getattr(raw, "_mekong_search_tuned", False):
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
    # A connection class without a __dict__ is simply tuned on every search.
    with contextlib.suppress(AttributeError):
        raw._mekong_search_tuned = True


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


def _gram_match(terms: list[str], *, title_only: bool = False) -> str:
    """The FTS5 query that finds entries holding every short term in the gram table.

    Each term is its gram token (``g`` + UTF-8 hex, as the triggers of migration 0007 write it)
    or ``glong``: an entry too long to be indexed, which the caller's ``instr`` filter decides.
    """
    match = " AND ".join(f"(g{t.encode().hex()} OR glong)" for t in terms)
    return f"t : ({match})" if title_only else match


def matching_entries(terms: list[str]) -> QuerySet[SearchEntry]:
    """Search entries whose title or description contains every term (folded keys)."""
    qs = SearchEntry.objects.all()
    if not terms:
        return qs
    if connection.vendor == "sqlite":
        long_terms = [t for t in terms if len(t) >= TRIGRAM_MIN]
        short_terms = [t for t in terms if len(t) < TRIGRAM_MIN]
        if long_terms:
            match = " AND ".join(_fts_phrase(t) for t in long_terms)
            qs = qs.filter(
                # The table name is a constant; the user's text travels as a parameter.
                id__in=RawSQL(FTS_SELECT, [match])  # noqa: S611 - constant SQL, parameters bound
            )
        if short_terms:
            qs = qs.filter(
                id__in=RawSQL(GRAM_SELECT, [_gram_match(short_terms)])  # noqa: S611 - as above
            )
        for t in short_terms:
            # Exact already, except for text too long to be gram-indexed (token ``glong``).
            qs = qs.filter(_term_in(t))
        return qs
    for t in terms:
        # LIKE '%t%' is what the GIN trigram index serves (strpos would force a scan).
        qs = qs.filter(Q(title_folded__contains=t) | Q(description_folded__contains=t))
    return qs


def _streamed_entries(terms: list[str], *, title_only: bool = False) -> QuerySet[SearchEntry]:
    """`matching_entries` (or, with ``title_only``, entries whose title holds every term) as
    a query that yields rows as the index finds them, so a LIMIT stops it early.

    On SQLite ``id IN (SELECT rowid FROM fts ...)`` would first collect every match of the
    FTS5 table; joining the FTS5 table instead lets it drive the loop. Not for subqueries:
    ``extra`` names the outer table literally.
    """
    qs = SearchEntry.objects.all()
    if not terms:
        return qs
    if connection.vendor == "sqlite":
        long_terms = [t for t in terms if len(t) >= TRIGRAM_MIN]
        if long_terms:
            match = " AND ".join(_fts_phrase(t) for t in long_terms)
            if title_only:
                match = f"title_folded : ({match})"
            qs = qs.extra(  # noqa: S610 - constant SQL, the user's text is a bound parameter
                tables=[FTS_TABLE],
                where=[
                    f"{FTS_TABLE}.rowid = marketplace_searchentry.id",
                    f"{FTS_TABLE} MATCH %s",
                ],
                params=[match],
            )
        short_terms = [t for t in terms if len(t) < TRIGRAM_MIN]
        if short_terms and not long_terms:
            # Only short terms: the gram table drives the loop, as the trigram table does above.
            qs = qs.extra(  # noqa: S610 - constant SQL, the user's text is a bound parameter
                tables=[GRAM_TABLE],
                where=[
                    f"{GRAM_TABLE}.rowid = marketplace_searchentry.id",
                    f"{GRAM_TABLE} MATCH %s",
                ],
                params=[_gram_match(short_terms, title_only=title_only)],
            )
        for t in short_terms:
            qs = qs.filter(_term_in(t, title_only=title_only))
        return qs
    for t in terms:
        # LIKE '%t%' is what the GIN trigram index serves (strpos would force a scan).
        cond = Q(title_folded__contains=t)
        if not title_only:
            cond |= Q(description_folded__contains=t)
        qs = qs.filter(cond)
    return qs


def entries_with_title(key: str) -> QuerySet[SearchEntry]:
    """Entries whose folded title contains ``key`` (a folded string, spaces included) as one
    substring, yielded as the index finds them so that a slice stops early (autocomplete).

    SQLite: a title-column phrase on the trigram table (a phrase of trigrams, spaces included,
    is a substring match) or, under three characters, the title grams; PostgreSQL: ``LIKE``
    served by the GIN trigram index.
    """
    if connection.vendor != "sqlite":
        return SearchEntry.objects.filter(title_folded__contains=key)
    if len(key) >= TRIGRAM_MIN:
        table, match = FTS_TABLE, f"title_folded : {_fts_phrase(key)}"
    else:
        table, match = GRAM_TABLE, _gram_match([key], title_only=True)
    return SearchEntry.objects.extra(  # noqa: S610 - constant SQL, the user's text is bound
        tables=[table],
        where=[f"{table}.rowid = marketplace_searchentry.id", f"{table} MATCH %s"],
        params=[match],
    ).filter(_contains("title_folded", key))


def _term_in(term: str, *, title_only: bool = False) -> Q:
    """The entry's folded title (or description) contains ``term``: instr/strpos, no index."""
    cond = Q(_contains("title_folded", term))
    if not title_only:
        cond |= Q(_contains("description_folded", term))
    return cond


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
    """Facet counts over the products that have a matching entry, in one query.

    One grouped pass by (seller country, category, currency) with the stock count and the
    price bounds, folded in Python (at most a few dozen groups): four separate aggregates
    would each find every match again.
    """
    products = Product.objects.filter(
        Exists(entries.filter(product_id=OuterRef("pk")).values("pk"))
    )
    groups = (
        products.values("seller__country", "category", "currency")
        .annotate(
            n=Count("id"),
            stocked=Count("id", filter=Q(stock__gt=0)),
            lo=Min("price_minor"),
            hi=Max("price_minor"),
        )
        .order_by()
    )
    countries: dict[str, int] = {}
    categories: dict[str, int] = {}
    prices: dict[str, PriceRange] = {}
    in_stock = 0
    for g in groups:
        n = g["n"]
        countries[g["seller__country"]] = countries.get(g["seller__country"], 0) + n
        categories[g["category"]] = categories.get(g["category"], 0) + n
        in_stock += g["stocked"]
        cur = g["currency"]
        old = prices.get(cur)
        prices[cur] = (
            PriceRange(cur, g["lo"], g["hi"], n)
            if old is None
            else PriceRange(
                cur, min(old.min_minor, g["lo"]), max(old.max_minor, g["hi"]), old.count + n
            )
        )
    return Facets(
        countries=sorted(countries.items(), key=lambda kv: (-kv[1], kv[0])),
        categories=sorted(categories.items(), key=lambda kv: (-kv[1], kv[0])),
        in_stock=in_stock,
        prices=[prices[c] for c in sorted(prices)],
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
    tune_sqlite()
    matched = _apply_filters(_streamed_entries(terms), filters)
    # DISTINCT ... LIMIT stops at the cap instead of grouping every match. The products it
    # returns (index order) are all candidates: every matching product when the count is
    # exact. The candidates do not depend on the page, so pages never overlap.
    first = list(matched.values_list("product_id", flat=True).distinct()[: COUNT_CAP + 1])
    count_exact = len(first) <= COUNT_CAP
    count = min(len(first), COUNT_CAP)
    candidates = set(first)
    if not count_exact:
        titled = _apply_filters(_streamed_entries(terms, title_only=True), filters)
        candidates |= set(titled.values_list("product_id", flat=True).distinct()[:CANDIDATES])
    ids = sorted(candidates)
    # A literal IN list: the ORM's related-field ``__in`` prepares every one of ~2,000 values
    # in Python, and as bound parameters of ``extra`` they are hashed again on every clone of
    # the queryset; both took longer than the query. The ids are integers from the database
    # (``int`` makes sure), so they need no quoting.
    in_list = ", ".join(str(int(i)) for i in ids)
    where = [f"marketplace_searchentry.product_id IN ({in_list})"]
    if connection.vendor == "postgresql":
        # The list again on the product side: PostgreSQL does not carry it across the join
        # by itself and hashed all 100,000 products (a sequential scan, ~30 ms). SQLite
        # already looks the products up by key.
        where.append(f"marketplace_product.id IN ({in_list})")
    ranked_over = (
        SearchEntry.objects.extra(where=where)  # noqa: S610 - integers only, no user text
        if ids
        else SearchEntry.objects.none()
    )
    for t in terms:
        ranked_over = ranked_over.filter(_term_in(t))
    ranked_over = _apply_filters(ranked_over, filters)
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
        ranked_over.annotate(boost=boost)
        .values("product_id", "product__slug", "boost")
        .annotate(score=Max(score), tlen=Min(Length("title_folded")))
        .order_by("-score", "-boost", "tlen", "product__slug")
    )
    rows = list(ranked[offset : offset + limit])
    return SearchResult(
        query=query,
        product_ids=[r["product_id"] for r in rows],
        scores=[r["score"] for r in rows],
        count=count,
        facets=facets_for(matching_entries(terms)) if with_facets else Facets(),
        limit=limit,
        offset=offset,
        count_exact=count_exact,
    )
