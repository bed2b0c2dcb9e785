"""Ordering and de-duplication of the combining marks stacked on one consonant (Thai, Lao).

In Thai and Lao the vowel signs above the consonant have canonical combining class 0, so NFC
never reorders them against a tone mark: the two typing orders stay two strings.  This module
sorts each run of marks by a per-script rank and drops a mark typed twice (the glyphs overlap,
so a repeated mark is invisible and always a typo).
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["MarkOrder"]


def _char_class(chars: str) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


class MarkOrder:
    """Sort runs of combining marks into storage order and drop repeated marks.

    Args:
        ranks: each mark of the script and its rank; lower ranks are stored first.  Marks of
            equal rank keep their typed order (NFC sorts those with different non-zero
            combining classes).
    """

    __slots__ = ("_ranks", "_run", "_suspect")

    def __init__(self, ranks: dict[str, int]) -> None:
        self._ranks: Final = dict(ranks)
        marks = _char_class("".join(ranks))
        self._run: Final = re.compile(marks + "{2,}")
        # Any run that fix() would change has a mark followed by one of lower rank, or the
        # same mark twice; text without either skips the per-run callback entirely.
        descents = [
            _char_class("".join(c for c, r in ranks.items() if r > rank))
            + _char_class("".join(c for c, r in ranks.items() if r == rank))
            for rank in sorted(set(ranks.values()))[:-1]
        ]
        self._suspect: Final = re.compile("|".join([*descents, f"({marks}){marks}*?\\1"]))

    def needs_fix(self, s: str) -> bool:
        """Tell whether some run of marks in ``s`` is out of order or has a repeated mark."""
        return self._suspect.search(s) is not None

    def fix(self, s: str) -> str:
        """Return ``s`` with every run of marks sorted by rank and de-duplicated."""
        return self._run.sub(self._fix_run, s)

    def _fix_run(self, m: re.Match[str]) -> str:
        marks = list(dict.fromkeys(m.group()))
        marks.sort(key=self._ranks.__getitem__)
        return "".join(marks)
