"""Root URLs: the API and admin outside the language prefix, pages inside it."""

from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.utils.translation import gettext as _

from mekong.api import api
from mekong.core.problem import problem_response
from mekong.marketplace import media as marketplace_media

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("taxii2/", include("mekong.threatintel.taxii_urls")),
    # Product photos are public; served by the app so `make demo` needs no web server.
    re_path(r"^media/(?P<path>marketplace/.+)$", marketplace_media.serve, name="marketplace_media"),
]

urlpatterns += i18n_patterns(
    path("", include("mekong.site.urls")),
    path("", include("mekong.identity.urls")),
    path("threatintel/", include("mekong.threatintel.urls")),
    path("", include("mekong.trustlog.urls")),
    path("", include("mekong.marketplace.urls")),
    path("payments/", include("mekong.payments.urls")),
    path("customs/", include("mekong.customs.urls")),
    path("customs/clearance/", include("mekong.customs.clearance.urls")),
    prefix_default_language=True,
)


def _wants_problem(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Not found: problem+json under /api/, the site's page elsewhere."""
    if _wants_problem(request):
        return problem_response(
            request, status=404, code="not_found", title=_("Not found."), detail=_("Not found.")
        )
    return render(request, "404.html", status=404)


def handler500(request: HttpRequest) -> HttpResponse:
    """Server error: problem+json under /api/, a plain page elsewhere."""
    if _wants_problem(request):
        return problem_response(
            request,
            status=500,
            code="internal_error",
            title=_("Internal error."),
            detail=_("Something went wrong on our side. The error has been logged."),
        )
    return render(request, "500.html", status=500)


def handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Bad request (e.g. a disallowed Host header)."""
    return problem_response(
        request, status=400, code="bad_request", title=_("Bad request."), detail=_("Bad request.")
    )


def handler403(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Forbidden (CSRF failures land here too)."""
    if _wants_problem(request):
        return problem_response(
            request,
            status=403,
            code="permission_denied",
            title=_("You do not have permission to do this."),
            detail=_("You do not have permission to do this."),
        )
    return render(request, "403.html", status=403)
