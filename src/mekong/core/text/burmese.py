"""Repairs for Burmese text in Unicode: digits typed for look-alike letters.

In Myanmar fonts the digit zero ၀ (U+1040) and the letter WA ဝ (U+101D) are the same circle,
and the digit seven ၇ (U+1047) looks like the letter RA ရ (U+101B).  Typists, OCR and Zawgyi
keyboards mix them up, and ဝက် "pork" typed with a zero never matches a search for ဝက်.  NFC
and NFKC leave them alone (they are different characters), so we repair them by context.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["repair_burmese"]


def _char_class(predicate: str) -> str:
    chars = [chr(cp) for cp in range(0x1000, 0x10A0) if unicodedata.category(chr(cp)) in predicate]
    return "[" + "".join(re.escape(c) for c in chars) + "]"


# Dependent signs (vowel signs, medials, asat, tone marks): categories Mn and Mc.
_SIGN: Final = _char_class("MnMc")
# Letters that take signs: consonants, independent vowels and the Mon/Shan letters (Lo).
_LETTER: Final = _char_class("Lo")

_LOOKALIKE: Final = re.compile(
    # A digit never carries a vowel sign or medial, so ၀ or ၇ before one is a letter.
    "[\u1040\u1047](?=" + _SIGN + ")"
    # Nor does it start a syllable that closes with a killed consonant: ၀က် is ဝက် "pork".
    "|[\u1040\u1047](?=[\u1000-\u1021]\u1037?\u103a)"
    # ၀ with a letter or sign on both sides, as in ဧရာ၀တီ.  Not extended to ၇: "No. 7 Street"
    # is often written with no space (အမှတ်၇လမ်း), and there ၇ is a number.
    "|(?<=" + _LETTER[:-1] + _SIGN[1:] + ")\u1040(?=" + _LETTER + ")"
    # ၎င်း "it/the said" typed with the digit four, which looks like ၎ (U+104E).
    "|\u1044(?=\u1004\u103a\u1038)"
)
_LETTER_FOR_DIGIT: Final = {"\u1040": "\u101d", "\u1047": "\u101b", "\u1044": "\u104e"}


def repair_burmese(s: str) -> str:
    """Replace Myanmar digits that stand for look-alike letters (၀→ဝ, ၇→ရ, ၄→၎).

    A digit is read as a letter only where a number cannot be: before a dependent sign, before a
    consonant killed by asat, or (for ၀) between two Myanmar letters or signs.  Digits in numbers
    such as ၁၀၀ or ၅၀၀၀ ကျပ် are left alone.

    Args:
        s: NFC text, any script.

    Returns:
        The text with those digits replaced.
    """
    if "\u1040" not in s and "\u1047" not in s and "\u1044" not in s:
        return s
    # A digit that became a letter can make its neighbour "between letters" (က၀၀ါ), so repeat;
    # every pass that changes something turns at least one digit into a letter.
    while True:
        fixed = _LOOKALIKE.sub(_letter_for_digit, s)
        if fixed == s:
            return s
        s = fixed


def _letter_for_digit(m: re.Match[str]) -> str:
    return _LETTER_FOR_DIGIT[m.group()]
