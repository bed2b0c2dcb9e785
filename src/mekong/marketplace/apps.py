"""Django app configuration for the marketplace."""

from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "mekong.marketplace"
    label = "marketplace"
    verbose_name = "Marketplace"
