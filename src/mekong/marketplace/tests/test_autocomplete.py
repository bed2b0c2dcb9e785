"""Autocomplete API (``GET /api/v1/marketplace/suggest``) over the 35-product catalogue.

Runs on SQLite (FTS5 trigram and gram tables) and PostgreSQL (pg_trgm): same answers on both.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from mekong.marketplace.autocomplete import LIMIT, suggestions_for
from mekong.marketplace.tests.relevance import zawgyi

pytestmark = [pytest.mark.django_db, pytest.mark.urls("mekong.marketplace.tests.api_urls")]
URL = "/api/v1/marketplace/suggest"


def _get(**params: str) -> tuple[int, Any]:
    response = Client().get(URL, params)
    return response.status_code, response.json()


def titles(q: str, lang: str = "en") -> list[str]:
    status, data = _get(q=q, lang=lang)
    assert status == 200, data
    assert data["query"] == q
    return [s["title"] for s in data["suggestions"]]


def test_thai_substring_inside_a_run_without_spaces(catalogue: dict[str, int]) -> None:
    # ดอยช้าง sits in the middle of กาแฟดอยช้างคั่วกลาง and of the description (not suggested).
    status, data = _get(q="ดอยช้าง", lang="th")
    assert status == 200
    assert data["suggestions"] == [
        {"title": "กาแฟดอยช้างคั่วกลาง 250 กรัม", "slug": "th-doi-chaang-coffee", "language": "th"}
    ]


def test_prefix_then_word_start_then_infix_then_shorter(catalogue: dict[str, int]) -> None:
    # "Kampong Speu Palm Sugar" is shorter than the last pepper but holds "pe" inside a word.
    assert titles("pe") == [
        "Phu Quoc Black Pepper",
        "Kampot Red Pepper 100 g",
        "Chanthaburi White Pepper",
        "Kampot Black Pepper 100 g",
        "Kampong Speu Palm Sugar",
    ]
    # Starts, then a word starts (a Vietnamese title, no English one), then the shortest
    # title of all, with "ka" inside a word.
    assert titles("ka") == [
        "Kampong Speu Palm Sugar",
        "Kampot Red Pepper 100 g",
        "Kampot Black Pepper 100 g",
        "Tiêu đen Kampot",
        "Thanaka Bark",
        "Cambodian Jasmine Rice (Phka Malis) 5 kg",
    ]
    assert titles("กาแฟ", "th") == [
        "กาแฟโรบัสต้าดักลัก",
        "กาแฟดอยช้างคั่วกลาง 250 กรัม",
        "กาแฟอาราบิก้าที่ราบสูงโบลาเวน",
    ]


def test_lao_khmer_and_burmese_substrings(catalogue: dict[str, int]) -> None:
    assert titles("ໄມ້ໄຜ່", "lo") == ["ກະຕ່າໄມ້ໄຜ່ສານ", "ກະຕິບເຂົ້າໜຽວໄມ້ໄຜ່"]
    assert titles("កំពត", "km") == ["ម្រេចក្រហមកំពត", "ម្រេចខ្មៅកំពត ១០០ក្រាម"]
    assert titles("ကော်ဖီ", "my") == ["ရှမ်းကော်ဖီ"]


def test_two_characters_use_the_short_index(catalogue: dict[str, int]) -> None:
    # Two code points: below a trigram; served by the gram table on SQLite.
    assert titles("ໄໝ", "lo") == ["ຜ້າໄໝລາວຕ່ຳມື"]
    assert titles("ពត", "km") == ["ម្រេចក្រហមកំពត", "ម្រេចខ្មៅកំពត ១០០ក្រាម"]


def test_folding_vietnamese_without_tones_zawgyi_and_lao_spelling(
    catalogue: dict[str, int],
) -> None:
    assert titles("ca phe robusta", "vi") == ["Cà phê Robusta Đắk Lắk rang xay"]
    assert titles("CÀ PHÊ ROBUSTA", "vi") == ["Cà phê Robusta Đắk Lắk rang xay"]
    assert titles(zawgyi("ရှမ်းကော်ဖီ"), "my") == ["ရှမ်းကော်ဖီ"]
    # ໜ typed as ຫນ (two letters) still meets the stored ເຂົ້າໜຽວ.
    assert titles("ເຂົ້າຫນຽວ", "lo") == ["ເຂົ້າໜຽວລາວ 5 ກິໂລ", "ກະຕິບເຂົ້າໜຽວໄມ້ໄຜ່"]


def test_the_readers_language_ranks_first_at_equal_position(
    catalogue: dict[str, int],
) -> None:
    # "arabica" starts a word in every title: English titles first for English readers,
    # Vietnamese ones first for Vietnamese readers.
    assert titles("arabica", "en") == [
        "Da Lat Arabica Coffee",
        "Bolaven Plateau Arabica Coffee 500 g",
        "Doi Chaang Arabica Coffee, Medium Roast 250 g",
        "Cà phê Arabica Đà Lạt",
        "Cà phê Arabica Doi Chaang rang vừa",
        "Cà phê Arabica cao nguyên Bolaven (Lào)",
    ]
    assert titles("arabica", "vi")[:3] == [
        "Cà phê Arabica Đà Lạt",
        "Cà phê Arabica Doi Chaang rang vừa",
        "Cà phê Arabica cao nguyên Bolaven (Lào)",
    ]


def test_at_most_eight_distinct_titles(catalogue: dict[str, int]) -> None:
    found = titles("a")  # one letter: nothing yet
    assert found == []
    found = titles("an")
    assert len(found) == LIMIT
    assert len(set(found)) == LIMIT
    assert all("an" in t.casefold() for t in found)


def test_bad_input_is_a_422_with_a_stable_code(catalogue: dict[str, int]) -> None:
    for params in ({}, {"q": ""}, {"q": "x" * 101}, {"q": "ชา", "lang": "fr"}):
        status, data = _get(**params)
        assert (status, data["code"]) == (422, "validation_error"), params
    status, data = _get(q="   \u200b ")
    assert (status, data["code"]) == (422, "marketplace_invalid_input")


def test_no_match_is_an_empty_list(catalogue: dict[str, int]) -> None:
    assert titles("durian") == []
    assert suggestions_for("ดอยช้าง", language="th", limit=1)[0].slug == "th-doi-chaang-coffee"
