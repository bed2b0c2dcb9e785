"""The "Verify a receipt" page: anyone checks a receipt in the browser, without an account.

The checks are the pure `mekong.trustlog.receipt.verify_receipt`: the server does not look
the entry up in its database, so the page proves exactly what the offline CLI proves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods

from mekong.trustlog.config import log_config
from mekong.trustlog.forms import VerifyReceiptForm
from mekong.trustlog.receipt import Check, ReceiptVerification, default_quorum, verify_receipt
from mekong.trustlog.selectors import from_timestamp_us


@dataclass(frozen=True)
class CheckRow:
    """One line of the result table, in the reader's language."""

    code: str
    ok: bool
    label: str
    explanation: str


def _label(check: Check, verification: ReceiptVerification) -> str:
    if check.code == "entry_hash":
        return gettext("Entry matches its leaf hash")
    if check.code == "log_signature":
        return gettext("Checkpoint signed by the log")
    if check.code == "inclusion":
        return gettext("Entry included in the checkpoint")
    if check.code == "cosignature":
        return gettext("Cosigned by witness %(name)s") % {"name": check.subject}
    return gettext("Quorum of witnesses")


def _explanation(check: Check, counts: dict[str, int]) -> str:
    if check.code == "quorum":
        return gettext("%(valid)s of %(total)s witnesses cosigned; %(required)s required.") % counts
    if check.ok:
        return {
            "entry_hash": gettext("The entry's data gives exactly the leaf hash in the receipt."),
            "log_signature": gettext("The log's key signed this checkpoint."),
            "inclusion": gettext("The proof leads from the entry to the checkpoint's root."),
            "cosignature": gettext("This witness confirmed the checkpoint."),
        }.get(check.code, "")
    reasons = {
        "mismatch": gettext("The entry's data does not match the leaf hash in the receipt."),
        "invalid_entry": gettext("The entry's fields cannot form a log entry."),
        "malformed_checkpoint": gettext("The checkpoint in the receipt cannot be read."),
        "bad_signature": gettext("A signature is present but does not verify."),
        "proof_invalid": gettext("The proof does not lead to the checkpoint's root."),
        "no_checkpoint": gettext("There is no readable checkpoint to check against."),
    }
    if check.reason == "missing":
        if check.code == "log_signature":
            return gettext("The checkpoint has no signature by this log key.")
        return gettext("The checkpoint has no cosignature by this witness.")
    return reasons.get(check.reason, gettext("This check failed."))


def _rows(verification: ReceiptVerification, witness_total: int, required: int) -> list[CheckRow]:
    valid = sum(1 for c in verification.checks if c.code == "cosignature" and c.ok)
    counts = {"valid": valid, "total": witness_total, "required": required}
    return [
        CheckRow(c.code, c.ok, _label(c, verification), _explanation(c, counts))
        for c in verification.checks
    ]


def _time_or_none(value: int) -> datetime | None:
    try:
        return from_timestamp_us(value)
    except OverflowError:  # a tampered timestamp beyond year 9999
        return None


def _initial() -> dict[str, Any]:
    try:
        config = log_config()
    except ImproperlyConfigured:
        return {}
    return {
        "log_key": config.verifier_key,
        "witness_keys": "\n".join(w.key.encode() for w in config.witnesses),
    }


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Show the form; on POST, verify the receipt and show each check passing or failing."""
    context: dict[str, Any] = {}
    if request.method == "POST":
        form = VerifyReceiptForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            receipt = data["receipt_obj"]
            witnesses = data["witness_keys"]
            quorum = data["quorum"]
            required = default_quorum(len(witnesses)) if quorum is None else quorum
            verification = verify_receipt(receipt, data["log_key"], witnesses, required)
            failed = len(verification.failed)
            context.update(
                verification=verification,
                rows=_rows(verification, len(witnesses), required),
                entry=receipt.entry,
                entry_time=_time_or_none(receipt.entry.timestamp_us),
                summary=gettext("Valid receipt: every check passed.")
                if verification.valid
                else ngettext(
                    "Invalid receipt: %(count)s check failed.",
                    "Invalid receipt: %(count)s checks failed.",
                    failed,
                )
                % {"count": failed},
            )
    else:
        form = VerifyReceiptForm(initial=_initial())
    context["form"] = form
    status = 200 if request.method == "GET" or form.is_valid() else 400
    return render(request, "trustlog/verify.html", context, status=status)
