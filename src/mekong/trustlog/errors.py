"""Errors of the verifiable log, with stable codes (rendered as problem+json by the API)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mekong.core.errors import NotFound, ValidationFailed


class EntryNotFound(NotFound):
    """No entry at this index, or with this leaf hash, within the requested tree size."""

    code = "log_entry_not_found"
    title = _("No such log entry.")


class CheckpointNotFound(NotFound):
    """The log has not published a checkpoint yet."""

    code = "checkpoint_not_found"
    title = _("The log has not published a checkpoint yet.")


class TreeSizeOutOfRange(ValidationFailed):
    """A tree size or index beyond the current log, or sizes in the wrong order."""

    code = "tree_size_out_of_range"
    title = _("The requested tree size or index is outside the log.")


class InvalidLeafHash(ValidationFailed):
    """A leaf hash that is neither 64 hex digits nor base64 of 32 bytes."""

    code = "invalid_leaf_hash"
    title = _("The leaf hash must be 64 hexadecimal digits or base64 of 32 bytes.")


class InvalidProofRequest(ValidationFailed):
    """Both or neither of ``index`` and ``leaf_hash`` were given."""

    code = "invalid_proof_request"
    title = _("Give either an index or a leaf hash.")


class InvalidEntry(ValidationFailed):
    """An entry to append has a bad kind or an oversized payload."""

    code = "invalid_log_entry"
    title = _("The log entry is invalid.")
