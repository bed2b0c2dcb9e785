"""The per-process copy of the FX rates (`paying._current_rates`): outside a transaction a
quote uses the copy until a rate is published, then the new rate at once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from mekong.payments import facade, paying, services
from mekong.payments.tests.factories import RATES, make_hub

pytestmark = pytest.mark.django_db(transaction=True)


def _vn_to_la_rate(hub) -> Decimal:
    payee = facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref)
    return Decimal(facade.quote(wallet_id=hub.wallets["VN"].pk, payee=payee, amount=1_000_000).rate)


def test_a_published_rate_is_used_by_the_next_quote_and_the_copy_serves_until_then():
    hub = make_hub()
    paying._rates_cache.clear()
    first = _vn_to_la_rate(hub)
    assert paying._rates_cache  # filled outside any transaction
    # The copy is what quotes use while nothing is published...
    token, _filled_at, rows = next(iter(paying._rates_cache.values()))
    assert _vn_to_la_rate(hub) == first
    assert next(iter(paying._rates_cache.values()))[2] is rows
    # ...and a publication replaces it at the next quote.
    services.rate_publish(
        provider=hub.fxp, base_currency="VND", quote_currency="LAK",
        mid=RATES[("VND", "LAK")] * 2, spread_bps=50, valid_for=timedelta(hours=1),
    )  # fmt: skip
    second = _vn_to_la_rate(hub)
    assert second > first * Decimal("1.9")
    assert next(iter(paying._rates_cache.values()))[0] != token
