"""Clearance API: lodge declarations, read lanes and duty, officer queue and decisions.

Traders (SME or buyer organisations) lodge and read their own declarations; officers of a
customs authority read the declarations into their country and decide on them. Another
organisation's declaration answers 404 exactly like a missing one.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from mekong.core.pagination import Page, paginate
from mekong.core.schemas import COMMON_ERRORS, PageOut, ProblemOut
from mekong.customs.clearance import explain, selectors, services
from mekong.customs.clearance.models import Declaration
from mekong.identity.contracts import Actor

router = Router(tags=["clearance"])


class LineIn(Schema):
    """One goods item; ``customs_value`` in minor units of the declaration's currency."""

    hs_code: str = Field(max_length=12, description="6-digit HS 2022 or 8-digit national line")
    description: str = Field(max_length=1000)
    quantity: Decimal = Field(description="Quantity (up to 3 decimals)")
    quantity_unit: str = Field(max_length=16, description="Unit, e.g. kg, pcs")
    gross_mass_g: int = Field(description="Gross mass in grams")
    customs_value: int = Field(description="Customs value in minor units")
    origin_country: str = Field(max_length=2, description="ISO 3166-1 alpha-2")
    preference: str = Field(default="", max_length=8, description='"atiga" or "" (MFN)')


class DeclarationIn(Schema):
    """An import declaration to lodge (ACDD-style header, lines, referenced documents)."""

    importer_name: str = Field(max_length=1000)
    importer_address: str = Field(default="", max_length=1000)
    exporter_name: str = Field(max_length=1000)
    exporter_address: str = Field(default="", max_length=1000)
    exporter_email: str = Field(default="", max_length=1000)
    import_country: str = Field(max_length=2)
    export_country: str = Field(max_length=2)
    transport_mode: str = Field(max_length=8, description="sea, air, road, rail or post")
    transport_id: str = Field(default="", max_length=1000)
    port_of_discharge: str = Field(default="", max_length=1000)
    departure_date: date | None = None
    currency: str = Field(max_length=3, description="ISO 4217 code of the values")
    document_ids: list[str] = Field(default_factory=list, max_length=50)
    lines: list[LineIn] = Field(max_length=200)
    idempotency_key: uuid.UUID | None = Field(
        default=None, description="Your key for safe retries; generated when absent"
    )


class NoteIn(Schema):
    """An officer's note (required to request information or hold)."""

    note: str = Field(default="", max_length=4000)


class SupplyIn(Schema):
    """The declarant's answer to a request: a note and optionally more document ids."""

    note: str = Field(max_length=4000)
    document_ids: list[str] = Field(default_factory=list, max_length=50)


class LineOut(Schema):
    """A goods item as lodged."""

    number: int
    hs_code: str
    description: str
    quantity: Decimal
    quantity_unit: str
    gross_mass_g: int
    customs_value: int
    origin_country: str
    preference: str


class RiskHitOut(Schema):
    """A risk rule that fired, with its explanation in the request's language."""

    rule: str
    lane: str
    params: dict[str, str]
    explanation: str


class EventOut(Schema):
    """One step of the declaration's history."""

    kind: str
    at: datetime
    organisation_id: int | None
    note: str
    data: dict[str, Any]


class DeclarationOut(Schema):
    """A declaration with its lane, duty assessment, document checks and history.

    ``duty`` and ``vat`` are minor units of ``assessment_currency`` (the importing country's);
    ``declared_value`` is in ``currency``.
    """

    id: int
    reference: str
    status: str
    lane: str
    declarant_organisation_id: int
    importer_name: str
    exporter_name: str
    import_country: str
    export_country: str
    transport_mode: str
    transport_id: str
    port_of_discharge: str
    currency: str
    declared_value: int
    gross_mass_g: int
    assessment_currency: str
    duty: int
    vat: int
    document_ids: list[str]
    lodged_at: datetime
    released_at: datetime | None
    clearance_seconds: int | None
    lines: list[LineOut]
    risk_hits: list[RiskHitOut]
    document_checks: list[dict[str, Any]]
    assessment: dict[str, Any]
    events: list[EventOut]


class QueueItemOut(Schema):
    """A declaration in an officer's queue."""

    id: int
    reference: str
    status: str
    lane: str
    importer_name: str
    exporter_name: str
    export_country: str
    lodged_at: datetime
    rules: list[str]


def _actor(request: HttpRequest) -> Actor:
    actor = request.auth  # type: ignore[attr-defined]
    assert isinstance(actor, Actor)
    return actor


def declaration_out(d: Declaration) -> DeclarationOut:
    """The API view of a declaration (lines and events read here: 2 queries)."""
    assessment = {k: v for k, v in d.assessment.items() if k != "fingerprint"}
    return DeclarationOut(
        id=d.pk,
        reference=d.reference,
        status=d.status,
        lane=d.lane,
        declarant_organisation_id=d.declarant_id,
        importer_name=d.importer_name,
        exporter_name=d.exporter_name,
        import_country=d.import_country,
        export_country=d.export_country,
        transport_mode=d.transport_mode,
        transport_id=d.transport_id,
        port_of_discharge=d.port_of_discharge,
        currency=d.currency,
        declared_value=d.declared_value,
        gross_mass_g=d.gross_mass_g,
        assessment_currency=d.assessment_currency,
        duty=d.duty,
        vat=d.vat,
        document_ids=list(d.document_ids),
        lodged_at=d.lodged_at,
        released_at=d.released_at,
        clearance_seconds=d.clearance_seconds,
        lines=[
            LineOut(
                number=line.number,
                hs_code=line.hs_code,
                description=line.description,
                quantity=line.quantity,
                quantity_unit=line.quantity_unit,
                gross_mass_g=line.gross_mass_g,
                customs_value=line.customs_value,
                origin_country=line.origin_country,
                preference=line.preference,
            )
            for line in d.lines.all()
        ],
        risk_hits=[
            RiskHitOut(
                rule=h["rule"],
                lane=h["lane"],
                params=h["params"],
                explanation=explain.rule_text(h["rule"], h["params"]),
            )
            for h in d.risk_hits
        ],
        document_checks=list(d.document_checks),
        assessment=assessment,
        events=[
            EventOut(
                kind=e.kind, at=e.at, organisation_id=e.organisation_id, note=e.note, data=e.data
            )
            for e in d.events.all()
        ],
    )


def _lodge_data(p: DeclarationIn) -> services.DeclarationData:
    return services.DeclarationData(
        importer_name=p.importer_name,
        importer_address=p.importer_address,
        exporter_name=p.exporter_name,
        exporter_address=p.exporter_address,
        exporter_email=p.exporter_email,
        import_country=p.import_country,
        export_country=p.export_country,
        transport_mode=p.transport_mode,
        transport_id=p.transport_id,
        port_of_discharge=p.port_of_discharge,
        departure_date=p.departure_date,
        currency=p.currency,
        document_ids=tuple(p.document_ids),
        lines=tuple(
            services.LineData(
                hs_code=line.hs_code,
                description=line.description,
                quantity=line.quantity,
                quantity_unit=line.quantity_unit,
                gross_mass_g=line.gross_mass_g,
                customs_value=line.customs_value,
                origin_country=line.origin_country,
                preference=line.preference,
            )
            for line in p.lines
        ),
    )


@router.post(
    "/declarations",
    response={201: DeclarationOut, 403: ProblemOut, 409: ProblemOut, **COMMON_ERRORS},
    summary="Lodge a declaration",
)
def declaration_lodge(request: HttpRequest, payload: DeclarationIn) -> Status[DeclarationOut]:
    """Lodge an import declaration for the caller's trading organisation.

    The automatic checks run at once: referenced documents are verified, duty and VAT
    assessed, parties screened and a lane assigned. Retrying with the same
    ``idempotency_key`` and body returns the same declaration; another body is a 409.
    """
    declaration = services.declaration_lodge(
        actor=_actor(request), data=_lodge_data(payload), idempotency_key=payload.idempotency_key
    )
    return Status(201, declaration_out(declaration))


@router.get(
    "/declarations",
    response={200: PageOut[DeclarationOut], **COMMON_ERRORS},
    summary="List declarations",
)
def declarations_list(request: HttpRequest, page: Query[Page]) -> PageOut[DeclarationOut]:
    """The caller's declarations (a customs authority: those into its country), newest first."""
    qs = selectors.declarations_visible_to(_actor(request)).prefetch_related("lines", "events")
    items, count = paginate(qs, page)
    return PageOut[DeclarationOut](items=[declaration_out(d) for d in items], count=count)


@router.get(
    "/declarations/{declaration_id}",
    response={200: DeclarationOut, 404: ProblemOut, **COMMON_ERRORS},
    summary="Get a declaration",
)
def declaration_get(request: HttpRequest, declaration_id: int) -> DeclarationOut:
    """One declaration with lane, duty breakdown, document checks and history."""
    return declaration_out(
        selectors.declaration_get_for(actor=_actor(request), declaration_id=declaration_id)
    )


@router.post(
    "/declarations/{declaration_id}/information",
    response={200: DeclarationOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut,
              **COMMON_ERRORS},
    summary="Supply requested information",
)  # fmt: skip
def declaration_supply_info(
    request: HttpRequest, declaration_id: int, payload: SupplyIn
) -> DeclarationOut:
    """The declarant answers an officer's request (a note and optionally more documents)."""
    d = services.declaration_supply_info(
        actor=_actor(request),
        declaration_id=declaration_id,
        note=payload.note,
        document_ids=payload.document_ids,
    )
    return declaration_out(d)


@router.get(
    "/queue",
    response={200: PageOut[QueueItemOut], 403: ProblemOut, **COMMON_ERRORS},
    summary="Officer queue",
)
def officer_queue(
    request: HttpRequest, page: Query[Page], lane: str | None = None
) -> PageOut[QueueItemOut]:
    """Open declarations into the officer's country, oldest first; ``lane`` filters."""
    qs = selectors.officer_queue(actor=_actor(request), lane=lane)
    items, count = paginate(qs, page)
    return PageOut[QueueItemOut](
        items=[
            QueueItemOut(
                id=d.pk,
                reference=d.reference,
                status=d.status,
                lane=d.lane,
                importer_name=d.importer_name,
                exporter_name=d.exporter_name,
                export_country=d.export_country,
                lodged_at=d.lodged_at,
                rules=[h["rule"] for h in d.risk_hits],
            )
            for d in items
        ],
        count=count,
    )


_DECISION = {200: DeclarationOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut,
             **COMMON_ERRORS}  # fmt: skip


@router.post(
    "/declarations/{declaration_id}/request-information",
    response=_DECISION,
    summary="Request more information",
)
def request_info(request: HttpRequest, declaration_id: int, payload: NoteIn) -> DeclarationOut:
    """An officer asks the declarant for more information (a note is required)."""
    d = services.declaration_request_info(
        actor=_actor(request), declaration_id=declaration_id, note=payload.note
    )
    return declaration_out(d)


@router.post("/declarations/{declaration_id}/release", response=_DECISION, summary="Release")
def release(request: HttpRequest, declaration_id: int, payload: NoteIn) -> DeclarationOut:
    """An officer releases the goods (red lane: a note is required)."""
    d = services.declaration_release(
        actor=_actor(request), declaration_id=declaration_id, note=payload.note
    )
    return declaration_out(d)


@router.post("/declarations/{declaration_id}/hold", response=_DECISION, summary="Hold")
def hold(request: HttpRequest, declaration_id: int, payload: NoteIn) -> DeclarationOut:
    """An officer holds the goods, with a reason."""
    d = services.declaration_hold(
        actor=_actor(request), declaration_id=declaration_id, note=payload.note
    )
    return declaration_out(d)
