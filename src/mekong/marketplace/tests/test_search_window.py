"""Bounded search work (`search.COUNT_CAP`, `search.CANDIDATES`), with the caps shrunk so the
35-product catalogue behaves like a broad query on a large one. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from mekong.core.text import search_key
from mekong.marketplace import search
from mekong.marketplace.catalogue import PRODUCTS
from mekong.marketplace.models import Product
from mekong.marketplace.search import SearchFilters, search_products

pytestmark = pytest.mark.django_db


def _caps(monkeypatch: pytest.MonkeyPatch, count_cap: int, candidates: int) -> None:
    monkeypatch.setattr(search, "COUNT_CAP", count_cap)
    monkeypatch.setattr(search, "CANDIDATES", candidates)


def _title_hits(query: str) -> set[str]:
    """Slugs of catalogue products with a title holding every folded term (brute force)."""
    terms = search_key(query).split()
    return {
        p.slug
        for p in PRODUCTS
        if any(all(t in search_key(title) for t in terms) for title, _d in p.texts.values())
    }


def _slugs(ids: list[int]) -> list[str]:
    by_id = dict(Product.objects.filter(pk__in=ids).values_list("pk", "slug"))
    return [by_id[i] for i in ids]


def test_count_is_exact_below_the_cap_and_a_flagged_lower_bound_above(
    catalogue: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    full = search_products("coffee", with_facets=False)
    assert (full.count, full.count_exact) == (7, True)

    _caps(monkeypatch, count_cap=7, candidates=2)
    at_cap = search_products("coffee", with_facets=False)
    _caps(monkeypatch, count_cap=3, candidates=2)
    above = search_products("coffee", with_facets=False)
    filtered = search_products("coffee", filters=SearchFilters(country="LA"), with_facets=False)

    assert (at_cap.count, at_cap.count_exact) == (7, True)
    assert (above.count, above.count_exact) == (3, False)
    assert (filtered.count, filtered.count_exact) == (2, True)  # the cap counts after filters


@pytest.mark.parametrize("query", ["coffee", "rice", "silk", "ca phe", "ข้าว", "ກາເຟ", "ម្រេច", ""])
def test_title_hits_are_ranked_exactly_when_they_fit_the_window(
    catalogue: dict[str, int], monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    full = search_products(query, limit=100, with_facets=False)
    hits = _title_hits(query)
    # Counting sees a single product, so every other candidate comes from the title window.
    _caps(monkeypatch, count_cap=1, candidates=max(len(hits), 1))
    capped = search_products(query, limit=100, with_facets=False)

    full_slugs, capped_slugs = _slugs(full.product_ids), _slugs(capped.product_ids)
    n = len(hits)
    assert set(full_slugs[:n]) == hits  # title hits lead the full ranking...
    assert capped_slugs[:n] == full_slugs[:n]  # ...and the capped one, in the same order
    assert capped.scores[:n] == full.scores[:n]
    assert set(capped_slugs) <= set(full_slugs)  # never a product that does not match


def test_pages_do_not_overlap_when_the_count_is_capped(
    catalogue: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _caps(monkeypatch, count_cap=12, candidates=3)
    whole = search_products("", limit=13, with_facets=False)
    pages = [search_products("", limit=4, offset=o, with_facets=False) for o in (0, 4, 8, 12)]

    assert whole.count == 12
    assert not whole.count_exact
    assert [i for page in pages for i in page.product_ids] == whole.product_ids
    assert len(set(whole.product_ids)) == len(whole.product_ids)


def test_facets_still_count_every_match(
    catalogue: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    full = search_products("coffee")
    _caps(monkeypatch, count_cap=2, candidates=1)
    capped = search_products("coffee")

    assert capped.facets == full.facets
    assert sum(n for _c, n in capped.facets.countries) == 7
