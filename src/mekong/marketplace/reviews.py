"""Reviews and ratings of verified purchases (a completed order), seller replies, abuse reports.

A review belongs to an order, not just a product: only the buyer organisation of a completed
order can write it, once. The seller answers once (editable). Anyone logged in may report a
review; three reports hide it until an operator looks (``hidden``).
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count

from mekong.core.audit import audit_record
from mekong.core.text import normalize_text
from mekong.identity.contracts import Actor
from mekong.marketplace.errors import InvalidInput, InvalidTransition, OrderNotFound
from mekong.marketplace.models import Order, OrderStatus, Review, ReviewReport, Seller
from mekong.marketplace.ordering import order_get_for

MAX_TEXT = 2_000
HIDE_AFTER_REPORTS = 3


def review_create(
    *, actor: Actor, order_id: uuid.UUID | str, rating: int, text: str = ""
) -> Review:
    """The buyer reviews a completed order (verified purchase), once.

    Raises:
        OrderNotFound, InvalidTransition (not the buyer, not completed, already reviewed),
        InvalidInput (rating not 1-5).
    """
    if isinstance(rating, bool) or not 1 <= rating <= 5:
        raise InvalidInput()
    order = order_get_for(actor=actor, order_id=order_id)
    if actor.organisation_id != order.buyer_organisation_id or order.status != (
        OrderStatus.COMPLETED
    ):
        raise InvalidTransition()
    try:
        with transaction.atomic():
            review = Review.objects.create(
                order=order,
                seller=order.seller,
                rating=rating,
                text=normalize_text(text or "", multiline=True)[:MAX_TEXT],
            )
            audit_record(
                action="marketplace.review_created",
                actor_user_id=actor.user_id,
                organisation_id=actor.organisation_id,
                object_type="marketplace_review",
                object_id=review.pk,
                data={"rating": rating},
            )
    except IntegrityError:
        raise InvalidTransition() from None
    return review


def review_reply(*, actor: Actor, review_id: int, reply: str) -> Review:
    """The seller answers a review of one of its orders.

    Raises:
        OrderNotFound: not the seller's review (or unknown). InvalidInput: empty reply.
    """
    text = normalize_text(reply or "", multiline=True)[:MAX_TEXT]
    if not text:
        raise InvalidInput()
    if actor.organisation_id is None:
        raise OrderNotFound()
    review = Review.objects.filter(
        pk=review_id, seller__organisation_id=actor.organisation_id
    ).first()
    if review is None:
        raise OrderNotFound()
    review.seller_reply = text
    review.save(update_fields=["seller_reply"])
    return review


def review_report(*, actor: Actor, review_id: int, reason: str) -> ReviewReport:
    """Report a review as abusive (once per user); enough reports hide it.

    Raises:
        OrderNotFound: unknown or hidden review. InvalidInput: no reason or no user.
    """
    text = normalize_text(reason or "", multiline=True)[:MAX_TEXT]
    if not text or actor.user_id is None:
        raise InvalidInput()
    with transaction.atomic():
        review = Review.objects.select_for_update().filter(pk=review_id, hidden=False).first()
        if review is None:
            raise OrderNotFound()
        report, _created = ReviewReport.objects.get_or_create(
            review=review, reporter_user_id=actor.user_id, defaults={"reason": text}
        )
        if review.reports.count() >= HIDE_AFTER_REPORTS:
            review.hidden = True
            review.save(update_fields=["hidden"])
    return report


def seller_rating(seller: Seller) -> tuple[float | None, int]:
    """The average rating of a seller's visible reviews and how many there are."""
    agg = Review.objects.filter(seller=seller, hidden=False).aggregate(
        avg=Avg("rating"), n=Count("pk")
    )
    return (float(agg["avg"]) if agg["avg"] is not None else None), int(agg["n"])


def reviews_of(seller: Seller, *, limit: int = 20) -> list[Review]:
    """The seller's visible reviews, newest first."""
    return list(Review.objects.filter(seller=seller, hidden=False)[:limit])


def reviewable(order: Order) -> bool:
    """True when the order is completed and has no review yet."""
    return order.status == OrderStatus.COMPLETED and not Review.objects.filter(order=order).exists()
