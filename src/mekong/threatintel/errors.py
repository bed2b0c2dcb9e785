"""Domain errors of the threat-intelligence module (stable codes, HTTP statuses)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mekong.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed


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


class NotGroupManager(PermissionDenied):
    """Only owners and administrators of the group's owner organisation may change it."""

    code = "threatintel.not_group_manager"
    title = _("Only the group's owners and administrators may change it.")


class GroupSlugTaken(Conflict):
    """Another sharing group already uses this slug."""

    code = "threatintel.group_slug_taken"
    title = _("Another sharing group already uses this short name.")
