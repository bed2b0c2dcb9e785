"""Watchlist name matching: the cheap upper bounds only skip what could not match."""

from __future__ import annotations

from difflib import SequenceMatcher

from hypothesis import given
from hypothesis import strategies as st

from mekong.payments import screening

# A small alphabet (Latin, Vietnamese, Thai, Lao, spaces) so that near matches are common.
names = st.text(alphabet="anhguyễnsomchaiສົມສັກสมชาย ", min_size=0, max_size=24)


@given(names, names, st.floats(min_value=0.01, max_value=1.0))
def test_the_cheap_bounds_skip_exactly_what_difflibs_own_bounds_skip(
    a: str, b: str, floor: float
) -> None:
    for x, y in zip(screening._keys(a), screening._keys(b), strict=True):
        if not x.text or not y.text:
            continue
        matcher = SequenceMatcher(None, x.text, y.text)
        expected = matcher.real_quick_ratio() >= floor and matcher.quick_ratio() >= floor
        assert screening._bound(x, y, floor) == expected


@given(names, names)
def test_pruned_similarity_decides_like_the_full_ratio(a: str, b: str) -> None:
    ka, kb = screening._keys(a), screening._keys(b)
    full = screening._similarity(ka, kb)
    pruned = screening._similarity(ka, kb, screening.NAME_THRESHOLD)
    assert (pruned >= screening.NAME_THRESHOLD) == (full >= screening.NAME_THRESHOLD)
    if full >= screening.NAME_THRESHOLD:
        assert pruned == full  # the reported score is the same


def test_near_spellings_across_word_order_still_match() -> None:
    assert screening.name_similarity("Nguyen Van An", "An Nguyễn Van") >= screening.NAME_THRESHOLD
    assert screening.name_similarity("Somchai Jaidee", "Anan Boonmee") < screening.NAME_THRESHOLD
