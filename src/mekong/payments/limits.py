"""KYC-tier limits of wallets. Pure: no Django.

Limits are set in US dollars and compared at fixed reference rates, not the market: a wallet's
limit should not move with the kip. The reference rates are round figures near late-2026
market levels; a regulator would publish them per currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from mekong.core.currencies import currency

#: US dollars per major unit, for limits only.
USD_REFERENCE: dict[str, Decimal] = {
    "USD": Decimal(1),
    "THB": Decimal("0.029"),
    "VND": Decimal("0.0000395"),
    "KHR": Decimal("0.000248"),
    "LAK": Decimal("0.0000457"),
    "MMK": Decimal("0.000476"),
}


@dataclass(frozen=True, slots=True)
class TierLimits:
    """Per-payment, daily and monthly limits in US dollars. Days and months are the wallet
    holder's: calendar days of the wallet's country (`mekong.payments.spending`)."""

    per_payment: int
    daily: int
    monthly: int


TIERS: dict[int, TierLimits] = {
    1: TierLimits(per_payment=500, daily=1_000, monthly=3_000),
    2: TierLimits(per_payment=2_000, daily=5_000, monthly=20_000),
    3: TierLimits(per_payment=10_000, daily=50_000, monthly=200_000),
}


def in_usd(amount_minor: int, code: str) -> Decimal:
    """``amount_minor`` of ``code`` in US dollars at the reference rate (unknown code: ∞)."""
    rate = USD_REFERENCE.get(code)
    if rate is None:
        return Decimal("Infinity")
    return Decimal(amount_minor) / (Decimal(10) ** currency(code).minor_units) * rate


def breached(*, tier: int, amount: int, today: int, this_month: int, code: str) -> str | None:
    """Which limit ``amount`` breaches on top of what was paid today and this month, or None.

    Returns ``"per_payment"``, ``"daily"`` or ``"monthly"``.
    """
    limits = TIERS.get(tier, TIERS[1])
    if in_usd(amount, code) > limits.per_payment:
        return "per_payment"
    if in_usd(today + amount, code) > limits.daily:
        return "daily"
    if in_usd(this_month + amount, code) > limits.monthly:
        return "monthly"
    return None
