"""Prices in the buyer's currency: which currency, and the indicative conversion.

The buyer's currency is the one they chose (the chooser on the pages, kept in the session),
else their organisation's country currency, else the currency of the page language's country.
Conversion uses the payments hub's indicative rate (`payments.facade.indicative_rate`); it is for
display only, labelled "approximately": what the buyer actually pays is fixed by a payments quote
at checkout. When the hub has no rate for a pair the page shows the seller's price alone.

Rates are cached twice: per request (`PriceBook`, one look-up per currency pair however many
cards a page shows) and per process for ``RATE_TTL_SECONDS`` (`indicative_rate`): a search page
with sellers in five currencies asked the hub five times per request, a quarter of its time.
A display rate up to a minute old is acceptable because it is labelled approximate and the
payment quote at checkout is what counts; `clear_rate_cache` empties it (tests).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.http import HttpRequest

from mekong.core.countries import COUNTRIES, GMS_CODES
from mekong.core.currencies import CURRENCIES
from mekong.core.money import Money
from mekong.identity.contracts import Actor
from mekong.identity.facade import organisation_info
from mekong.payments import facade as payments

#: Site language → the country whose currency a visitor without an organisation sees.
LANGUAGE_COUNTRY = {"th": "TH", "vi": "VN", "km": "KH", "lo": "LA", "my": "MM"}
#: Currencies offered in the chooser: the five GMS currencies and USD.
CHOOSER_CURRENCIES: tuple[str, ...] = (*(COUNTRIES[c].currency for c in GMS_CODES), "USD")
SESSION_KEY = "marketplace_currency"
#: How long a process reuses an indicative rate (display only; see the module docstring).
RATE_TTL_SECONDS = 60.0

# (source, destination) → (monotonic expiry, rate). Plain dict operations are atomic under the
# GIL, so the server's threads share it without a lock (a race costs one extra look-up).
_RATES: dict[tuple[str, str], tuple[float, Decimal | None]] = {}


def indicative_rate(source: str, destination: str) -> Decimal | None:
    """The hub's indicative rate for the pair, reused for ``RATE_TTL_SECONDS`` per process."""
    pair = (source, destination)
    now = time.monotonic()
    cached = _RATES.get(pair)
    if cached is not None and cached[0] > now:
        return cached[1]
    rate = payments.indicative_rate(source, destination)
    _RATES[pair] = (now + RATE_TTL_SECONDS, rate)
    return rate


def clear_rate_cache() -> None:
    """Forget every cached rate (tests; after rates were changed by hand)."""
    _RATES.clear()


@dataclass(frozen=True, slots=True)
class DisplayPrice:
    """A seller's price and, when a rate exists and the currencies differ, its conversion."""

    seller: Money
    buyer: Money | None

    @property
    def converted(self) -> bool:
        """True when ``buyer`` is a conversion (not the seller's own currency)."""
        return self.buyer is not None and self.buyer.currency != self.seller.currency


def buyer_currency(request: HttpRequest, *, language: str, actor: Actor | None) -> str:
    """The currency this visitor's prices are shown in (see the module docstring)."""
    chosen = request.session.get(SESSION_KEY)
    if isinstance(chosen, str) and chosen in CURRENCIES:
        return chosen
    if actor is not None and actor.organisation_id is not None:
        info = organisation_info(actor.organisation_id)
        if info is not None and info.country in COUNTRIES:
            return COUNTRIES[info.country].currency
    country = LANGUAGE_COUNTRY.get(language, "")
    return COUNTRIES[country].currency if country else "USD"


def convert(
    money: Money, currency: str, rates: dict[tuple[str, str], Decimal | None]
) -> Money | None:
    """``money`` in ``currency`` at the hub's indicative rate (half-up), or None without a rate.

    ``rates`` caches rates per (source, destination) for one request.
    """
    if money.currency == currency:
        return money
    pair = (money.currency, currency)
    if pair not in rates:
        rates[pair] = indicative_rate(money.currency, currency)
    rate = rates[pair]
    if rate is None:
        return None
    return Money.from_decimal(money.to_decimal() * rate, currency, rounding=ROUND_HALF_UP)


class PriceBook:
    """Converts many prices into one buyer currency with one rate look-up per pair."""

    def __init__(self, currency: str) -> None:
        self.currency = currency
        self._rates: dict[tuple[str, str], Decimal | None] = {}

    def price(self, money: Money) -> DisplayPrice:
        """The seller's price with its conversion into the buyer's currency."""
        return DisplayPrice(seller=money, buyer=convert(money, self.currency, self._rates))
