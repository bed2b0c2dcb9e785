"""Seller onboarding: an SME applies (registration number, documents, payout wallet) and an
operator verifies or rejects it; a verified seller gets the badge on its storefront."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils.text import slugify

from mekong.core import clock
from mekong.core.audit import audit_record
from mekong.core.countries import COUNTRIES
from mekong.core.text import normalize_text
from mekong.identity.contracts import Actor
from mekong.identity.facade import organisation_info
from mekong.marketplace import registration
from mekong.marketplace.disputes import is_marketplace_operator
from mekong.marketplace.errors import (
    InvalidInput,
    InvalidRegistrationNumber,
    NotAnSme,
    OrderNotFound,
    WalletNotYours,
)
from mekong.marketplace.models import (
    Seller,
    SellerApplication,
    SellerDocument,
    Verification,
)
from mekong.marketplace.services import seller_register, seller_verify
from mekong.payments import facade as payments

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
MAX_DOCUMENTS = 5
#: Accepted documents, recognised by their first bytes (the declared type is not trusted).
MAGIC = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def sniff(data: bytes) -> str | None:
    """The content type of a PDF, PNG or JPEG file, from its content; None for anything else."""
    for magic, content_type in MAGIC.items():
        if data.startswith(magic):
            return content_type
    return None


def seller_apply(
    *,
    actor: Actor,
    registration_number: str,
    payout_wallet_id: int,
    documents: list[tuple[str, bytes]],
    note: str = "",
) -> SellerApplication:
    """An SME organisation applies to sell (or re-applies after a rejection).

    Opens its storefront (pending) if needed, checks the registration number's format for the
    organisation's country and that the payout wallet is the organisation's own in its currency.

    Raises:
        NotAnSme, InvalidRegistrationNumber, WalletNotYours, InvalidInput (too many, too big or
        unsupported documents; a viewer may not apply).
    """
    if actor.organisation_id is None or not actor.can_manage:
        raise InvalidInput()
    info = organisation_info(actor.organisation_id)
    if info is None or info.kind != "sme":
        raise NotAnSme()
    number = registration.compact(registration_number)
    if not registration.is_valid(info.country, number):
        raise InvalidRegistrationNumber(params={"country": info.country})
    currency = COUNTRIES[info.country].currency
    own = payments.wallets_for(organisation_id=actor.organisation_id)
    wallet = next((w for w in own if w.id == payout_wallet_id), None)
    if wallet is None or wallet.currency != currency:
        raise WalletNotYours()
    if len(documents) > MAX_DOCUMENTS:
        raise InvalidInput()
    checked = []
    for name, data in documents:
        content_type = sniff(data)
        if content_type is None or len(data) > MAX_DOCUMENT_BYTES:
            raise InvalidInput()
        checked.append((normalize_text(name)[:200] or "document", content_type, data))
    with transaction.atomic():
        seller = Seller.objects.filter(organisation_id=actor.organisation_id).first()
        if seller is None:
            slug = slugify(info.slug or info.name)[:70] or f"seller-{info.id}"
            if Seller.objects.filter(slug=slug).exists():
                slug = f"{slug}-{info.id}"
            seller = seller_register(
                organisation_id=actor.organisation_id, slug=slug, actor_user_id=actor.user_id
            )
        elif seller.verification == Verification.VERIFIED:
            raise InvalidInput()
        else:
            seller.verification = Verification.PENDING
            seller.save(update_fields=["verification"])
        application, _created = SellerApplication.objects.update_or_create(
            seller=seller,
            defaults={
                "registration_number": number,
                "payout_wallet_id": payout_wallet_id,
                "note": normalize_text(note, multiline=True)[:5_000],
                "decision_note": "",
                "decided_at": None,
            },
        )
        for name, content_type, data in checked:
            SellerDocument.objects.create(
                application=application,
                name=name,
                content_type=content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                data=data,
            )
        audit_record(
            action="marketplace.seller_applied",
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            object_type="seller",
            object_id=seller.pk,
            data={"documents": len(checked)},
        )
    return application


def application_decide(
    *, actor: Actor, application_id: int, verified: bool, note: str = ""
) -> SellerApplication:
    """An operator verifies or rejects a pending application (the seller's badge follows).

    Raises:
        OrderNotFound: not an operator or no such pending application (indistinguishable).
    """
    if not is_marketplace_operator(actor):
        raise OrderNotFound()
    with transaction.atomic():
        application = (
            SellerApplication.objects.select_for_update()
            .select_related("seller")
            .filter(pk=application_id, decided_at=None)
            .first()
        )
        if application is None:
            raise OrderNotFound()
        application.decided_at = clock.now()
        application.decision_note = normalize_text(note, multiline=True)[:5_000]
        application.save(update_fields=["decided_at", "decision_note"])
        seller_verify(seller=application.seller, verified=verified, actor_user_id=actor.user_id)
    return application


def applications_pending() -> list[SellerApplication]:
    """Applications waiting for an operator, oldest first."""
    return list(
        SellerApplication.objects.filter(decided_at=None)
        .select_related("seller")
        .prefetch_related("documents")
        .order_by("submitted_at")
    )
