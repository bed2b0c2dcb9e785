"""Repairs for Thai text: mark order and look-alike spellings that NFC does not unify.

Thai vowel signs above the consonant (ั ิ ี ึ ื ็) have canonical combining class 0, so NFC never
reorders them against a tone mark (ccc 107): ท + ่ + ี and ท + ี + ่ are different strings that
render the same.  Likewise ำ (SARA AM, U+0E33) has only a *compatibility* decomposition
(ํ + า), so NFC keeps น + ้ + ำ and น + ํ + ้ + า apart.  The fixes follow the input-sequence rules
of TIS 620 / WTT 2.0 that libthai's ``th_normalize`` and PyThaiNLP's ``normalize`` also apply.
"""

from __future__ import annotations

import re
from typing import Final

from mekong.core.text.mark_order import MarkOrder

__all__ = ["repair_thai"]

_HAS_THAI: Final = re.compile("[\u0e01-\u0e5b]")

# Two SARA E (เเ) typed for SARA AE (แ): they look identical, and no Thai word has two leading
# vowels in a row (a leading vowel is always followed by its consonant).
_DOUBLE_SARA_E: Final = re.compile("\u0e40\u0e40")
# NIKHAHIT + SARA AA typed for SARA AM, with the tone mark, if any, typed between or before
# them: น + ํ + ้ + า → น + ้ + ำ (the tone is stored before SARA AM).
_NIKHAHIT_AA: Final = re.compile("\u0e4d([\u0e48-\u0e4b]?)\u0e32")
# Tone marks typed after SARA AM (นำ้): they belong to the consonant, before ำ.
_AM_THEN_TONE: Final = re.compile("\u0e33([\u0e48-\u0e4b]+)")

# Vowel signs (and NIKHAHIT, which sits where they do) come before tone marks, THANTHAKHAT and
# YAMAKKAN: ที่ is ท ี ่, ฤทธิ์ is ธ ิ ์.  Below-vowels (ccc 103) versus tones (ccc 107) agree
# with NFC, so NFC afterwards never undoes this order.
_MARKS: Final = MarkOrder(
    {
        **dict.fromkeys("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e4d", 0),
        **dict.fromkeys("\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4e", 1),
    }
)
# Characters that only occur in text some rule would change: most Thai text has none of them
# and skips the rules.
_SUSPECT: Final = re.compile("\u0e40\u0e40|\u0e4d|\u0e33[\u0e48-\u0e4b]")


def repair_thai(s: str) -> str:
    """Fix Thai spellings that render alike but are encoded differently.

    - เเ (two SARA E) → แ (SARA AE);
    - ํ + า (NIKHAHIT + SARA AA) → ำ (SARA AM), moving a tone mark before it: นํ้า → น้ำ;
    - a tone mark typed after ำ moved before it: นำ้ → น้ำ;
    - vowel signs before tone marks (ท่ี → ที่, ม้ัง → มั้ง) and repeated marks dropped (ที่่ → ที่).

    Args:
        s: NFC text, any script.

    Returns:
        The text with its Thai runs repaired; other scripts are untouched.
    """
    if not _HAS_THAI.search(s) or not (_SUSPECT.search(s) or _MARKS.needs_fix(s)):
        return s
    # One fix can expose another (moving a tone off ำ can put it next to the same tone), so
    # repeat until nothing changes; that is what makes normalize_text idempotent.
    for _ in range(4):
        fixed = _DOUBLE_SARA_E.sub("\u0e41", s)
        fixed = _MARKS.fix(fixed)
        fixed = _NIKHAHIT_AA.sub("\\1\u0e33", fixed)
        fixed = _AM_THEN_TONE.sub("\\1\u0e33", fixed)
        if fixed == s:
            break
        s = fixed
    return s
