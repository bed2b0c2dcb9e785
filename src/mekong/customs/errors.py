"""Customs document errors with stable codes (rendered as problem+json by the API)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mekong.core.errors import BadRequest, Conflict, NotFound, PermissionDenied, ValidationFailed


class DocumentNotFound(NotFound):
    """No such document, or it is another organisation's draft (the same answer, on purpose)."""

    code = "document_not_found"
    title = _("Document not found.")


class InvalidDocument(ValidationFailed):
    """The document data failed its schema; ``extra["errors"]`` lists pointer, code, message."""

    code = "invalid_document"
    title = _("The document data is invalid.")


class UnknownDocumentType(ValidationFailed):
    """The document type is not one of the four supported types."""

    code = "unknown_document_type"
    title = _("Unknown document type.")


class NoIssuingAuthority(Conflict):
    """No issuing authority with a valid key is registered for the exporter's country."""

    code = "no_issuing_authority"
    title = _("No issuing authority with a valid key is registered for this country.")


class NotIssued(Conflict):
    """The operation needs an issued document (a draft cannot be revoked or downloaded)."""

    code = "document_not_issued"
    title = _("The document has not been issued yet.")


class AlreadyIssued(Conflict):
    """An issued document cannot be edited or issued again."""

    code = "document_already_issued"
    title = _("The document has already been issued.")


class AlreadyRevoked(Conflict):
    """The document was revoked before."""

    code = "document_already_revoked"
    title = _("The document has already been revoked.")


class NotTheAuthority(PermissionDenied):
    """Only the issuing authority's managers may revoke its documents."""

    code = "issuing_authority_required"
    title = _("Only the issuing authority may do this.")


class NotAMember(PermissionDenied):
    """The caller does not act for the organisation it names."""

    code = "organisation_member_required"
    title = _("You must act for this organisation.")


class InvalidRedaction(ValidationFailed):
    """A field to hide does not exist or cannot be hidden alone."""

    code = "invalid_redaction"
    title = _("These fields cannot be hidden.")


class UnreadableFile(BadRequest):
    """The uploaded file is not JSON or is too large."""

    code = "unreadable_document_file"
    title = _("The file is not a readable document file.")
