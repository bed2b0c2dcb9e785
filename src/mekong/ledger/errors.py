"""Ledger errors with stable codes (rendered as problem+json by the API).

Per-item outcomes of `transfers_create` are not exceptions: they are result codes
(`contracts.TransferResultCode`), because one batch mixes successes and failures.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mekong.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


class AccountNotFound(NotFound):
    """No such account, or it belongs to another organisation (the same answer, on purpose)."""

    code = "account_not_found"
    title = _("Account not found.")


class AccountExists(Conflict):
    """An account with this external id exists with other fields."""

    code = "account_exists_with_different_fields"
    title = _("An account with this external id already exists with different fields.")


class InvalidAccount(ValidationFailed):
    """Account data failed validation; ``extra["errors"]`` lists the fields."""

    code = "invalid_account"
    title = _("The account data is invalid.")


class NotAManager(PermissionDenied):
    """Only owners and administrators of the organisation may open accounts."""

    code = "organisation_admin_required"
    title = _("Only owners and administrators of the organisation may do this.")


class BatchTooLarge(ValidationFailed):
    """A transfer batch holds more items than `services.BATCH_MAX`."""

    code = "batch_too_large"
    title = _("Too many transfers in one batch.")


class InvalidPeriod(ValidationFailed):
    """A statement or history period ends before it starts."""

    code = "invalid_period"
    title = _("The period must end after it starts.")
