"""Django app configuration for the ledger."""

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "mekong.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        # Register the event types so that the outbox can rebuild them in any process.
        from mekong.ledger import events  # noqa: F401
