"""Clearance errors with stable codes (rendered as problem+json by the API)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mekong.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class DeclarationNotFound(NotFound):
    """No such declaration, or one the caller may not see (the same answer, on purpose)."""

    code = "declaration_not_found"
    title = _("Declaration not found.")


class InvalidDeclaration(ValidationFailed):
    """The declaration failed validation; ``extra["errors"]`` lists the fields."""

    code = "invalid_declaration"
    title = _("The declaration is invalid.")


class TraderRequired(PermissionDenied):
    """Only members (not viewers) of a trading organisation may lodge or answer."""

    code = "trader_required"
    title = _("Only members of a trading organisation may do this.")


class OfficerRequired(PermissionDenied):
    """Only members of the importing country's customs authority may decide."""

    code = "customs_officer_required"
    title = _("Only officers of the importing country's customs authority may do this.")


class InvalidTransition(Conflict):
    """The declaration is not in a state that allows this step."""

    code = "invalid_declaration_state"
    title = _("The declaration's current state does not allow this.")


class IdempotencyKeyReused(Conflict):
    """The idempotency key was used for a declaration with other contents."""

    code = "idempotency_key_reused"
    title = _("This idempotency key was already used for a different declaration.")
