"""Currencies with their ISO 4217 minor units.

Pure data, no Django import. Minor units follow ISO 4217 (the list maintained by SIX): this is
what amounts are stored in. Note the traps: VND has 0 minor units in ISO 4217 although some
banks print two decimals; LAK, KHR and MMK have 2 in ISO 4217 but are displayed without decimals
in practice (CLDR "cash" digits) — display is Babel's job (`mekong.core.formatting`), storage is
ISO's.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Currency:
    """An ISO 4217 currency.

    Attributes:
        code: alphabetic code (``THB``).
        numeric: numeric code as three digits (``764``), used by EMVCo QR tag 53.
        minor_units: digits after the decimal point in ISO 4217.
        name: English name.
    """

    code: str
    numeric: str
    minor_units: int
    name: str


_CURRENCIES = (
    Currency("THB", "764", 2, "Thai baht"),
    Currency("VND", "704", 0, "Vietnamese dong"),
    Currency("KHR", "116", 2, "Cambodian riel"),
    Currency("LAK", "418", 2, "Lao kip"),
    Currency("MMK", "104", 2, "Myanmar kyat"),
    Currency("USD", "840", 2, "US dollar"),
    Currency("SGD", "702", 2, "Singapore dollar"),
    Currency("MYR", "458", 2, "Malaysian ringgit"),
    Currency("IDR", "360", 2, "Indonesian rupiah"),
    Currency("PHP", "608", 2, "Philippine peso"),
    Currency("BND", "096", 2, "Brunei dollar"),
    Currency("CNY", "156", 2, "Chinese yuan"),
    Currency("INR", "356", 2, "Indian rupee"),
    Currency("EUR", "978", 2, "Euro"),
    Currency("JPY", "392", 0, "Japanese yen"),
)

CURRENCIES: dict[str, Currency] = {c.code: c for c in _CURRENCIES}
CURRENCIES_BY_NUMERIC: dict[str, Currency] = {c.numeric: c for c in _CURRENCIES}


class UnknownCurrencyError(ValueError):
    """Raised for a code that is not a supported currency."""


def currency(code: str) -> Currency:
    """Return the currency for an alphabetic or numeric ISO 4217 code.

    Raises:
        UnknownCurrencyError: the code is not supported.
    """
    if not isinstance(code, str):
        raise UnknownCurrencyError(f"unknown currency {code!r}")
    found = CURRENCIES.get(code.upper()) or CURRENCIES_BY_NUMERIC.get(code)
    if found is None:
        raise UnknownCurrencyError(f"unknown currency {code!r}")
    return found


def currency_choices() -> list[tuple[str, str]]:
    """Choices for model fields and forms."""
    return [(c.code, f"{c.code} — {c.name}") for c in _CURRENCIES]
