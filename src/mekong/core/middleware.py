"""Middleware that keeps the API's promise: every error under /api/ is problem+json
(`ApiProblemMiddleware`), turns domain errors into pages (`DomainErrorPageMiddleware`), and
starts requests after this process's SQLite writer (`MakeWayForWriterMiddleware`).

Ninja and Django answer some errors themselves with plain responses (405 for a wrong method,
413 for an oversized body, CSRF 403); this converts any such 4xx/5xx under ``/api/`` into an
RFC 9457 document with a stable code, keeping headers such as ``Allow``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from mekong.core.db import writer_gate
from mekong.core.problem import PROBLEM_CONTENT_TYPE, problem_response

#: Content types an API may legitimately use for its own error bodies (TAXII error messages).
_OWN_ERROR_TYPES = (PROBLEM_CONTENT_TYPE, "application/taxii+json")
_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


class MakeWayForWriterMiddleware:
    """Start a request only once no thread of this process holds the SQLite writer lock (at
    most `writer_gate.MAKE_WAY_S`): see `mekong.core.db.writer_gate`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        writer_gate.make_way()
        return self.get_response(request)


class ApiProblemMiddleware:
    """Convert plain error responses under ``/api/`` to problem+json."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code < 400 or not request.path.startswith("/api/"):
            return response
        content_type = response.get("Content-Type", "")
        if content_type.startswith(_OWN_ERROR_TYPES):
            return response
        status = response.status_code
        code = _CODES.get(status, "internal_error" if status >= 500 else "http_error")
        detail = {
            405: _("This method is not allowed here."),
            403: _("You do not have permission to do this."),
            404: _("Not found."),
        }.get(status, _("The request could not be processed."))
        converted = problem_response(request, status=status, code=code, title=detail, detail=detail)
        for header in ("Allow", "WWW-Authenticate", "Retry-After"):
            if header in response:
                converted[header] = response[header]
        return converted


class DomainErrorPageMiddleware:
    """Let page views raise `DomainError`: render the site's 404/403/400 page for it.

    The API renders the same errors as problem+json through its exception handlers; pages get
    the matching error page, so a view never needs try/except around a `*_get_for` selector.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
        from django.core.exceptions import SuspiciousOperation
        from django.core.handlers.exception import response_for_exception
        from django.http import Http404

        from mekong.core.errors import DomainError

        if not isinstance(exception, DomainError):
            return None
        if exception.http_status == 404:
            translated: Exception = Http404(exception.detail)
        elif exception.http_status in (401, 403):
            translated = DjangoPermissionDenied(exception.detail)
        else:
            translated = SuspiciousOperation(exception.detail)
        return response_for_exception(request, translated)
