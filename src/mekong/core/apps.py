"""Django app configuration for the shared kernel."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mekong.core"
    label = "core"
    verbose_name = "Core"
