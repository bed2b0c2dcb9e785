"""Seller pages to list, create and edit products (with images, variants and price tiers)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def product_list(request: HttpRequest) -> HttpResponse:
    """The seller's products (placeholder until the editor lands)."""
    raise Http404


def product_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Create (no slug) or edit a product (placeholder until the editor lands)."""
    raise Http404
