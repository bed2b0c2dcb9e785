"""Events published by the marketplace (catalogue: docs/events.md).

Order events carry ids and the new status only; subscribers (notifications, KPIs) read details
through the marketplace's pages or API. All are published inside the service's transaction and
delivered after commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from mekong.core.events import DomainEvent, event


@dataclass(frozen=True, kw_only=True)
class _OrderEvent(DomainEvent):
    order_id: str
    number: str
    seller_organisation_id: int
    buyer_organisation_id: int


@event
@dataclass(frozen=True, kw_only=True)
class OrderPlaced(_OrderEvent):
    """A checkout created this order (stock reserved, not yet paid)."""

    name = "marketplace.order_placed"


@event
@dataclass(frozen=True, kw_only=True)
class OrderPaid(_OrderEvent):
    """The buyer's payment completed and the funds are held in escrow."""

    name = "marketplace.order_paid"
    payment_id: str


@event
@dataclass(frozen=True, kw_only=True)
class OrderShipped(_OrderEvent):
    """The seller shipped the order (carrier and tracking number recorded)."""

    name = "marketplace.order_shipped"
    carrier: str
    tracking_number: str


@event
@dataclass(frozen=True, kw_only=True)
class OrderDelivered(_OrderEvent):
    """The buyer confirmed delivery."""

    name = "marketplace.order_delivered"


@event
@dataclass(frozen=True, kw_only=True)
class OrderCompleted(_OrderEvent):
    """Escrow released: the seller was paid the total minus the commission."""

    name = "marketplace.order_completed"
    seller_amount_minor: int
    commission_minor: int
    currency: str


@event
@dataclass(frozen=True, kw_only=True)
class OrderCancelled(_OrderEvent):
    """The order was cancelled (before shipment); a paid order was refunded in full."""

    name = "marketplace.order_cancelled"
    refunded_minor: int


@event
@dataclass(frozen=True, kw_only=True)
class OrderDisputed(_OrderEvent):
    """The buyer opened a dispute; the release window is stopped until an operator decides."""

    name = "marketplace.order_disputed"
