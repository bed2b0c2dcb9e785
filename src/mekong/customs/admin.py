"""Django admin for operators: customs documents and the trust list, read-only.

Keys are created, rotated and revoked through `services` (``mekong docs key-rotate`` /
``key-revoke``); documents are issued and revoked through the pages and the API, so that every
change is signed, anchored and audited. The encrypted private keys are never shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mekong.customs.models import AuthorityKey, Document, IssuingAuthority, Revocation, Trader


class _ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IssuingAuthority)
class IssuingAuthorityAdmin(_ReadOnly):
    list_display = ["name", "country", "organisation_id", "created_at"]
    list_filter = ["country"]


@admin.register(AuthorityKey)
class AuthorityKeyAdmin(_ReadOnly):
    list_display = ["key_id", "authority", "valid_from", "valid_until", "revoked_at"]
    list_filter = ["authority__country"]
    exclude = ["private_key_enc"]


@admin.register(Trader)
class TraderAdmin(_ReadOnly):
    list_display = ["registration_number", "role", "country", "organisation_id"]
    list_filter = ["role", "country"]


@admin.register(Document)
class DocumentAdmin(_ReadOnly):
    list_display = ["id", "doc_type", "status", "authority", "issued_at", "revoked_at"]
    list_filter = ["doc_type", "status"]
    exclude = ["salts"]


@admin.register(Revocation)
class RevocationAdmin(_ReadOnly):
    list_display = ["document", "reason", "revoked_at", "log_index"]
