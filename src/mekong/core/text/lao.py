"""Repairs and search folding for Lao text.

The Lao block (U+0E80–U+0EFF) was laid out parallel to Thai, and Lao typists meet the same
traps: ໍ + າ (NIGGAHITA + AA) for ຳ (AM, which has only a compatibility decomposition), a tone
mark typed before an above-vowel (ccc 0, so NFC never reorders them), ເເ for ແ.  Lao also has
two ligature letters, ໜ (U+0EDC) and ໝ (U+0EDD), that are written just as often as ຫ + ນ and
ຫ + ມ; NFKC decomposes them, NFC does not.
"""

from __future__ import annotations

import re
from typing import Final

from mekong.core.text.mark_order import MarkOrder

__all__ = ["fold_lao", "repair_lao"]

_HAS_LAO: Final = re.compile("[\u0e81-\u0edf]")

_DOUBLE_E: Final = re.compile("\u0ec0\u0ec0")  # ເເ typed for ແ
_NIGGAHITA_AA: Final = re.compile("\u0ecd([\u0ec8-\u0ecb]?)\u0eb2")  # ໍ (tone) າ → (tone) ຳ
_AM_THEN_TONE: Final = re.compile("\u0eb3([\u0ec8-\u0ecb]+)")  # ນຳ້ → ນ້ຳ

# Storage order on one consonant: semivowel ຼ (ຫຼ), then vowel signs and NIGGAHITA, then tone
# marks and the cancellation mark ໌.  Below-vowels (ccc 118) before tones (ccc 122) agrees with
# NFC, so NFC never undoes it.
_MARKS: Final = MarkOrder(
    {
        "\u0ebc": 0,
        **dict.fromkeys("\u0eb1\u0eb4\u0eb5\u0eb6\u0eb7\u0eb8\u0eb9\u0eba\u0ebb\u0ecd", 1),
        **dict.fromkeys("\u0ec8\u0ec9\u0eca\u0ecb\u0ecc", 2),
    }
)
_SUSPECT: Final = re.compile("\u0ec0\u0ec0|\u0ecd|\u0eb3[\u0ec8-\u0ecb]")

# ໜ → ຫນ and ໝ → ຫມ, the direction NFKC takes, so our keys agree with any engine (Groonga's
# NormalizerNFKC, ICU folding) that applies NFKC on its side.
LAO_FOLD: Final[dict[int, str]] = {0x0EDC: "\u0eab\u0e99", 0x0EDD: "\u0eab\u0ea1"}


def repair_lao(s: str) -> str:
    """Fix Lao spellings that render alike but are encoded differently.

    - ເເ → ແ; ໍ + າ → ຳ (with a tone mark moved before it); a tone typed after ຳ moved before;
    - on one consonant: ຼ first, then vowel signs, then tone marks; repeated marks dropped.

    ໜ and ໝ are kept as typed: the seller's spelling is what we display.  :func:`fold_lao`
    unifies them for search keys.

    Args:
        s: NFC text, any script.

    Returns:
        The text with its Lao runs repaired; other scripts are untouched.
    """
    if not _HAS_LAO.search(s) or not (_SUSPECT.search(s) or _MARKS.needs_fix(s)):
        return s
    for _ in range(4):  # repeat until stable, as for Thai
        fixed = _DOUBLE_E.sub("\u0ec1", s)
        fixed = _MARKS.fix(fixed)
        fixed = _NIGGAHITA_AA.sub("\\1\u0eb3", fixed)
        fixed = _AM_THEN_TONE.sub("\\1\u0eb3", fixed)
        if fixed == s:
            break
        s = fixed
    return s


def fold_lao(s: str) -> str:
    """Spell the ligatures ໜ and ໝ as ຫນ and ຫມ (for search keys only).

    Args:
        s: any text.

    Returns:
        The text with U+0EDC and U+0EDD decomposed.
    """
    return s.translate(LAO_FOLD)
