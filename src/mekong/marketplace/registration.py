"""Business registration numbers of the five GMS countries: format (and check digit) checks.

Only the shape is checked here; an operator still verifies the number against the registry.

- TH: the 13-digit juristic person number of the Department of Business Development (also the
  company's tax id). It starts with 0 and its last digit is the mod-11 check digit of the
  national identification number: ``(11 − Σ dᵢ·(13−i) mod 11) mod 10`` over the first 12
  digits. Rule as documented by python-stdnum ``stdnum/th/moa.py`` (DBD source cited there);
  reimplemented here.
- VN: the enterprise code is the tax code (mã số thuế): 10 digits, or 13 for a branch
  (the parent's 10 + a 3-digit branch number, often written ``0314409058-002``). The 10th digit
  is ``10 − (Σ wᵢ·dᵢ mod 11)`` with weights 31, 29, 23, 19, 17, 13, 7, 5, 3; rule as documented
  by python-stdnum ``stdnum/vn/mst.py``; reimplemented here.
- KH: ILLUSTRATIVE. The Ministry of Commerce registration number (8–10 digits, as in the demo
  data) or the GDT tax id ``K001-123456789`` / ``L001-…`` (letter, 3 digits, 9 digits). Not
  checked against a published specification.
- LA: ILLUSTRATIVE. The enterprise registration / tax number as 9–12 digits.
- MM: ILLUSTRATIVE. The MyCO company registration number as 9 digits (e.g. ``112233445``).
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-./]")


def compact(number: str) -> str:
    """The number without spaces, dashes, dots and slashes, upper-cased (ASCII digits only)."""
    return _SEPARATORS.sub("", number or "").upper()


def _th_check(number: str) -> str:
    total = sum(int(d) * (13 - i) for i, d in enumerate(number[:12]))
    return str((11 - total % 11) % 10)


def _vn_check(number: str) -> str:
    weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
    total = sum(w * int(d) for w, d in zip(weights, number, strict=False))
    return str(10 - total % 11)


def _valid_th(n: str) -> bool:
    return len(n) == 13 and n.isdigit() and n[0] == "0" and n[-1] == _th_check(n)


def _valid_vn(n: str) -> bool:
    if len(n) not in (10, 13) or not n.isdigit() or n[2:9] == "0000000":
        return False
    if len(n) == 13 and n[-3:] == "000":
        return False
    return n[9] == _vn_check(n)


_PATTERNS = {
    "KH": re.compile(r"\d{8,10}|[A-Z]\d{3}\d{9}"),
    "LA": re.compile(r"\d{9,12}"),
    "MM": re.compile(r"\d{9}"),
}


def is_valid(country: str, number: str) -> bool:
    """True when ``number`` has the shape of a business registration number of ``country``."""
    n = compact(number)
    if not n.isascii():
        return False
    if country == "TH":
        return _valid_th(n)
    if country == "VN":
        return _valid_vn(n)
    pattern = _PATTERNS.get(country)
    return bool(pattern and pattern.fullmatch(n))
