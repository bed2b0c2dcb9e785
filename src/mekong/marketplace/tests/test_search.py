"""Search behaviour through the public functions: matching, ranking, facets, pagination.

Every test runs on SQLite (FTS5 trigram + instr) and on PostgreSQL (pg_trgm + LIKE) in CI, so
passing on both means both vendors give the same answers for the same data.
"""

from __future__ import annotations

import pytest

from mekong.core.text import search_key
from mekong.identity.tests.factories import make_org
from mekong.marketplace.catalogue import PRODUCTS
from mekong.marketplace.models import Product, Seller
from mekong.marketplace.search import SearchFilters, search_products
from mekong.marketplace.selectors import product_cards
from mekong.marketplace.services import (
    product_create,
    product_translation_set,
    seller_register,
    seller_verify,
)

pytestmark = pytest.mark.django_db


def slugs(query: str, **kwargs: object) -> list[str]:
    result = search_products(query, limit=100, with_facets=False, **kwargs)  # type: ignore[arg-type]
    return [c.slug for c in product_cards(result.product_ids, "en")]


def oracle(query: str) -> set[str]:
    """Brute force: products with a translation whose folded text contains every term."""
    terms = search_key(query).split()
    found = set()
    for p in PRODUCTS:
        for title, description in p.texts.values():
            if all(t in search_key(title) or t in search_key(description) for t in terms):
                found.add(p.slug)
                break
    return found


@pytest.mark.parametrize(
    "query",
    ["ช", "ชา", "ไหม", "ໄໝ", "ម", "ကော်", "a", "ph", "phê", "ca phe", "rice 5", "ng", "5 kg"],
)
def test_matches_equal_a_brute_force_substring_scan(catalogue: dict[str, int], query: str) -> None:
    expected = oracle(query)
    assert expected, "the oracle must find something, or the test proves nothing"
    assert set(slugs(query)) == expected


def test_substring_in_the_middle_of_a_thai_run(catalogue: dict[str, int]) -> None:
    assert slugs("ดอยช้าง") == ["th-doi-chaang-coffee"]
    assert slugs("ช้างคั่ว") == ["th-doi-chaang-coffee"]


def test_query_without_a_match_returns_nothing(catalogue: dict[str, int]) -> None:
    result = search_products("durian")
    assert (result.count, result.product_ids, result.facets.countries) == (0, [], [])


def test_empty_query_lists_everything_verified_with_stock_first(
    catalogue: dict[str, int],
) -> None:
    result = search_products("", limit=100)
    assert result.count == len(PRODUCTS)
    stocks = [Product.objects.get(pk=i).stock for i in result.product_ids]
    assert stocks.index(0) == len(PRODUCTS) - stocks.count(0)  # every out-of-stock at the end


def _seller(country: str, *, verified: bool, slug: str) -> Seller:
    seller = seller_register(organisation_id=make_org(country=country).pk, slug=slug)
    return seller_verify(seller=seller) if verified else seller


def _product(seller: Seller, slug: str, title: str, *, stock: int = 5, desc: str = "") -> None:
    product_create(
        seller=seller,
        slug=slug,
        category="rice",
        price_minor=1000,
        stock=stock,
        source_language="vi",
        texts={"vi": (title, desc)},
    )


def test_exact_spelling_ranks_above_the_folded_one() -> None:
    seller = _seller("VN", verified=True, slug="s1")
    _product(seller, "a-accented", "Gạo tám thơm")
    _product(seller, "b-plain", "Gao tam thom")
    assert slugs("gạo") == ["a-accented", "b-plain"]
    assert slugs("gao") == ["b-plain", "a-accented"]


def test_title_ranks_above_description() -> None:
    seller = _seller("VN", verified=True, slug="s1")
    _product(seller, "a-in-description", "Nón lá", desc="Gói trong giấy gạo")
    _product(seller, "b-in-title", "Gạo nếp cái hoa vàng thơm ngon đặc sản")
    assert slugs("gạo") == ["b-in-title", "a-in-description"]


def test_verified_sellers_with_stock_rank_first() -> None:
    verified = _seller("LA", verified=True, slug="verified")
    pending = _seller("LA", verified=False, slug="pending")
    _product(pending, "a-pending", "Khao niao")
    _product(verified, "b-sold-out", "Khao niao", stock=0)
    _product(verified, "c-verified", "Khao niao")
    assert slugs("khao niao") == ["c-verified", "a-pending", "b-sold-out"]


def test_the_index_follows_an_edited_translation() -> None:
    seller = _seller("VN", verified=True, slug="s1")
    _product(seller, "hat", "Nón lá")
    product = Product.objects.get(slug="hat")
    product_translation_set(product=product, language="vi", title="Mũ bảo hiểm", description="")
    assert slugs("nón") == []
    assert slugs("bảo hiểm") == ["hat"]
    assert slugs("bh") == []


def test_short_terms_follow_an_edited_translation() -> None:
    # 1-2-character terms go through the gram index on SQLite (migration 0007), kept in step
    # by triggers: the old text's grams must go, the new text's must come.
    seller = _seller("TH", verified=True, slug="s1")
    _product(seller, "tea", "ชาเขียว", desc="ใบชา")
    product = Product.objects.get(slug="tea")
    assert (slugs("ชา"), slugs("ใบ"), slugs("ข")) == (["tea"], ["tea"], ["tea"])
    product_translation_set(product=product, language="vi", title="ข้าวหอม", description="")
    assert (slugs("ชา"), slugs("ใบ"), slugs("ข"), slugs("วห")) == ([], [], ["tea"], ["tea"])


def test_short_terms_find_text_beyond_the_gram_index() -> None:
    # Grams are indexed for the first 20,000 characters of the folded text; a longer one (here
    # ໜ folds to the two characters ຫນ, so 10,006 characters fold to 20,005) is still searched.
    seller = _seller("VN", verified=True, slug="s1")
    _product(seller, "long", "Nón lá", desc="ໜ" * 9999 + " abc qz")
    _product(seller, "short", "Nón qz")
    assert sorted(slugs("qz")) == ["long", "short"]
    assert slugs("qz nón") == ["short", "long"]
    assert slugs("zq") == []


def test_filters_narrow_results_and_facets_count_the_whole_match(
    catalogue: dict[str, int],
) -> None:
    everything = search_products("coffee")
    assert dict(everything.facets.countries) == {"TH": 1, "LA": 2, "KH": 1, "MM": 1, "VN": 2}
    assert dict(everything.facets.categories) == {"coffee": 7}
    assert everything.facets.in_stock == 6
    lao = search_products("coffee", filters=SearchFilters(country="la"))
    assert lao.count == 2
    assert lao.facets == everything.facets
    assert search_products("coffee", filters=SearchFilters(in_stock=True)).count == 6
    assert slugs("rice", filters=SearchFilters(category="handicrafts")) == ["th-sticky-rice-basket"]
    cheap_vnd = SearchFilters(currency="VND", price_min_minor=180_000, price_max_minor=250_000)
    assert sorted(slugs("coffee", filters=cheap_vnd)) == ["vn-da-lat-arabica", "vn-dak-lak-robusta"]


def test_pages_partition_the_ranked_list(catalogue: dict[str, int]) -> None:
    whole = search_products("", limit=100, with_facets=False).product_ids
    pages = [
        search_products("", limit=10, offset=o, with_facets=False).product_ids
        for o in (0, 10, 20, 30)
    ]
    assert [i for page in pages for i in page] == whole
    assert [len(p) for p in pages] == [10, 10, 10, 5]


def test_ranked_order_is_pinned(catalogue: dict[str, int]) -> None:
    # The same full order on SQLite and PostgreSQL (this test runs on both). Derivation: every
    # English title holds "coffee" (exact + folded + all terms = 56); three descriptions also
    # do (+6 = 62). Within a score: verified with stock first, then the shorter title.
    assert slugs("coffee") == [
        "vn-da-lat-arabica",  # 62, "da lat arabica coffee"
        "mm-shan-coffee",  # 62, longer title
        "kh-mondulkiri-coffee",  # 62, out of stock
        "vn-dak-lak-robusta",  # 56, 29 characters
        "la-paksong-robusta",  # 56, 33
        "la-bolaven-arabica",  # 56, 36
        "th-doi-chaang-coffee",  # 56, 45
    ]
