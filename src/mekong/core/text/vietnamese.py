"""Vietnamese tone-mark placement: one spelling for hoà/hòa, thuỷ/thủy, khoẻ/khỏe.

Vietnamese has two placement conventions in daily use.  They differ only in open syllables whose
vowel group starts with the glide o or u (oa, oe, uy): the "old" style puts the tone on the
glide (hòa, khỏe, thủy), the "new" style on the main vowel (hoà, khoẻ, thuỷ).  NFC and NFKC keep
both, because the tone sits on a different letter.

We store the **new style**.  It is the rule of Decision 1989/QĐ-BGDĐT of 25 May 2018 (Ministry
of Education and Training, spelling in general-education textbooks), art. 8: "the tone mark is
placed above or below the letter of the main vowel of the syllable", with the examples hoà nhạc,
quý hoá, thuỷ thủ, mạnh khoẻ; for ia/ua/ưa on the first letter (bìa, lụa, lửa), for
iê/yê/uô/uơ/ươ on the second (biển, thuyền, nhuộm, được).  Legal texts still use the old style
(Luật Thủy sản 2017), so both reach us; search keys drop tones anyway, this is for exact keys
and for duplicates.

Only words that parse as one Vietnamese syllable are touched (a Vietnamese initial, a vowel
group starting o/u, a Vietnamese final), so French "où", Italian "più" or Spanish "huí" pass
through.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["normalize_vietnamese_tones"]

# Combining tone marks: huyền, sắc, ngã, hỏi, nặng.
_TONE_MARKS: Final = ("\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
_VOWELS: Final = "aăâeêioôơuưy"


def _build_tables() -> tuple[dict[str, tuple[str, str]], dict[tuple[str, str], str]]:
    split: dict[str, tuple[str, str]] = {}
    join: dict[tuple[str, str], str] = {}
    for vowel in _VOWELS + _VOWELS.upper():
        for tone in ("", *_TONE_MARKS):
            composed = unicodedata.normalize("NFC", vowel + tone)
            assert len(composed) == 1, composed  # every Vietnamese vowel+tone is precomposed
            split[composed] = (vowel, tone)
            join[(vowel, tone)] = composed
    return split, join


_SPLIT, _JOIN = _build_tables()
_CONSONANTS: Final = "bcdđghklmnpqrstvxfjwz"
_LETTERS: Final = "".join(sorted(set(_SPLIT) | set(_CONSONANTS) | set(_CONSONANTS.upper())))
# A tone on the glide o before a/e/ă, or on the glide u before y/â/ê/ơ: the old style (hòa,
# thủy) or a typo (hòan).  Text without one is returned untouched without parsing.
_GLIDE_TONED_PATTERN: Final = "[òóõỏọÒÓÕỎỌ][aeăAEĂ]|[ùúũủụÙÚŨỦỤ][yâêơYÂÊƠ]"
_GLIDE_TONED: Final = re.compile(_GLIDE_TONED_PATTERN)
# A word of Latin letters of the Vietnamese alphabet that contains such a pair and is not part
# of a longer word (no letter of any alphabet touches it on either side).
_CANDIDATE: Final = re.compile(
    f"(?<![^\\W\\d_])[{_LETTERS}]*(?:{_GLIDE_TONED_PATTERN})[{_LETTERS}]*(?![^\\W\\d_])"
)
# Initial consonant, vowel group, final consonant (on lowercase, toneless letters).  "qu" and
# "gi" are initials: in quý the u, in giá the i, belong to the consonant.  Plain "p" (only in
# loanwords), f, j, w and z are not Vietnamese initials, which keeps "più" out.
_SYLLABLE: Final = re.compile(
    "(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnrstvx]?)([aăâeêioôơuưy]+)(ch|ng|nh|[cmnpt]?)"
)
# Vowel groups whose first letter is the glide o/u (the groups where placement is disputed or
# mistyped); with a quality mark (ă â ê ô ơ) the tone goes on that letter.
_GLIDE_GROUPS: Final = frozenset(
    {"oa", "oe", "uy", "oai", "oay", "oeo", "uya", "uyu", "oă", "uâ", "uê", "uyê", "uây", "uơ"}
)
_QUALITY: Final = frozenset("ăâêôơư")


def _tone_target(initial: str, group: str, final: str) -> int | None:
    """Index in ``group`` of the letter that carries the tone, or None if not our case."""
    if initial == "qu" and group[0] == "y" and group in ("y", "yê"):
        return len(group) - 1  # quý, quyển: the u belongs to the consonant
    if group not in _GLIDE_GROUPS:
        return None
    marked = [i for i, ch in enumerate(group) if ch in _QUALITY]
    if marked:
        return marked[-1]
    # Skip the glide; then the main vowel is the last letter before a final consonant
    # (hoàn, huỳnh) and the first letter of what is left in an open syllable (hoà, ngoài, khuỷu).
    return len(group) - 1 if final else 1


def _fix_word(m: re.Match[str]) -> str:
    word = m.group()
    parts = [_SPLIT.get(ch, (ch, "")) for ch in word]
    toned = [i for i, (_, tone) in enumerate(parts) if tone]
    if len(toned) != 1:
        return word
    bare = "".join(letter for letter, _ in parts).lower()
    syllable = _SYLLABLE.fullmatch(bare)
    if syllable is None:
        return word
    initial, group, final = syllable.groups()
    target = _tone_target(initial, group, final)
    if target is None:
        return word
    target += len(initial)
    source = toned[0]
    if target == source:
        return word
    tone = parts[source][1]
    parts[source] = (parts[source][0], "")
    parts[target] = (parts[target][0], tone)
    return "".join(_JOIN.get(p, p[0]) for p in parts)


def normalize_vietnamese_tones(s: str) -> str:
    """Move Vietnamese tone marks to the main vowel (new style: hòa → hoà, thủy → thuỷ).

    Case is kept (HÒA → HOÀ, Thủy → Thuỷ).  Words with no tone, with several tones, or that do
    not parse as a Vietnamese syllable are left alone.

    Args:
        s: NFC text (precomposed letters), any script.

    Returns:
        The text with tone marks placed by the 2018 rule.
    """
    if not _GLIDE_TONED.search(s):
        return s
    return _CANDIDATE.sub(_fix_word, s)
