"""The normalisation pipeline that every piece of user text goes through, and the search keys.

Order of the steps, and why:

1. drop invisible characters (ZWSP, word joiner, BOM, soft hyphen, bidi controls, C0/C1
   controls...), so that the script repairs see whole clusters;
2. NFC, which unifies precomposed and decomposed Vietnamese, ဦ vs ဥ + ီ, and the order of marks
   with non-zero combining classes;
3. script repairs for what NFC cannot unify: Thai, Lao, Khmer, Burmese digits/letters,
   Vietnamese tone placement; then NFC again;
4. ZWJ/ZWNJ cleanup and whitespace;
5. if the result looks like Zawgyi (myanmar-tools, P > 0.95), convert it and run 1–4 again; keep
   the conversion only if the converted text no longer looks like Zawgyi.

Step 5 runs on the output of 1–4 (whose Burmese repairs are harmless to Zawgyi text) and
checks its own result: this is what makes ``normalize_text`` idempotent even for text that
looks like Zawgyi but is not.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from mekong.core.text.burmese import repair_burmese
from mekong.core.text.folding import fold_for_search, strip_joiners
from mekong.core.text.khmer import KHMER_INVISIBLE, repair_khmer
from mekong.core.text.lao import repair_lao
from mekong.core.text.thai import repair_thai
from mekong.core.text.vietnamese import normalize_vietnamese_tones
from mekong.core.text.zawgyi import (
    ZAWGYI_THRESHOLD,
    zawgyi_probability,
    zawgyi_to_unicode,
)

__all__ = [
    "NormalizedText",
    "exact_key",
    "normalize_text",
    "normalize_text_report",
    "search_key",
]


def _invisible_table() -> dict[int, None]:
    # Characters with no glyph that users paste or type as "word separators".  They split words
    # for search (a query spanning a ZWSP never matches) and hide spoofing.
    invisible = [
        0x00AD,  # SOFT HYPHEN: a line-break hint, not a letter
        0x061C,  # ARABIC LETTER MARK (bidi control)
        0x180E,  # MONGOLIAN VOWEL SEPARATOR (formerly a space, now invisible)
        0x200B,  # ZERO WIDTH SPACE: used as a word separator in Thai, Lao, Khmer, Burmese
        0x200E,  # LEFT-TO-RIGHT MARK
        0x200F,  # RIGHT-TO-LEFT MARK
        *range(0x202A, 0x202F),  # bidi embeddings and overrides ("Trojan Source" spoofing)
        0x2060,  # WORD JOINER
        *range(0x2061, 0x2065),  # invisible function application, times, separator, plus
        *range(0x2066, 0x206A),  # bidi isolates
        *range(0x206A, 0x2070),  # deprecated format characters
        0xFEFF,  # BYTE ORDER MARK / ZERO WIDTH NO-BREAK SPACE
        *range(0xFFF9, 0xFFFC),  # interlinear annotation controls
        # C0 and C1 control characters other than whitespace: PostgreSQL rejects NUL in text,
        # and the others have no business in user text.
        *(c for c in range(0x20) if not chr(c).isspace()),
        0x007F,
        *(c for c in range(0x80, 0xA0) if not chr(c).isspace()),
    ]
    invisible += [ord(c) for c in KHMER_INVISIBLE]  # Khmer inherent vowels U+17B4, U+17B5
    return dict.fromkeys(invisible)


_INVISIBLE: Final = _invisible_table()
# str.translate with a dict costs ~2 µs on a title even when it deletes nothing; a regex search
# for the same characters costs a fraction of that, so translate only when there is work.
_HAS_INVISIBLE: Final = re.compile("[" + "".join(re.escape(chr(c)) for c in _INVISIBLE) + "]")

# ZWNJ (U+200C) and ZWJ (U+200D) are KEPT in stored text.  They carry meaning between two
# characters: ZWJ builds emoji sequences (👨‍👩‍👧, 🏳️‍🌈) that product descriptions use, and both
# select conjunct/non-conjunct shapes in Brahmic scripts and Persian.  Next to whitespace or at
# either end of the text they join nothing, so there we drop them, and a run of them is cut to
# its last one.  Search and exact keys drop them everywhere (folding.strip_joiners).
_JOINER_AT_EDGE: Final = re.compile("(?:\\A|(?<=\\s))[\u200c\u200d]+|[\u200c\u200d]+(?=\\s|\\Z)")
_JOINER_RUN: Final = re.compile("[\u200c\u200d]{2,}")

_REPAIRS: Final = (
    repair_thai,
    repair_lao,
    repair_khmer,
    repair_burmese,
    normalize_vietnamese_tones,
)


def _nfc(s: str) -> str:
    return s if unicodedata.is_normalized("NFC", s) else unicodedata.normalize("NFC", s)


def _whitespace(s: str, *, multiline: bool) -> str:
    if not multiline:
        # str.split() splits on every Unicode whitespace: tabs, newlines, NBSP, U+3000...
        return " ".join(s.split())
    # Keep line breaks (any of \r\n, \r, \v, \f, U+2028, ...) as \n, collapse spaces inside each
    # line, keep at most one empty line between paragraphs: what CSS `white-space: pre-line`
    # would show anyway.
    lines = [" ".join(line.split()) for line in s.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _clean(s: str, *, multiline: bool) -> str:
    """Steps 1–4 of the pipeline (no Zawgyi decision)."""
    if _HAS_INVISIBLE.search(s):
        s = s.translate(_INVISIBLE)
    if not s.isascii():  # ASCII needs no NFC and no script repair
        s = _nfc(s)
        for repair in _REPAIRS:
            s = repair(s)
        s = _nfc(s)
    if "\u200c" in s or "\u200d" in s:
        s = _JOINER_RUN.sub(lambda m: m.group()[-1], _JOINER_AT_EDGE.sub("", s))
    return _whitespace(s, multiline=multiline)


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """The normalised form of a piece of user text, with what happened to it.

    Attributes:
        text: the text to store and display.
        converted_from_zawgyi: True when the input was detected as Zawgyi and converted; the
            marketplace flags such text for the seller to check.
        zawgyi_probability: the detector's probability for the input after cleaning (0.0 when it
            has no Myanmar character), kept for the audit trail.
    """

    text: str
    converted_from_zawgyi: bool
    zawgyi_probability: float


def normalize_text_report(s: str, *, multiline: bool = False) -> NormalizedText:
    """Normalise user text and report whether it was converted from Zawgyi.

    Invariants: the result is NFC; normalising it again returns it unchanged (idempotence); text
    with no character from the scripts we repair only changes in invisible characters and
    whitespace.

    Args:
        s: text as the user typed it.
        multiline: keep line breaks (descriptions, addresses).  When False (titles, names,
            queries), every whitespace run, newlines included, becomes one space.

    Returns:
        The normalised text and the Zawgyi decision.
    """
    cleaned = _clean(s, multiline=multiline)
    probability = zawgyi_probability(cleaned)
    if probability > ZAWGYI_THRESHOLD:
        converted = _clean(zawgyi_to_unicode(cleaned), multiline=multiline)
        # Keep the conversion only if it looks like Unicode now.  Text that still looks like
        # Zawgyi after conversion was not Zawgyi (or is noise); converting it again and again
        # would make normalisation depend on how many times it ran.
        if zawgyi_probability(converted) <= ZAWGYI_THRESHOLD:
            return NormalizedText(converted, True, probability)
    return NormalizedText(cleaned, False, probability)


def normalize_text(s: str, *, multiline: bool = False) -> str:
    """Normalise user text before it is stored: Zawgyi, NFC, invisible characters, repairs.

    The pipeline: drop invisible characters (ZWSP, WJ, BOM, soft hyphen, bidi and control
    characters); NFC; Thai, Lao, Khmer, Burmese and Vietnamese repairs that NFC cannot do;
    whitespace; Zawgyi → Unicode when the detector is sure (P > 0.95).  See the module
    docstring for the order and its reasons.

    Invariants: idempotent; NFC output; ASCII/Latin text only changes in whitespace and
    invisible characters (Vietnamese tone placement aside).

    Args:
        s: text as the user typed it.
        multiline: keep line breaks (descriptions); otherwise whitespace runs become one space.

    Returns:
        The text to store.
    """
    return normalize_text_report(s, multiline=multiline).text


def exact_key(s: str) -> str:
    """Key for ranking exact matches: normalised, casefolded, whitespace collapsed.

    Diacritics and tones are kept (hoà ≠ hoa), unlike :func:`search_key`; ZWJ/ZWNJ are dropped.

    Args:
        s: a product title, a query, any user text.

    Returns:
        The key; equal keys mean the same text up to case, spacing and encoding.
    """
    return _nfc(strip_joiners(normalize_text(s).casefold()))


def search_key(s: str) -> str:
    """Folded key for recall: use it on both the indexed text and the query.

    normalize_text, casefold, then: diacritics removed from Latin letters (đ → d), native digits
    (Thai, Lao, Khmer, Myanmar, Shan, fullwidth...) to ASCII, Lao ໜ/ໝ spelled ຫນ/ຫມ, Khmer ឲ → ឱ,
    Burmese စျ → ဈ, ZWJ/ZWNJ dropped, whitespace runs as one space.  Thai, Lao, Khmer and Burmese
    marks are kept: they are letters there, not accents.

    Args:
        s: a product title, a query, any user text.

    Returns:
        The key.  ``search_key("Cà phê Đà Lạt") == search_key("ca phe da lat")``.
    """
    return fold_for_search(normalize_text(s).casefold())
