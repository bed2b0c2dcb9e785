"""Permission-checked reads: collection access and the TLP filter applied on every read path.

One function, `visible_objects`, decides what an organisation may see; TAXII, the UI, exports
and matching all start from it so that the TLP rules exist in exactly one place.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from mekong.core import clock
from mekong.identity.models import Organisation
from mekong.threatintel import granular, tlp
from mekong.threatintel.models import (
    STATUS_RETENTION,
    ApiRoot,
    Collection,
    CollectionGrant,
    SharingGroup,
    StatusResource,
    StixObject,
)


def _grants_for(organisation_id: int) -> QuerySet[CollectionGrant]:
    return CollectionGrant.objects.filter(
        Q(organisation_id=organisation_id) | Q(group__members__id=organisation_id)
    )


def readable_collection_ids(organisation_id: int | None) -> set[object]:
    """Ids of the collections the organisation may read (grants or ``open_to_all``)."""
    ids: set[object] = set(Collection.objects.filter(open_to_all=True).values_list("id", flat=True))
    if organisation_id is not None:
        ids |= set(
            _grants_for(organisation_id)
            .filter(can_read=True)
            .values_list("collection_id", flat=True)
        )
    return ids


def collection_access(*, collection: Collection, organisation_id: int | None) -> tuple[bool, bool]:
    """``(can_read, can_write)`` of the organisation on the collection."""
    can_read = collection.open_to_all
    can_write = False
    if organisation_id is not None:
        grants = _grants_for(organisation_id).filter(collection=collection)
        can_read = can_read or grants.filter(can_read=True).exists()
        can_write = grants.filter(can_write=True).exists()
    return can_read, can_write


def is_community_member(organisation_id: int) -> bool:
    """True when the organisation belongs to at least one sharing group (the TLP:GREEN audience)."""
    return SharingGroup.objects.filter(members__id=organisation_id).exists()


def community_organisations() -> QuerySet[Organisation]:
    """Organisations in at least one sharing group: who may be named as a recipient."""
    return Organisation.objects.filter(sharing_groups__isnull=False).distinct().order_by("name")


def tlp_filter(organisation_id: int | None) -> Q:
    """The TLP 2.0 rule as a query filter on `StixObject`.

    CLEAR: every authenticated client. GREEN: the community (members of any sharing group).
    AMBER: members of the collection's sharing group. AMBER+STRICT and RED: the named recipient
    organisations only. The organisation that shared an object always sees it.
    """
    q = Q(tlp=tlp.CLEAR)
    if organisation_id is None:
        return q
    q |= Q(source_organisation_id=organisation_id)
    if is_community_member(organisation_id):
        q |= Q(tlp=tlp.GREEN)
    amber_collections = Collection.objects.filter(
        sharing_group__members__id=organisation_id
    ).values("id")
    q |= Q(tlp=tlp.AMBER, collection_id__in=amber_collections)
    addressed = StixObject.recipients.through.objects.filter(
        organisation_id=organisation_id
    ).values("stixobject_id")
    q |= Q(tlp__in=tlp.RECIPIENT_LEVELS, pk__in=addressed)
    return q


def visible_objects(
    *, organisation_id: int | None, collection: Collection | None = None
) -> QuerySet[StixObject]:
    """Object versions the organisation may see: readable collection *and* TLP admits it."""
    qs = StixObject.objects.filter(tlp_filter(organisation_id))
    if collection is not None:
        return qs.filter(collection=collection)
    return qs.filter(collection_id__in=readable_collection_ids(organisation_id))


def api_roots() -> QuerySet[ApiRoot]:
    """Every API root (discovery lists them all; collections are filtered per client)."""
    return ApiRoot.objects.all()


def collections_for(*, api_root: ApiRoot, organisation_id: int | None) -> QuerySet[Collection]:
    """Collections of an API root that the organisation may read or write, in stable order."""
    ids = readable_collection_ids(organisation_id)
    if organisation_id is not None:
        ids |= set(
            _grants_for(organisation_id)
            .filter(can_write=True)
            .values_list("collection_id", flat=True)
        )
    return Collection.objects.filter(api_root=api_root, id__in=ids).order_by("created_at", "id")


def status_get_for(
    *, api_root: ApiRoot, organisation_id: int, status_id: str
) -> StatusResource | None:
    """A status resource posted by the organisation, or None (unknown, expired or another's)."""
    return StatusResource.objects.filter(
        api_root=api_root,
        organisation_id=organisation_id,
        id=status_id,
        request_timestamp__gte=clock.now() - STATUS_RETENTION,
    ).first()


def groups_for(organisation_id: int | None) -> QuerySet[SharingGroup]:
    """Sharing groups the organisation belongs to or owns (what its analysts may look at)."""
    if organisation_id is None:
        return SharingGroup.objects.none()
    return (
        SharingGroup.objects.filter(Q(members__id=organisation_id) | Q(owner_id=organisation_id))
        .distinct()
        .order_by("name")
    )


def group_grants(group: SharingGroup) -> QuerySet[CollectionGrant]:
    """The collection rights (read/write) a sharing group holds."""
    return (
        CollectionGrant.objects.filter(group=group)
        .select_related("collection__api_root")
        .order_by("collection__title", "pk")
    )


def levels_of_visible(*, organisation_id: int | None, stix_ids: list[str]) -> dict[str, str]:
    """``stix id -> most restrictive TLP among its visible versions``, for visible ids only.

    Ids the organisation may not see are simply absent, exactly like ids that do not exist.
    """
    found: dict[str, list[str]] = {}
    rows = visible_objects(organisation_id=organisation_id).filter(stix_id__in=stix_ids)
    for stix_id, level in rows.values_list("stix_id", "tlp"):
        found.setdefault(stix_id, []).append(level)
    return {k: tlp.most_restrictive(v) or tlp.CLEAR for k, v in found.items()}


class Reader:
    """What one organisation may see of object versions it can already see: granular markings.

    The object-level rule is `tlp_filter`; this applies the same audiences per property. Built
    for a batch of rows (a page), so the facts it needs cost at most three queries, and none
    when no row carries granular markings.
    """

    def __init__(self, organisation_id: int | None, rows: list[StixObject]) -> None:
        self.organisation_id = organisation_id
        marked = [r for r in rows if r.raw.get("granular_markings")]
        self.community = False
        self.amber_collections: set[object] = set()
        self.addressed: set[int] = set()
        if not marked or organisation_id is None:
            return
        self.community = is_community_member(organisation_id)
        self.amber_collections = set(
            Collection.objects.filter(sharing_group__members__id=organisation_id).values_list(
                "id", flat=True
            )
        )
        self.addressed = set(
            StixObject.recipients.through.objects.filter(
                organisation_id=organisation_id, stixobject_id__in=[r.pk for r in marked]
            ).values_list("stixobject_id", flat=True)
        )

    def allows(self, row: StixObject, level: str) -> bool:
        """Whether the reader is in the audience of ``level`` for this object version."""
        if level == tlp.CLEAR:
            return True
        if self.organisation_id is None:
            return False
        if row.source_organisation_id == self.organisation_id:
            return True
        if level == tlp.GREEN:
            return self.community
        if level == tlp.AMBER:
            return row.collection_id in self.amber_collections
        return row.pk in self.addressed

    def view(self, row: StixObject) -> dict[str, Any]:
        """The object as this reader may receive it (``row.raw`` itself when nothing is cut)."""
        raw: dict[str, Any] = row.raw
        if not raw.get("granular_markings"):
            return raw
        cut = granular.hidden_selectors(raw, lambda level: self.allows(row, level))
        return granular.redact(raw, cut) if cut else raw
