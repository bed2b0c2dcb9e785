"""Permission-checked reads of clearance: who may see which declaration, officer queues.

Two sides see declarations:

- a trader organisation sees the declarations it lodged (the declarant);
- a customs authority (organisation type ``customs_authority``) sees the declarations into
  its own country, and its members (owner, admin, member; not viewers) decide on them.

Anyone else gets `DeclarationNotFound`, exactly as for a missing id, so ids cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from mekong.customs.clearance.errors import DeclarationNotFound, OfficerRequired
from mekong.customs.clearance.models import Declaration, Status
from mekong.identity.contracts import Actor
from mekong.identity.models import Organisation, OrganisationType

#: Largest id a declaration can have (64-bit signed primary keys).
ID_MAX = 2**63 - 1
#: Roles that may decide (viewers may only look).
ACTING_ROLES = frozenset({"owner", "admin", "member"})
#: Statuses an officer still has to act on.
OPEN_STATUSES = (Status.LODGED, Status.INFO_REQUESTED, Status.HELD)


@dataclass(frozen=True, slots=True)
class Side:
    """The actor's organisation as clearance sees it."""

    organisation_id: int
    kind: str
    country: str
    role: str

    @property
    def is_customs(self) -> bool:
        """The organisation is a customs authority."""
        return self.kind == OrganisationType.CUSTOMS

    @property
    def can_act(self) -> bool:
        """The actor's role allows writes (lodging, answering, deciding)."""
        return self.role in ACTING_ROLES


def side_of(actor: Actor) -> Side | None:
    """The actor's organisation (kind, country, role), or None without one."""
    if actor.organisation_id is None:
        return None
    row = (
        Organisation.objects.filter(pk=actor.organisation_id, is_active=True)
        .values_list("kind", "country")
        .first()
    )
    if row is None:
        return None
    return Side(actor.organisation_id, row[0], row[1], actor.role or "")


def declarations_visible_to(actor: Actor) -> QuerySet[Declaration]:
    """Declarations the actor may read: its own lodgings, or its country's as customs."""
    side = side_of(actor)
    if side is None:
        return Declaration.objects.none()
    if side.is_customs:
        return Declaration.objects.filter(import_country=side.country)
    return Declaration.objects.filter(declarant_id=side.organisation_id)


def declaration_get_for(*, actor: Actor, declaration_id: int) -> Declaration:
    """One declaration the actor may read.

    Raises:
        DeclarationNotFound: no such declaration, or one the actor may not see.
    """
    if not 1 <= declaration_id <= ID_MAX:  # beyond any stored id (and SQLite's integers)
        raise DeclarationNotFound()
    declaration = (
        declarations_visible_to(actor)
        .filter(pk=declaration_id)
        .select_related("declarant", "customs_authority")
        .first()
    )
    if declaration is None:
        raise DeclarationNotFound()
    return declaration


def officer_side(actor: Actor) -> Side:
    """The actor's customs authority.

    Raises:
        OfficerRequired: the actor does not act for a customs authority.
    """
    side = side_of(actor)
    if side is None or not side.is_customs:
        raise OfficerRequired()
    return side


def officer_queue(*, actor: Actor, lane: str | None = None) -> QuerySet[Declaration]:
    """Open declarations into the officer's country, red first, then oldest first.

    Raises:
        OfficerRequired: the actor does not act for a customs authority.
    """
    side = officer_side(actor)
    qs = Declaration.objects.filter(import_country=side.country, status__in=OPEN_STATUSES)
    if lane:
        qs = qs.filter(lane=lane)
    return qs.select_related("declarant").order_by("lodged_at", "id")


def lane_counts(*, actor: Actor) -> dict[str, int]:
    """How many open declarations each lane of the officer's queue holds."""
    counts = {"green": 0, "yellow": 0, "red": 0}
    for lane in officer_queue(actor=actor).values_list("lane", flat=True):
        counts[lane] = counts.get(lane, 0) + 1
    return counts
