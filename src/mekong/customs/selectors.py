"""Reads of customs documents: object-level access, the document file, trust list, verification."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q, QuerySet

from mekong.core import clock
from mekong.customs import anchoring, errors
from mekong.customs.contracts import CheckResult, DocumentInfo, VerificationResult
from mekong.customs.documents import disclosure
from mekong.customs.documents.canonical import format_time
from mekong.customs.documents.envelope import TRUST_LIST_FORMAT
from mekong.customs.documents.verify import ReceiptChecker, Verification, verify_document
from mekong.customs.models import Document, IssuingAuthority, Revocation
from mekong.identity.contracts import Actor
from mekong.trustlog import facade as trustlog

#: Largest document file accepted for verification (a Form D with 200 items is ~150 KB).
MAX_FILE_BYTES = 2 * 1024 * 1024


def documents_for(actor: Actor) -> QuerySet[Document]:
    """Documents the caller may see: its organisation's own (drafts included), issued ones
    naming it as subject, and issued ones of an authority it operates."""
    if actor.organisation_id is None:
        return Document.objects.none()
    org = actor.organisation_id
    return Document.objects.filter(
        Q(owner_organisation_id=org)
        | Q(status=Document.Status.ISSUED, subject_organisation_id=org)
        | Q(status=Document.Status.ISSUED, authority__organisation_id=org)
    ).select_related("authority", "key")


def operates_authority(actor: Actor) -> bool:
    """True if the caller's organisation operates an issuing authority."""
    return (
        actor.organisation_id is not None
        and IssuingAuthority.objects.filter(organisation_id=actor.organisation_id).exists()
    )


def documents_of_authority(actor: Actor) -> QuerySet[Document]:
    """Issued documents of the authorities the caller's organisation operates, newest first."""
    if actor.organisation_id is None:
        return Document.objects.none()
    return (
        Document.objects.filter(
            status=Document.Status.ISSUED, authority__organisation_id=actor.organisation_id
        )
        .select_related("authority", "key")
        .order_by("-issued_at")
    )


def document_get_for(*, actor: Actor, document_id: uuid.UUID) -> Document:
    """One document the caller may see.

    Raises:
        errors.DocumentNotFound: If it does not exist or the caller may not see it.
    """
    doc = documents_for(actor).filter(pk=document_id).first()
    if doc is None:
        raise errors.DocumentNotFound()
    return doc


def document_issued(document_id: uuid.UUID) -> Document:
    """An issued document by id, for the public verify page (QR code) and other modules.

    Raises:
        errors.DocumentNotFound: If there is no issued document with this id.
    """
    doc = (
        Document.objects.select_related("authority", "key")
        .filter(pk=document_id, status=Document.Status.ISSUED)
        .first()
    )
    if doc is None:
        raise errors.DocumentNotFound()
    return doc


def document_info(doc: Document) -> DocumentInfo:
    """The contract view of a document."""
    if doc.authority is not None:
        country, name = doc.authority.country, doc.authority.name
    else:
        seller = doc.data.get("seller") or doc.data.get("exporter") or {}
        country = str(seller.get("country", "")) if isinstance(seller, dict) else ""
        name = ""
    return DocumentInfo(
        id=doc.pk,
        doc_type=doc.doc_type,
        data=dict(doc.data),
        issuer_country=country,
        issuer_name=name,
        issued_at=doc.issued_at,
        revoked=doc.revoked_at is not None,
        hash_hex=doc.document_hash,
        status=doc.status,
        owner_organisation_id=doc.owner_organisation_id,
    )


def document_file(doc: Document, *, hide: Iterable[str] = (), fresh: bool = True) -> dict[str, Any]:
    """The verifiable document file (see `documents.envelope`), optionally with fields hidden.

    The receipt is refreshed to the best cosigned checkpoint covering the entry (``fresh``).

    Raises:
        errors.NotIssued: For a draft.
        errors.InvalidRedaction: If a field to hide does not exist or cannot be hidden alone.
    """
    if doc.status != Document.Status.ISSUED or doc.log_index is None:
        raise errors.NotIssued()
    signed: dict[str, Any] = json.loads(doc.canonical)
    data, salts = doc.data, dict(doc.salts)
    obfuscated: list[str] = []
    hide = [p for p in hide if p]
    if hide:
        try:
            data, salts, obfuscated = disclosure.redact(data, salts, [], hide)
        except disclosure.DisclosureError as exc:
            raise errors.InvalidRedaction(extra={"detail_en": str(exc)}) from None
    receipt = anchoring.fresh_receipt(doc.log_index, doc.receipt) if fresh else doc.receipt
    return {
        **signed,
        "data": data,
        "privacy": {"salts": salts, "obfuscated": obfuscated},
        "signature": doc.signature,
        "receipt": receipt,
    }


def trust_list() -> dict[str, Any]:
    """The trust list: every authority with every key (public halves, validity, revocation),
    every revocation statement, and the log's key and witnesses, as JSON-ready data."""
    authorities = [
        {
            "country": auth.country,
            "name": auth.name,
            "keys": [
                {
                    "key_id": k.key_id,
                    "algorithm": "Ed25519",
                    "public_key": k.public_key,
                    "valid_from": format_time(k.valid_from),
                    "valid_until": format_time(k.valid_until) if k.valid_until else None,
                    "revoked_at": format_time(k.revoked_at) if k.revoked_at else None,
                }
                for k in auth.keys.all()
            ],
        }
        for auth in IssuingAuthority.objects.prefetch_related("keys").order_by("country", "name")
    ]
    revocations = [r.statement for r in Revocation.objects.order_by("revoked_at", "pk")]
    return {
        "format": TRUST_LIST_FORMAT,
        "generated_at": format_time(clock.now()),
        "log": {"key": trustlog.log_key(), "witness_keys": list(trustlog.witness_keys())},
        "authorities": authorities,
        "revocations": revocations,
    }


def related_invoices(doc: Document) -> list[dict[str, Any]]:
    """The issued invoice(s) of the same owner that a Form D names in box 10."""
    if doc.doc_type != "atiga_form_d":
        return []
    invoice = doc.data.get("invoice")
    number = invoice.get("number") if isinstance(invoice, dict) else None
    if not number:
        return []
    rows = Document.objects.filter(
        owner_organisation_id=doc.owner_organisation_id,
        doc_type="commercial_invoice",
        status=Document.Status.ISSUED,
        data__invoice_number=number,
    )
    return [dict(r.data) for r in rows[:5]]


def to_result(verification: Verification) -> VerificationResult:
    """The contract form of a pure verification."""
    doc_id: uuid.UUID | None
    try:
        doc_id = uuid.UUID(verification.document_id)
    except ValueError:
        doc_id = None
    return VerificationResult(
        valid=verification.valid,
        checks=[CheckResult(c.name, c.ok, c.detail or c.reason) for c in verification.checks],
        document_id=doc_id,
        doc_type=verification.doc_type,
        reasons={c.name: c.reason for c in verification.checks},
    )


def verify_parsed(
    document: Any,
    *,
    related: Sequence[dict[str, Any]] = (),
    checker: ReceiptChecker | None = None,
    trust: dict[str, Any] | None = None,
) -> Verification:
    """Verify a parsed file with this platform's trust list and log keys (no other DB reads)."""
    return verify_document(
        document,
        trust if trust is not None else trust_list(),
        checker or anchoring.platform_checker(),
        related,
    )


def parse_file(data: bytes) -> Any:
    """Parse an uploaded document file.

    Raises:
        errors.UnreadableFile: If it is too large or not JSON.
    """
    if len(data) > MAX_FILE_BYTES:
        raise errors.UnreadableFile()
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        raise errors.UnreadableFile() from None


def with_qr_hash(
    result: VerificationResult, document_id: uuid.UUID, hash_hex: str
) -> VerificationResult:
    """Fail ``integrity`` when the hash from a QR code is not the stored document's hash."""
    if not hash_hex:
        return result
    stored = Document.objects.filter(pk=document_id).values_list("document_hash", flat=True).first()
    if stored and stored == hash_hex.lower():
        return result
    checks = [
        CheckResult(c.name, False, "the QR code names another document hash")
        if c.name == "integrity"
        else c
        for c in result.checks
    ]
    return VerificationResult(
        valid=False,
        checks=checks,
        document_id=result.document_id,
        doc_type=result.doc_type,
        reasons={**result.reasons, "integrity": "hash_differs"},
    )
