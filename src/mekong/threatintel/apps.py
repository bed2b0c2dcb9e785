"""Django app configuration of the threat-intelligence module."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThreatintelConfig(AppConfig):
    """The threat-intelligence app (L2): STIX store, TAXII server, matching facade."""

    name = "mekong.threatintel"
    label = "threatintel"
    verbose_name = _("Threat intelligence")
    default_auto_field = "django.db.models.BigAutoField"
