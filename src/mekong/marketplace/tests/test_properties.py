"""Properties of the money arithmetic: commission, landed-cost estimate, buyer-currency display."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from mekong.marketplace.escrow import commission_for
from mekong.marketplace.landed_cost import estimate


@given(
    total=st.integers(min_value=0, max_value=10**15),
    bps=st.integers(min_value=0, max_value=10_000),
    refund_share=st.integers(min_value=0, max_value=1_000),
)
def test_release_split_never_creates_or_loses_money(
    total: int, bps: int, refund_share: int
) -> None:
    refund = total * refund_share // 1_000
    kept = total - refund
    commission = commission_for(kept, bps)
    seller = kept - commission
    assert 0 <= commission <= kept
    assert seller >= 0
    assert seller + commission + refund == total
    # half up on the exact value
    exact = Decimal(kept) * bps / 10_000
    assert abs(Decimal(commission) - exact) <= Decimal("0.5")


@given(
    values=st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=5),
    shipping=st.integers(min_value=0, max_value=10**10),
    destination=st.sampled_from(["TH", "VN", "KH", "LA", "MM"]),
    origin=st.sampled_from(["TH", "VN", "KH", "LA", "MM", "CN", "IN"]),
)
def test_landed_cost_estimate_is_non_negative_and_zero_at_home(
    values: list[int], shipping: int, destination: str, origin: str
) -> None:
    lines = [("coffee", origin, v) for v in values]
    result = estimate(
        lines=lines, shipping_minor=shipping, currency="LAK", seller_country="LA",
        destination=destination,
    )  # fmt: skip
    assert result.duty.minor >= 0
    assert result.vat.minor >= 0
    if destination == "LA":
        assert result.total.minor == 0
    if origin not in ("CN", "IN"):
        assert result.duty.minor == 0  # ATIGA: ASEAN origin into ASEAN
