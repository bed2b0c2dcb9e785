"""Analyst pages: dashboard and search, object view, indicator form, sighting, exports.

Every page starts from `selectors.visible_objects`, so TLP applies here exactly as in TAXII.
"""

from __future__ import annotations

import csv
import uuid
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mekong.core import clock
from mekong.core.errors import DomainError
from mekong.identity.auth import SessionActorAuth
from mekong.identity.contracts import Actor
from mekong.threatintel import selectors, services, tlp
from mekong.threatintel.forms import IndicatorForm
from mekong.threatintel.models import Collection, StixObject
from mekong.threatintel.observables import KIND_TO_STIX, normalise
from mekong.threatintel.validation import PAYMENT_ID_TYPE

RECENT = 20


def _actor(request: HttpRequest) -> Actor:
    actor = SessionActorAuth().authenticate(request, None)
    assert isinstance(actor, Actor)  # the views are login_required
    return actor


def _search(request: HttpRequest, actor: Actor) -> list[StixObject]:
    query = request.GET.get("q", "").strip()
    qs = selectors.visible_objects(organisation_id=actor.organisation_id).filter(type="indicator")
    if query:
        # Values are stored normalised (e.g. payment ids without dashes): search every form.
        forms = {query.lower()} | {normalise(kind, query)[1] for kind in KIND_TO_STIX.values()}
        condition = Q(raw__name__icontains=query)
        for form in forms:
            condition |= Q(values__value__icontains=form)
        qs = qs.filter(condition)
    return list(qs.distinct().order_by("-date_added")[:100])


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Dashboard: the newest visible objects per readable collection, and indicator search."""
    actor = _actor(request)
    readable = selectors.readable_collection_ids(actor.organisation_id)
    sections = []
    for coll in Collection.objects.filter(id__in=readable).select_related("api_root"):
        recent = selectors.visible_objects(
            organisation_id=actor.organisation_id, collection=coll
        ).order_by("-date_added")[:RECENT]
        sections.append({"collection": coll, "objects": list(recent)})
    context: dict[str, Any] = {"sections": sections, "query": request.GET.get("q", "")}
    if "q" in request.GET:
        context["results"] = _search(request, actor)
    return render(request, "threatintel/home.html", context)


def _visible_versions(actor: Actor, stix_id: str) -> list[StixObject]:
    rows = list(
        selectors.visible_objects(organisation_id=actor.organisation_id)
        .filter(stix_id=stix_id)
        .select_related("collection")
        .order_by("version_at", "pk")
    )
    if not rows:
        raise Http404
    return rows


@login_required
def object_detail(request: HttpRequest, stix_id: str) -> HttpResponse:
    """One object: its newest visible version, marking, relationships and sightings."""
    actor = _actor(request)
    rows = _visible_versions(actor, stix_id)
    current = rows[-1]
    visible = selectors.visible_objects(organisation_id=actor.organisation_id)
    relationships = visible.filter(type="relationship").filter(
        raw__source_ref=stix_id
    ) | visible.filter(type="relationship", raw__target_ref=stix_id)
    sightings = visible.filter(type="sighting", raw__sighting_of_ref=stix_id)
    context = {
        "obj": current,
        "versions": rows,
        "relationships": list(relationships.order_by("date_added")),
        "sightings": list(sightings.order_by("date_added")),
        "tlp_label": dict(_tlp_labels()).get(current.tlp, current.tlp),
    }
    return render(request, "threatintel/object.html", context)


def _tlp_labels() -> list[tuple[str, str]]:
    return [(level, "TLP:" + level.upper()) for level in tlp.LEVELS]


def _writable(actor: Actor) -> list[Collection]:
    found = []
    for coll in Collection.objects.all():
        _, can_write = selectors.collection_access(
            collection=coll, organisation_id=actor.organisation_id
        )
        if can_write:
            found.append(coll)
    return found


@login_required
def indicator_new(request: HttpRequest) -> HttpResponse:
    """Submit one indicator (an observable, a TLP level, a validity window)."""
    actor = _actor(request)
    writable = {str(c.id): c for c in _writable(actor)}
    choices = [(k, c.title) for k, c in writable.items()]
    peers = [(o.slug, o.name) for o in selectors.community_organisations()]
    form = IndicatorForm(request.POST or None, collections=choices, recipients=peers)
    if request.method == "POST" and form.is_valid() and actor.organisation_id is not None:
        data = form.cleaned_data
        obj = _indicator_from(data)
        try:
            row = services.stix_object_create(
                collection=writable[data["collection"]],
                organisation_id=actor.organisation_id,
                obj=obj,
                actor_user_id=actor.user_id,
            )
        except DomainError as error:
            form.add_error(None, "; ".join(error.extra.get("errors", [error.detail])))
        else:
            messages.success(request, _("The indicator was shared."))
            return redirect("threatintel:object", stix_id=row.stix_id)
    return render(request, "threatintel/indicator_form.html", {"form": form})


def _indicator_from(data: dict[str, Any]) -> dict[str, Any]:
    now = clock.now()
    kind = data["kind"]
    if kind in {"phone", "wallet", "account", "qr-merchant"}:
        pattern = f"[{PAYMENT_ID_TYPE}:value = '{data['value']}']"
    else:
        pattern = f"[{kind}:value = '{data['value']}']"
    stamp = services.stix_timestamp(now)
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": stamp,
        "modified": stamp,
        "name": data["name"],
        "indicator_types": ["malicious-activity"],
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": stamp,
        "valid_until": services.stix_timestamp(now + timedelta(days=data["valid_days"])),
        "confidence": data["confidence"],
        "object_marking_refs": [tlp.TLP2_IDS[data["tlp"]]],
        **({services.RECIPIENTS_PROPERTY: list(data["recipients"])} if data["recipients"] else {}),
    }


@login_required
@require_POST
def sighting_new(request: HttpRequest, stix_id: str) -> HttpResponse:
    """Record that the analyst's organisation saw the indicator."""
    actor = _actor(request)
    rows = _visible_versions(actor, stix_id)
    writable = {c.pk for c in _writable(actor)}
    target = next((r.collection for r in reversed(rows) if r.collection_id in writable), None)
    if target is None or actor.organisation_id is None:
        raise Http404
    services.sighting_record(
        collection=target,
        organisation_id=actor.organisation_id,
        indicator_id=stix_id,
        actor_user_id=actor.user_id,
    )
    messages.success(request, _("The sighting was recorded."))
    return redirect("threatintel:object", stix_id=stix_id)


def _latest_visible(actor: Actor) -> list[StixObject]:
    latest: dict[str, StixObject] = {}
    qs = selectors.visible_objects(organisation_id=actor.organisation_id)
    for row in qs.order_by("version_at", "pk"):
        latest[row.stix_id] = row
    return sorted(latest.values(), key=lambda r: (r.date_added, r.pk))


@login_required
def export_bundle(request: HttpRequest) -> HttpResponse:
    """Every visible object (newest version) as a STIX 2.1 bundle."""
    actor = _actor(request)
    bundle = {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid4()}",
        "objects": [r.raw for r in _latest_visible(actor)],
    }
    response = JsonResponse(bundle, content_type="application/stix+json;version=2.1")
    response["Content-Disposition"] = 'attachment; filename="mekong-stix-bundle.json"'
    return response


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    """Visible indicators (newest version) as CSV: id, name, pattern, TLP, validity."""
    actor = _actor(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mekong-indicators.csv"'
    writer = csv.writer(response)
    writer.writerow(["id", "name", "pattern", "tlp", "valid_from", "valid_until", "revoked"])
    for row in _latest_visible(actor):
        if row.type != "indicator":
            continue
        writer.writerow(
            [row.stix_id, _csv_safe(str(row.raw.get("name", ""))),
             _csv_safe(str(row.raw.get("pattern", ""))), row.tlp,
             row.raw.get("valid_from", ""), row.raw.get("valid_until", ""), row.revoked]
        )  # fmt: skip
    return response


def _csv_safe(text: str) -> str:
    """Defuse spreadsheet formulas in shared text (CSV injection)."""
    return "'" + text if text[:1] in {"=", "+", "-", "@"} else text
