"""Subscribers of the marketplace: payments decided after screening update their orders.

A payment held by the hub's screening leaves its order ``placed``; when a reviewer releases it
(``payments.payment_released``) the order is paid into escrow, when a reviewer rejects it
(``payments.payment_rejected``) the order is cancelled and its stock returned.

Only the reviewers' decisions: a payment the hub decides at once is answered to the order's
own request, which records it (`ordering._pay_order`); its order carries no ``payment_id``
before that, so a handler for the hub's immediate status events would only ever find nothing,
after every payment batch of the hub.
"""

from __future__ import annotations

from collections.abc import Sequence

from mekong.core.events import subscribe_batch
from mekong.marketplace.ordering import orders_payment_update
from mekong.payments.events import PaymentRejected, PaymentReleased


@subscribe_batch(PaymentReleased)
def on_payment_released(events: Sequence[PaymentReleased]) -> None:
    """Pay the orders released payments belong to (most payments are not orders: one query
    finds the few that are)."""
    orders_payment_update([evt.payment_id for evt in events])


@subscribe_batch(PaymentRejected)
def on_payment_rejected(events: Sequence[PaymentRejected]) -> None:
    """Cancel the orders rejected payments belong to (no-op for other payments)."""
    orders_payment_update([evt.payment_id for evt in events])
