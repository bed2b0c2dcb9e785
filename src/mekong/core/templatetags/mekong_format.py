"""Template filters that format numbers, dates and money in the active language."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils import translation

from mekong.core import formatting
from mekong.core.money import Money

register = template.Library()


@register.filter(name="money")
def money_filter(value: Money | None) -> str:
    """``{{ price|money }}`` in the active language; empty for None."""
    if value is None:
        return ""
    return formatting.format_money(value, translation.get_language())


@register.filter(name="number")
def number_filter(value: int | float | Decimal | None) -> str:
    """``{{ count|number }}`` with locale grouping."""
    if value is None:
        return ""
    return formatting.format_number(value, translation.get_language())


@register.filter(name="percent")
def percent_filter(value: float | Decimal | None) -> str:
    """``{{ 0.0254|percent }}`` → ``2.54%`` in the active language."""
    if value is None:
        return ""
    return formatting.format_percent(value, translation.get_language())


@register.filter(name="localdate")
def localdate_filter(value: date | datetime | None, fmt: str = "medium") -> str:
    """``{{ when|localdate }}``: CLDR date format of the active language."""
    if value is None:
        return ""
    return formatting.format_date(value, translation.get_language(), fmt=fmt)


@register.filter(name="localdatetime")
def localdatetime_filter(value: datetime | None, fmt: str = "medium") -> str:
    """``{{ when|localdatetime }}``: CLDR date-time format of the active language (UTC)."""
    if value is None:
        return ""
    return formatting.format_datetime(value, translation.get_language(), fmt=fmt)
