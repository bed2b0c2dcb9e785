"""Django app configuration for the marketplace."""

from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "mekong.marketplace"
    label = "marketplace"
    verbose_name = "Marketplace"

    def ready(self) -> None:
        # Register the event types and subscribe to the payments hub's decisions.
        from mekong.marketplace import events, handlers  # noqa: F401
