"""Subscribers of the marketplace: payments decided after screening update their orders.

A payment held by the hub's screening leaves its order ``placed``; when a reviewer releases it
(``payments.payment_completed``) the order is paid into escrow, when a reviewer rejects it
(``payments.payment_refused``) the order is cancelled and its stock returned.
"""

from __future__ import annotations

from collections.abc import Sequence

from mekong.core.events import subscribe_batch
from mekong.marketplace.ordering import orders_payment_update
from mekong.payments.events import PaymentCompleted, PaymentRefused


@subscribe_batch(PaymentCompleted)
def on_payment_completed(events: Sequence[PaymentCompleted]) -> None:
    """Pay the orders released payments belong to (most payments are not orders: one query
    finds the few that are)."""
    orders_payment_update([evt.payment_id for evt in events])


@subscribe_batch(PaymentRefused)
def on_payment_refused(events: Sequence[PaymentRefused]) -> None:
    """Cancel the orders rejected payments belong to (no-op for other payments)."""
    orders_payment_update([evt.payment_id for evt in events])
