"""Clearance pages: trader lodging form and declaration page; officer queue, view and decisions.

Every declaration is read through `selectors.declaration_get_for`, so another organisation's
declaration is a 404 here exactly as in the API. Decisions are POST forms with CSRF tokens.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mekong.core import formatting
from mekong.core.errors import DomainError, NotFound
from mekong.core.money import Money
from mekong.customs.clearance import documents, duty, explain, hscodes, selectors, services
from mekong.customs.clearance.forms import (
    DeclarationForm,
    LineFormSet,
    NoteForm,
    SupplyForm,
    field_errors_to_forms,
)
from mekong.customs.clearance.models import Declaration, LaneChoice, Status
from mekong.identity.auth import SessionActorAuth
from mekong.identity.contracts import Actor

LANES = [LaneChoice.RED, LaneChoice.YELLOW, LaneChoice.GREEN]


def _actor(request: HttpRequest) -> Actor:
    actor = SessionActorAuth().authenticate(request, None)
    assert isinstance(actor, Actor)  # the views are login_required
    return actor


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Traders: their declarations and the lodging link. Officers go to their queue."""
    actor = _actor(request)
    side = selectors.side_of(actor)
    if side is not None and side.is_customs:
        return redirect("clearance:queue")
    rows = list(selectors.declarations_visible_to(actor)[:100])
    return render(request, "clearance/home.html", {"declarations": rows, "side": side})


@login_required
def lodge(request: HttpRequest) -> HttpResponse:
    """The lodging form: header, goods lines, referenced document ids."""
    actor = _actor(request)
    side = selectors.side_of(actor)
    if side is None or side.is_customs:
        raise Http404
    form = DeclarationForm(request.POST or None)
    lines = LineFormSet(request.POST or None, prefix="lines")
    problems: list[str] = []
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = form.cleaned_data
        filled = [f for f in lines.forms if f.has_changed()]
        values = [f.minor_value(data["currency"]) for f in filled]
        if all(v is not None for v in values):
            declaration_data = services.DeclarationData(
                importer_name=data["importer_name"],
                importer_address=data["importer_address"],
                exporter_name=data["exporter_name"],
                exporter_address=data["exporter_address"],
                exporter_email=data["exporter_email"],
                import_country=side.country,
                export_country=data["export_country"],
                transport_mode=data["transport_mode"],
                transport_id=data["transport_id"],
                port_of_discharge=data["port_of_discharge"],
                departure_date=data["departure_date"],
                currency=data["currency"],
                document_ids=tuple(data["document_ids"]),
                lines=tuple(
                    services.LineData(
                        hs_code=f.cleaned_data["hs_code"].strip(),
                        description=f.cleaned_data["description"],
                        quantity=f.cleaned_data["quantity"],
                        quantity_unit=f.cleaned_data["quantity_unit"],
                        gross_mass_g=f.grams(),
                        customs_value=v or 0,
                        origin_country=f.cleaned_data["origin_country"],
                        preference=f.cleaned_data["preference"] or "",
                    )
                    for f, v in zip(filled, values, strict=True)
                ),
            )
            try:
                declaration = services.declaration_lodge(actor=actor, data=declaration_data)
            except DomainError as error:
                problems = field_errors_to_forms(error.extra.get("errors", []), form, filled)
                if not error.extra.get("errors"):
                    problems.append(error.detail)
            else:
                messages.success(
                    request,
                    _("Declaration %(reference)s lodged: %(lane)s lane.")
                    % {"reference": declaration.reference, "lane": declaration.get_lane_display()},
                )
                return redirect("clearance:detail", declaration_id=declaration.pk)
    context = {"form": form, "lines": lines, "problems": problems, "side": side}
    return render(request, "clearance/lodge.html", context)


def _rate_text(rate: Decimal) -> str:
    """A customs exchange rate in the active language, never rounded (Babel keeps 3 decimals)."""
    exponent = rate.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -3:
        return formatting.format_number(rate, translation.get_language())
    return str(rate)


def _money(minor: int, currency: str) -> Money:
    return Money(minor, currency)


def _detail_context(request: HttpRequest, actor: Actor, declaration: Declaration) -> dict[str, Any]:
    side = selectors.side_of(actor)
    officer = side is not None and side.is_customs
    cur = declaration.assessment_currency
    assessment = declaration.assessment
    duty_lines = [
        {
            **line,
            "value": _money(line["customs_value"], cur),
            "duty_money": _money(line["duty"], cur),
            "vat_money": _money(line["vat"], cur),
            "rate": Decimal(line["rate_percent"]),
            "vat_rate": Decimal(line["vat_percent"]),
            "reason_texts": [explain.reason_text(r) for r in line["reasons"]],
            "hs_description": hscodes.describe(line["hs_code"]),
        }
        for line in assessment.get("lines", [])
    ]
    hits = [{**h, "text": explain.rule_text(h["rule"], h["params"])} for h in declaration.risk_hits]
    # Officers see each document verified again now, through the customs facade; traders see
    # the outcome recorded at lodging.
    live = (
        [
            {"view": v, "kind_label": explain.kind_text(v.kind)}
            for v in documents.fetch(declaration.document_ids)
        ]
        if officer
        else []
    )
    stored = [
        {**c, "kind_label": explain.kind_text(c["kind"])} for c in declaration.document_checks
    ]
    return {
        "d": declaration,
        "lines": list(declaration.lines.all()),
        "events": list(declaration.events.all()),
        "hits": hits,
        "duty_lines": duty_lines,
        "declared_value": _money(declaration.declared_value, declaration.currency),
        "duty_total": _money(declaration.duty, cur),
        "vat_total": _money(declaration.vat, cur),
        "grand_total": _money(declaration.duty + declaration.vat, cur),
        "assessment": assessment,
        "exchange_rate": _rate_text(Decimal(assessment.get("exchange_rate", "1"))),
        "schedule": duty.load_schedule(declaration.import_country),
        "live_documents": live,
        "stored_documents": stored,
        "officer": officer,
        "can_act": side is not None and side.can_act,
        "open": declaration.status != Status.RELEASED,
        "note_form": NoteForm(),
        "supply_form": SupplyForm(),
    }


@login_required
def detail(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """A declaration: lane and its reasons, duty breakdown, documents, history, actions."""
    actor = _actor(request)
    try:
        declaration = selectors.declaration_get_for(actor=actor, declaration_id=declaration_id)
    except NotFound:
        raise Http404 from None
    return render(request, "clearance/detail.html", _detail_context(request, actor, declaration))


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The officer's queue of open declarations, one tab per lane."""
    actor = _actor(request)
    try:
        counts = selectors.lane_counts(actor=actor)
    except DomainError:
        raise Http404 from None
    lane = request.GET.get("lane", "")
    if lane not in LaneChoice.values:
        lane = ""
    rows = list(selectors.officer_queue(actor=actor, lane=lane or None)[:200])
    tabs = [
        {"lane": choice.value, "label": choice.label, "count": counts[choice.value]}
        for choice in LANES
    ]
    return render(request, "clearance/queue.html", {"rows": rows, "tabs": tabs, "lane": lane})


def _decide(request: HttpRequest, declaration_id: int, action: str) -> HttpResponse:
    actor = _actor(request)
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    calls = {
        "release": services.declaration_release,
        "hold": services.declaration_hold,
        "request_info": services.declaration_request_info,
    }
    try:
        declaration = calls[action](actor=actor, declaration_id=declaration_id, note=note)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, _explain_error(error))
        return redirect("clearance:detail", declaration_id=declaration_id)
    messages.success(
        request,
        _("%(reference)s: %(status)s.")
        % {"reference": declaration.reference, "status": declaration.get_status_display()},
    )
    return redirect("clearance:detail", declaration_id=declaration.pk)


def _explain_error(error: DomainError) -> str:
    fields = error.extra.get("errors") or []
    if any(e.get("field") == "note" for e in fields):
        return _("Write a note: it is required for this decision.")
    return error.detail


@login_required
@require_POST
def release(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """Officer: release the goods."""
    return _decide(request, declaration_id, "release")


@login_required
@require_POST
def hold(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """Officer: hold the goods."""
    return _decide(request, declaration_id, "hold")


@login_required
@require_POST
def request_info(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """Officer: ask the declarant for more information."""
    return _decide(request, declaration_id, "request_info")


@login_required
@require_POST
def supply_info(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """Declarant: answer an information request."""
    actor = _actor(request)
    form = SupplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a note: it is required for this decision."))
        return redirect("clearance:detail", declaration_id=declaration_id)
    try:
        services.declaration_supply_info(
            actor=actor,
            declaration_id=declaration_id,
            note=form.cleaned_data["note"],
            document_ids=form.cleaned_data["document_ids"],
        )
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        messages.error(request, _explain_error(error))
    else:
        messages.success(request, _("Your answer was sent to customs."))
    return redirect("clearance:detail", declaration_id=declaration_id)
