"""Django app configuration for identity."""

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "mekong.identity"
    label = "identity"
    verbose_name = "Identity"
