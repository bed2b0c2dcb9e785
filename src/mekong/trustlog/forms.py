"""The "Verify a receipt" form: a receipt (pasted or uploaded), the log key, witness keys."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mekong.trustlog.note import KeyFormatError, VerifierKey
from mekong.trustlog.receipt import Receipt, ReceiptFormatError, parse_log_key, parse_witness_key

#: Receipts are a few kilobytes; refuse anything far larger before parsing it.
MAX_RECEIPT_BYTES = 256 * 1024
MAX_WITNESS_KEYS = 32


class VerifyReceiptForm(forms.Form):
    """Validates the inputs and parses them; `clean` leaves ``receipt_obj``, ``log_key_obj``
    and ``witness_key_objs`` in ``cleaned_data``."""

    receipt = forms.CharField(
        label=_("Receipt (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "mono"}),
        max_length=MAX_RECEIPT_BYTES,
    )
    receipt_file = forms.FileField(label=_("Or upload the receipt file"), required=False)
    log_key = forms.CharField(
        label=_("Log key"),
        max_length=400,
        help_text=_("The log's verifier key, as its operator publishes it."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "class": "mono"}),
    )
    witness_keys = forms.CharField(
        label=_("Witness keys"),
        required=False,
        max_length=400 * MAX_WITNESS_KEYS,
        help_text=_("One verifier key per line: the witnesses you trust."),
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false", "class": "mono"}),
    )
    quorum = forms.IntegerField(
        label=_("Cosignatures required"),
        required=False,
        min_value=0,
        max_value=MAX_WITNESS_KEYS,
        help_text=_("Leave empty for a majority of the witness keys."),
    )

    def clean_log_key(self) -> VerifierKey:
        value: str = self.cleaned_data["log_key"]
        try:
            return parse_log_key(value)
        except KeyFormatError:
            raise forms.ValidationError(
                gettext("This is not a valid log verifier key."), code="invalid"
            ) from None

    def clean_witness_keys(self) -> list[VerifierKey]:
        value: str = self.cleaned_data["witness_keys"]
        lines = [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]
        if len(lines) > MAX_WITNESS_KEYS:
            raise forms.ValidationError(gettext("Too many witness keys."), code="too_many")
        keys = []
        for number, line in enumerate(lines, start=1):
            try:
                keys.append(parse_witness_key(line))
            except KeyFormatError:
                raise forms.ValidationError(
                    gettext("Line %(number)s is not a valid witness verifier key."),
                    code="invalid",
                    params={"number": number},
                ) from None
        return keys

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("receipt_file")
        text: str | bytes = data.get("receipt") or ""
        if upload is not None:
            if upload.size > MAX_RECEIPT_BYTES:
                self.add_error("receipt_file", gettext("The file is too large for a receipt."))
                return data
            text = upload.read()
        if not text:
            self.add_error("receipt", gettext("Paste a receipt or upload its file."))
            return data
        try:
            data["receipt_obj"] = Receipt.from_json(text)
        except ReceiptFormatError:
            self.add_error(
                "receipt",
                gettext("This is not a readable receipt: paste the JSON file the platform issued."),
            )
        return data
