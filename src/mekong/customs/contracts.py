"""Frozen dataclasses that cross the customs-documents module boundary (no ORM objects).

Clearance and the marketplace code against these names; keep them stable.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "CheckResult",
    "DocumentInfo",
    "ShipmentIn",
    "ShipmentLine",
    "VerificationResult",
]


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A trade document as other modules see it.

    Attributes:
        id: The document id (also in its QR code and file).
        doc_type: ``atiga_form_d``, ``commercial_invoice``, ``packing_list`` or
            ``customs_declaration``.
        data: The document fields (the full data; hidden fields only exist in copies).
        issuer_country: Country of the issuing authority (for a draft: of the exporter).
        issuer_name: Name of the issuing authority ("" for a draft without one yet).
        issued_at: When it was signed and anchored; None for a draft.
        revoked: True once the issuer revoked it.
        hash_hex: The document hash (64 hex digits); "" for a draft.
        status: ``draft`` or ``issued`` (``revoked`` documents are ``issued`` with revoked).
        owner_organisation_id: The organisation that requested it (the exporter).
    """

    id: uuid.UUID
    doc_type: str
    data: dict[str, Any]
    issuer_country: str
    issuer_name: str
    issued_at: datetime | None
    revoked: bool
    hash_hex: str
    status: str = "issued"
    owner_organisation_id: int | None = None


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One verification check: ``integrity``, ``issuer_trusted``, ``signature``, ``anchored``,
    ``not_revoked`` or ``consistency``; ``detail`` says why (English, for logs and officers)."""

    name: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """The outcome of verifying a document: valid only if every check passed."""

    valid: bool
    checks: list[CheckResult] = field(default_factory=list)
    document_id: uuid.UUID | None = None
    doc_type: str = ""
    reasons: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ShipmentLine:
    """One line of a cross-border shipment (money in minor units of the shipment currency)."""

    description: str
    hs_code: str
    quantity: int
    unit_price_minor: int
    origin_country: str
    weight_grams: int


@dataclass(frozen=True, slots=True)
class ShipmentIn:
    """A cross-border shipment for which the exporter needs trade documents."""

    order_ref: str
    seller_organisation_id: int
    seller_country: str
    buyer_name: str
    buyer_country: str
    currency: str
    lines: list[ShipmentLine]
