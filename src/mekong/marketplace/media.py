"""Serves public product images from ``MEDIA_ROOT/marketplace/``.

Only files that :mod:`mekong.marketplace.images` wrote can be asked for: the path must stay
inside the marketplace media directory once resolved (no ``..``, no absolute paths, no symlinks
out), end in one of the three image extensions and name a regular file. Anything else is a 404
that looks like a missing file. Names are content-addressed (sha256), so a file never changes
under its name and may be cached for a year.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

#: Extension → content type; the only files served.
CONTENT_TYPES: dict[str, str] = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
CACHE_CONTROL = "public, max-age=31536000, immutable"


def resolve(path: str) -> Path | None:
    """The file under ``MEDIA_ROOT/marketplace/`` that ``path`` names, or None."""
    if "\x00" in path or "\\" in path or not path.startswith("marketplace/"):
        return None
    parts = path.split("/")
    if any(part in {"", ".", ".."} for part in parts):
        return None
    root = (Path(settings.MEDIA_ROOT) / "marketplace").resolve()
    try:
        target = (Path(settings.MEDIA_ROOT) / path).resolve()
    except (OSError, RuntimeError):
        return None
    if not target.is_relative_to(root) or target.suffix.lower() not in CONTENT_TYPES:
        return None
    return target if target.is_file() else None


@require_safe
def serve(request: HttpRequest, path: str) -> FileResponse:
    """One product image with its own content type, a year's cache and ``nosniff``."""
    target = resolve(path)
    if target is None:
        raise Http404
    response = FileResponse(target.open("rb"), content_type=CONTENT_TYPES[target.suffix.lower()])
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    # An image is never a document: nothing in it may run, even if opened directly.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
