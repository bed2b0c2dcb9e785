"""Domain errors with stable machine codes, rendered as RFC 9457 problem details.

Clients switch on ``code``, never on the human text. The text is a translatable message with
named placeholders, rendered in the request's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base class for every expected failure of a use case.

    Subclasses set ``code`` (stable, snake_case, documented in docs/api.md), ``http_status`` and
    a default ``message``. Instances may override the message and carry ``params`` (substituted
    into the message with ``%(name)s``) and ``extra`` (machine-readable members added to the
    problem document, e.g. field errors).
    """

    code: ClassVar[str] = "domain_error"
    http_status: ClassVar[int] = 400
    title: ClassVar[Promise | str] = _("The request could not be completed.")

    def __init__(
        self,
        message: Promise | str | None = None,
        *,
        params: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.message = message if message is not None else self.title
        self.params = dict(params or {})
        self.extra = dict(extra or {})
        super().__init__(self.code)

    @property
    def detail(self) -> str:
        """The human-readable message in the active language, placeholders filled in."""
        text = str(self.message)
        if self.params:
            try:
                return text % self.params
            except (KeyError, ValueError, TypeError):
                return text
        return text

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


class ValidationFailed(DomainError):
    """Input failed validation; ``extra["errors"]`` lists field-level problems."""

    code = "validation_error"
    http_status = 422
    title = _("The request contains invalid data.")


class BadRequest(DomainError):
    """The request is malformed (unparseable body, bad header)."""

    code = "bad_request"
    http_status = 400
    title = _("The request is malformed.")


class NotAuthenticated(DomainError):
    """No valid credentials were sent."""

    code = "not_authenticated"
    http_status = 401
    title = _("Authentication is required.")


class PermissionDenied(DomainError):
    """The caller is authenticated but may not do this."""

    code = "permission_denied"
    http_status = 403
    title = _("You do not have permission to do this.")


class NotFound(DomainError):
    """The object does not exist, or the caller may not know that it exists."""

    code = "not_found"
    http_status = 404
    title = _("Not found.")


class MethodNotAllowed(DomainError):
    """The HTTP method is not supported on this resource."""

    code = "method_not_allowed"
    http_status = 405
    title = _("This method is not allowed here.")


class Conflict(DomainError):
    """The request conflicts with the current state (a duplicate, a stale version)."""

    code = "conflict"
    http_status = 409
    title = _("The request conflicts with the current state.")


class RateLimited(DomainError):
    """Too many requests."""

    code = "rate_limited"
    http_status = 429
    title = _("Too many requests. Try again later.")
