"""Admin pages for operators: sharing groups, API roots, collections and their grants."""

from __future__ import annotations

from django.contrib import admin

from mekong.threatintel.models import ApiRoot, Collection, CollectionGrant, SharingGroup


@admin.register(SharingGroup)
class SharingGroupAdmin(admin.ModelAdmin[SharingGroup]):
    """Manage trust groups and their member organisations."""

    list_display = ["name", "slug"]
    filter_horizontal = ["members"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ApiRoot)
class ApiRootAdmin(admin.ModelAdmin[ApiRoot]):
    """Manage TAXII API roots."""

    list_display = ["slug", "title", "is_default", "max_content_length"]


class GrantInline(admin.TabularInline[CollectionGrant, Collection]):
    model = CollectionGrant
    extra = 1


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin[Collection]):
    """Manage collections, their sharing group, default TLP and grants."""

    list_display = ["title", "api_root", "alias", "sharing_group", "default_tlp", "open_to_all"]
    inlines = [GrantInline]
