"""RFC 9457 problem details: one renderer for every error the platform returns over HTTP."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse

from mekong.core.errors import DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"
#: Problem type URIs are relative references to the error catalogue in the API docs.
TYPE_PREFIX = "/api/v1/docs/errors#"


def problem_body(
    *, status: int, code: str, title: str, detail: str, instance: str = "", **extra: Any
) -> dict[str, Any]:
    """Build a problem document with our stable ``code`` member."""
    body: dict[str, Any] = {
        "type": f"{TYPE_PREFIX}{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def problem_response(
    request: HttpRequest | None,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    """Render a problem document as an ``application/problem+json`` response."""
    instance = request.path if request is not None else ""
    body = problem_body(
        status=status, code=code, title=title, detail=detail, instance=instance, **extra
    )
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def domain_error_response(request: HttpRequest | None, error: DomainError) -> HttpResponse:
    """Render a `DomainError` subclass as problem+json."""
    headers = {"WWW-Authenticate": 'Bearer realm="mekong"'} if error.http_status == 401 else None
    return problem_response(
        request,
        status=error.http_status,
        code=error.code,
        title=str(error.title),
        detail=error.detail,
        headers=headers,
        **error.extra,
    )
