"""Writes of the threat-intelligence module: setup, ingest (TAXII POST), delete, sightings.

Every service owns its transaction and writes an audit entry in it.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from mekong.core import clock
from mekong.core.audit import audit_record
from mekong.identity.contracts import Actor
from mekong.identity.models import Organisation
from mekong.threatintel import bulk, granular, tlp
from mekong.threatintel.errors import GroupSlugTaken, InvalidStixObject, NotGroupManager
from mekong.threatintel.models import (
    ApiRoot,
    Collection,
    CollectionGrant,
    SharingGroup,
    StatusResource,
    StixObject,
)
from mekong.threatintel.observables import pattern_values
from mekong.threatintel.validation import parse_timestamp, validate_object

#: Custom property naming the recipient organisations (slugs) of an AMBER+STRICT or RED object.
RECIPIENTS_PROPERTY = "x_mekong_recipients"
_ONE_MICROSECOND = timedelta(microseconds=1)


def sharing_group_create(
    *,
    name: str,
    slug: str,
    member_ids: list[int],
    owner_id: int | None = None,
    description: str = "",
) -> SharingGroup:
    """Create a sharing group with its member organisations.

    With ``owner_id`` (groups created on the analyst pages) the owner organisation is a member
    and its owners and administrators manage the member list.
    """
    with transaction.atomic():
        if SharingGroup.objects.filter(slug=slug).exists():
            raise GroupSlugTaken
        group = SharingGroup.objects.create(
            name=name, slug=slug, owner_id=owner_id, description=description
        )
        group.members.set(sorted({*member_ids, *([owner_id] if owner_id else [])}))
        audit_record(
            action="threatintel.group_created", organisation_id=owner_id,
            object_type="group", object_id=group.pk,
        )  # fmt: skip
    return group


def _require_group_manager(group: SharingGroup, actor: Actor) -> None:
    if not (
        group.owner_id is not None and actor.organisation_id == group.owner_id and actor.can_manage
    ):
        raise NotGroupManager


def sharing_group_member_add(*, group: SharingGroup, organisation_id: int, actor: Actor) -> None:
    """Add a member organisation; only the owner organisation's owners and admins may."""
    with transaction.atomic():
        locked = SharingGroup.objects.select_for_update().get(pk=group.pk)
        _require_group_manager(locked, actor)
        locked.members.add(organisation_id)
        audit_record(
            action="threatintel.group_member_added", actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id, object_type="group", object_id=group.pk,
            data={"organisation": organisation_id},
        )  # fmt: skip


def sharing_group_member_remove(*, group: SharingGroup, organisation_id: int, actor: Actor) -> None:
    """Remove a member organisation (never the owner itself); owner's owners and admins only."""
    with transaction.atomic():
        locked = SharingGroup.objects.select_for_update().get(pk=group.pk)
        _require_group_manager(locked, actor)
        if organisation_id == locked.owner_id:
            raise NotGroupManager(_("The owner organisation stays a member of its group."))
        locked.members.remove(organisation_id)
        audit_record(
            action="threatintel.group_member_removed", actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id, object_type="group", object_id=group.pk,
            data={"organisation": organisation_id},
        )  # fmt: skip


def api_root_create(
    *, slug: str, title: str, is_default: bool = False, max_content_length: int = 2_000_000
) -> ApiRoot:
    """Create a TAXII API root."""
    with transaction.atomic():
        root = ApiRoot.objects.create(
            slug=slug, title=title, is_default=is_default, max_content_length=max_content_length
        )
        audit_record(action="threatintel.api_root_created", object_type="api_root", object_id=slug)
    return root


def collection_create(
    *,
    api_root: ApiRoot,
    title: str,
    sharing_group: SharingGroup | None = None,
    alias: str = "",
    default_tlp: str = tlp.AMBER,
    open_to_all: bool = False,
    collection_id: uuid.UUID | None = None,
) -> Collection:
    """Create a collection; the sharing group gets read and write access."""
    with transaction.atomic():
        coll = Collection.objects.create(
            id=collection_id or uuid.uuid4(),
            api_root=api_root,
            title=title,
            alias=alias,
            sharing_group=sharing_group,
            default_tlp=default_tlp,
            open_to_all=open_to_all,
        )
        if sharing_group is not None:
            CollectionGrant.objects.create(
                collection=coll, group=sharing_group, can_read=True, can_write=True
            )
        audit_record(
            action="threatintel.collection_created",
            object_type="collection",
            object_id=str(coll.pk),
        )
    return coll


def grant_set(
    *,
    collection: Collection,
    can_read: bool,
    can_write: bool,
    group: SharingGroup | None = None,
    organisation_id: int | None = None,
) -> CollectionGrant:
    """Give a group or one organisation read and/or write access to a collection."""
    with transaction.atomic():
        grant = CollectionGrant.objects.create(
            collection=collection,
            group=group,
            organisation_id=organisation_id,
            can_read=can_read,
            can_write=can_write,
        )
        audit_record(
            action="threatintel.grant_set", object_type="collection", object_id=str(collection.pk),
            data={"group": group.pk if group else None, "organisation": organisation_id,
                  "read": can_read, "write": can_write},
        )  # fmt: skip
    return grant


def _version_of(obj: dict[str, Any]) -> str:
    return str(obj.get("modified") or obj.get("created") or "")


def _canonical(obj: dict[str, Any]) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def objects_add(
    *,
    api_root: ApiRoot,
    collection: Collection,
    organisation_id: int,
    objects: list[Any],
    actor_user_id: int | None = None,
) -> StatusResource:
    """Validate and store STIX objects posted to a collection; return the status resource.

    Invalid objects are refused with their reasons and stored nowhere. Re-posting an object
    identical to a stored version is a success. The collection row is locked so ``date_added``
    strictly increases within it, even with concurrent posts.

    Cost is per POST, not per object: the stored versions of every posted id are read in one
    query per 500 ids (their JSON only where an identical-version check needs it), recipients
    are resolved in one query, and rows, indicator values and recipient links are written with
    multi-row inserts (`bulk`).
    """
    successes: list[dict[str, str]] = []
    failures: list[dict[str, str]] = []
    valid: list[dict[str, Any]] = []
    for obj in objects:
        reasons = validate_object(obj)
        if reasons:
            oid = str(obj.get("id", "")) if isinstance(obj, dict) else ""
            version = _version_of(obj) if isinstance(obj, dict) else ""
            failures.append({"id": oid, "version": version, "message": "; ".join(reasons)})
        else:
            valid.append(obj)
    with transaction.atomic():
        Collection.objects.select_for_update().filter(pk=collection.pk).first()
        last = collection.stix_objects.aggregate(m=Max("date_added"))["m"]
        stored = _stored_versions(collection, valid)
        pending: list[dict[str, Any]] = []
        for obj in valid:
            oid, version = str(obj["id"]), _version_of(obj)
            same_id = stored[oid]
            candidates = [r for r in same_id if r.version == version] if version else same_id
            # Serialised only when there is something to compare with (re-posts).
            canonical = _canonical(obj) if candidates else ""
            twin = next((r for r in candidates if r.canonical == canonical), None)
            if twin is not None:
                successes.append({"id": oid, "version": twin.version})
                continue
            if version and candidates:
                failures.append({"id": oid, "version": version,
                                 "message": "a different object with this id and version is "
                                            "already stored"})  # fmt: skip
                continue
            now = clock.now()
            date_added = now if last is None or now > last else last + _ONE_MICROSECOND
            last = date_added
            row = _build(collection, obj, organisation_id, date_added)
            pending.append(row)
            same_id.append(_Known(row["version"], obj))
            successes.append({"id": oid, "version": row["version"]})
        _write(pending)
        status = StatusResource.objects.create(
            api_root=api_root,
            organisation_id=organisation_id,
            status="complete",
            total_count=len(objects),
            success_count=len(successes),
            failure_count=len(failures),
            successes=successes,
            failures=failures,
        )
        audit_record(
            action="threatintel.objects_added",
            actor_user_id=actor_user_id,
            organisation_id=organisation_id,
            object_type="collection",
            object_id=str(collection.pk),
            data={"status": str(status.id), "ok": len(successes), "failed": len(failures)},
        )
    return status


class _Known:
    """A version of an id already stored (or accepted earlier in the same POST)."""

    __slots__ = ("_canonical", "raw", "version")

    def __init__(self, version: str, raw: Any) -> None:
        self.version = version
        self.raw = raw
        self._canonical: str | None = None

    @property
    def canonical(self) -> str:
        if self._canonical is None:
            self._canonical = _canonical(self.raw)
        return self._canonical


def _stored_versions(
    collection: Collection, objects: list[dict[str, Any]]
) -> dict[str, list[_Known]]:
    """``stix id -> [known version]`` of the stored versions of the posted ids.

    Only versions that can decide a posted object's fate (same version, or any version for an
    unversioned SCO) have their JSON loaded. The lookup goes by ``stix_id`` alone: with the
    collection in the filter SQLite's planner picked the ``(collection, date_added)`` index
    and scanned the whole collection once per chunk.
    """
    wanted: dict[str, set[str] | None] = {}
    for obj in objects:
        oid, version = str(obj["id"]), _version_of(obj)
        if not version:
            wanted[oid] = None  # every stored version may be the twin
        elif wanted.get(oid, set()) is not None:
            wanted.setdefault(oid, set()).add(version)  # type: ignore[union-attr]
    found: dict[str, list[_Known]] = defaultdict(list)
    need_raw: dict[int, tuple[str, str]] = {}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 500):  # stay under SQLite's bound-parameter limit
        chunk = ordered[start : start + 500]
        for pk, coll_id, stix_id, version in StixObject.objects.filter(
            stix_id__in=chunk
        ).values_list("pk", "collection_id", "stix_id", "version"):
            versions = wanted[stix_id]
            if coll_id == collection.pk and (versions is None or version in versions):
                need_raw[pk] = (stix_id, version)
    pks = sorted(need_raw)
    for start in range(0, len(pks), 500):
        for pk, raw in StixObject.objects.filter(pk__in=pks[start : start + 500]).values_list(
            "pk", "raw"
        ):
            stix_id, version = need_raw[pk]
            found[stix_id].append(_Known(version, raw))
    return found


def _build(
    collection: Collection, obj: dict[str, Any], organisation_id: int, date_added: datetime
) -> dict[str, Any]:
    """The columns of a new row for one valid object (see `bulk.OBJECT_COLUMNS`)."""
    version = _version_of(obj)
    return {
        "collection_id": collection.pk,
        "stix_id": str(obj["id"]),
        "type": str(obj["type"]),
        "spec_version": str(obj.get("spec_version", "2.1")),
        "created": parse_timestamp(obj["created"]) if "created" in obj else None,
        "modified": parse_timestamp(obj["modified"]) if "modified" in obj else None,
        # SCOs are unversioned; their ingest time stands in so the manifest has a version.
        "version": version or date_added.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "version_at": parse_timestamp(version) if version else date_added,
        "date_added": date_added,
        "revoked": bool(obj.get("revoked", False)),
        "raw": obj,
        "tlp": tlp.level_of(obj, default=collection.default_tlp),
        "marking_refs": list(obj.get("object_marking_refs") or []),
        "created_by_ref": str(obj.get("created_by_ref", "")),
        "source_organisation_id": organisation_id,
        "valid_from": parse_timestamp(obj["valid_from"]) if "valid_from" in obj else None,
        "valid_until": parse_timestamp(obj["valid_until"]) if "valid_until" in obj else None,
        "confidence": obj.get("confidence"),
    }


def _write(rows: list[dict[str, Any]]) -> None:
    """Insert new versions, their indicator values and their recipients (a few statements)."""
    if not rows:
        return
    pks = bulk.insert_objects(rows)
    values = [
        (pk, kind, value[:2048])
        for pk, row in zip(pks, rows, strict=True)
        if row["type"] == "indicator" and row["raw"].get("pattern_type") == "stix"
        for kind, value in pattern_values(str(row["raw"]["pattern"]))
    ]
    bulk.insert_values(values)
    # Recipients matter for an addressed object, or for addressed properties (granular).
    addressed = [(pk, row) for pk, row in zip(pks, rows, strict=True)
                 if row["tlp"] in tlp.RECIPIENT_LEVELS
                 or granular.levels(row["raw"]) & tlp.RECIPIENT_LEVELS]  # fmt: skip
    if addressed:
        slugs = {str(s) for _, row in addressed for s in row["raw"].get(RECIPIENTS_PROPERTY) or []}
        org_ids = dict(Organisation.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        links = {
            (pk, org_ids[str(slug)])
            for pk, row in addressed
            for slug in row["raw"].get(RECIPIENTS_PROPERTY) or []
            if str(slug) in org_ids
        }
        bulk.insert_recipients(sorted(links))


def objects_delete(*, collection: Collection, rows: list[StixObject], organisation_id: int) -> int:
    """Delete the given object versions from a collection; returns how many were removed."""
    with transaction.atomic():
        count, _ = StixObject.objects.filter(
            collection=collection, pk__in=[r.pk for r in rows]
        ).delete()
        audit_record(
            action="threatintel.objects_deleted",
            organisation_id=organisation_id,
            object_type="collection",
            object_id=str(collection.pk),
            data={"ids": sorted({r.stix_id for r in rows})},
        )
    return int(count)


def identity_ref_for(organisation_id: int) -> str:
    """The stable STIX identity id of a platform organisation (UUIDv5 of its database id)."""
    namespace = uuid.UUID("6f1c3e4a-2b7d-4c1e-9a55-0d8f6b2c9e10")
    return f"identity--{uuid.uuid5(namespace, f'mekong-organisation-{organisation_id}')}"


def stix_object_create(
    *,
    collection: Collection,
    organisation_id: int,
    obj: dict[str, Any],
    actor_user_id: int | None = None,
) -> StixObject:
    """Store one object built by the platform (UI form, sighting); raises if it is invalid."""
    status = objects_add(
        api_root=collection.api_root,
        collection=collection,
        organisation_id=organisation_id,
        objects=[obj],
        actor_user_id=actor_user_id,
    )
    if status.failure_count:
        raise InvalidStixObject(extra={"errors": [f["message"] for f in status.failures]})
    return collection.stix_objects.get(stix_id=obj["id"], version=status.successes[0]["version"])


def stix_timestamp(value: Any = None) -> str:
    """Format a datetime (default now) as a STIX timestamp with milliseconds."""
    moment = value or clock.now()
    return str(moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z")


def sighting_record(
    *,
    collection: Collection,
    organisation_id: int,
    indicator_id: str,
    count: int = 1,
    actor_user_id: int | None = None,
) -> StixObject:
    """Record that the organisation saw an indicator: a STIX sighting linked to it.

    The sighting inherits the indicator's TLP markings so it never reaches a wider audience.
    """
    indicator = collection.stix_objects.filter(stix_id=indicator_id).order_by("-date_added").first()
    now = stix_timestamp()
    obj: dict[str, Any] = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": f"sighting--{uuid.uuid4()}",
        "created": now,
        "modified": now,
        "sighting_of_ref": indicator_id,
        "count": count,
        "first_seen": now,
        "last_seen": now,
        "where_sighted_refs": [identity_ref_for(organisation_id)],
    }
    if indicator is not None and indicator.marking_refs:
        obj["object_marking_refs"] = list(indicator.marking_refs)
    return stix_object_create(
        collection=collection, organisation_id=organisation_id, obj=obj, actor_user_id=actor_user_id
    )
