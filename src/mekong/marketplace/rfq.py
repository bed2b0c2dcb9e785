"""Requests for quotation (Alibaba-style): a business buyer posts what it needs, sellers answer
with a unit price in their currency; the buyer compares offers in its own currency."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from mekong.core.countries import COUNTRIES, country
from mekong.core.text import normalize_text
from mekong.identity.contracts import Actor
from mekong.marketplace.errors import InvalidInput, InvalidTransition, OrderNotFound
from mekong.marketplace.models import Category, Rfq, RfqOffer, Seller

#: Far above any real unit price, far below the 64-bit column limit.
MAX_PRICE_MINOR = 10**15


def rfq_create(
    *,
    actor: Actor,
    title: str,
    details: str,
    category: str,
    quantity: int,
    unit: str = "kg",
    destination_country: str,
) -> Rfq:
    """Post a request for quotation for the actor's organisation.

    Raises:
        InvalidInput: missing title, unknown category or country, quantity out of 1-10⁹.
    """
    title = normalize_text(title or "")[:200]
    dest = (destination_country or "").upper()
    if (
        actor.organisation_id is None
        or actor.user_id is None
        or not title
        or category not in Category.values
        or dest not in COUNTRIES
        or isinstance(quantity, bool)
        or not 1 <= quantity <= 1_000_000_000
    ):
        raise InvalidInput()
    return Rfq.objects.create(
        buyer_organisation_id=actor.organisation_id,
        buyer_user_id=actor.user_id,
        title=title,
        details=normalize_text(details or "", multiline=True)[:5_000],
        category=category,
        quantity=quantity,
        unit=normalize_text(unit or "kg")[:20] or "kg",
        destination_country=dest,
    )


def rfq_offer(*, actor: Actor, rfq_id: int, unit_price_minor: int, message: str = "") -> RfqOffer:
    """A seller answers an open request with a unit price in its currency (once; re-offering
    replaces the price).

    Raises:
        OrderNotFound: unknown or closed request. InvalidTransition: the actor does not sell,
        or offers on its own request. InvalidInput: a price below 1 minor unit.
    """
    if actor.organisation_id is None:
        raise InvalidTransition()
    seller = Seller.objects.filter(organisation_id=actor.organisation_id).first()
    if seller is None:
        raise InvalidTransition()
    if isinstance(unit_price_minor, bool) or not 1 <= unit_price_minor <= MAX_PRICE_MINOR:
        raise InvalidInput()
    rfq = Rfq.objects.filter(pk=rfq_id, is_open=True).first()
    if rfq is None:
        raise OrderNotFound()
    if rfq.buyer_organisation_id == actor.organisation_id:
        raise InvalidTransition()
    try:
        with transaction.atomic():
            offer, _created = RfqOffer.objects.update_or_create(
                rfq=rfq,
                seller=seller,
                defaults={
                    "unit_price_minor": unit_price_minor,
                    "currency": country(seller.country).currency,
                    "message": normalize_text(message or "", multiline=True)[:5_000],
                },
            )
    except IntegrityError:
        raise InvalidTransition() from None
    return offer


def rfq_close(*, actor: Actor, rfq_id: int) -> Rfq:
    """The buyer closes its request (no more offers).

    Raises:
        OrderNotFound: not the buyer's request.
    """
    if actor.organisation_id is None:
        raise OrderNotFound()
    rfq = Rfq.objects.filter(pk=rfq_id, buyer_organisation_id=actor.organisation_id).first()
    if rfq is None:
        raise OrderNotFound()
    rfq.is_open = False
    rfq.save(update_fields=["is_open"])
    return rfq


def rfqs_open(*, limit: int = 50) -> list[Rfq]:
    """Open requests, newest first (sellers browse them)."""
    return list(Rfq.objects.filter(is_open=True).prefetch_related("offers")[:limit])


def rfqs_of(actor: Actor) -> list[Rfq]:
    """The actor organisation's own requests with their offers."""
    if actor.organisation_id is None:
        return []
    return list(
        Rfq.objects.filter(buyer_organisation_id=actor.organisation_id).prefetch_related(
            "offers__seller"
        )
    )
