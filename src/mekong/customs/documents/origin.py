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
from datetime import date
from typing import Any

__all__ = ["Criterion", "CriterionError", "Term", "parse_criterion", "retroactive_problem"]

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


#: OCP rule 10: a certificate issued after shipment is marked "Issued Retroactively", at most
#: one year after the shipment.
RETROACTIVE_LIMIT_DAYS = 365


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def retroactive_problem(data: Any) -> str | None:
    """Why boxes 3, 12 and 13 disagree on retroactive issue, or None.

    Issued (box 12 date) after the departure (box 3) needs the "issued retroactively" tick
    (box 13) and at most a year's delay; the tick on a certificate issued by the departure
    date is wrong too. Without both dates there is nothing to compare.
    """
    if not isinstance(data, dict):
        return None
    transport, certification = data.get("transport"), data.get("certification")
    flags = data.get("flags") if isinstance(data.get("flags"), dict) else {}
    departure = _date(transport.get("departure_date")) if isinstance(transport, dict) else None
    issued = _date(certification.get("date")) if isinstance(certification, dict) else None
    if departure is None or issued is None:
        return None
    retro = bool(flags.get("issued_retroactively")) if isinstance(flags, dict) else False
    if issued > departure and not retro:
        return "issued after the departure date but not marked issued retroactively"
    if retro and issued <= departure:
        return "marked issued retroactively but issued by the departure date"
    if retro and (issued - departure).days > RETROACTIVE_LIMIT_DAYS:
        return "issued retroactively more than one year after the departure date"
    return None
