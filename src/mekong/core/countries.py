"""Countries the platform knows: the five GMS members, the rest of ASEAN, and corridor partners.

Pure data, no Django import. ISO 3166-1 alpha-2 codes are the identifiers stored everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone


@dataclass(frozen=True, slots=True)
class Country:
    """A country with the facts the platform needs about it.

    Attributes:
        code: ISO 3166-1 alpha-2 code (``TH``).
        name: English short name.
        currency: ISO 4217 code of the national currency.
        language: BCP 47 code of the main official language (a site language where we have one).
        gms: True for the five Greater Mekong Subregion member countries.
        asean: True for ASEAN member states.
        calling_code: international dialling prefix without ``+``.
        utc_offset: minutes ahead of UTC of the country's civil time (of its capital where it
            spans several zones: Indonesia's WIB).

    A fixed offset, not an IANA zone: none of these countries keeps daylight saving time, and
    their offsets have not changed since 1982 (when Malaysia and Singapore moved to UTC+8),
    so a day boundary needs no time-zone database on the host.
    """

    code: str
    name: str
    currency: str
    language: str
    gms: bool
    asean: bool
    calling_code: str
    utc_offset: int

    @property
    def tz(self) -> timezone:
        """The country's civil time as a fixed-offset `tzinfo`."""
        return timezone(timedelta(minutes=self.utc_offset), self.code)


_COUNTRIES = (
    Country(
        "KH", "Cambodia", "KHR", "km", gms=True, asean=True, calling_code="855", utc_offset=420
    ),
    Country("LA", "Lao PDR", "LAK", "lo", gms=True, asean=True, calling_code="856", utc_offset=420),
    Country("MM", "Myanmar", "MMK", "my", gms=True, asean=True, calling_code="95", utc_offset=390),
    Country("TH", "Thailand", "THB", "th", gms=True, asean=True, calling_code="66", utc_offset=420),
    Country("VN", "Viet Nam", "VND", "vi", gms=True, asean=True, calling_code="84", utc_offset=420),
    Country(
        "BN",
        "Brunei Darussalam",
        "BND",
        "ms",
        gms=False,
        asean=True,
        calling_code="673",
        utc_offset=480,
    ),
    Country(
        "ID", "Indonesia", "IDR", "id", gms=False, asean=True, calling_code="62", utc_offset=420
    ),
    Country(
        "MY", "Malaysia", "MYR", "ms", gms=False, asean=True, calling_code="60", utc_offset=480
    ),
    Country(
        "PH", "Philippines", "PHP", "fil", gms=False, asean=True, calling_code="63", utc_offset=480
    ),
    Country(
        "SG", "Singapore", "SGD", "en", gms=False, asean=True, calling_code="65", utc_offset=480
    ),
    Country(
        "TL", "Timor-Leste", "USD", "pt", gms=False, asean=True, calling_code="670", utc_offset=540
    ),
    Country("CN", "China", "CNY", "zh", gms=False, asean=False, calling_code="86", utc_offset=480),
    Country("IN", "India", "INR", "hi", gms=False, asean=False, calling_code="91", utc_offset=330),
)

COUNTRIES: dict[str, Country] = {c.code: c for c in _COUNTRIES}
GMS_CODES: tuple[str, ...] = tuple(c.code for c in _COUNTRIES if c.gms)


class UnknownCountryError(ValueError):
    """Raised for a code that is not one of the platform's countries."""


def country(code: str) -> Country:
    """Return the country for an alpha-2 code (case-insensitive).

    Raises:
        UnknownCountryError: the code is not a platform country.
    """
    try:
        return COUNTRIES[code.upper()]
    except (KeyError, AttributeError):
        raise UnknownCountryError(f"unknown country code {code!r}") from None


def country_choices() -> list[tuple[str, str]]:
    """Choices for model fields and forms: GMS members first, then the others by name."""
    ordered = sorted(_COUNTRIES, key=lambda c: (not c.gms, c.name))
    return [(c.code, c.name) for c in ordered]
