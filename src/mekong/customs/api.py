"""Customs documents API: issue, fetch, download the verifiable file, revoke, verify.

Documents are visible to their owner organisation (drafts included), and once issued to the
subject organisation and the issuing authority's organisation; anyone else gets 404, like a
missing document. Verification and the trust list are public (no authentication) and
rate-limited per client address.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from mekong.core.pagination import Page, paginate
from mekong.core.schemas import COMMON_ERRORS, PageOut, ProblemOut
from mekong.customs import errors, facade, ratelimit, selectors, services
from mekong.customs.contracts import VerificationResult
from mekong.customs.documents.envelope import DOCUMENT_TYPES
from mekong.customs.messages import CHECK_LABELS, CHECK_REASONS
from mekong.customs.models import Document
from mekong.customs.trust_list import published_trust_list
from mekong.identity import facade as identity
from mekong.identity.contracts import Actor

router = Router(tags=["customs"])


class DocumentIn(Schema):
    """A document to issue now (or to keep as a draft with ``draft``)."""

    doc_type: str = Field(description=", ".join(DOCUMENT_TYPES))
    data: dict[str, Any] = Field(description="the fields, per the type's JSON schema")
    subject_organisation_id: int | None = None
    draft: bool = False


class DocumentOut(Schema):
    """A document; ``hash``, ``issuer_*`` and ``issued_at`` are set once issued."""

    id: uuid.UUID
    doc_type: str
    status: str
    data: dict[str, Any]
    issuer_country: str
    issuer_name: str
    key_id: str
    issued_at: datetime | None
    revoked_at: datetime | None
    hash: str
    log_index: int | None
    created_at: datetime


class RevokeIn(Schema):
    """Why the issuer revokes the document."""

    reason: str = Field(min_length=1, max_length=300)


class CheckOut(Schema):
    """One verification check."""

    name: str
    ok: bool
    reason: str
    label: str
    explanation: str
    detail: str


class VerificationOut(Schema):
    """Every check of a verification; ``valid`` only if all passed."""

    valid: bool
    document_id: uuid.UUID | None
    doc_type: str
    checks: list[CheckOut]


def _actor(request: HttpRequest) -> Actor:
    actor = request.auth  # type: ignore[attr-defined]
    assert isinstance(actor, Actor)
    return actor


def _out(doc: Document) -> DocumentOut:
    return DocumentOut(
        id=doc.pk,
        doc_type=doc.doc_type,
        status=doc.status,
        data=doc.data,
        issuer_country=doc.authority.country if doc.authority else "",
        issuer_name=doc.authority.name if doc.authority else "",
        key_id=doc.key.key_id if doc.key else "",
        issued_at=doc.issued_at,
        revoked_at=doc.revoked_at,
        hash=doc.document_hash,
        log_index=doc.log_index,
        created_at=doc.created_at,
    )


def verification_out(result: VerificationResult) -> VerificationOut:
    """The API form of a verification, with labels and explanations in the request language."""
    return VerificationOut(
        valid=result.valid,
        document_id=result.document_id,
        doc_type=result.doc_type,
        checks=[
            CheckOut(
                name=c.name,
                ok=c.ok,
                reason=result.reasons.get(c.name, "ok" if c.ok else ""),
                label=str(CHECK_LABELS.get(c.name, c.name)),
                explanation=str(
                    CHECK_REASONS.get(result.reasons.get(c.name, ""), CHECK_REASONS["ok"])
                ),
                detail=c.detail,
            )
            for c in result.checks
        ],
    )


def _org_country(actor: Actor) -> str:
    info = identity.organisation_info(actor.organisation_id or 0)
    if info is None:
        raise errors.NotAMember()
    return info.country


@router.get(
    "/documents", response={200: PageOut[DocumentOut], **COMMON_ERRORS}, summary="List my documents"
)
def documents_list(request: HttpRequest, page: Query[Page]) -> PageOut[DocumentOut]:
    """Documents the caller's organisation owns, is the subject of, or issued as authority."""
    items, count = paginate(selectors.documents_for(_actor(request)), page)
    return PageOut[DocumentOut](items=[_out(d) for d in items], count=count)


@router.post(
    "/documents",
    response={201: DocumentOut, 403: ProblemOut, 409: ProblemOut, **COMMON_ERRORS},
    summary="Issue a document (or save a draft)",
)
def document_create(request: HttpRequest, payload: DocumentIn) -> Status[DocumentOut]:
    """Validate, sign by the issuing authority of the caller's country, anchor in the log.

    A 422 ``invalid_document`` lists every field problem in ``errors`` (JSON pointer, code,
    message). With ``draft`` the data is stored unsigned and unvalidated for later review.
    """
    actor = _actor(request)
    if actor.organisation_id is None or actor.role in {None, "viewer"}:
        raise errors.NotAMember()
    country = _org_country(actor)
    if payload.draft:
        doc = services.document_draft_create(
            organisation_id=actor.organisation_id,
            doc_type=payload.doc_type,
            data=payload.data,
            subject_organisation_id=payload.subject_organisation_id,
            user_id=actor.user_id,
        )
    else:
        doc = services.document_issue(
            organisation_id=actor.organisation_id,
            organisation_country=country,
            doc_type=payload.doc_type,
            data=payload.data,
            subject_organisation_id=payload.subject_organisation_id,
            user_id=actor.user_id,
        )
    return Status(201, _out(selectors.document_get_for(actor=actor, document_id=doc.pk)))


@router.get(
    "/documents/{document_id}",
    response={200: DocumentOut, 404: ProblemOut, **COMMON_ERRORS},
    summary="Get a document",
)
def document_get(request: HttpRequest, document_id: uuid.UUID) -> DocumentOut:
    """One document the caller may see (404 otherwise)."""
    return _out(selectors.document_get_for(actor=_actor(request), document_id=document_id))


@router.post(
    "/documents/{document_id}/issue",
    response={200: DocumentOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut, **COMMON_ERRORS},
    summary="Issue a reviewed draft",
)
def document_submit(request: HttpRequest, document_id: uuid.UUID) -> DocumentOut:
    """Validate, sign and anchor a draft of the caller's organisation."""
    actor = _actor(request)
    doc = selectors.document_get_for(actor=actor, document_id=document_id)
    doc = services.document_submit(
        actor=actor, document=doc, organisation_country=_org_country(actor)
    )
    return _out(selectors.document_get_for(actor=actor, document_id=doc.pk))


@router.get(
    "/documents/{document_id}/file",
    response={200: dict[str, Any], 404: ProblemOut, 409: ProblemOut, **COMMON_ERRORS},
    summary="Download the verifiable document file",
)
def document_file(
    request: HttpRequest,
    document_id: uuid.UUID,
    hide: Query[list[str]] = [],  # noqa: B006 - ninja copies the default
) -> HttpResponse:
    """The signed file with its log receipt; ``hide`` (repeatable JSON pointers) gives a
    redacted copy that still verifies."""
    doc = selectors.document_get_for(actor=_actor(request), document_id=document_id)
    response = JsonResponse(
        selectors.document_file(doc, hide=hide),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Content-Disposition"] = f'attachment; filename="{doc.doc_type}-{doc.pk}.json"'
    return response


@router.post(
    "/documents/{document_id}/revoke",
    response={200: DocumentOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut, **COMMON_ERRORS},
    summary="Revoke an issued document (issuing authority)",
)
def document_revoke(request: HttpRequest, document_id: uuid.UUID, payload: RevokeIn) -> DocumentOut:
    """Sign and anchor a revocation statement; verification then fails ``not_revoked``."""
    actor = _actor(request)
    doc = selectors.document_get_for(actor=actor, document_id=document_id)
    services.document_revoke(actor=actor, document=doc, reason=payload.reason)
    return _out(selectors.document_get_for(actor=actor, document_id=document_id))


@router.get(
    "/trust-list",
    auth=None,
    response={200: dict[str, Any], 429: ProblemOut},
    summary="The trust list (public)",
)
def trust_list(request: HttpRequest) -> dict[str, Any]:
    """Authorities and their keys with validity and revocation, revocation statements, and
    the log's verifier key and witnesses: everything an offline verifier needs. The ``anchor``
    member proves, with the log key, that this exact list was published by the platform."""
    ratelimit.check(request, "trust-list")
    return published_trust_list()


@router.post(
    "/verify",
    auth=None,
    response={200: VerificationOut, 400: ProblemOut, 429: ProblemOut},
    summary="Verify a document file (public)",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": {"type": "object"}}},
            "required": True,
        }
    },
)
def verify(request: HttpRequest) -> VerificationOut:
    """Verify the document file in the request body; every check with its reason."""
    ratelimit.check(request, "verify")
    if len(request.body) > selectors.MAX_FILE_BYTES:
        raise errors.UnreadableFile()
    return verification_out(facade.verify_file(request.body))


@router.get(
    "/verify/{document_id}",
    auth=None,
    response={200: VerificationOut, 429: ProblemOut, **COMMON_ERRORS},
    summary="Verify a stored document by id (public, as from its QR code)",
)
def verify_by_id(
    request: HttpRequest,
    document_id: uuid.UUID,
    hash: str = "",
) -> VerificationOut:
    """Verify an issued document by id; with ``hash`` (from the QR code) also check that the
    stored document is the one the QR code names."""
    ratelimit.check(request, "verify")
    result = facade.verify_stored(document_id)
    return verification_out(selectors.with_qr_hash(result, document_id, hash))
