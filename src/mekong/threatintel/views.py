"""Analyst pages: dashboard and search, object view, indicator and report forms, sightings,
sharing groups, exports.

Every page starts from `selectors.visible_objects`, so TLP applies here exactly as in TAXII.
"""

from __future__ import annotations

import csv
import uuid
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mekong.core import clock
from mekong.core.errors import DomainError
from mekong.core.text import normalize_text
from mekong.identity.auth import SessionActorAuth
from mekong.identity.contracts import Actor
from mekong.identity.models import Organisation
from mekong.threatintel import selectors, services, tlp
from mekong.threatintel.errors import GroupSlugTaken, NotGroupManager
from mekong.threatintel.forms import GroupForm, IndicatorForm, MemberForm, ReportForm, SightingForm
from mekong.threatintel.models import Collection, SharingGroup, StixObject
from mekong.threatintel.observables import KIND_TO_STIX, normalise
from mekong.threatintel.validation import PAYMENT_ID_TYPE

RECENT = 20
#: How many of the newest visible objects the report form offers to pick from.
REPORT_CHOICES = 200


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
    refs = [str(r) for r in current.raw.get("object_refs") or []]
    # Referenced objects the reader may not see are simply absent (like everywhere else).
    referenced = {row.stix_id: row for row in visible.filter(stix_id__in=refs)}
    shown = [referenced[r] for r in refs if r in referenced]
    context = {
        "obj": current,
        "raw": selectors.Reader(actor.organisation_id, [current]).view(current),
        "referenced": [
            {"row": row, "name": view.get("name") or row.stix_id}
            for row, view in zip(shown, _views(actor, shown), strict=True)
        ],
        "sighting_form": SightingForm(),
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
    """Record that the analyst's organisation saw the indicator (how many times)."""
    actor = _actor(request)
    rows = _visible_versions(actor, stix_id)
    writable = {c.pk for c in _writable(actor)}
    target = next((r.collection for r in reversed(rows) if r.collection_id in writable), None)
    if target is None or actor.organisation_id is None or rows[-1].type != "indicator":
        raise Http404
    form = SightingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter how many times you saw it (at least once)."))
        return redirect("threatintel:object", stix_id=stix_id)
    services.sighting_record(
        collection=target,
        organisation_id=actor.organisation_id,
        indicator_id=stix_id,
        count=form.cleaned_data["count"],
        actor_user_id=actor.user_id,
    )
    messages.success(request, _("The sighting was recorded."))
    return redirect("threatintel:object", stix_id=stix_id)


@login_required
def report_new(request: HttpRequest) -> HttpResponse:
    """Submit a STIX report about objects the analyst can see, with a TLP marking."""
    actor = _actor(request)
    writable = {str(c.id): c for c in _writable(actor)}
    visible = selectors.visible_objects(organisation_id=actor.organisation_id)
    newest = visible.exclude(type__in=["marking-definition", "sighting", "relationship"])
    picks: dict[str, str] = {}
    for row in newest.order_by("-date_added")[:REPORT_CHOICES]:
        label = str(row.raw.get("name") or row.stix_id)
        picks.setdefault(row.stix_id, f"{label} ({row.type}, TLP:{row.tlp.upper()})")
    form = ReportForm(
        request.POST or None,
        collections=[(k, c.title) for k, c in writable.items()],
        recipients=[(o.slug, o.name) for o in selectors.community_organisations()],
        objects=list(picks.items()),
        levels_of=lambda ids: selectors.levels_of_visible(
            organisation_id=actor.organisation_id, stix_ids=ids
        ),
    )
    if request.method == "POST" and form.is_valid() and actor.organisation_id is not None:
        data = form.cleaned_data
        try:
            row = services.stix_object_create(
                collection=writable[data["collection"]],
                organisation_id=actor.organisation_id,
                obj=_report_from(data),
                actor_user_id=actor.user_id,
            )
        except DomainError as error:
            form.add_error(None, "; ".join(error.extra.get("errors", [error.detail])))
        else:
            messages.success(request, _("The report was shared."))
            return redirect("threatintel:object", stix_id=row.stix_id)
    return render(request, "threatintel/report_form.html", {"form": form})


def _report_from(data: dict[str, Any]) -> dict[str, Any]:
    stamp = services.stix_timestamp()
    description = normalize_text(data["description"], multiline=True)
    return {
        "type": "report",
        "spec_version": "2.1",
        "id": f"report--{uuid.uuid4()}",
        "created": stamp,
        "modified": stamp,
        "name": normalize_text(data["name"]),
        **({"description": description} if description else {}),
        "report_types": ["threat-report"],
        "published": services.stix_timestamp(data["published"]),
        "object_refs": list(data["object_refs"]),
        "object_marking_refs": [tlp.TLP2_IDS[data["tlp"]]],
        **({services.RECIPIENTS_PROPERTY: list(data["recipients"])} if data["recipients"] else {}),
    }


def _manages(actor: Actor, group: SharingGroup) -> bool:
    return (
        group.owner_id is not None
        and group.owner_id == actor.organisation_id
        and (actor.can_manage)
    )


@login_required
def groups(request: HttpRequest) -> HttpResponse:
    """The organisation's sharing groups with members and collection rights; create one."""
    actor = _actor(request)
    form = GroupForm(request.POST or None)
    if request.method == "POST":
        if not actor.can_manage or actor.organisation_id is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                group = services.sharing_group_create(
                    name=normalize_text(data["name"]),
                    slug=data["slug"],
                    description=normalize_text(data["description"], multiline=True),
                    member_ids=[],
                    owner_id=actor.organisation_id,
                )
            except GroupSlugTaken as error:
                form.add_error("slug", error.detail)
            else:
                messages.success(request, _("The sharing group was created."))
                return redirect("threatintel:group", slug=group.slug)
    rows = [
        {"group": g, "members": list(g.members.order_by("name")),
         "grants": list(selectors.group_grants(g)), "manages": _manages(actor, g)}
        for g in selectors.groups_for(actor.organisation_id).select_related("owner")
    ]  # fmt: skip
    context = {"rows": rows, "form": form, "can_create": actor.can_manage}
    return render(request, "threatintel/groups.html", context)


def _group_for(actor: Actor, slug: str) -> SharingGroup:
    """A group the actor's organisation belongs to or owns; 404 otherwise (no existence leak)."""
    return get_object_or_404(selectors.groups_for(actor.organisation_id), slug=slug)


def _member_form(group: SharingGroup, data: Any = None) -> MemberForm:
    outside = Organisation.objects.exclude(sharing_groups=group).order_by("name")
    return MemberForm(data, organisations=[(o.pk, o.name) for o in outside])


@login_required
def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One group: members, collection rights, and (for its managers) member changes."""
    actor = _actor(request)
    group = _group_for(actor, slug)
    manages = _manages(actor, group)
    context = {
        "group": group,
        "members": list(group.members.order_by("name")),
        "grants": list(selectors.group_grants(group)),
        "manages": manages,
        "member_form": _member_form(group) if manages else None,
    }
    return render(request, "threatintel/group_detail.html", context)


@login_required
@require_POST
def group_member_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Add an organisation to the group (owner organisation's owners and admins only)."""
    actor = _actor(request)
    group = _group_for(actor, slug)
    form = _member_form(group, request.POST)
    if not _manages(actor, group):
        raise PermissionDenied
    if form.is_valid():
        try:
            services.sharing_group_member_add(
                group=group, organisation_id=form.cleaned_data["organisation"], actor=actor
            )
        except NotGroupManager as error:
            raise PermissionDenied from error
        messages.success(request, _("The organisation was added to the group."))
    else:
        messages.error(request, _("Choose an organisation that is not a member yet."))
    return redirect("threatintel:group", slug=group.slug)


@login_required
@require_POST
def group_member_remove(request: HttpRequest, slug: str, organisation_id: int) -> HttpResponse:
    """Remove a member organisation (never the owner) — owner's owners and admins only."""
    actor = _actor(request)
    group = _group_for(actor, slug)
    if not group.members.filter(pk=organisation_id).exists():
        raise Http404
    try:
        services.sharing_group_member_remove(
            group=group, organisation_id=organisation_id, actor=actor
        )
    except NotGroupManager as error:
        raise PermissionDenied from error
    messages.success(request, _("The organisation was removed from the group."))
    return redirect("threatintel:group", slug=group.slug)


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
        "objects": _views(actor, _latest_visible(actor)),
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
    rows = [r for r in _latest_visible(actor) if r.type == "indicator"]
    for row, raw in zip(rows, _views(actor, rows), strict=True):
        writer.writerow(
            [row.stix_id, _csv_safe(str(raw.get("name", ""))),
             _csv_safe(str(raw.get("pattern", ""))), row.tlp,
             raw.get("valid_from", ""), raw.get("valid_until", ""), row.revoked]
        )  # fmt: skip
    return response


def _views(actor: Actor, rows: list[StixObject]) -> list[dict[str, Any]]:
    """The objects as the actor may receive them (granular markings applied)."""
    reader = selectors.Reader(actor.organisation_id, rows)
    return [reader.view(r) for r in rows]


def _csv_safe(text: str) -> str:
    """Defuse spreadsheet formulas in shared text (CSV injection)."""
    return "'" + text if text[:1] in {"=", "+", "-", "@"} else text
