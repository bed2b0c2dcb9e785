"""Identity errors with stable codes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mekong.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class OrganisationNotFound(NotFound):
    """No such organisation, or the actor is not a member of it."""

    code = "organisation_not_found"
    title = _("Organisation not found.")


class TokenNotFound(NotFound):
    """No such API token in this organisation."""

    code = "token_not_found"
    title = _("API token not found.")


class NotAManager(PermissionDenied):
    """Only owners and administrators may do this."""

    code = "organisation_admin_required"
    title = _("Only owners and administrators of the organisation may do this.")


class SandboxTokenRefused(PermissionDenied):
    """A sandbox-scoped API token was sent to an API outside the payments sandbox."""

    code = "sandbox_token"
    title = _(
        "This API token is for the payments sandbox only. Use it under "
        "/api/v1/payments/sandbox/, or use a token with full scope."
    )


class EmailTaken(Conflict):
    """A user with this e-mail address exists already."""

    code = "email_taken"
    title = _("A user with this e-mail address already exists.")


class SlugTaken(Conflict):
    """An organisation with this slug exists already."""

    code = "slug_taken"
    title = _("An organisation with this short name already exists.")


class InvalidOrganisation(ValidationFailed):
    """Organisation data failed validation."""

    code = "invalid_organisation"


class CsrfFailed(PermissionDenied):
    """An unsafe request authenticated by a browser session without a valid CSRF token."""

    code = "csrf_failed"
    title = _(
        "The request's CSRF token is missing or wrong. Reload the page and try again; an API "
        "client sends an API token instead of a session cookie."
    )
