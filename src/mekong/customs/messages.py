"""Translatable messages for schema errors (by JSON Schema keyword) and verification checks."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FIELD_MESSAGES: dict[str, Promise] = {
    "required": _("This field is required."),
    "unknown_field": _("This field is not allowed."),
    "pattern": _("This value does not have the expected format."),
    "type": _("This value has the wrong type."),
    "enum": _("Choose one of: %(choices)s."),
    "const": _("This value is not allowed here."),
    "minimum": _("The value must be at least %(limit)s."),
    "maximum": _("The value must be at most %(limit)s."),
    "minLength": _("This field must not be empty."),
    "maxLength": _("Use at most %(limit)s characters."),
    "minItems": _("Add at least %(limit)s item(s)."),
    "maxItems": _("Use at most %(limit)s items."),
    "origin_criterion": _(
        "Not a valid origin criterion (for example WO, RVC 40%%, CTH, CTSH + 35%%, "
        "RVC 40%% or CTH; PC below 40%%)."
    ),
    "unknown_type": _("Unknown document type."),
    "retroactive": _(
        "'Issued retroactively' applies only to a certificate issued after the departure "
        "date, and at most one year after it."
    ),
    "too_deep": _("The document data is nested too deeply."),
}

CHECK_LABELS: dict[str, Promise] = {
    "integrity": _("Integrity: the content is exactly what was signed"),
    "issuer_trusted": _("Issuer: a trusted authority key, valid when issued"),
    "signature": _("Signature of the issuing authority"),
    "anchored": _("Anchored in the public log, confirmed by witnesses"),
    "not_revoked": _("Not revoked by the issuer"),
    "consistency": _("Internal consistency (totals, origin criteria, HS codes)"),
}

CHECK_REASONS: dict[str, Promise] = {
    "ok": _("Passed."),
    "not_checked": _("No revocation list was given, so revocation was not checked."),
    "bad_format": _("The file is not a document file of the expected format."),
    "malformed": _("The document's fields cannot be read."),
    "hash_mismatch": _("The content was changed after signing."),
    "unknown_key": _("The signing key is not in the trust list."),
    "bad_trust_list": _("The trust list entry of this key is unusable."),
    "wrong_authority": _("The key belongs to another authority than the one named."),
    "key_not_yet_valid": _("The key was not yet valid when the document was issued."),
    "key_expired": _("The key had expired when the document was issued."),
    "key_revoked": _("The key had been revoked when the document was issued."),
    "bad_signature": _("The signature does not match the document."),
    "no_log_key": _("No log key was given to check the receipt."),
    "no_receipt": _("The document carries no log receipt."),
    "receipt_invalid": _("The log receipt does not verify."),
    "wrong_entry": _("The log entry is not this document's."),
    "time_mismatch": _("The log recorded the document far from its claimed issue time."),
    "revoked": _("The issuing authority revoked this document."),
    "inconsistent": _("The document contradicts itself."),
    "not_found": _("No issued document has this id."),
    "unreadable": _("The file is not a readable JSON document file."),
    "hash_differs": _("The document hash differs from the one in the QR code."),
}


def field_message(code: str, params: dict[str, Any]) -> str:
    """The message of a schema error in the active language."""
    text = str(FIELD_MESSAGES.get(code, _("This value is invalid.")))
    try:
        return text % params if "%(" in text else text.replace("%%", "%")
    except (KeyError, ValueError, TypeError):
        return text
