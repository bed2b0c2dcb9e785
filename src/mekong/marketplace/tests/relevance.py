"""The relevance set: queries over the catalogue fixture with the results that must come first.

Each case is (script, query, expected): the first ``len(expected)`` results must be exactly the
products in ``expected`` (in any order among themselves). Zawgyi queries are taken from the
core's ICU-generated pairs (``core/tests/data/zawgyi_pairs.json``), not typed by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

_PAIRS = Path(__file__).resolve().parents[2] / "core" / "tests" / "data" / "zawgyi_pairs.json"
_ZAWGYI: dict[str, str] = {
    p["unicode"]: p["zawgyi"] for p in json.loads(_PAIRS.read_text("utf-8"))["pairs"]
}


def zawgyi(unicode_text: str) -> str:
    """The Zawgyi spelling of a Unicode Burmese word from the test data (KeyError if absent)."""
    return _ZAWGYI[unicode_text]


Case = tuple[str, str, tuple[str, ...]]

CASES: tuple[Case, ...] = (
    # Thai: substrings inside runs without spaces, short queries, cross-language hits
    ("thai", "ดอยช้าง", ("th-doi-chaang-coffee",)),
    ("thai", "กาแฟดอยช้าง", ("th-doi-chaang-coffee",)),
    ("thai", "คั่วกลาง", ("th-doi-chaang-coffee",)),
    ("thai", "ไหม", ("th-mudmee-silk",)),
    ("thai", "มัดหมี่", ("th-mudmee-silk",)),
    ("thai", "ทอมือ", ("th-mudmee-silk",)),
    ("thai", "ข้าวหอมมะลิ", ("th-hom-mali-rice",)),
    ("thai", "น้ำปลา", ("th-fish-sauce",)),
    ("thai", "ชา", ("th-oolong-tea",)),
    ("thai", "อู่หลง", ("th-oolong-tea",)),
    ("thai", "กระติบ", ("th-sticky-rice-basket",)),
    ("thai", "พริกไทย", ("th-white-pepper",)),
    ("thai", "โบลาเวน", ("la-bolaven-arabica",)),
    ("thai", "โรบัสต้า", ("vn-dak-lak-robusta",)),
    ("thai", "กาแฟ", ("th-doi-chaang-coffee", "la-bolaven-arabica", "vn-dak-lak-robusta")),
    # Thai as it is often typed (the traps core.text.thai repairs; a plain substring scan misses):
    # NIKHAHIT + SARA AA for SARA AM, tone after SARA AM, tone before the vowel, เเ for แ.
    ("thai", "น\u0e4d\u0e49\u0e32ปลา", ("th-fish-sauce",)),
    ("thai", "น\u0e33\u0e49ปลา", ("th-fish-sauce",)),
    ("thai", "ค\u0e48\u0e31วกลาง", ("th-doi-chaang-coffee",)),
    (
        "thai",
        "กา\u0e40\u0e40ฟ",
        ("th-doi-chaang-coffee", "la-bolaven-arabica", "vn-dak-lak-robusta"),
    ),
    # Lao
    ("lao", "ກາເຟ", ("la-bolaven-arabica", "la-paksong-robusta")),
    ("lao", "ບໍລະເວນ", ("la-bolaven-arabica",)),
    ("lao", "ປາກຊ່ອງ", ("la-paksong-robusta", "la-bolaven-arabica")),
    ("lao", "ເຂົ້າໜຽວ", ("la-sticky-rice", "th-sticky-rice-basket")),
    ("lao", "ເຂົ້າຫນຽວ", ("la-sticky-rice", "th-sticky-rice-basket")),
    ("lao", "ໄໝ", ("la-silk-sinh",)),
    ("lao", "ຜ້າໄໝ", ("la-silk-sinh",)),
    ("lao", "ຊາ", ("la-phongsaly-tea",)),
    ("lao", "ຜົ້ງສາລີ", ("la-phongsaly-tea",)),
    ("lao", "ໄມ້ໄຜ່", ("th-sticky-rice-basket", "la-bamboo-basket")),
    # Khmer
    ("khmer", "កំពត", ("kh-kampot-black-pepper", "kh-kampot-red-pepper")),
    ("khmer", "ម្រេចខ្មៅ", ("kh-kampot-black-pepper",)),
    ("khmer", "ម្រេចក្រហម", ("kh-kampot-red-pepper",)),
    ("khmer", "ផ្កាម្លិះ", ("kh-phka-malis-rice", "th-hom-mali-rice")),
    ("khmer", "អង្ករ", ("kh-phka-malis-rice", "th-hom-mali-rice")),
    ("khmer", "សូត្រ", ("kh-silk-krama",)),
    ("khmer", "ក្រមា", ("kh-silk-krama",)),
    ("khmer", "ស្ករត្នោត", ("kh-palm-sugar",)),
    ("khmer", "ប្រាក់", ("kh-silver-box",)),
    ("khmer", "កាហ្វេ", ("kh-mondulkiri-coffee",)),
    ("khmer", "មណ្ឌលគិរី", ("kh-mondulkiri-coffee",)),
    # Khmer as it is often typed (core.text.khmer): a two-part vowel as its halves (េ + ា for ោ,
    # in either order) and a sign typed twice.
    ("khmer", "ស្ករត្ន\u17c1\u17b6ត", ("kh-palm-sugar",)),
    ("khmer", "ត្ន\u17b6\u17c1ត", ("kh-palm-sugar",)),
    ("khmer", "ក\u17b6\u17b6ហ្វេ", ("kh-mondulkiri-coffee",)),
    # Burmese (Unicode)
    ("burmese", "လက်ဖက်", ("mm-shan-laphet", "mm-laphet-thoke")),
    ("burmese", "လက်ဖက်သုပ်", ("mm-laphet-thoke",)),
    ("burmese", "ကော်ဖီ", ("mm-shan-coffee",)),
    ("burmese", "ပိုး", ("mm-silk-longyi",)),
    ("burmese", "ပုဆိုး", ("mm-silk-longyi",)),
    ("burmese", "သနပ်ခါး", ("mm-thanaka",)),
    ("burmese", "ယွန်းထည်", ("mm-bagan-lacquer",)),
    ("burmese", "ဆန်", ("mm-paw-san-rice",)),
    # Burmese digits typed for the look-alike letters (core.text.burmese): ၇ for ရ, ၀ for ဝ.
    ("burmese", "\u1047ှမ်းကော်ဖီ", ("mm-shan-coffee",)),
    ("burmese", "ဧရာ\u1040တီ", ("mm-paw-san-rice",)),
    # Burmese typed in Zawgyi
    ("zawgyi", zawgyi("ကော်ဖီ"), ("mm-shan-coffee",)),
    ("zawgyi", zawgyi("ရှမ်းကော်ဖီ"), ("mm-shan-coffee",)),
    ("zawgyi", zawgyi("လက်ဖက်သုပ်"), ("mm-laphet-thoke",)),
    ("zawgyi", zawgyi("ပိုးပုဆိုး"), ("mm-silk-longyi",)),
    ("zawgyi", zawgyi("သနပ်ခါး"), ("mm-thanaka",)),
    ("zawgyi", zawgyi("ယွန်းထည်"), ("mm-bagan-lacquer",)),
    ("zawgyi", zawgyi("ပေါ်ဆန်းမွှေး"), ("mm-paw-san-rice",)),
    # Vietnamese with diacritics
    ("vietnamese", "cà phê", ("vn-da-lat-arabica", "vn-dak-lak-robusta")),
    ("vietnamese", "Đắk Lắk", ("vn-dak-lak-robusta",)),
    ("vietnamese", "Đà Lạt", ("vn-da-lat-arabica",)),
    ("vietnamese", "tiêu đen", ("vn-phu-quoc-pepper", "kh-kampot-black-pepper")),
    ("vietnamese", "nước mắm", ("vn-fish-sauce",)),
    ("vietnamese", "gạo", ("vn-st25-rice",)),
    ("vietnamese", "lụa tơ tằm", ("vn-van-phuc-silk",)),
    ("vietnamese", "nón lá", ("vn-conical-hat",)),
    ("vietnamese", "trà", ("vn-shan-tuyet-tea",)),
    # Vietnamese without diacritics
    ("vietnamese-folded", "ca phe", ("vn-da-lat-arabica", "vn-dak-lak-robusta")),
    ("vietnamese-folded", "dak lak", ("vn-dak-lak-robusta",)),
    ("vietnamese-folded", "da lat", ("vn-da-lat-arabica",)),
    ("vietnamese-folded", "nuoc mam", ("vn-fish-sauce",)),
    ("vietnamese-folded", "tieu den", ("vn-phu-quoc-pepper", "kh-kampot-black-pepper")),
    ("vietnamese-folded", "lua to tam", ("vn-van-phuc-silk",)),
    ("vietnamese-folded", "non la", ("vn-conical-hat",)),
    ("vietnamese-folded", "gao st25", ("vn-st25-rice",)),
    # English and Latin brand names
    ("latin", "Kampot pepper", ("kh-kampot-black-pepper", "kh-kampot-red-pepper")),
    ("latin", "arabica", ("th-doi-chaang-coffee", "la-bolaven-arabica", "vn-da-lat-arabica")),
    ("latin", "robusta", ("la-paksong-robusta", "vn-dak-lak-robusta")),
    ("latin", "Bolaven", ("la-bolaven-arabica",)),
    ("latin", "Doi Chaang", ("th-doi-chaang-coffee",)),
    ("latin", "ST25", ("vn-st25-rice",)),
    ("latin", "laphet", ("mm-shan-laphet", "mm-laphet-thoke")),
    ("latin", "silk scarf", ("th-mudmee-silk", "vn-van-phuc-silk", "kh-silk-krama")),
    ("latin", "jasmine rice", ("kh-phka-malis-rice", "th-hom-mali-rice")),
    ("latin", "fish sauce", ("th-fish-sauce", "vn-fish-sauce")),
    ("latin", "LACQUER", ("mm-bagan-lacquer",)),
    ("latin", "PAKSONG", ("la-paksong-robusta", "la-bolaven-arabica")),
)
