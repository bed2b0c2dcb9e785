"""The STIX store: sharing groups, API roots, collections with grants, object versions, statuses."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from mekong.core import clock
from mekong.identity.models import Organisation
from mekong.threatintel import tlp

#: How long a status resource stays readable (TAXII asks for at least 24 hours).
STATUS_RETENTION = timedelta(days=7)

TLP_CHOICES = [
    (tlp.CLEAR, "TLP:CLEAR"),
    (tlp.GREEN, "TLP:GREEN"),
    (tlp.AMBER, "TLP:AMBER"),
    (tlp.AMBER_STRICT, "TLP:AMBER+STRICT"),
    (tlp.RED, "TLP:RED"),
]


class SharingGroup(models.Model):
    """A trust group of member organisations (CERTs, banks, payment providers, regulators).

    The members of a collection's sharing group are the audience of its TLP:AMBER objects; the
    members of every group together are the community that sees TLP:GREEN. ``owner`` is the
    organisation that created the group on the analyst pages: only its owners and
    administrators change the member list (operators use the admin for groups without one).
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True, default="")
    members = models.ManyToManyField(Organisation, related_name="sharing_groups", blank=True)
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiRoot(models.Model):
    """A TAXII API root, served at ``/taxii2/<slug>/``.

    ``max_content_length`` is the largest POST body in bytes; smaller bodies never get 413.
    """

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    max_content_length = models.PositiveIntegerField(default=2_000_000)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class Collection(models.Model):
    """A TAXII collection inside an API root, with read/write grants and a sharing group.

    Objects without a TLP marking take ``default_tlp``. Reading needs a read grant *and* a TLP
    level that admits the reader; the grant alone never reveals a RED object.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    api_root = models.ForeignKey(ApiRoot, on_delete=models.CASCADE, related_name="collections")
    alias = models.SlugField(max_length=80, blank=True, default="")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    sharing_group = models.ForeignKey(
        SharingGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="collections"
    )
    default_tlp = models.CharField(max_length=16, choices=TLP_CHOICES, default=tlp.AMBER)
    #: Any authenticated organisation may read (TLP still filters each object).
    open_to_all = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["api_root", "alias"],
                condition=~models.Q(alias=""),
                name="threatintel_collection_alias_unique",
            )
        ]

    def __str__(self) -> str:
        return self.title


class CollectionGrant(models.Model):
    """Read and/or write access to a collection for a sharing group or one organisation."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="grants")
    group = models.ForeignKey(SharingGroup, on_delete=models.CASCADE, null=True, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True, blank=True)
    can_read = models.BooleanField(default=True)
    can_write = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(group__isnull=False) ^ models.Q(organisation__isnull=False),
                name="threatintel_grant_one_grantee",
            )
        ]

    def __str__(self) -> str:
        return f"{self.collection_id}: {self.group_id or self.organisation_id}"


class StixObject(models.Model):
    """One stored version of a STIX object in one collection.

    Invariants: ``(collection, stix_id, version)`` is unique; ``date_added`` strictly increases
    within a collection (so ``added_after`` and keyset paging never skip or repeat an object);
    ``raw`` is the object exactly as received. ``tlp`` is derived from the markings at ingest.
    """

    collection = models.ForeignKey(
        Collection, on_delete=models.CASCADE, related_name="stix_objects"
    )
    stix_id = models.CharField(max_length=300)
    type = models.CharField(max_length=250)
    spec_version = models.CharField(max_length=8, default="2.1")
    created = models.DateTimeField(null=True, blank=True)
    modified = models.DateTimeField(null=True, blank=True)
    #: STIX ``modified`` (else ``created``) exactly as sent; SCOs have the ingest time.
    version = models.CharField(max_length=40)
    #: ``version`` as a datetime, for ordering versions (``first``/``last``) and exact matches.
    version_at = models.DateTimeField()
    date_added = models.DateTimeField()
    revoked = models.BooleanField(default=False)
    raw = models.JSONField()
    tlp = models.CharField(max_length=16, choices=TLP_CHOICES)
    marking_refs = models.JSONField(default=list, blank=True)
    created_by_ref = models.CharField(max_length=300, blank=True, default="")
    source_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recipients = models.ManyToManyField(Organisation, related_name="+", blank=True)
    # Indicator fields copied out of ``raw`` for matching.
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["date_added", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "stix_id", "version"], name="threatintel_object_version"
            )
        ]
        indexes = [
            models.Index(fields=["collection", "date_added"]),
            models.Index(fields=["stix_id", "version_at"]),
            models.Index(fields=["type"]),
        ]

    def __str__(self) -> str:
        return f"{self.stix_id} @ {self.version}"


class IndicatorValue(models.Model):
    """An observable value an indicator version matches, extracted from a simple pattern.

    Only equality comparisons (possibly OR-ed) become rows: they are what real-time payment
    screening can look up by index; richer patterns stay for batch matching.
    """

    obj = models.ForeignKey(StixObject, on_delete=models.CASCADE, related_name="values")
    kind = models.CharField(max_length=64)
    value = models.CharField(max_length=2048)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class StatusResource(models.Model):
    """The outcome of one TAXII POST, kept at least 24 hours (``STATUS_RETENTION``).

    Only the organisation that posted may read it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    api_root = models.ForeignKey(ApiRoot, on_delete=models.CASCADE, related_name="statuses")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, default="complete")
    request_timestamp = models.DateTimeField(default=clock.now)
    total_count = models.PositiveIntegerField(default=0)
    success_count = models.PositiveIntegerField(default=0)
    failure_count = models.PositiveIntegerField(default=0)
    pending_count = models.PositiveIntegerField(default=0)
    successes = models.JSONField(default=list)
    failures = models.JSONField(default=list)

    def __str__(self) -> str:
        return str(self.id)


class SyncState(models.Model):
    """Watermarks of federation with one remote TAXII collection (``mekong taxii sync``).

    ``pulled_until`` is the remote ``X-TAXII-Date-Added-Last`` already fetched (exclusive
    ``added_after`` of the next pull); ``pushed_until`` the local ``date_added`` already sent.
    """

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="+")
    remote_url = models.URLField(max_length=1000)
    peer_organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    pulled_until = models.CharField(max_length=40, blank=True, default="")
    pushed_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "remote_url"], name="threatintel_sync_state_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.collection_id} ⇄ {self.remote_url}"
