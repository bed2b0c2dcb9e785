"""Django admin for operators: the hub's records are read-only here, except the watchlist.

Money moves only through the services (quotes, payments, reviews, refunds); the admin shows
participants, positions, wallets, the directory, rates, quotes and payments and changes none
of them. The screening watchlist is maintained here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mekong.payments.models import (
    FxRate,
    Participant,
    Payment,
    Position,
    ProxyEntry,
    Quote,
    Wallet,
    WatchlistEntry,
    WebhookDelivery,
    WebhookEndpoint,
)


class _ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Participant)
class ParticipantAdmin(_ReadOnly):
    list_display = ["code", "name", "kind", "country", "currency", "is_default", "sandbox"]
    list_filter = ["kind", "country", "sandbox"]


@admin.register(Position)
class PositionAdmin(_ReadOnly):
    list_display = ["participant", "kind", "currency", "ledger_account_id", "sandbox"]
    list_filter = ["kind", "currency", "sandbox"]


@admin.register(Wallet)
class WalletAdmin(_ReadOnly):
    list_display = ["account_ref", "participant", "currency", "kyc_tier", "sandbox"]
    list_filter = ["currency", "kyc_tier", "sandbox"]
    search_fields = ["account_ref"]


@admin.register(ProxyEntry)
class ProxyEntryAdmin(_ReadOnly):
    list_display = ["kind", "value", "wallet", "sandbox"]
    list_filter = ["kind", "sandbox"]
    search_fields = ["value"]


@admin.register(FxRate)
class FxRateAdmin(_ReadOnly):
    list_display = ["provider", "base_currency", "quote_currency", "mid", "spread_bps",
                    "valid_from", "valid_until"]  # fmt: skip
    list_filter = ["base_currency", "quote_currency"]


@admin.register(Quote)
class QuoteAdmin(_ReadOnly):
    list_display = ["id", "source_currency", "source_amount", "destination_currency",
                    "destination_amount", "rate", "fee_amount", "used_at"]  # fmt: skip


@admin.register(Payment)
class PaymentAdmin(_ReadOnly):
    list_display = ["id", "status", "refusal_code", "sender_participant",
                    "receiver_participant", "receipt_index", "created_at", "sandbox"]  # fmt: skip
    list_filter = ["status", "sandbox"]


@admin.register(WatchlistEntry)
class WatchlistEntryAdmin(admin.ModelAdmin[WatchlistEntry]):
    list_display = ["id", "__str__", "reason", "active", "created_at"]
    list_filter = ["active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(_ReadOnly):
    """Participants' endpoints; the signing secret is never shown."""

    list_display = ["url", "participant", "active", "created_at"]
    list_filter = ["active"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(_ReadOnly):
    list_display = ["event_type", "endpoint", "status", "attempts", "last_status_code"]
    list_filter = ["status", "event_type"]
