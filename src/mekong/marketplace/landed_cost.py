"""Landed-cost ESTIMATE for a cart: import duty and VAT in the destination country.

Until the customs module offers its duty engine through its facade, the marketplace keeps its
own small per-country table. It is an estimate shown to the buyer before paying, never charged:
the marketplace collects the goods and shipping only; duty and VAT are paid at import.

Sources (the same as the customs clearance tariff files, ``customs/clearance/tariffs``):
- VAT: TH 7 % (published), VN 10 % standard (recalled; 8 % reduced periods not modelled),
  KH 10 % (recalled), LA 10 % (recalled), MM 5 % commercial tax (third-party page).
- Duty: goods of ASEAN origin between ASEAN members are estimated at 0 % (ATIGA: most tariff
  lines of these categories are at 0 % for intra-ASEAN trade); other origins use an
  ILLUSTRATIVE MFN-like rate per category below, not a published tariff.
- VAT base: goods value + shipping (CIF approximation) + duty, as the customs engine does.
Rounding: half up per amount, in the seller's currency (the order currency).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from mekong.core.countries import COUNTRIES
from mekong.core.money import Money

VAT_PERCENT: dict[str, Decimal] = {
    "TH": Decimal(7),
    "VN": Decimal(10),
    "KH": Decimal(10),
    "LA": Decimal(10),
    "MM": Decimal(5),
}

#: ILLUSTRATIVE duty per category for non-ATIGA origins (percent of the customs value).
MFN_PERCENT: dict[str, Decimal] = {
    "coffee": Decimal(20),
    "tea": Decimal(20),
    "spices": Decimal(15),
    "rice": Decimal(30),
    "textiles": Decimal(10),
    "handicrafts": Decimal(15),
    "food": Decimal(20),
}


@dataclass(frozen=True, slots=True)
class LandedCost:
    """Estimated duty and VAT of one seller order at the destination, in the order currency."""

    duty: Money
    vat: Money
    domestic: bool

    @property
    def total(self) -> Money:
        """Duty plus VAT."""
        return self.duty + self.vat


def _percent(value: int, percent: Decimal) -> int:
    return int((Decimal(value) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def estimate(
    *,
    lines: list[tuple[str, str, int]],
    shipping_minor: int,
    currency: str,
    seller_country: str,
    destination: str,
) -> LandedCost:
    """Estimate duty and VAT for ``lines`` of (category, origin country, value minor units).

    A domestic order (destination = seller country) has no import taxes: its VAT is in the
    seller's price. Unknown destinations get no estimate (zero) rather than a guess.
    """
    if destination == seller_country or destination not in VAT_PERCENT:
        zero = Money.zero(currency)
        return LandedCost(duty=zero, vat=zero, domestic=destination == seller_country)
    dest_asean = COUNTRIES[destination].asean
    duty = 0
    goods = 0
    for category, origin, value in lines:
        goods += value
        origin_asean = origin in COUNTRIES and COUNTRIES[origin].asean
        if not (dest_asean and origin_asean):
            duty += _percent(value, MFN_PERCENT.get(category, Decimal(20)))
    vat = _percent(goods + shipping_minor + duty, VAT_PERCENT[destination])
    return LandedCost(duty=Money(duty, currency), vat=Money(vat, currency), domestic=False)
