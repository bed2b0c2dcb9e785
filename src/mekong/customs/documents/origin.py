"""ATIGA origin criteria (Form D box 8): parse ``WO``, ``40%``, ``RVC 40%``, ``CTH``, combinations.

Grammar (ATIGA Annex 7, overleaf note 3, and the usual spellings in product-specific rules)::

    criterion   = alternative *( " or " alternative )
    alternative = term *( " + " term )
    term        = "WO" | "PE" | "CC" | "CTH" | "CTSH" | "SP" | "DMI"
                | ["RVC "] percent | "PC " percent          ; PC only below 40 %
    percent     = 1*3DIGIT "%"

``WO`` wholly obtained (Art. 27); ``PE`` produced entirely from originating materials;
``RVC x%`` regional value content; ``CC``/``CTH``/``CTSH`` change of chapter/heading/
subheading; ``SP`` specific process; ``PC x%`` partial cumulation (Art. 30(2)).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Criterion", "CriterionError", "Term", "parse_criterion"]

_TERM = re.compile(r"^(?:(WO|PE|CC|CTH|CTSH|SP)|(?:(RVC|PC) )?(\d{1,3})%)$")


class CriterionError(ValueError):
    """Not an origin criterion of the grammar above."""


@dataclass(frozen=True, slots=True)
class Term:
    """One rule: ``code`` is WO, PE, CC, CTH, CTSH, SP, RVC or PC; ``percent`` for RVC and PC."""

    code: str
    percent: int | None = None


@dataclass(frozen=True, slots=True)
class Criterion:
    """Alternatives (any one suffices), each a conjunction of terms."""

    alternatives: tuple[tuple[Term, ...], ...]

    @property
    def codes(self) -> set[str]:
        """Every rule code used."""
        return {t.code for alt in self.alternatives for t in alt}

    @property
    def needs_fob(self) -> bool:
        """A value-content rule is used, so box 9 must state the FOB value."""
        return bool(self.codes & {"RVC", "PC"})

    @property
    def wholly_obtained(self) -> bool:
        """The criterion is exactly ``WO``."""
        return self.alternatives == ((Term("WO"),),)


def parse_criterion(text: object) -> Criterion:
    """Parse a box 8 criterion.

    Raises:
        CriterionError: If it does not follow the grammar, or a percentage is out of range.
    """
    if not isinstance(text, str) or not text.strip() or len(text) > 80:
        raise CriterionError("empty or too long")
    alternatives = []
    for alt in re.split(r"\s+or\s+", text.strip(), flags=re.IGNORECASE):
        terms = []
        for raw in re.split(r"\s*\+\s*", alt.strip()):
            m = _TERM.match(raw.strip().upper())
            if not m:
                raise CriterionError(f"unknown rule {raw.strip()!r}")
            if m.group(1):
                terms.append(Term(m.group(1)))
                continue
            code = m.group(2) or "RVC"
            pct = int(m.group(3))
            if not 0 < pct <= 100:
                raise CriterionError(f"{code} percentage must be 1 to 100")
            if code == "PC" and pct >= 40:
                raise CriterionError("partial cumulation applies below 40%")
            terms.append(Term(code, pct))
        if any(t.code == "WO" for t in terms) and len(terms) > 1:
            raise CriterionError("WO cannot be combined with another rule")
        alternatives.append(tuple(terms))
    return Criterion(tuple(alternatives))
