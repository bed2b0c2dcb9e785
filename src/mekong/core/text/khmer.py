"""Repairs for Khmer text: subscript order, split vowels and deprecated characters.

Khmer writes consonant clusters with COENG (U+17D2) + consonant, and the subscript RO is drawn
to the *left* of the cluster, so typists enter it first or last at will: ស្រ្តី and ស្ត្រី look
the same.  COENG has ccc 9 but the consonants after it have ccc 0, so NFC does not help.  The
rules below are the subset of syllable normalisation that Wikimedia's ``khmer_syll_reorder``
(Trey Jones, 2021) and SIL's ``khnormal`` agree on and that matter for search; a full syllable
reorder (register shifters, robat) is not attempted.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["KHMER_INVISIBLE", "repair_khmer"]

_HAS_KHMER: Final = re.compile("[\u1780-\u17ff\u19e0-\u19ff]")

#: Inherent vowels AQ (U+17B4) and AA (U+17B5): invisible, and Unicode says not to use them
#: outside transliteration.  normalize_text drops them with the other invisible characters.
KHMER_INVISIBLE: Final = "\u17b4\u17b5"

# Characters the Unicode core spec (§16.4, Khmer) deprecates or discourages, replaced as
# Wikimedia's khmer_syll_reorder does.
_DEPRECATED: Final = str.maketrans(
    {
        "\u17a3": "\u17a2",  # independent vowel QAQ → letter QA អ
        "\u17a4": "\u17a2\u17b6",  # independent vowel QAA → អា
        "\u17d3": "\u17c6",  # sign BATHAMASAT → NIKAHIT ំ
        "\u17d8": "\u17d4\u179b\u17d4",  # sign BEYYAL → ។ល។ ("et cetera")
    }
)
_HAS_DEPRECATED: Final = re.compile("[\u17a3\u17a4\u17d3\u17d8]")

# The same mark twice on a syllable is invisible, so always a typo.
_REPEATED_SIGN: Final = re.compile("([\u17b6-\u17d1\u17dd])\\1+")
_REPEATED_SUBSCRIPT: Final = re.compile("(\u17d2[\u1780-\u17a2])\\1+")
# Two-part vowels typed as their visible halves: េ + ី → ើ and េ + ា → ោ, in either order.
_SPLIT_OE: Final = re.compile("\u17c1\u17b8|\u17b8\u17c1")
_SPLIT_OO: Final = re.compile("\u17c1\u17b6|\u17b6\u17c1")
# Subscript RO typed before another subscript: store it last (ស្រ្តី → ស្ត្រី).
_RO_NOT_LAST: Final = re.compile("(\u17d2\u179a)((?:\u17d2[\u1780-\u17a2])+)")
# The union of what the rules above match, so well-formed Khmer (nearly all of it) skips them.
_SUSPECT: Final = re.compile(
    "[\u17a3\u17a4\u17d3\u17d8]"  # deprecated
    "|([\u17b6-\u17d1\u17dd])\\1"  # repeated sign
    "|(\u17d2[\u1780-\u17a2])\\2"  # repeated subscript
    "|\u17c1[\u17b6\u17b8]|[\u17b6\u17b8]\u17c1"  # split vowels
    "|\u17d2\u179a\u17d2"  # subscript RO before another subscript
)


def repair_khmer(s: str) -> str:
    """Fix Khmer spellings that render alike but are encoded differently.

    - deprecated U+17A3, U+17A4, U+17D3 and U+17D8 replaced by their recommended spellings;
    - the split vowels េ + ី and េ + ា joined into ើ and ោ;
    - subscript RO (COENG RO) moved after the other subscripts of its cluster;
    - a vowel sign, sign or subscript repeated in a row kept once.

    Args:
        s: NFC text, any script.

    Returns:
        The text with its Khmer runs repaired; other scripts are untouched.
    """
    if not _HAS_KHMER.search(s) or not _SUSPECT.search(s):
        return s
    if _HAS_DEPRECATED.search(s):
        s = s.translate(_DEPRECATED)
    for _ in range(4):  # joining ាេ can create a repeated ោ; repeat until stable
        fixed = _REPEATED_SIGN.sub("\\1", s)
        fixed = _SPLIT_OE.sub("\u17be", fixed)
        fixed = _SPLIT_OO.sub("\u17c4", fixed)
        fixed = _RO_NOT_LAST.sub("\\2\\1", fixed)
        fixed = _REPEATED_SUBSCRIPT.sub("\\1", fixed)
        if fixed == s:
            break
        s = fixed
    return s
