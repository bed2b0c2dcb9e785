"""Subscribers of the marketplace: payments decided after screening update their orders.

A payment held by the hub's screening leaves its order ``placed``; when a reviewer releases it
(``payments.payment_completed``) the order is paid into escrow, when a reviewer rejects it
(``payments.payment_refused``) the order is cancelled and its stock returned.
"""

from __future__ import annotations

from mekong.core.events import subscribe
from mekong.marketplace.ordering import order_payment_update
from mekong.payments.events import PaymentCompleted, PaymentRefused


@subscribe(PaymentCompleted)
def on_payment_completed(evt: PaymentCompleted) -> None:
    """Pay the order a released payment belongs to (no-op for other payments)."""
    order_payment_update(evt.payment_id)


@subscribe(PaymentRefused)
def on_payment_refused(evt: PaymentRefused) -> None:
    """Cancel the order a rejected payment belongs to (no-op for other payments)."""
    order_payment_update(evt.payment_id)
