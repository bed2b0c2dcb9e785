"""Django app configuration for customs clearance (declarations, duty, risk, officers)."""

from django.apps import AppConfig


class ClearanceConfig(AppConfig):
    name = "mekong.customs.clearance"
    label = "clearance"
    verbose_name = "Paperless trade: clearance"
