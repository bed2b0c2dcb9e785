"""Zawgyi detection and Zawgyi → Unicode conversion for Burmese.

Zawgyi is a font hack, not an encoding: it reuses the code points of the Unicode Myanmar block
(and fills U+105A–U+109F, which Unicode gives to Mon, Shan and Karen, with glyph variants) and
stores text in *visual* order.  The vowel ေ and the medial ြ are typed before the consonant they
follow in speech, kinzi is typed after the consonant it sits on, U+1039 means asat instead of
virama, U+103A–U+103D mean the medials ya, ra, wa and ha (Unicode U+103B–U+103E), and a stacked
consonant is one precomposed glyph (U+1060–U+1097) instead of virama + consonant.

The converter works in three steps, each on a whole orthographic cluster:

1. every Zawgyi code point becomes typed *tokens* (a base letter, a prefix that belongs to the
   next base, a kinzi or a stacked consonant, or a dependent sign), with its Unicode spelling;
2. tokens are grouped into clusters, one per base letter: the prefixes typed before a base and
   the signs typed after it;
3. each cluster is written out in the Unicode storage order of UTN #11 ("Representing Myanmar in
   Unicode"): kinzi, base, stacked consonants, medials Y R W H, vowel E, upper vowels, lower
   vowels, AA, anusvara, dot below, asat, visarga.

Sorting a cluster, rather than rewriting fixed glyph sequences, is what makes the converter
robust to the many orders in which Zawgyi users typed invisible-order marks.  The results were
validated against ICU's CLDR transform ``Zawgyi-my`` (see ``tests/data/zawgyi_pairs.json``).
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from enum import IntEnum
from functools import lru_cache
from typing import Final

from myanmartools import ZawgyiDetector

from mekong.core.text.burmese import repair_burmese

__all__ = [
    "ZAWGYI_THRESHOLD",
    "is_zawgyi",
    "zawgyi_probability",
    "zawgyi_to_unicode",
]

#: Probability above which text is converted without a human looking at it.  The myanmar-tools
#: README recommends 0.95 for automatic conversion (< 1% of Unicode strings wrongly flagged).
ZAWGYI_THRESHOLD: Final = 0.95

# Any character of the Myanmar block or its extensions.  Text without one cannot be Zawgyi, and
# the detector (pure Python, about 1.5 µs per character) is skipped for it.
_HAS_MYANMAR: Final = re.compile("[\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f]")


@lru_cache(maxsize=1)
def _detector() -> ZawgyiDetector:
    # Loaded lazily: reading the model costs a few milliseconds that most processes never need.
    # myanmartools 1.2.1 reads it with importlib.resources.open_binary, deprecated since 3.11;
    # silence that one warning so test suites that turn warnings into errors still pass.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "open_binary is deprecated", DeprecationWarning)
        return ZawgyiDetector()


def zawgyi_probability(s: str) -> float:
    """Return the probability that ``s`` is Zawgyi-encoded Burmese.

    Args:
        s: any text.

    Returns:
        A probability in [0, 1]; 0.0 for text with no Myanmar character (the underlying model
        returns ``-inf`` there, which we clamp so callers can compare numbers).
    """
    if not _HAS_MYANMAR.search(s):
        return 0.0
    p = float(_detector().get_zawgyi_probability(s))
    return p if p > 0.0 else 0.0


def is_zawgyi(s: str, threshold: float = ZAWGYI_THRESHOLD) -> bool:
    """Tell whether ``s`` looks like Zawgyi-encoded Burmese.

    Args:
        s: any text.
        threshold: probability above which the text counts as Zawgyi.  Keep the default for
            automatic conversion; use about 0.05 to flag text for a human to review.

    Returns:
        True when Google's myanmar-tools model gives a probability above ``threshold``.  Words
        spelled with the same code points in both encodings (ပိုးပုဆိုး, ငါးပိ) score in between.
    """
    return zawgyi_probability(s) > threshold


class _Kind(IntEnum):
    BASE = 0  # a letter that carries signs: consonant, independent vowel, ဿ, ၎
    PREFIX = 1  # typed before its base in Zawgyi: vowel sign E and medial RA
    KINZI = 2  # typed after its base in Zawgyi, stored before it in Unicode
    STACK = 3  # virama + consonant (one glyph in Zawgyi)
    SIGN = 4  # every other dependent sign
    DIGIT_ZERO = 5  # ၀, which Zawgyi users also typed for the letter WA ဝ
    OTHER = 6  # not Burmese: ends the cluster


_Token = tuple[_Kind, str]

_KINZI: Final = "\u1004\u103a\u1039"
_LIGATURE: Final = "\u104e\u1004\u103a\u1038"  # ၎င်း
_LIGATURE_TYPED_TWICE: Final = _LIGATURE + "\u1004\u103a\u1038"
_ASAT: Final = "\u103a"
_U: Final = "\u102f"

# Unicode storage order of the dependent signs inside a cluster (UTN #11, "Representing Myanmar
# in Unicode").  Kinzi, the base and the stacked consonants come first and are placed apart.
_SIGN_RANK: Final[dict[str, int]] = {
    "\u103b": 10,  # medial YA  ျ
    "\u103c": 11,  # medial RA  ြ
    "\u103d": 12,  # medial WA  ွ
    "\u103e": 13,  # medial HA  ှ
    "\u1031": 20,  # vowel E    ေ
    "\u102d": 30,  # vowel I    ိ
    "\u102e": 30,  # vowel II   ီ
    "\u1032": 30,  # vowel AI   ဲ
    "\u102f": 40,  # vowel U    ု
    "\u1030": 40,  # vowel UU   ူ
    "\u102b": 50,  # tall AA    ါ
    "\u102c": 50,  # vowel AA   ာ
    "\u1036": 60,  # anusvara   ံ
    "\u1037": 70,  # dot below  ့  (NFC also puts it before asat: ccc 7 < 9)
    "\u103a": 80,  # asat       ်
    "\u1038": 90,  # visarga    း
}
# In ကျွန်ုပ် "I" the vowel U is stored after the asat of န; ICU's transform writes it that way
# whatever order the Zawgyi typist used.  Asat gets this rank when the cluster also has U.
_ASAT_BEFORE_U_RANK: Final = 35


def _build_tokens() -> dict[str, tuple[_Token, ...]]:
    """Map each Zawgyi code point to the Unicode tokens it stands for."""
    base, prefix, kinzi, stack, sign = (
        _Kind.BASE,
        _Kind.PREFIX,
        _Kind.KINZI,
        _Kind.STACK,
        _Kind.SIGN,
    )
    table: dict[str, tuple[_Token, ...]] = {}
    # Letters with the same code point in both encodings.
    for cp in [*range(0x1000, 0x1022), *range(0x1023, 0x102B), 0x103F]:
        table[chr(cp)] = ((base, chr(cp)),)
    # Zawgyi's ၎ glyph already shows the ending င်း (ICU expands it the same way).
    table["\u104e"] = ((base, "\u104e"), (base, "\u1004"), (sign, _ASAT), (sign, "\u1038"))
    # Signs with the same code point in both encodings.
    for ch in "\u102b\u102c\u102d\u102e\u102f\u1030\u1032\u1036\u1037\u1038":
        table[ch] = ((sign, ch),)
    table["\u1031"] = ((prefix, "\u1031"),)
    table["\u1040"] = ((_Kind.DIGIT_ZERO, "\u1040"),)
    # Code points whose meaning moved between the encodings.
    table["\u1033"] = ((sign, "\u102f"),)  # long-descender U
    table["\u1034"] = ((sign, "\u1030"),)  # long-descender UU
    table["\u1039"] = ((sign, _ASAT),)  # Zawgyi asat
    table["\u103a"] = ((sign, "\u103b"),)  # medial YA
    table["\u107d"] = ((sign, "\u103b"),)  # short medial YA
    for cp in [0x103B, *range(0x107E, 0x1085)]:
        table[chr(cp)] = ((prefix, "\u103c"),)  # medial RA and its width variants
    table["\u103c"] = ((sign, "\u103d"),)  # medial WA
    table["\u103d"] = ((sign, "\u103e"),)  # medial HA
    table["\u1087"] = ((sign, "\u103e"),)  # short medial HA
    table["\u108a"] = ((sign, "\u103d"), (sign, "\u103e"))  # WA + HA ligature
    table["\u1088"] = ((sign, "\u103e"), (sign, _U))  # HA + U ligature
    table["\u1089"] = ((sign, "\u103e"), (sign, "\u1030"))  # HA + UU ligature
    table["\u105a"] = ((sign, "\u102b"), (sign, _ASAT))  # tall AA + asat
    table["\u108e"] = ((sign, "\u102d"), (sign, "\u1036"))  # I + anusvara
    table["\u1094"] = ((sign, "\u1037"),)  # dot below, shifted right
    table["\u1095"] = ((sign, "\u1037"),)  # dot below, shifted left
    # Kinzi alone and fused with the upper sign that shares its place.
    table["\u1064"] = ((kinzi, _KINZI),)
    table["\u108b"] = ((kinzi, _KINZI), (sign, "\u102d"))
    table["\u108c"] = ((kinzi, _KINZI), (sign, "\u102e"))
    table["\u108d"] = ((kinzi, _KINZI), (sign, "\u1036"))
    # Glyph variants of letters (short NA and RA leave room for a sign below).
    table["\u106a"] = ((base, "\u1009"),)
    table["\u106b"] = ((base, "\u100a"),)
    table["\u108f"] = ((base, "\u1014"),)
    table["\u1090"] = ((base, "\u101b"),)
    table["\u1086"] = ((base, "\u103f"),)  # great SA ဿ
    # Stacked (subscript) consonants: one glyph each in Zawgyi, virama + letter in Unicode.
    stacked = {
        0x1060: 0x1000, 0x1061: 0x1001, 0x1062: 0x1002, 0x1063: 0x1003, 0x1065: 0x1005,
        0x1066: 0x1006, 0x1067: 0x1006, 0x1068: 0x1007, 0x1069: 0x1008, 0x106C: 0x100B,
        0x106D: 0x100C, 0x1070: 0x100F, 0x1071: 0x1010, 0x1072: 0x1010, 0x1073: 0x1011,
        0x1074: 0x1011, 0x1075: 0x1012, 0x1076: 0x1013, 0x1077: 0x1014, 0x1078: 0x1015,
        0x1079: 0x1016, 0x107A: 0x1017, 0x107B: 0x1018, 0x1093: 0x1018, 0x107C: 0x1019,
        0x1085: 0x101C,
    }  # fmt: skip
    for zg, letter in stacked.items():
        table[chr(zg)] = ((stack, "\u1039" + chr(letter)),)
    table["\u1096"] = ((stack, "\u1039\u1010"), (sign, "\u103d"))  # stacked TA + WA
    # Precomposed base + stacked consonant ligatures of Pali retroflexes.
    ligatures = {0x106E: (0x100D, 0x100D), 0x106F: (0x100D, 0x100E), 0x1091: (0x100F, 0x100D),
                 0x1092: (0x100B, 0x100C), 0x1097: (0x100B, 0x100B)}  # fmt: skip
    for zg, (top, bottom) in ligatures.items():
        table[chr(zg)] = ((base, chr(top)), (stack, "\u1039" + chr(bottom)))
    return table


_TOKENS: Final = _build_tokens()


def _tokens(ch: str) -> tuple[_Token, ...]:
    return _TOKENS.get(ch) or ((_Kind.OTHER, ch),)


@dataclass(slots=True)
class _Cluster:
    base: str
    kinzi: bool = False
    stacks: list[str] = field(default_factory=list)
    signs: list[str] = field(default_factory=list)

    def add(self, kind: _Kind, text: str) -> None:
        if kind is _Kind.KINZI:
            self.kinzi = True
        elif kind is _Kind.STACK:
            self.stacks.append(text)
        else:
            self.signs.append(text)

    def render(self) -> str:
        base, stacks = self.base, self.stacks
        signs = list(dict.fromkeys(self.signs))  # an invisible repeated sign is a typo
        if base == "\u1025" and (stacks or _ASAT in signs):
            # Zawgyi typists used U+1025 ဥ for both ဥ and the letter NYA ဉ; only ဉ takes an
            # asat or a stacked consonant (ဉ် in ဥယျာဉ်, ဉ္စ in ပဉ္စမ).
            base = "\u1009"
        if "\u103b" in signs and (
            stacks[-1:] == ["\u1039\u1005"] or (base == "\u1005" and not stacks)
        ):
            # စ + medial YA looks exactly like ဈ in Zawgyi fonts and was the usual way to type
            # it; ICU's transform reads it as ဈ, so ဈေး and စျေး both come out as ဈေး.
            if stacks:
                stacks = [*stacks[:-1], "\u1039\u1008"]
            else:
                base = "\u1008"
            signs.remove("\u103b")
        if "\u102d" in signs and "\u102e" in signs:
            signs.remove("\u102d")  # I typed over II renders as II
        if _U in signs and "\u1030" in signs:
            signs.remove("\u1030")  # U typed over UU renders as U
        asat_before_u = _U in signs and _ASAT in signs
        signs.sort(
            key=lambda s: (
                _ASAT_BEFORE_U_RANK if asat_before_u and s == _ASAT else _SIGN_RANK.get(s, 100)
            )
        )
        head = _KINZI if self.kinzi else ""
        return head + base + "".join(stacks) + "".join(signs)


def _is_sign_token(tokens: tuple[_Token, ...]) -> bool:
    return tokens[0][0] in (_Kind.SIGN, _Kind.KINZI, _Kind.STACK)


def zawgyi_to_unicode(s: str) -> str:
    """Convert Zawgyi-encoded Burmese to Unicode (NFC).

    Characters that are not Burmese pass through unchanged, so mixed text (Burmese with Latin
    brand names, digits and punctuation) converts safely.  Calling this on text that is already
    Unicode *will* corrupt it; decide with :func:`is_zawgyi` first.

    Args:
        s: text in the Zawgyi encoding.

    Returns:
        The same text in Unicode storage order, NFC-normalised, with ၀ typed for ဝ repaired
        (see :func:`mekong.core.text.burmese.repair_burmese`).
    """
    out: list[str] = []
    cluster: _Cluster | None = None
    prefixes: list[str] = []

    def flush_prefixes() -> None:
        # Prefixes with no base to land on (typed before a space or at the end) stay as typed.
        out.extend(prefixes)
        prefixes.clear()

    chars = list(s)
    n = len(chars)
    for i, ch in enumerate(chars):
        for kind, text in _tokens(ch):
            if kind is _Kind.DIGIT_ZERO:
                # ၀ is the letter WA ဝ when a sign is typed around it (ေ၀း "far"); the letter/digit
                # repair in normalize_text handles the contexts that need a look at neighbours.
                nxt = _tokens(chars[i + 1]) if i + 1 < n else None
                if prefixes or (nxt is not None and _is_sign_token(nxt)):
                    kind, text = _Kind.BASE, "\u101d"
                else:
                    kind = _Kind.OTHER
            if kind is _Kind.BASE:
                if cluster is not None:
                    out.append(cluster.render())
                cluster = _Cluster(base=text, signs=list(prefixes))
                prefixes.clear()
            elif kind is _Kind.PREFIX:
                prefixes.append(text)
            elif kind is _Kind.OTHER:
                if cluster is not None:
                    out.append(cluster.render())
                    cluster = None
                flush_prefixes()
                out.append(text)
            elif cluster is None:
                # A sign with nothing to attach to (start of text, after a space): keep it.
                flush_prefixes()
                out.append(text)
            elif prefixes:
                # A prefix followed by a sign, not by a base, belongs to the cluster before it:
                # Zawgyi types the E of ကမ္ဘော after the stacked ဘ glyph (မ႓ော).
                cluster.signs.extend(prefixes)
                prefixes.clear()
                cluster.add(kind, text)
            else:
                cluster.add(kind, text)
    if cluster is not None:
        out.append(cluster.render())
    flush_prefixes()
    result = "".join(out)
    # ၎ was expanded to ၎င်း above; a typist who also typed the ending would get it twice.
    result = result.replace(_LIGATURE_TYPED_TWICE, _LIGATURE)
    # ၀ typed for ဝ where the converter could not see it (၀က္ "pork": no sign on the ၀ itself).
    return repair_burmese(unicodedata.normalize("NFC", result))
