"""What other modules (clearance, marketplace) may call in customs documents.

Takes and returns contracts (`mekong.customs.contracts`), never ORM objects.
"""

from __future__ import annotations

import uuid

from mekong.core import clock
from mekong.core.countries import COUNTRIES
from mekong.customs import errors, selectors, services
from mekong.customs.contracts import (
    CheckResult,
    DocumentInfo,
    ShipmentIn,
    VerificationResult,
)
from mekong.customs.models import Document
from mekong.identity import facade as identity

__all__ = [
    "document_get",
    "draft_for_shipment",
    "issue_document",
    "verify_file",
    "verify_stored",
]


def document_get(document_id: uuid.UUID) -> DocumentInfo | None:
    """A document by id (draft or issued), or None. Callers enforce their own access rules."""
    doc = Document.objects.select_related("authority").filter(pk=document_id).first()
    return selectors.document_info(doc) if doc is not None else None


def verify_stored(document_id: uuid.UUID) -> VerificationResult:
    """Verify a stored, issued document exactly as an offline verifier would verify its file
    (for a Form D, with the invoice it names as related document)."""
    try:
        doc = selectors.document_issued(document_id)
    except errors.DocumentNotFound:
        return VerificationResult(
            valid=False,
            checks=[CheckResult("integrity", False, "no issued document with this id")],
            document_id=document_id,
            reasons={"integrity": "not_found"},
        )
    file = selectors.document_file(doc)
    return selectors.to_result(
        selectors.verify_parsed(file, related=selectors.related_invoices(doc))
    )


def verify_file(data: bytes) -> VerificationResult:
    """Verify an uploaded document file (JSON bytes) with this platform's trust list and log
    keys. An unreadable file gives a result with one failed ``integrity`` check."""
    try:
        parsed = selectors.parse_file(data)
    except errors.UnreadableFile:
        return VerificationResult(
            valid=False,
            checks=[CheckResult("integrity", False, "not a readable JSON document file")],
            reasons={"integrity": "unreadable"},
        )
    return selectors.to_result(selectors.verify_parsed(parsed))


def issue_document(
    *,
    doc_type: str,
    data: dict[str, object],
    issuer_organisation_id: int,
    subject_organisation_id: int | None = None,
) -> DocumentInfo:
    """Validate, sign (by the issuing authority of the organisation's country), anchor, store.

    Raises:
        errors.UnknownDocumentType, errors.InvalidDocument (field errors in
        ``extra["errors"]``), errors.NoIssuingAuthority, errors.NotAMember (no such
        organisation).
    """
    org = identity.organisation_info(issuer_organisation_id)
    if org is None:
        raise errors.NotAMember()
    doc = services.document_issue(
        organisation_id=org.id,
        organisation_country=org.country,
        doc_type=doc_type,
        data=dict(data),
        subject_organisation_id=subject_organisation_id,
    )
    return selectors.document_info(doc)


def draft_for_shipment(shipment: ShipmentIn) -> list[uuid.UUID]:
    """Create the DRAFT commercial invoice of a cross-border shipment and, when every line
    originates in an ASEAN member state and is wholly obtained in the seller's country (the
    origin is the seller's country and the goods are in HS chapters 01-14, plants and
    animals), a Form D draft with criterion WO. Unsigned: the exporter reviews, completes
    transport and declaration boxes and submits them. Returns the new document ids, invoice
    first."""
    today = clock.now().date().isoformat()
    seller = identity.organisation_info(shipment.seller_organisation_id)
    seller_name = seller.name if seller else ""
    invoice_number = f"INV-{shipment.order_ref}"[:120]
    lines = [
        {
            "description": line.description,
            "hs_code": line.hs_code,
            "quantity": line.quantity,
            "unit_price_minor": line.unit_price_minor,
            "amount_minor": line.quantity * line.unit_price_minor,
            "origin_country": line.origin_country,
            "weight_grams": line.weight_grams,
        }
        for line in shipment.lines
    ]
    seller_party = {"name": seller_name, "address": "", "country": shipment.seller_country}
    buyer_party = {"name": shipment.buyer_name, "address": "", "country": shipment.buyer_country}
    invoice = services.document_draft_create(
        organisation_id=shipment.seller_organisation_id,
        doc_type="commercial_invoice",
        source_ref=shipment.order_ref,
        data={
            "invoice_number": invoice_number,
            "invoice_date": today,
            "order_ref": shipment.order_ref,
            "seller": seller_party,
            "buyer": buyer_party,
            "currency": shipment.currency,
            "lines": lines,
            "total_minor": sum(li["amount_minor"] for li in lines),
        },
    )
    ids = [invoice.pk]
    if shipment.lines and all(
        wholly_obtained_plausible(li.hs_code, li.origin_country, shipment.seller_country)
        for li in shipment.lines
    ):
        form_d = services.document_draft_create(
            organisation_id=shipment.seller_organisation_id,
            doc_type="atiga_form_d",
            source_ref=shipment.order_ref,
            data={
                "reference_number": f"FD-{shipment.order_ref}"[:40],
                "issued_in": shipment.seller_country,
                "exporter": seller_party,
                "consignee": buyer_party,
                "items": [
                    {
                        "item_number": i + 1,
                        "packages": {"number": 1, "kind": "carton"},
                        "description": li.description,
                        "hs_code": li.hs_code,
                        "origin_criterion": "WO",
                        "quantity": {"value": max(1, li.weight_grams // 1000), "unit": "kg"},
                    }
                    for i, li in enumerate(shipment.lines)
                ],
                "invoice": {"number": invoice_number, "date": today},
                "declaration": {
                    "producing_country": shipment.seller_country,
                    "importing_country": shipment.buyer_country,
                    "place": "",
                    "date": today,
                    "signatory": "",
                },
            },
        )
        ids.append(form_d.pk)
    return ids


def wholly_obtained_plausible(hs_code: str, origin_country: str, seller_country: str) -> bool:
    """WO can be claimed without a cost breakdown: an ASEAN origin equal to the seller's
    country and goods of HS chapters 01-14 (live animals, plants, vegetable products as
    grown or harvested, e.g. green coffee 0901.11). Anything processed needs RVC or CTC."""
    country = COUNTRIES.get(origin_country)
    digits = "".join(c for c in hs_code if c.isdigit())
    return (
        country is not None
        and country.asean
        and origin_country == seller_country
        and len(digits) >= 2
        and 1 <= int(digits[:2]) <= 14
    )
