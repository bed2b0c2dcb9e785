"""FX and fee arithmetic of the hub. Pure: no Django, no database.

Rates are `Decimal` "destination major units per source major unit"; amounts are integer minor
units. Conversions round in the FX provider's favour by at most one minor unit (destination
amounts down, source amounts up), so that a quote never promises money nobody has.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext

from mekong.core.currencies import currency

#: The hub's fee on the principal, in basis points, and its floor per source currency (minor).
FEE_BPS = 50
MIN_FEE: dict[str, int] = {
    "THB": 500,  # 5 baht
    "VND": 3_000,  # 3,000 dong
    "KHR": 50_000,  # 500 riel
    "LAK": 200_000,  # 2,000 kip
    "MMK": 30_000,  # 300 kyat
    "USD": 15,  # 15 cents
}


def is_minor(value: object, maximum: int = 10**15) -> bool:
    """True for a positive int (not a bool) of at most ``maximum`` minor units."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= maximum


def _scale(source: str, destination: str) -> Decimal:
    """10 ** (destination exponent − source exponent): minor-unit conversion factor."""
    return Decimal(10) ** (currency(destination).minor_units - currency(source).minor_units)


def customer_rate(*, mid: Decimal, spread_bps: int, inverse: bool) -> tuple[Decimal, Decimal]:
    """The (customer rate, mid rate) a provider offers for one direction of its published rate.

    A provider publishes ``1 base = mid quote``. Selling ``quote`` for ``base`` (``inverse``
    False) it gives ``mid × (1 − s/2)``; the other way (``inverse`` True) ``1 / (mid × (1 + s/2))``
    per unit of ``quote``, where ``s`` is the spread as a fraction.
    """
    half = Decimal(spread_bps) / Decimal(20_000)
    with localcontext() as ctx:
        ctx.prec = 28
        if not inverse:
            return mid * (1 - half), mid
        return 1 / (mid * (1 + half)), 1 / mid


def convert_down(amount: int, rate: Decimal, source: str, destination: str) -> int:
    """Destination minor units for ``amount`` source minor units, rounded down."""
    with localcontext() as ctx:
        ctx.prec = 40
        value = Decimal(amount) * rate * _scale(source, destination)
        return int(value.to_integral_value(rounding=ROUND_FLOOR))


def convert_up_inverse(amount: int, rate: Decimal, source: str, destination: str) -> int:
    """Source minor units needed so that `convert_down` gives at least ``amount``, rounded up."""
    with localcontext() as ctx:
        ctx.prec = 40
        value = Decimal(amount) / (rate * _scale(source, destination))
        needed = int(value.to_integral_value(rounding=ROUND_CEILING))
    # Decimal division can land a hair low; step up until the forward conversion covers it.
    while convert_down(needed, rate, source, destination) < amount:
        needed += 1
    return needed


def fee_for(source_amount: int, source_currency: str) -> int:
    """The hub's fee on a principal: ``FEE_BPS`` of it, rounded up, at least ``MIN_FEE``."""
    proportional = -(-source_amount * FEE_BPS // 10_000)
    return max(proportional, MIN_FEE.get(source_currency, 0))


def total_cost_percent(
    *, total_debit: int, destination_amount: int, mid: Decimal, source: str, destination: str
) -> Decimal:
    """Fees plus FX margin against the mid rate, as a percentage of what the sender pays.

    The World Bank and SDG 10.c measure: ``1 − received / (paid × mid)``, in percent, two
    decimals (rounded up, so a quote never looks cheaper than it is).
    """
    if total_debit <= 0:
        return Decimal(0)
    with localcontext() as ctx:
        ctx.prec = 40
        at_mid = Decimal(total_debit) * mid * _scale(source, destination)
        cost = (1 - Decimal(destination_amount) / at_mid) * 100
        return max(cost, Decimal(0)).quantize(Decimal("0.01"), rounding=ROUND_CEILING)


def rate_text(rate: Decimal) -> str:
    """A rate as a plain decimal string with 10 significant digits (no exponent)."""
    with localcontext() as ctx:
        ctx.prec = 10
        value = +rate
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
