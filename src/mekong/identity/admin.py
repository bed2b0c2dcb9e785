"""Django admin for platform operators."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from mekong.identity.models import ApiToken, Membership, Organisation, User


class MembershipInline(admin.TabularInline[Membership, Organisation]):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "kind", "country", "is_active", "created_at"]
    list_filter = ["kind", "country", "is_active"]
    search_fields = ["name", "slug", "registration_number"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_staff", "is_active"]
    search_fields = ["email", "display_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "preferred_language")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Operators can see and revoke tokens; the secret digest is never shown.

    The scope is read-only: widening a sandbox token to ``all`` would hand a test credential
    live money (ADR 0011); issue a new token instead.
    """

    list_display = ["name", "organisation", "prefix", "role", "scope", "created_at", "revoked_at"]
    list_filter = ["role", "scope"]
    search_fields = ["name", "prefix", "organisation__name"]
    exclude = ["digest"]
    readonly_fields = ["prefix", "scope", "created_at", "last_used_at"]
