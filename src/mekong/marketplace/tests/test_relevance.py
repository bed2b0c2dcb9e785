"""The relevance set, per script, on whichever database the suite runs on (both in CI)."""

from __future__ import annotations

from collections import defaultdict

import pytest

from mekong.marketplace.search import search_products
from mekong.marketplace.selectors import product_cards
from mekong.marketplace.tests.relevance import CASES

SCRIPTS = sorted({script for script, _q, _e in CASES})


def test_the_set_is_large_and_covers_every_script() -> None:
    per_script: dict[str, int] = defaultdict(int)
    for script, _q, _e in CASES:
        per_script[script] += 1
    assert len(CASES) >= 60
    assert set(per_script) == {
        "thai",
        "lao",
        "khmer",
        "burmese",
        "zawgyi",
        "vietnamese",
        "vietnamese-folded",
        "latin",
    }
    assert min(per_script.values()) >= 7


def top_slugs(query: str, n: int) -> list[str]:
    result = search_products(query, limit=max(n, 5), with_facets=False)
    return [c.slug for c in product_cards(result.product_ids, "en")][:n]


@pytest.mark.parametrize("script", SCRIPTS)
def test_relevance(catalogue: dict[str, int], script: str) -> None:
    failures = []
    for case_script, query, expected in CASES:
        if case_script != script:
            continue
        got = top_slugs(query, len(expected))
        if sorted(got) != sorted(expected):
            failures.append(f"{query!r}: expected {sorted(expected)}, got {got}")
    assert failures == []
