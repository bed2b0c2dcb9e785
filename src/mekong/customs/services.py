"""Write use cases of customs documents: authorities and keys, drafts, issue, revoke.

Issuing: validate against the schema → salt every field → document hash → sign the signed
part with the authority's current key → anchor in the verifiable log → store. The log call
happens outside any transaction of ours (it may wait for witnesses); the document row is
written after it, so a crash in between leaves only a log entry naming an unused id.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction

from mekong.core import clock
from mekong.core.audit import audit_record
from mekong.core.countries import COUNTRIES
from mekong.core.text.normalize import normalize_text
from mekong.customs import anchoring, errors, keys
from mekong.customs.documents import disclosure, signing
from mekong.customs.documents.canonical import canonical_bytes, format_time
from mekong.customs.documents.envelope import (
    ANCHOR_KIND,
    DOCUMENT_FORMAT,
    DOCUMENT_TYPES,
    REVOCATION_FORMAT,
    REVOCATION_KIND,
    anchor_payload,
    revocation_signed_bytes,
    signed_bytes,
)
from mekong.customs.documents.schemas import validate
from mekong.customs.messages import field_message
from mekong.customs.models import AuthorityKey, Document, IssuingAuthority, Revocation, Trader
from mekong.identity.contracts import Actor


# --- authorities and keys -------------------------------------------------------------------
def authority_register(
    *,
    country: str,
    name: str,
    organisation_id: int | None = None,
    valid_from: datetime | None = None,
) -> IssuingAuthority:
    """Register an issuing authority (idempotent on country and name) with a first key."""
    with transaction.atomic():
        authority, created = IssuingAuthority.objects.get_or_create(
            country=country, name=name, defaults={"organisation_id": organisation_id}
        )
        if organisation_id is not None and authority.organisation_id != organisation_id:
            authority.organisation_id = organisation_id
            authority.save(update_fields=["organisation_id"])
        if created:
            audit_record(
                action="customs.authority_registered",
                organisation_id=organisation_id,
                object_type="customs.issuingauthority",
                object_id=authority.pk,
                data={"country": country, "name": name},
            )
        if not authority.keys.exists():
            authority_key_add(authority=authority, valid_from=valid_from)
    return authority


def authority_key_add(
    *,
    authority: IssuingAuthority,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    rotate: bool = False,
) -> AuthorityKey:
    """Create a key for ``authority``. With ``rotate``, end the validity of its keys that are
    valid at the new key's start there (they keep verifying what they signed before)."""
    start = valid_from or clock.now()
    private = signing.generate_private_key()
    public = signing.public_key_b64(private)
    key_id = signing.key_id_of(public)
    with transaction.atomic():
        if rotate:
            for old in authority.keys.filter(valid_from__lte=start, revoked_at__isnull=True):
                if old.valid_until is None or old.valid_until > start:
                    old.valid_until = start
                    old.save(update_fields=["valid_until"])
        key = AuthorityKey.objects.create(
            authority=authority,
            key_id=key_id,
            public_key=public,
            private_key_enc=keys.encrypt_private_key(private, key_id),
            valid_from=start,
            valid_until=valid_until,
        )
        audit_record(
            action="customs.authority_key_added",
            organisation_id=authority.organisation_id,
            object_type="customs.authoritykey",
            object_id=key_id,
            data={"authority": authority.pk, "rotate": rotate},
        )
    return key


def authority_key_revoke(*, key: AuthorityKey, at: datetime | None = None) -> AuthorityKey:
    """Revoke a key from ``at`` (default now): documents it signed from then on fail."""
    with transaction.atomic():
        key.revoked_at = at or clock.now()
        key.save(update_fields=["revoked_at"])
        audit_record(
            action="customs.authority_key_revoked",
            organisation_id=key.authority.organisation_id,
            object_type="customs.authoritykey",
            object_id=key.key_id,
            data={"revoked_at": format_time(key.revoked_at)},
        )
    return key


def signing_key_for(country: str, at: datetime) -> tuple[IssuingAuthority, AuthorityKey]:
    """The authority of ``country`` and its newest key valid at ``at``.

    Raises:
        errors.NoIssuingAuthority: If none is registered or none of its keys is valid.
    """
    key = (
        AuthorityKey.objects.select_related("authority")
        .filter(authority__country=country, valid_from__lte=at, revoked_at__isnull=True)
        .exclude(valid_until__lte=at)
        .order_by("-valid_from", "-id")
        .first()
    )
    if key is None:
        raise errors.NoIssuingAuthority(params={"country": country})
    return key.authority, key


def trader_register(
    *, organisation_id: int, role: str, country: str, registration_number: str
) -> Trader:
    """Register an organisation as exporter, importer or broker (idempotent per role)."""
    trader, _ = Trader.objects.update_or_create(
        organisation_id=organisation_id,
        role=role,
        defaults={"country": country, "registration_number": registration_number},
    )
    return trader


# --- drafts and issuing -----------------------------------------------------------------------
_MAX_DEPTH = 16


def _normalise(value: Any, depth: int = 0) -> Any:
    """Normalise every string of the document data (NFC, script repairs, no control chars).

    Raises:
        errors.InvalidDocument: If the data nests deeper than any document type allows.
    """
    if depth > _MAX_DEPTH:
        raise errors.InvalidDocument(
            extra={
                "errors": [
                    {
                        "pointer": "",
                        "code": "too_deep",
                        "message": field_message("too_deep", {}),
                        "params": {},
                    }
                ]
            }
        )
    if isinstance(value, str):
        return normalize_text(value, multiline=True)
    if isinstance(value, dict):
        return {normalize_text(str(k)): _normalise(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v, depth + 1) for v in value]
    return value


def _check_type(doc_type: str) -> None:
    if doc_type not in DOCUMENT_TYPES:
        raise errors.UnknownDocumentType(params={"type": doc_type})


def _require_member(actor: Actor, organisation_id: int) -> None:
    if actor.organisation_id != organisation_id or actor.role in {None, "viewer"}:
        raise errors.NotAMember()


def validation_errors(doc_type: str, data: Any) -> list[dict[str, Any]]:
    """Field-level schema problems as JSON-ready dicts (pointer, code, message, params)."""
    return [
        {
            "pointer": e.pointer,
            "code": e.code,
            "message": field_message(e.code, e.params),
            "params": e.params,
        }
        for e in validate(doc_type, data)
    ]


def document_draft_create(
    *,
    organisation_id: int,
    doc_type: str,
    data: dict[str, Any],
    subject_organisation_id: int | None = None,
    source_ref: str = "",
    user_id: int | None = None,
) -> Document:
    """Store an unsigned draft for the exporter to review (no validation: drafts may be partial)."""
    _check_type(doc_type)
    with transaction.atomic():
        doc = Document.objects.create(
            doc_type=doc_type,
            owner_organisation_id=organisation_id,
            subject_organisation_id=subject_organisation_id,
            source_ref=source_ref[:80],
            data=_normalise(data),
        )
        audit_record(
            action="customs.document_drafted",
            actor_user_id=user_id,
            organisation_id=organisation_id,
            object_type="customs.document",
            object_id=str(doc.pk),
            data={"type": doc_type},
        )
    return doc


def document_draft_update(*, actor: Actor, document: Document, data: dict[str, Any]) -> Document:
    """Replace a draft's data (owner only, drafts only)."""
    _require_member(actor, document.owner_organisation_id)
    if document.status != Document.Status.DRAFT:
        raise errors.AlreadyIssued()
    document.data = _normalise(data)
    document.save(update_fields=["data"])
    return document


def _fill_certification(
    doc_type: str, data: dict[str, Any], authority: IssuingAuthority, at: datetime
) -> dict[str, Any]:
    """Box 12 of a Form D is the authority's: fill it in on issue if the exporter left it out."""
    if doc_type != "atiga_form_d" or "certification" in data:
        return data
    country = COUNTRIES.get(authority.country)
    return {
        **data,
        "certification": {
            "place": country.name if country else authority.country,
            "date": at.date().isoformat(),
            "authority": authority.name[:120],
        },
    }


def _mark_retroactive(doc_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """Box 13: the authority marks a Form D certified after the departure date "Issued
    Retroactively" (OCP rule 10); more than a year late is refused by validation."""
    if doc_type != "atiga_form_d":
        return data
    transport, certification = data.get("transport"), data.get("certification")
    flags = data.get("flags") if isinstance(data.get("flags"), dict) else {}
    try:
        departure = date.fromisoformat(transport["departure_date"])  # type: ignore[index]
        certified = date.fromisoformat(certification["date"])  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return data
    if certified > departure and isinstance(flags, dict) and not flags.get("issued_retroactively"):
        return {**data, "flags": {**flags, "issued_retroactively": True}}
    return data


def _issue(
    *,
    document: Document,
    organisation_country: str,
    user_id: int | None,
) -> Document:
    now = clock.now()
    authority, key = signing_key_for(organisation_country, now)
    data = _fill_certification(document.doc_type, _normalise(document.data), authority, now)
    data = _mark_retroactive(document.doc_type, data)
    problems = validation_errors(document.doc_type, data)
    if problems:
        raise errors.InvalidDocument(extra={"errors": problems})
    salts = disclosure.make_salts(data)
    envelope: dict[str, Any] = {
        "format": DOCUMENT_FORMAT,
        "id": str(document.pk),
        "type": document.doc_type,
        "issuer": {"country": authority.country, "authority": authority.name, "key_id": key.key_id},
        "issued_at": format_time(now),
        "document_hash": disclosure.document_hash(data, salts),
    }
    private = keys.decrypt_private_key(key.private_key_enc, key.key_id)
    envelope["signature"] = signing.sign(private, signed_bytes(envelope))
    log_index, receipt = anchoring.anchor(ANCHOR_KIND, anchor_payload(envelope))
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.status != Document.Status.DRAFT:
            raise errors.AlreadyIssued()
        locked.data = data
        locked.salts = salts
        locked.authority = authority
        locked.key = key
        locked.canonical = signed_bytes(envelope).decode()
        locked.document_hash = envelope["document_hash"]
        locked.signature = envelope["signature"]
        locked.log_index = log_index
        locked.receipt = receipt
        locked.issued_at = now
        locked.status = Document.Status.ISSUED
        locked.save()
        audit_record(
            action="customs.document_issued",
            actor_user_id=user_id,
            organisation_id=locked.owner_organisation_id,
            object_type="customs.document",
            object_id=str(locked.pk),
            data={"type": locked.doc_type, "hash": locked.document_hash, "log_index": log_index},
        )
    return locked


def document_issue(
    *,
    organisation_id: int,
    organisation_country: str,
    doc_type: str,
    data: dict[str, Any],
    subject_organisation_id: int | None = None,
    user_id: int | None = None,
) -> Document:
    """Validate, sign by the authority of the exporter's country, anchor and store a document.

    Raises:
        errors.UnknownDocumentType, errors.InvalidDocument (``extra["errors"]``),
        errors.NoIssuingAuthority.
    """
    _check_type(doc_type)
    signing_key_for(organisation_country, clock.now())  # fail before creating anything
    doc = document_draft_create(
        organisation_id=organisation_id,
        doc_type=doc_type,
        data=data,
        subject_organisation_id=subject_organisation_id,
        user_id=user_id,
    )
    try:
        return _issue(document=doc, organisation_country=organisation_country, user_id=user_id)
    except Exception:
        Document.objects.filter(pk=doc.pk, status=Document.Status.DRAFT).delete()
        raise


def document_submit(*, actor: Actor, document: Document, organisation_country: str) -> Document:
    """Issue a reviewed draft (its owner's members only)."""
    _require_member(actor, document.owner_organisation_id)
    if document.status != Document.Status.DRAFT:
        raise errors.AlreadyIssued()
    return _issue(
        document=document, organisation_country=organisation_country, user_id=actor.user_id
    )


def document_revoke(*, actor: Actor, document: Document, reason: str) -> Revocation:
    """Revoke an issued document: a statement signed by the issuing authority, anchored.

    Only managers of the authority's operating organisation (or platform operators) may.
    """
    if document.status != Document.Status.ISSUED or document.authority is None:
        raise errors.NotIssued()
    authority = document.authority
    if not actor.is_operator and not (
        actor.organisation_id == authority.organisation_id and actor.can_manage
    ):
        raise errors.NotTheAuthority()
    if document.revoked_at is not None:
        raise errors.AlreadyRevoked()
    now = clock.now()
    _, key = signing_key_for(authority.country, now)
    reason = normalize_text(reason)[:300] or "revoked by the issuer"
    statement: dict[str, Any] = {
        "format": REVOCATION_FORMAT,
        "document_id": str(document.pk),
        "document_hash": document.document_hash,
        "revoked_at": format_time(now),
        "reason": reason,
        "issuer": {"country": authority.country, "authority": authority.name, "key_id": key.key_id},
    }
    private = keys.decrypt_private_key(key.private_key_enc, key.key_id)
    statement["signature"] = signing.sign(private, revocation_signed_bytes(statement))
    log_index, receipt = anchoring.anchor(REVOCATION_KIND, canonical_bytes(statement))
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.revoked_at is not None:
            raise errors.AlreadyRevoked()
        revocation = Revocation.objects.create(
            document=locked,
            statement=statement,
            reason=reason,
            revoked_at=now,
            revoked_by_user_id=actor.user_id,
            log_index=log_index,
            receipt=receipt,
        )
        locked.revoked_at = now
        locked.save(update_fields=["revoked_at"])
        audit_record(
            action="customs.document_revoked",
            actor_user_id=actor.user_id,
            organisation_id=authority.organisation_id,
            object_type="customs.document",
            object_id=str(locked.pk),
            data={"reason": reason, "log_index": log_index},
        )
    document.revoked_at = now
    return revocation
