"""Numbers, dates and money are displayed per locale (CLDR via Babel)."""

from datetime import UTC, datetime

from mekong.core.formatting import format_datetime, format_money, format_number
from mekong.core.money import Money


def test_money_per_locale():
    assert format_money(Money(123450, "THB"), "th") == "฿1,234.50"
    # Vietnamese groups with dots and puts the symbol after; VND has no decimals.
    assert format_money(Money(1234567, "VND"), "vi") == "1.234.567\xa0₫"
    # Lao kip is displayed without decimals (CLDR) although ISO stores two minor units.
    assert format_money(Money(123456789, "LAK"), "lo") == "₭1.234.568"


def test_numbers_per_locale():
    assert format_number(1234567.5, "en") == "1,234,567.5"
    assert format_number(1234567.5, "vi") == "1.234.567,5"


def test_dates_use_the_locale_month_names():
    when = datetime(2026, 11, 28, 10, 5, tzinfo=UTC)
    assert "พ.ย." in format_datetime(when, "th")
    assert "វិច្ឆិកា" in format_datetime(when, "km")


def test_unknown_language_falls_back_to_english():
    assert format_money(Money(100, "USD"), "xx") == "$1.00"
