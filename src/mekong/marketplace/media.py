"""Serves public product images from MEDIA_ROOT/marketplace/."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def serve(request: HttpRequest, path: str) -> HttpResponse:
    """Placeholder until image upload lands."""
    raise Http404
