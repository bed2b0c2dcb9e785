"""Forms of the payments pages: pay a QR, send money home, confirm, review, my QR.

The forms only check shape (lengths, numbers, a readable image); every business rule (payee
exists, limits, funds, quote validity) is the services' job and comes back as a `DomainError`
the views show as a message.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from mekong.core.countries import country

#: The five GMS countries a remittance can go to, in the order of the corridor table.
DESTINATIONS = ("MM", "KH", "LA", "VN", "TH")

PROXY_KINDS = [
    ("phone", _("Mobile phone number")),
    ("national_id", _("National id number")),
    ("business_id", _("Business registration number")),
    ("wallet_id", _("Wallet id")),
]

FIXED_CHOICES = [
    ("source", _("I send exactly this amount")),
    ("destination", _("The recipient gets exactly this amount")),
]

#: Photos from phones are a few MB; anything larger is refused before Pillow opens it.
MAX_IMAGE_BYTES = 8 * 1024 * 1024
#: Refuse decompression bombs: a 40-megapixel phone photo is the largest legitimate input.
MAX_IMAGE_PIXELS = 40_000_000


def read_qr_image(upload: UploadedFile) -> list[str]:
    """Return the text of every QR code in an uploaded photo or screenshot (zxing-cpp).

    Raises:
        forms.ValidationError: not an image, too large, or unreadable.
    """
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    if upload.size is not None and upload.size > MAX_IMAGE_BYTES:
        raise forms.ValidationError(_("The image is larger than 8 MB."), code="too_large")
    try:
        with Image.open(upload) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise forms.ValidationError(_("The image has too many pixels."), code="too_large")
            grey = image.convert("L")
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError):
        raise forms.ValidationError(
            _("This file is not an image we can read."), code="not_image"
        ) from None
    qr_only = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    return [result.text for result in zxingcpp.read_barcodes(grey, formats=qr_only)]


class QrPayloadForm(forms.Form):
    """A QR payload pasted as text, or a photo/screenshot of the code."""

    payload = forms.CharField(
        label=_("QR code text"),
        required=False,
        max_length=512,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_("Paste the text of a payment QR code (it starts with 000201)."),
    )
    image = forms.FileField(
        label=_("Or upload a photo or screenshot of the QR code"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    def clean(self) -> dict[str, Any]:
        """Take the pasted text, or the first QR code found in the image."""
        data = super().clean() or {}
        payload = (data.get("payload") or "").strip()
        image = data.get("image")
        if not payload and image:
            try:
                found = read_qr_image(image)
            except forms.ValidationError as error:
                self.add_error("image", error)
                return data
            if not found:
                self.add_error("image", _("No QR code was found in this image."))
                return data
            payload = found[0].strip()
        if not payload:
            raise forms.ValidationError(_("Paste the QR code text or upload a picture of it."))
        data["payload"] = payload
        return data


class WalletAmountForm(forms.Form):
    """Which of my wallets pays, and how much (in the payee's currency for a QR)."""

    wallet = forms.ChoiceField(label=_("Pay from"))
    amount = forms.DecimalField(
        label=_("Amount"), min_value=Decimal("0.01"), max_digits=18, decimal_places=2
    )
    fixed = forms.ChoiceField(
        label=_("Amount fixed as"),
        choices=FIXED_CHOICES,
        initial="source",
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, wallets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wallet"].choices = wallets  # type: ignore[attr-defined]

    def clean_fixed(self) -> str:
        """Default to a fixed source amount."""
        return str(self.cleaned_data.get("fixed") or "source")


class RecipientForm(forms.Form):
    """Step 1 of "Send money home": the recipient's country and phone number (or other id)."""

    country = forms.ChoiceField(label=_("Recipient's country"))
    kind = forms.ChoiceField(label=_("Find the recipient by"), choices=PROXY_KINDS)
    value = forms.CharField(label=_("Number or id"), max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [  # type: ignore[attr-defined]
            (code, country(code).name) for code in DESTINATIONS
        ]

    def clean_value(self) -> str:
        """Trim; keep the rest for the proxy directory to normalise (+66, spaces, dashes)."""
        return str(self.cleaned_data["value"]).strip()


class ConfirmForm(forms.Form):
    """Confirming a quote. The idempotency key was minted when the quote was shown, so a
    double click or a resubmitted page pays once."""

    quote_id = forms.CharField(widget=forms.HiddenInput, max_length=64)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    reference = forms.CharField(label=_("Message to the recipient"), required=False, max_length=140)


class MyQrForm(forms.Form):
    """Which wallet's QR to show, and an optional amount (a one-payment, dynamic code)."""

    wallet = forms.ChoiceField(label=_("Wallet"), required=False)
    amount = forms.DecimalField(
        label=_("Amount (optional)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=13,
        decimal_places=2,
    )

    def __init__(self, *args: Any, wallets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wallet"].choices = wallets  # type: ignore[attr-defined]
