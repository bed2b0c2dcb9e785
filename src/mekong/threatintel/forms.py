"""Forms of the analyst pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mekong.threatintel import tlp
from mekong.threatintel.models import TLP_CHOICES

KIND_CHOICES = [
    ("ipv4-addr", _("IPv4 address")),
    ("domain-name", _("Domain name")),
    ("url", _("URL")),
    ("email-addr", _("E-mail address")),
    ("phone", _("Phone number")),
    ("wallet", _("Wallet id")),
    ("account", _("Bank account")),
    ("qr-merchant", _("QR merchant id")),
]


class IndicatorForm(forms.Form):
    """One observable turned into a STIX indicator with a TLP marking."""

    collection = forms.ChoiceField(label=_("Collection"))
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Observable type"), choices=KIND_CHOICES)
    value = forms.CharField(label=_("Value"), max_length=2000)
    tlp = forms.ChoiceField(label=_("TLP"), choices=TLP_CHOICES, initial=tlp.AMBER)
    confidence = forms.IntegerField(label=_("Confidence"), min_value=0, max_value=100, initial=50)
    recipients = forms.MultipleChoiceField(
        label=_("Recipients (TLP:AMBER+STRICT and TLP:RED)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=3650, initial=90
    )

    def __init__(
        self,
        *args: Any,
        collections: list[tuple[str, str]],
        recipients: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collection"].choices = collections  # type: ignore[attr-defined]
        self.fields["recipients"].choices = recipients  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        """AMBER+STRICT and RED need named recipients; other levels must not name any."""
        data = super().clean() or {}
        addressed = data.get("tlp") in tlp.RECIPIENT_LEVELS
        if addressed and not data.get("recipients"):
            self.add_error("recipients", _("Name at least one recipient organisation."))
        if not addressed and data.get("recipients"):
            self.add_error("recipients", _("Recipients apply to TLP:AMBER+STRICT and TLP:RED."))
        return data

    def clean_value(self) -> str:
        """Refuse quotes and backslashes: they would need escaping inside a STIX pattern."""
        value = str(self.cleaned_data["value"]).strip()
        if "'" in value or "\\" in value:
            raise forms.ValidationError(_("Quotes and backslashes are not allowed."))
        return value
