"""HS 2022 nomenclature: validate declared codes and name them. Pure, no Django.

Data: ``hs/harmonized-system.csv`` (UN Comtrade H6 via datasets/harmonized-system, ODC-PDDL-1.0;
see ``hs/SOURCE.md``). UN Comtrade's reporting artefacts (``99``, ``9999``, ``999999``,
``TOTAL``) are dropped, so they are never accepted as declared codes.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

DATA = Path(__file__).resolve().parent / "hs" / "harmonized-system.csv"
_ARTEFACTS = frozenset({"99", "9999", "999999", "TOTAL"})


@functools.cache
def nomenclature() -> dict[str, str]:
    """Every HS 2022 chapter, heading and subheading code mapped to its Comtrade description."""
    with DATA.open(encoding="utf-8", newline="") as handle:
        return {
            row["hscode"]: row["description"]
            for row in csv.DictReader(handle)
            if row["hscode"] not in _ARTEFACTS
        }


def check_code(code: object) -> str | None:
    """Return an error code for a declared tariff code, or None when it is acceptable.

    Accepted: a 6-digit HS 2022 subheading, or an 8-digit national (AHTN) line whose first six
    digits are one. Error codes: ``not_a_string``, ``not_digits``, ``wrong_length``,
    ``unknown_subheading``.
    """
    if not isinstance(code, str):
        return "not_a_string"
    if not (code.isascii() and code.isdigit()):
        return "not_digits"
    if len(code) not in (6, 8):
        return "wrong_length"
    if code[:6] not in nomenclature():
        return "unknown_subheading"
    return None


def describe(code: str) -> str:
    """The Comtrade description of the code's subheading (or heading/chapter), or ``""``."""
    names = nomenclature()
    for size in (6, 4, 2):
        name = names.get(code[:size])
        if name:
            return name
    return ""
