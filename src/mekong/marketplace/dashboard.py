"""The seller dashboard's reads: orders to ship, payouts, sales by buyer country and currency."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Sum

from mekong.core.money import Money
from mekong.marketplace.models import Order, OrderStatus, Seller

#: Orders that count as sales (paid and not refunded or cancelled).
SOLD = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)


@dataclass(frozen=True, slots=True)
class SalesRow:
    """Sales to one buyer country, with the currency the buyers paid in."""

    buyer_country: str
    payer_currency: str
    orders: int
    total: Money


@dataclass(frozen=True, slots=True)
class Dashboard:
    """What a seller sees first."""

    to_ship: list[Order]
    paid_out: Money
    in_escrow: Money
    commission: Money
    sales: list[SalesRow]


def seller_dashboard(seller: Seller, currency: str) -> Dashboard:
    """The dashboard of ``seller`` (amounts in its currency ``currency``)."""
    orders = Order.objects.filter(seller=seller)
    to_ship = list(orders.filter(status=OrderStatus.PAID).order_by("paid_at", "number"))
    completed = orders.filter(status=OrderStatus.COMPLETED).aggregate(
        total=Sum("total_minor"), commission=Sum("commission_minor"), refunded=Sum("refunded_minor")
    )
    total = completed["total"] or 0
    commission = completed["commission"] or 0
    refunded = completed["refunded"] or 0
    held = (
        orders.filter(
            status__in=[
                OrderStatus.PAID,
                OrderStatus.SHIPPED,
                OrderStatus.DELIVERED,
                OrderStatus.DISPUTED,
            ]
        ).aggregate(total=Sum("total_minor"))["total"]
        or 0
    )
    rows = (
        orders.filter(status__in=SOLD)
        .values("buyer_country", "payer_currency")
        .annotate(n=Count("pk"), amount=Sum("total_minor"))
        .order_by("buyer_country", "payer_currency")
    )
    return Dashboard(
        to_ship=to_ship,
        paid_out=Money(total - refunded - commission, currency),
        in_escrow=Money(held, currency),
        commission=Money(commission, currency),
        sales=[
            SalesRow(r["buyer_country"], r["payer_currency"], r["n"], Money(r["amount"], currency))
            for r in rows
        ],
    )
