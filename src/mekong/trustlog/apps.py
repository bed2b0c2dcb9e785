"""Django app configuration for trustlog."""

from django.apps import AppConfig


class TrustlogConfig(AppConfig):
    name = "mekong.trustlog"
    label = "trustlog"
    verbose_name = "Verifiable log"
