"""The one HTTP API of the platform at ``/api/v1/``: routers per module, problem+json errors.

Every error leaves as RFC 9457 problem+json with a stable ``code`` (docs/api.md); no input
produces a 500 (a schemathesis run over the OpenAPI schema checks this in CI).
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from mekong import __version__
from mekong.core.errors import DomainError
from mekong.core.problem import domain_error_response, problem_response
from mekong.customs.api import router as customs_router
from mekong.customs.clearance.api import router as clearance_router
from mekong.identity.api import router as identity_router
from mekong.identity.auth import API_AUTH
from mekong.ledger.api import router as ledger_router
from mekong.marketplace.api import router as marketplace_router
from mekong.payments.api import router as payments_router
from mekong.trustlog.api import router as trustlog_router

logger = logging.getLogger(__name__)


class _Renderer(JSONRenderer):
    # Thai, Lao, Khmer and Burmese stay readable (and 3x smaller) without \u escapes.
    json_dumps_params: dict[str, Any] = {"ensure_ascii": False}


api = NinjaAPI(
    title="Mekong Digital Economy Platform API",
    version="1",
    description=(
        "Typed HTTP API of the Mekong platform. Authenticate with an organisation API token "
        "(`Authorization: Bearer <token>`; `Token <token>` also accepted) or a browser session. "
        "Errors are RFC 9457 problem+json documents with a stable `code`. Lists take "
        "`limit` and `offset` and return `items` and `count`."
    ),
    urls_namespace="api",
    auth=API_AUTH,
    renderer=_Renderer(),
    docs_url="/docs",
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return domain_error_response(request, exc)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "loc": [str(part) for part in err.get("loc", ())],
            "type": str(err.get("type", "")),
            "msg": str(err.get("msg", "")),
        }
        for err in exc.errors
    ]
    return problem_response(
        request,
        status=422,
        code="validation_error",
        title=_("The request contains invalid data."),
        detail=_("Check the listed fields and try again."),
        errors=errors,
    )


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        request,
        status=401,
        code="not_authenticated",
        title=_("Authentication is required."),
        detail=_("Send an API token as 'Authorization: Bearer <token>' or log in."),
        headers={"WWW-Authenticate": 'Bearer realm="mekong"'},
    )


@api.exception_handler(AuthorizationError)
def _authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return problem_response(
        request,
        status=403,
        code="permission_denied",
        title=_("You do not have permission to do this."),
        detail=_("You do not have permission to do this."),
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja raises HttpError(400) for an unparseable JSON body and 405 for wrong methods.
    codes = {400: "bad_request", 405: "method_not_allowed", 413: "payload_too_large"}
    code = codes.get(exc.status_code, "http_error")
    return problem_response(
        request,
        status=exc.status_code,
        code=code,
        title=_("The request could not be processed."),
        detail=_("The request body is not valid JSON.")
        if exc.status_code == 400
        else _("The request could not be processed."),
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(
        request, status=404, code="not_found", title=_("Not found."), detail=_("Not found.")
    )


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A bug: log it with the traceback, never leak it to the client.
    logger.error("unhandled API error on %s %s", request.method, request.path, exc_info=exc)
    return problem_response(
        request,
        status=500,
        code="internal_error",
        title=_("Internal error."),
        detail=_("Something went wrong on our side. The error has been logged."),
    )


class HealthOut(Schema):
    """Liveness and readiness of this instance."""

    status: str
    version: str
    database: str


@api.get("/health", auth=None, response=HealthOut, tags=["platform"], summary="Health check")
def health(request: HttpRequest) -> HealthOut:
    """Report that the process is up and the database answers (public, no authentication)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HealthOut(status="ok", version=__version__, database=connection.vendor)


api.add_router("/", identity_router)
api.add_router("/log", trustlog_router)
api.add_router("/ledger", ledger_router)
api.add_router("/payments", payments_router)
api.add_router("/customs", customs_router)
api.add_router("/clearance", clearance_router)
api.add_router("/marketplace", marketplace_router)
