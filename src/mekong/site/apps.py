"""Django app configuration for the site shell."""

from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "mekong.site"
    label = "site"
    verbose_name = "Site"
