"""Folding tables for search keys: Latin diacritics, native digits, spelling variants.

Folding here is deliberately narrow.  Combining marks are removed only after *Latin* letters:
in Thai, Lao, Khmer and Burmese the combining marks are vowels, tones, asat and coeng, i.e.
letters (ข้าว "rice", ข่าว "news" and ขาว "white" differ only by them), and stripping them the way
Saleor's ``strip_accents`` does merges unrelated words.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from mekong.core.text.lao import LAO_FOLD

__all__ = ["fold_for_search", "strip_joiners"]

# U+200C ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH JOINER change how letters are drawn, never
# which letters are spelled, so keys drop them (stored text keeps them; see normalize.py).
_JOINERS: Final[dict[int, None]] = {0x200C: None, 0x200D: None}

# Zero of each decimal digit set a buyer in the region may type; each set is ten consecutive
# code points (checked below with unicodedata.decimal).
_DIGIT_ZEROS: Final = (
    0x0E50,  # Thai ๐
    0x0ED0,  # Lao ໐
    0x17E0,  # Khmer ០
    0x1040,  # Myanmar ၀ (after normalize_text, a ၀ that stood for ဝ is already a letter)
    0x1090,  # Myanmar Shan ႐
    0xA9F0,  # Myanmar Tai Laing
    0x19D0,  # New Tai Lue (Sipsong Panna, northern Laos)
    0x1A80,  # Tai Tham Hora (Lanna, northern Thailand)
    0x1A90,  # Tai Tham Tham
    0xFF10,  # fullwidth, from CJK input methods
)


def _digit_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for zero in _DIGIT_ZEROS:
        for value in range(10):
            assert unicodedata.decimal(chr(zero + value)) == value
            table[zero + value] = str(value)
    return table


def _latin_table() -> dict[int, str]:
    """Map every precomposed Latin letter with diacritics to its lowercase ASCII base."""
    table: dict[int, str] = {}
    for cp in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        decomposed = unicodedata.normalize("NFD", chr(cp))
        base, marks = decomposed[0], decomposed[1:]
        if marks and base.isascii() and base.isalpha() and all(map(unicodedata.combining, marks)):
            table[cp] = base.lower()
    # Letters with a bar or slash are not decomposable, so NFD leaves them whole.  Đ/đ above
    # all: Vietnamese buyers type "Da Lat" for Đà Lạt (PostgreSQL unaccent folds it too).
    for letters, base in (("Đđ", "d"), ("Øø", "o"), ("Łł", "l"), ("Ħħ", "h"), ("ı", "i")):
        for ch in letters:
            table[ord(ch)] = base
    return table


_SEARCH_FOLD: Final[dict[int, str | None]] = {
    **_latin_table(),
    **_digit_table(),
    # Lao ligatures ໜ ໝ → ຫນ ຫມ (both spellings are common; NFKC goes the same way).
    **LAO_FOLD,
    # Khmer ឲ (U+17B2) is a variant of ឱ (U+17B1): ឲ្យ and ឱ្យ "to give" are both current.
    0x17B2: "\u17b1",
    # Khmer obsolete ligature ឨ (U+17A8) is ឧ + ក.
    0x17A8: "\u17a7\u1780",
    **_JOINERS,
}

# str.translate with this 1,000-entry dict costs ~5 µs per title even when nothing changes
# (Thai, Khmer, Burmese titles without digits); searching for a key first costs ~1 µs.
_HAS_FOLDABLE: Final = re.compile(
    "[" + "".join(re.escape(chr(c)) for c in sorted(_SEARCH_FOLD)) + "]"
)

# Combining marks left on a Latin letter after NFC (no precomposed form, e.g. x̃, or the dot of
# casefolded İ).  Only marks from the generic combining blocks, and only after a-z.
_MARKS_ON_LATIN: Final = re.compile(
    "(?<=[a-z])[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)
# စ + medial YA and ဈ look alike and are both used for "market" (စျေး / ဈေး); ICU's Zawgyi
# converter also reads the pair as ဈ.
_MYANMAR_JHA: Final = ("\u1005\u103b", "\u1008")


def fold_for_search(s: str) -> str:
    """Fold casefolded, normalised text for recall-oriented matching.

    Latin letters lose their diacritics (đ → d too), native and fullwidth digits become ASCII,
    Lao ໜ/ໝ are decomposed, Khmer ឲ becomes ឱ, Burmese စျ becomes ဈ, and ZWJ/ZWNJ are dropped.

    Args:
        s: output of ``normalize_text(...).casefold()``.

    Returns:
        The folded key, NFC.
    """
    if s.isascii():  # nothing to fold: the table only has non-ASCII keys
        return s
    if _HAS_FOLDABLE.search(s):
        s = s.translate(_SEARCH_FOLD)
    s = _MARKS_ON_LATIN.sub("", s)
    if _MYANMAR_JHA[0] in s:
        s = s.replace(*_MYANMAR_JHA)
    return s if unicodedata.is_normalized("NFC", s) else unicodedata.normalize("NFC", s)


def strip_joiners(s: str) -> str:
    """Drop ZWJ and ZWNJ (for keys; they never change the spelling).

    Args:
        s: any text.

    Returns:
        The text without U+200C and U+200D.
    """
    return s.translate(_JOINERS) if "\u200c" in s or "\u200d" in s else s
