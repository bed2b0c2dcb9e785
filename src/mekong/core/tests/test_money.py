"""Money: integer minor units, explicit rounding, no mixed currencies."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mekong.core.currencies import CURRENCIES, UnknownCurrencyError, currency
from mekong.core.money import Money, MoneyError


def test_from_decimal_uses_iso_minor_units():
    assert Money.from_decimal("12.50", "THB") == Money(1250, "THB")
    assert Money.from_decimal("25000", "VND") == Money(25000, "VND")  # VND has 0 minor units
    assert Money.from_decimal("1.5", "thb").currency == "THB"


def test_too_many_decimals_is_refused_unless_rounding_is_explicit():
    with pytest.raises(MoneyError, match="more decimals"):
        Money.from_decimal("0.5", "VND")
    assert Money.from_decimal("0.5", "VND", rounding=ROUND_HALF_UP) == Money(1, "VND")


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", "", None])
def test_not_a_number_is_refused(bad):
    with pytest.raises(MoneyError):
        Money.from_decimal(bad, "THB")


def test_floats_and_bools_are_not_money():
    with pytest.raises(MoneyError):
        Money(1.5, "THB")  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money(True, "THB")


def test_mixed_currencies_cannot_be_added_or_compared():
    with pytest.raises(MoneyError, match="currency mismatch"):
        Money(1, "THB") + Money(1, "LAK")
    with pytest.raises(MoneyError):
        _ = Money(1, "THB") < Money(2, "VND")


def test_unknown_currency():
    with pytest.raises(UnknownCurrencyError):
        Money(1, "XXX")
    assert currency("418").code == "LAK"  # numeric lookup used by EMVCo tag 53


def test_str_and_decimal():
    assert str(Money(123450, "THB")) == "1234.50 THB"
    assert Money(5, "VND").to_decimal() == Decimal(5)


def test_multiply_rounds_half_even_by_default():
    assert Money(250, "THB").multiply("0.01") == Money(2, "THB")  # 2.5 → 2
    assert Money(350, "THB").multiply("0.01") == Money(4, "THB")  # 3.5 → 4


@given(
    minor=st.integers(min_value=-(10**15), max_value=10**15),
    code=st.sampled_from(sorted(CURRENCIES)),
)
def test_decimal_round_trip(minor, code):
    m = Money(minor, code)
    assert Money.from_decimal(m.to_decimal(), code) == m


@given(
    minor=st.integers(min_value=0, max_value=10**12),
    ratios=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=8).filter(
        lambda r: sum(r) > 0
    ),
)
def test_allocate_never_loses_a_minor_unit(minor, ratios):
    parts = Money(minor, "LAK").allocate(ratios)
    assert sum(p.minor for p in parts) == minor
    assert len(parts) == len(ratios)
