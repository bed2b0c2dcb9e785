"""Domain errors of the threat-intelligence module (stable codes, HTTP statuses)."""

from __future__ import annotations

from mekong.core.errors import NotFound, PermissionDenied, ValidationFailed


class CollectionNotFound(NotFound):
    """The collection does not exist or the caller may not know it exists."""

    code = "threatintel.collection_not_found"


class ObjectNotFound(NotFound):
    """The STIX object does not exist or the caller may not see it."""

    code = "threatintel.object_not_found"


class WriteNotAllowed(PermissionDenied):
    """The caller may not add objects to this collection."""

    code = "threatintel.write_not_allowed"


class InvalidStixObject(ValidationFailed):
    """A STIX object built from a form failed validation."""

    code = "threatintel.invalid_object"
