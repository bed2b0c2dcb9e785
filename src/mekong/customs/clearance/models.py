"""Declarations lodged for import clearance, their lines, their event history and watchlists.

A declaration carries an ACDD-style header (declarant, importer and exporter, countries,
transport), lines with HS codes, and the ids of the signed documents it relies on (documents
live in ``mekong.customs``; they are referenced by id, never by foreign key). The automatic
checks made at lodging (document verification, duty, risk lane) are stored on the declaration
as the JSON the pages and the API show; every step of the workflow is a `DeclarationEvent`
row (append-only).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from mekong.core import clock
from mekong.core.db import append_only
from mekong.core.models import AppendOnlyModel
from mekong.identity.models import Organisation


class Status(models.TextChoices):
    """Where a declaration is in the officer workflow."""

    LODGED = "lodged", _("Lodged")
    INFO_REQUESTED = "info_requested", _("Information requested")
    HELD = "held", _("Held")
    RELEASED = "released", _("Released")


class LaneChoice(models.TextChoices):
    """The risk lane assigned by the automatic checks."""

    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class TransportMode(models.TextChoices):
    """Mode of transport at the border (WCO/UNECE Rec. 19 groups)."""

    SEA = "sea", _("Sea")
    AIR = "air", _("Air")
    ROAD = "road", _("Road")
    RAIL = "rail", _("Rail")
    POST = "post", _("Post")


class EventKind(models.TextChoices):
    """Steps recorded in a declaration's history."""

    LODGED = "lodged", _("Lodged")
    AUTO_CHECKS = "auto_checks", _("Automatic checks")
    LANE_ASSIGNED = "lane_assigned", _("Lane assigned")
    INFO_REQUESTED = "info_requested", _("Information requested")
    INFO_SUPPLIED = "info_supplied", _("Information supplied")
    RELEASED = "released", _("Released")
    HELD = "held", _("Held")


class Declaration(models.Model):
    """An import declaration lodged by a trader (or broker) organisation.

    Invariants: ``reference`` is unique and never changes; ``duty``/``vat`` are integer minor
    units of ``assessment_currency`` (the importing country's); ``released_at`` and
    ``clearance_seconds`` are set once, on release, from ``lodged_at``. Lodging is idempotent
    per (declarant, ``idempotency_key``).
    """

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4)
    declarant = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="clearance_declarations"
    )
    lodged_by_user_id = models.BigIntegerField(null=True, blank=True)
    customs_authority = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="clearance_queue",
        null=True,
        blank=True,
    )
    importer_name = models.CharField(_("importer"), max_length=200)
    importer_address = models.CharField(_("importer address"), max_length=400, blank=True)
    exporter_name = models.CharField(_("exporter"), max_length=200)
    exporter_address = models.CharField(_("exporter address"), max_length=400, blank=True)
    exporter_email = models.CharField(_("exporter e-mail"), max_length=254, blank=True)
    import_country = models.CharField(_("country of import"), max_length=2)
    export_country = models.CharField(_("country of export"), max_length=2)
    transport_mode = models.CharField(
        _("mode of transport"), max_length=8, choices=TransportMode.choices
    )
    transport_id = models.CharField(_("vessel, flight or vehicle"), max_length=100, blank=True)
    port_of_discharge = models.CharField(_("port of discharge"), max_length=100, blank=True)
    departure_date = models.DateField(_("departure date"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    document_ids = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.LODGED)
    lane = models.CharField(max_length=8, choices=LaneChoice.choices)
    risk_hits = models.JSONField(default=list)
    document_checks = models.JSONField(default=list)
    assessment = models.JSONField(default=dict)
    assessment_currency = models.CharField(max_length=3)
    duty = models.BigIntegerField(default=0)
    vat = models.BigIntegerField(default=0)
    declared_value = models.BigIntegerField(default=0)
    gross_mass_g = models.BigIntegerField(default=0)
    lodged_at = models.DateTimeField(default=clock.now, db_index=True)
    released_at = models.DateTimeField(null=True, blank=True)
    clearance_seconds = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-lodged_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["declarant", "idempotency_key"], name="clearance_lodge_once"
            )
        ]
        indexes = [
            models.Index(fields=["import_country", "status", "lane"], name="clearance_queue_idx")
        ]

    def __str__(self) -> str:
        return self.reference


class DeclarationLine(models.Model):
    """One goods item of a declaration (ACDD items: HS code, quantity, origin, value)."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveIntegerField()
    hs_code = models.CharField(_("HS code"), max_length=8)
    description = models.CharField(_("description"), max_length=400)
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=3)
    quantity_unit = models.CharField(_("unit"), max_length=8)
    gross_mass_g = models.BigIntegerField(_("gross mass (g)"))
    customs_value = models.BigIntegerField(_("customs value"))
    origin_country = models.CharField(_("country of origin"), max_length=2)
    preference = models.CharField(_("preference claimed"), max_length=8, blank=True)

    class Meta:
        ordering = ["declaration", "number"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "number"], name="clearance_line_once")
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id}/{self.number} {self.hs_code}"


class DeclarationEvent(AppendOnlyModel):
    """One step of a declaration's history (append-only, model and database triggers)."""

    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    at = models.DateTimeField(default=clock.now)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict)

    class Meta:
        db_table = append_only.register("clearance_declarationevent")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.declaration_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class WatchlistEntry(models.Model):
    """A party name a customs authority wants every declaration screened against."""

    customs_authority = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="clearance_watchlist"
    )
    name = models.CharField(_("name"), max_length=200)
    reason = models.CharField(_("reason"), max_length=400, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "watchlist entries"

    def __str__(self) -> str:
        return self.name
