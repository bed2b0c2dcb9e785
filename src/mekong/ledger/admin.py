"""Django admin for operators: the ledger is read-only here.

Balances change only through `services.transfers_create`; history is append-only. The admin
shows both and changes neither (no add, change or delete).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mekong.ledger.models import Account, PendingResolution, Transfer


class _ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(_ReadOnly):
    list_display = [
        "id",
        "name",
        "organisation",
        "currency",
        "code",
        "debits_posted",
        "credits_posted",
        "debits_pending",
        "credits_pending",
    ]
    list_filter = ["currency", "debits_must_not_exceed_credits", "credits_must_not_exceed_debits"]
    search_fields = ["name", "external_id", "organisation__name"]
    list_select_related = ["organisation"]


@admin.register(Transfer)
class TransferAdmin(_ReadOnly):
    list_display = [
        "seq",
        "id",
        "timestamp",
        "debit_account_id",
        "credit_account_id",
        "amount",
        "currency",
        "code",
        "kind",
    ]
    list_filter = ["currency", "is_pending", "post_pending", "void_pending", "linked"]
    search_fields = ["=id", "user_data"]
    ordering = ["-seq"]
    show_full_result_count = False  # COUNT(*) over the whole history is slow and not useful


@admin.register(PendingResolution)
class PendingResolutionAdmin(_ReadOnly):
    list_display = ["pending_id", "status", "resolved_by_id", "amount_posted", "timestamp"]
    list_filter = ["status"]
    search_fields = ["=pending__id"]
