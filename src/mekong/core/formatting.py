"""Locale-aware display of numbers, dates and money with Babel (CLDR data).

Storage is ISO 4217 minor units; display follows CLDR: VND, LAK, MMK without decimals, the
symbol placement and grouping of each locale. The site languages map to CLDR locales here.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from mekong.core.money import Money

#: Site language code → CLDR locale used for formatting.
LOCALES = {"en": "en", "th": "th_TH", "vi": "vi_VN", "km": "km_KH", "lo": "lo_LA", "my": "my_MM"}
DEFAULT_LOCALE = "en"


@lru_cache(maxsize=64)
def _locale(language: str | None) -> Locale:
    code = LOCALES.get((language or DEFAULT_LOCALE).split("-")[0].lower(), DEFAULT_LOCALE)
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_LOCALE)


def format_money(money: Money, language: str | None) -> str:
    """Format ``money`` for display in ``language`` (``Money(123450, "THB")`` → ``฿1,234.50``)."""
    return babel_numbers.format_currency(
        money.to_decimal(), money.currency, locale=_locale(language)
    )


def format_number(value: int | float | Decimal, language: str | None) -> str:
    """Format a number with the locale's grouping and decimal symbols."""
    return babel_numbers.format_decimal(value, locale=_locale(language))


def format_percent(value: float | Decimal, language: str | None, *, digits: int = 2) -> str:
    """Format a fraction as a percentage (0.0254 → 2.54 %)."""
    pattern = "#,##0." + "0" * digits + "%" if digits else None
    return babel_numbers.format_percent(value, format=pattern, locale=_locale(language))


def format_date(value: date | datetime, language: str | None, *, fmt: str = "medium") -> str:
    """Format a date in the locale's style (and its calendar's month names)."""
    return babel_dates.format_date(value, format=fmt, locale=_locale(language))


def format_datetime(
    value: datetime, language: str | None, *, fmt: str = "medium", tz: str = "UTC"
) -> str:
    """Format an aware datetime in the locale's style, shown in ``tz``."""
    return babel_dates.format_datetime(
        value, format=fmt, tzinfo=babel_dates.get_timezone(tz), locale=_locale(language)
    )
