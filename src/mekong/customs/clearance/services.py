"""Write use cases of clearance: lodge a declaration, request and supply information, release, hold.

Lodging runs the automatic checks before it writes anything:

1. validate the declaration field by field (`InvalidDeclaration` lists every problem);
2. fetch and verify every referenced document through the customs facade;
3. decide which lines a valid Form D covers and assess duty and VAT (`duty.assess`);
4. screen the parties: the importing customs' watchlist and, through the threat-intelligence
   facade, the exporter's e-mail address and domain (as the importing customs authority, so
   TLP applies to what it may see);
5. run the risk rules (`risk.evaluate`) for the lane;

then one transaction writes the declaration, its lines, the events ``lodged``,
``auto_checks`` and ``lane_assigned``, the audit entry and `DeclarationLodged`. The network-ish
work (verification, screening) stays outside the transaction.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from django.db import IntegrityError, transaction

from mekong.core import clock
from mekong.core.audit import audit_record
from mekong.core.events import publish
from mekong.customs.clearance import documents as docs
from mekong.customs.clearance import duty, risk
from mekong.customs.clearance.checks import (
    Matcher,
    assessment_json,
    hits_json,
    run_checks,
    views_json,
)
from mekong.customs.clearance.errors import (
    IdempotencyKeyReused,
    InvalidDeclaration,
    InvalidTransition,
    OfficerRequired,
    TraderRequired,
)
from mekong.customs.clearance.events import DeclarationLodged, DeclarationReleased
from mekong.customs.clearance.models import (
    Declaration,
    DeclarationEvent,
    DeclarationLine,
    EventKind,
    LaneChoice,
    Status,
    WatchlistEntry,
)
from mekong.customs.clearance.selectors import declaration_get_for, officer_side, side_of
from mekong.customs.clearance.validation import (
    DOCUMENTS_MAX,
    NOTE_MAX,
    TRADER_KINDS,
    DeclarationData,
    LineData,
    text_field,
    valid_document_id,
    validate,
)
from mekong.identity import facade as identity
from mekong.identity.contracts import Actor
from mekong.identity.models import OrganisationType

__all__ = ["DeclarationData", "LineData"]


def _event(
    declaration: Declaration, kind: str, actor: Actor | None, note: str = "", **data: Any
) -> None:
    DeclarationEvent.objects.create(
        declaration=declaration,
        kind=kind,
        at=clock.now(),
        organisation_id=actor.organisation_id if actor else None,
        user_id=actor.user_id if actor else None,
        note=note,
        data=data,
    )


def _fingerprint(data: DeclarationData) -> dict[str, Any]:
    """What an idempotent retry must repeat exactly."""
    raw = asdict(data)
    raw["departure_date"] = data.departure_date.isoformat() if data.departure_date else None
    raw["lines"] = [{**asdict(line), "quantity": str(line.quantity)} for line in data.lines]
    raw["document_ids"] = list(data.document_ids)
    return raw


def _customs_authority(country: str) -> int | None:
    found = identity.organisations_by_kind(OrganisationType.CUSTOMS, country=country)
    return found[0].id if found else None


# --- use cases -------------------------------------------------------------------------------
def declaration_lodge(
    *,
    actor: Actor,
    data: DeclarationData,
    idempotency_key: uuid.UUID | None = None,
    fetch: docs.Fetcher | None = None,
    matcher: Matcher | None = None,
    config: risk.RiskConfig | None = None,
) -> Declaration:
    """Lodge a declaration for the actor's trading organisation and run the automatic checks.

    Idempotent on ``idempotency_key``: the same key with the same data returns the existing
    declaration and writes nothing; with other data it raises `IdempotencyKeyReused`.
    Writes the events ``lodged``, ``auto_checks`` and ``lane_assigned``, a
    ``clearance.declaration_lodged`` audit entry and publishes `DeclarationLodged`.

    Raises:
        TraderRequired: the actor is not a member (owner/admin/member) of an SME or buyer.
        InvalidDeclaration: field-level errors in ``extra["errors"]``.
        IdempotencyKeyReused: the key was used for other data.
    """
    side = side_of(actor)
    if side is None or side.kind not in TRADER_KINDS or not side.can_act:
        raise TraderRequired()
    clean, errors = validate(data, declarant_country=side.country)
    if errors:
        raise InvalidDeclaration(extra={"errors": errors})
    key = idempotency_key or uuid.uuid4()
    fingerprint = _fingerprint(clean)
    existing = Declaration.objects.filter(
        declarant_id=side.organisation_id, idempotency_key=key
    ).first()
    if existing is not None:
        return _same_or_conflict(existing, fingerprint)
    org = identity.organisation_info(side.organisation_id)
    now = clock.now()
    reference = f"{clean.import_country}{now:%y%m%d}-{secrets.token_hex(4).upper()}"
    authority_id = _customs_authority(clean.import_country)
    try:
        checks = run_checks(
            clean,
            reference=reference,
            declarant_name=org.name if org else "",
            customs_authority_id=authority_id,
            on=now.date(),
            fetch=fetch,
            matcher=matcher,
            config=config,
        )
    except duty.DutyError as error:  # validation ran first, so this is a schedule gap
        raise InvalidDeclaration(
            extra={"errors": [{"field": "lines", "code": error.code}]}
        ) from None
    lane = checks.result.lane.label
    try:
        with transaction.atomic():
            declaration = Declaration.objects.create(
                reference=reference,
                idempotency_key=key,
                declarant_id=side.organisation_id,
                lodged_by_user_id=actor.user_id,
                customs_authority_id=authority_id,
                importer_name=clean.importer_name,
                importer_address=clean.importer_address,
                exporter_name=clean.exporter_name,
                exporter_address=clean.exporter_address,
                exporter_email=clean.exporter_email,
                import_country=clean.import_country,
                export_country=clean.export_country,
                transport_mode=clean.transport_mode,
                transport_id=clean.transport_id,
                port_of_discharge=clean.port_of_discharge,
                departure_date=clean.departure_date,
                currency=clean.currency,
                document_ids=list(clean.document_ids),
                status=Status.LODGED,
                lane=lane,
                risk_hits=hits_json(checks.result),
                document_checks=views_json(checks.views),
                assessment={**assessment_json(checks.assessment, checks.covered),
                            "fingerprint": fingerprint, "screening": checks.screening},
                assessment_currency=checks.assessment.currency,
                duty=checks.assessment.duty,
                vat=checks.assessment.vat,
                declared_value=sum(line.customs_value for line in clean.lines),
                gross_mass_g=sum(line.gross_mass_g for line in clean.lines),
                lodged_at=now,
                updated_at=now,
            )  # fmt: skip
            DeclarationLine.objects.bulk_create(
                DeclarationLine(
                    declaration=declaration, number=i + 1, hs_code=line.hs_code,
                    description=line.description, quantity=line.quantity,
                    quantity_unit=line.quantity_unit, gross_mass_g=line.gross_mass_g,
                    customs_value=line.customs_value, origin_country=line.origin_country,
                    preference=line.preference,
                )
                for i, line in enumerate(clean.lines)
            )  # fmt: skip
            _event(declaration, EventKind.LODGED, actor, documents=list(clean.document_ids))
            _event(
                declaration, EventKind.AUTO_CHECKS, None,
                documents_valid=sum(1 for v in checks.views if v.valid),
                documents=len(checks.views), duty=checks.assessment.duty,
                vat=checks.assessment.vat, currency=checks.assessment.currency,
            )  # fmt: skip
            _event(declaration, EventKind.LANE_ASSIGNED, None, lane=lane,
                   rules=[h.rule for h in checks.result.hits])  # fmt: skip
            audit_record(
                action="clearance.declaration_lodged",
                actor_user_id=actor.user_id,
                organisation_id=side.organisation_id,
                object_type="clearance_declaration",
                object_id=declaration.pk,
                data={"reference": reference, "lane": lane},
            )
            publish(
                DeclarationLodged(
                    declaration_id=declaration.pk,
                    reference=reference,
                    import_country=declaration.import_country,
                    export_country=declaration.export_country,
                    declarant_organisation_id=side.organisation_id,
                    lane=lane,
                    duty=declaration.duty,
                    vat=declaration.vat,
                    currency=declaration.assessment_currency,
                )
            )
    except IntegrityError:
        # A concurrent retry with the same key won the insert: answer as a retry would.
        existing = Declaration.objects.filter(
            declarant_id=side.organisation_id, idempotency_key=key
        ).first()
        if existing is None:
            raise
        return _same_or_conflict(existing, fingerprint)
    return declaration


def _same_or_conflict(existing: Declaration, fingerprint: dict[str, Any]) -> Declaration:
    if existing.assessment.get("fingerprint") != fingerprint:
        raise IdempotencyKeyReused()
    return existing


def _locked_for_officer(actor: Actor, declaration_id: int) -> Declaration:
    side = officer_side(actor)
    if not side.can_act:
        raise OfficerRequired()
    declaration = declaration_get_for(actor=actor, declaration_id=declaration_id)
    # Re-read under a row lock so two officers cannot decide at once (PostgreSQL; SQLite's
    # BEGIN IMMEDIATE already serialises writers).
    return Declaration.objects.select_for_update().get(pk=declaration.pk)


def _note(note: str, *, required: bool) -> str:
    text, problem = text_field(note, NOTE_MAX)
    if problem or (required and not text):
        raise InvalidDeclaration(
            extra={"errors": [{"field": "note", "code": problem or "required"}]}
        )
    return text


def _officer_decides(
    actor: Actor, declaration_id: int, note: str, status: str, kind: str, action: str
) -> Declaration:
    # Request-information and hold are the same move: a required note, the declaration locked,
    # refused once released, a new status, one history event and one audit record.
    text = _note(note, required=True)
    with transaction.atomic():
        declaration = _locked_for_officer(actor, declaration_id)
        if declaration.status == Status.RELEASED:
            raise InvalidTransition()
        declaration.status = status
        declaration.updated_at = clock.now()
        declaration.save(update_fields=["status", "updated_at"])
        _event(declaration, kind, actor, note=text)
        _audit(actor, declaration, action)
    return declaration


def declaration_request_info(*, actor: Actor, declaration_id: int, note: str) -> Declaration:
    """An officer asks the declarant for more information (status ``info_requested``).

    Raises:
        OfficerRequired / DeclarationNotFound / InvalidTransition (released) / InvalidDeclaration
        (empty note).
    """
    return _officer_decides(
        actor, declaration_id, note, Status.INFO_REQUESTED, EventKind.INFO_REQUESTED,
        "clearance.info_requested",
    )  # fmt: skip


def declaration_supply_info(
    *,
    actor: Actor,
    declaration_id: int,
    note: str,
    document_ids: Sequence[str] = (),
    fetch: docs.Fetcher | None = None,
) -> Declaration:
    """The declarant answers a request: a note and optionally more documents (back to ``lodged``).

    New documents are verified through the facade and added to the document checks; the
    lane is not recomputed (the officer decides with the new evidence in view).

    Raises:
        TraderRequired / DeclarationNotFound / InvalidTransition (no open request) /
        InvalidDeclaration (empty note, bad document ids).
    """
    side = side_of(actor)
    if side is None or side.is_customs or not side.can_act:
        raise TraderRequired()
    text = _note(note, required=True)
    ids = [str(i).strip() for i in document_ids]
    if len(ids) > DOCUMENTS_MAX or not all(valid_document_id(i) for i in ids):
        raise InvalidDeclaration(
            extra={"errors": [{"field": "document_ids", "code": "invalid_id"}]}
        )
    declaration = declaration_get_for(actor=actor, declaration_id=declaration_id)
    views = (fetch or docs.fetch)(ids) if ids else []
    with transaction.atomic():
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if declaration.status != Status.INFO_REQUESTED:
            raise InvalidTransition()
        known = set(declaration.document_ids)
        added = [i for i in ids if i not in known]
        declaration.document_ids = [*declaration.document_ids, *added]
        declaration.document_checks = [
            *declaration.document_checks,
            *views_json([v for v in views if v.id in added]),
        ]
        declaration.status = Status.LODGED
        declaration.updated_at = clock.now()
        declaration.save(update_fields=["document_ids", "document_checks", "status", "updated_at"])
        _event(declaration, EventKind.INFO_SUPPLIED, actor, note=text, documents=added)
        _audit(actor, declaration, "clearance.info_supplied")
    return declaration


def declaration_release(*, actor: Actor, declaration_id: int, note: str = "") -> Declaration:
    """An officer releases the goods; records ``released_at`` and the clearance time.

    Releasing a red-lane declaration needs a note (the officer's reason to override the
    risk rules). Publishes `DeclarationReleased`.

    Raises:
        OfficerRequired / DeclarationNotFound / InvalidTransition (already released, or an
        information request is open) / InvalidDeclaration (red lane without a note).
    """
    with transaction.atomic():
        declaration = _locked_for_officer(actor, declaration_id)
        text = _note(note, required=declaration.lane == LaneChoice.RED)
        if declaration.status in (Status.RELEASED, Status.INFO_REQUESTED):
            raise InvalidTransition()
        now = clock.now()
        declaration.status = Status.RELEASED
        declaration.released_at = now
        declaration.clearance_seconds = max(0, int((now - declaration.lodged_at).total_seconds()))
        declaration.updated_at = now
        declaration.save(update_fields=["status", "released_at", "clearance_seconds", "updated_at"])
        _event(declaration, EventKind.RELEASED, actor, note=text,
               clearance_seconds=declaration.clearance_seconds)  # fmt: skip
        _audit(actor, declaration, "clearance.released")
        publish(
            DeclarationReleased(
                declaration_id=declaration.pk,
                reference=declaration.reference,
                import_country=declaration.import_country,
                lane=declaration.lane,
                clearance_seconds=declaration.clearance_seconds,
            )
        )
    return declaration


def declaration_hold(*, actor: Actor, declaration_id: int, note: str) -> Declaration:
    """An officer holds the goods (for inspection or a decision), with a reason.

    Raises:
        OfficerRequired / DeclarationNotFound / InvalidTransition (released) / InvalidDeclaration
        (empty note).
    """
    return _officer_decides(
        actor, declaration_id, note, Status.HELD, EventKind.HELD, "clearance.held"
    )


def watchlist_add(*, actor: Actor, name: str, reason: str = "") -> WatchlistEntry:
    """Add a party name to the officer's customs authority's watchlist.

    Raises:
        OfficerRequired: not a member (owner/admin/member) of a customs authority.
        InvalidDeclaration: empty or too long name.
    """
    side = officer_side(actor)
    if not side.can_act:
        raise OfficerRequired()
    text, problem = text_field(name, 200)
    why, problem2 = text_field(reason, 400)
    if problem or not text or problem2:
        raise InvalidDeclaration(
            extra={"errors": [{"field": "name", "code": problem or problem2 or "required"}]}
        )
    with transaction.atomic():
        entry = WatchlistEntry.objects.create(
            customs_authority_id=side.organisation_id, name=text, reason=why
        )
        audit_record(
            action="clearance.watchlist_added",
            actor_user_id=actor.user_id,
            organisation_id=side.organisation_id,
            object_type="clearance_watchlist",
            object_id=entry.pk,
            data={"name": text},
        )
    return entry


def _audit(actor: Actor, declaration: Declaration, action: str) -> None:
    audit_record(
        action=action,
        actor_user_id=actor.user_id,
        organisation_id=actor.organisation_id,
        object_type="clearance_declaration",
        object_id=declaration.pk,
        data={"reference": declaration.reference, "status": declaration.status},
    )
