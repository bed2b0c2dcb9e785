"""Disputes: the buyer complains with evidence, the seller answers, an operator decides.

A dispute can be opened on a shipped or delivered order, before its escrow is released; it
stops the release window. The operator's decision is a refund amount R (0 ≤ R ≤ total):
the escrow is settled for the seller's part (total − R, minus the commission on it, or voided
when R = total) and R is refunded to the buyer through the payments hub. The ledger reservation
is posted or voided exactly once, so a refund and a payout can never both take the same funds.
"""

from __future__ import annotations

import uuid

from django.db import transaction

from mekong.core import clock
from mekong.core.events import publish
from mekong.core.text import normalize_text
from mekong.identity.contracts import Actor
from mekong.marketplace import escrow
from mekong.marketplace import events as ev
from mekong.marketplace.errors import InvalidInput, InvalidTransition, OrderNotFound
from mekong.marketplace.models import Dispute, Order, OrderStatus
from mekong.marketplace.ordering import audit_order, lock_for, order_ids, refund_order

MAX_TEXT = 5_000


def is_marketplace_operator(actor: Actor) -> bool:
    """Platform staff, or a manager of the organisation that runs the marketplace."""
    if actor.is_operator:
        return True
    op = escrow.operator()
    return actor.organisation_id == op.organisation_id and actor.can_manage


def dispute_open(*, actor: Actor, order_id: uuid.UUID | str, evidence: str) -> Dispute:
    """The buyer disputes a shipped or delivered order (stops the release window).

    Raises:
        OrderNotFound, InvalidTransition (not the buyer, wrong state), InvalidInput (no text).
    """
    text = normalize_text(evidence or "", multiline=True)[:MAX_TEXT]
    if not text:
        raise InvalidInput()
    with transaction.atomic():
        order = lock_for(actor, order_id)
        if actor.organisation_id != order.buyer_organisation_id or order.status not in (
            OrderStatus.SHIPPED,
            OrderStatus.DELIVERED,
        ):
            raise InvalidTransition()
        dispute = Dispute.objects.create(order=order, evidence=text)
        order.status = OrderStatus.DISPUTED
        order.save(update_fields=["status"])
        publish(ev.OrderDisputed(**order_ids(order)))
        audit_order(actor, order, "disputed")
    return dispute


def dispute_respond(*, actor: Actor, order_id: uuid.UUID | str, response: str) -> Dispute:
    """The seller answers an open dispute with its own evidence.

    Raises:
        OrderNotFound, InvalidTransition (not the seller, no open dispute), InvalidInput.
    """
    text = normalize_text(response or "", multiline=True)[:MAX_TEXT]
    if not text:
        raise InvalidInput()
    with transaction.atomic():
        order = lock_for(actor, order_id)
        dispute = Dispute.objects.filter(order=order).first()
        if (
            actor.organisation_id != order.seller.organisation_id
            or dispute is None
            or not dispute.is_open
        ):
            raise InvalidTransition()
        dispute.seller_response = text
        dispute.save(update_fields=["seller_response"])
        audit_order(actor, order, "dispute_response")
    return dispute


def dispute_decide(
    *, actor: Actor, order_id: uuid.UUID | str, refund_minor: int, note: str = ""
) -> Order:
    """An operator decides: refund ``refund_minor`` (seller currency), pay the seller the rest.

    The order ends ``refunded`` (full refund) or ``completed`` (partial or no refund).

    Raises:
        OrderNotFound (not an operator, or unknown), InvalidTransition (no open dispute),
        InvalidInput (amount out of range), EscrowFailed.
    """
    if not is_marketplace_operator(actor):
        raise OrderNotFound()
    try:
        key = uuid.UUID(str(order_id))
    except ValueError:
        raise OrderNotFound() from None
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("seller").filter(pk=key).first()
        if order is None:
            raise OrderNotFound()
        dispute = Dispute.objects.filter(order=order).first()
        if order.status != OrderStatus.DISPUTED or dispute is None or not dispute.is_open:
            raise InvalidTransition()
        if isinstance(refund_minor, bool) or not 0 <= refund_minor <= order.total_minor:
            raise InvalidInput()
        seller_part, commission = escrow.settle(order, refund_minor=refund_minor)
        refunded = refund_order(order, refund_minor, "dispute")
        now = clock.now()
        dispute.refund_minor = refund_minor
        dispute.decision_note = normalize_text(note or "", multiline=True)[:MAX_TEXT]
        dispute.decided_at = now
        dispute.decided_by_user_id = actor.user_id
        dispute.save()
        order.refunded_minor = refunded
        order.commission_minor = commission
        if refund_minor == order.total_minor:
            order.status = OrderStatus.REFUNDED
            publish(ev.OrderCancelled(**order_ids(order), refunded_minor=refunded))
        else:
            order.status = OrderStatus.COMPLETED
            order.completed_at = now
            publish(
                ev.OrderCompleted(
                    **order_ids(order),
                    seller_amount_minor=seller_part,
                    commission_minor=commission,
                    currency=order.currency,
                )
            )
        order.save()
        audit_order(actor, order, "dispute_decided", refund_minor=refund_minor)
    return order


def disputes_open() -> list[Dispute]:
    """Open disputes, oldest first (the operator's queue)."""
    return list(
        Dispute.objects.filter(decided_at=None)
        .select_related("order__seller")
        .order_by("opened_at")
    )
