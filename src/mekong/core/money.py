"""The `Money` value type: integer minor units plus an ISO 4217 currency.

Pure, no Django import. Storage and arithmetic are in integers; `Decimal` appears only at the
edges (`from_decimal`, `to_decimal`) and rounding is always explicit. See docs/adr/0004.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from mekong.core.currencies import currency as lookup_currency


class MoneyError(ValueError):
    """Raised for invalid money operations (mixed currencies, too many decimals)."""


@dataclass(frozen=True, slots=True, order=False)
class Money:
    """An amount of one currency, in integer minor units.

    Invariants: ``minor`` is an ``int`` (never a float); ``currency`` is a supported ISO 4217
    code. Arithmetic between different currencies raises `MoneyError`.
    """

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise MoneyError(f"minor units must be an int, not {type(self.minor).__name__}")
        code = lookup_currency(self.currency).code
        object.__setattr__(self, "currency", code)

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        """Return zero of ``currency``."""
        return cls(0, currency)

    @classmethod
    def from_decimal(
        cls, amount: Decimal | str | int, currency: str, *, rounding: str | None = None
    ) -> Money:
        """Build from a major-unit decimal amount (``"12.50"`` THB → 1250).

        Args:
            amount: the amount in major units.
            currency: ISO 4217 code.
            rounding: a `decimal` rounding mode; without one, an amount with more decimals than
                the currency allows raises instead of silently rounding.

        Raises:
            MoneyError: not a number, not finite, or too many decimals without ``rounding``.
        """
        cur = lookup_currency(currency)
        try:
            value = Decimal(amount)
        except (InvalidOperation, ValueError, TypeError):
            raise MoneyError(f"not a decimal amount: {amount!r}") from None
        if not value.is_finite():
            raise MoneyError(f"not a finite amount: {amount!r}")
        scaled = value.scaleb(cur.minor_units)
        if scaled != scaled.to_integral_value():
            if rounding is None:
                raise MoneyError(
                    f"{amount} has more decimals than {cur.code} allows ({cur.minor_units})"
                )
            scaled = scaled.quantize(Decimal(1), rounding=rounding)
        return cls(int(scaled), cur.code)

    # -- conversion --------------------------------------------------------------------------
    def to_decimal(self) -> Decimal:
        """Return the amount in major units as an exact `Decimal`."""
        units = lookup_currency(self.currency).minor_units
        return Decimal(self.minor).scaleb(-units)

    def __str__(self) -> str:
        units = lookup_currency(self.currency).minor_units
        return f"{self.to_decimal():.{units}f} {self.currency}"

    # -- arithmetic --------------------------------------------------------------------------
    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"currency mismatch: {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.minor >= other.minor

    def multiply(self, factor: Decimal | int | str, *, rounding: str = ROUND_HALF_EVEN) -> Money:
        """Multiply by a decimal factor (a fee rate, say), rounding explicitly to minor units."""
        product = (Decimal(self.minor) * Decimal(factor)).quantize(Decimal(1), rounding=rounding)
        return Money(int(product), self.currency)

    def allocate(self, ratios: list[int]) -> list[Money]:
        """Split into parts proportional to ``ratios`` without losing a minor unit.

        The remainder goes one unit at a time to the first parts, so the parts always sum to
        the original amount (the classic Fowler allocation).
        """
        if not ratios or any(r < 0 for r in ratios) or sum(ratios) == 0:
            raise MoneyError("ratios must be non-negative and not all zero")
        total = sum(ratios)
        parts = [self.minor * r // total for r in ratios]
        remainder = self.minor - sum(parts)
        for i in range(remainder):
            parts[i % len(parts)] += 1
        return [Money(p, self.currency) for p in parts]

    @property
    def is_zero(self) -> bool:
        """True when the amount is zero."""
        return self.minor == 0
