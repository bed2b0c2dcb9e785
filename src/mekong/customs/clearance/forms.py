"""Forms of the clearance pages: the lodging form (header + lines) and officer notes.

Forms only parse what a browser sends (decimal major units, kilograms, one document id per
line); the service validates the declaration and its errors are shown next to the fields.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mekong.core.countries import country_choices
from mekong.core.currencies import currency_choices
from mekong.core.money import Money, MoneyError
from mekong.customs.clearance.models import TransportMode

PREFERENCE_CHOICES = [("", _("None (MFN rate)")), ("atiga", _("ATIGA (Form D)"))]
LINE_FORMS = 3


class DeclarationForm(forms.Form):
    """The header of a declaration (ACDD elements) and the referenced document ids."""

    importer_name = forms.CharField(label=_("Importer (consignee)"), max_length=200)
    importer_address = forms.CharField(label=_("Importer address"), max_length=400, required=False)
    exporter_name = forms.CharField(label=_("Exporter"), max_length=200)
    exporter_address = forms.CharField(label=_("Exporter address"), max_length=400, required=False)
    exporter_email = forms.CharField(label=_("Exporter e-mail"), max_length=254, required=False)
    export_country = forms.ChoiceField(label=_("Country of export"), choices=country_choices())
    transport_mode = forms.ChoiceField(label=_("Mode of transport"), choices=TransportMode.choices)
    transport_id = forms.CharField(
        label=_("Vessel, flight or vehicle"), max_length=100, required=False
    )
    port_of_discharge = forms.CharField(
        label=_("Port of discharge"), max_length=100, required=False
    )
    departure_date = forms.DateField(
        label=_("Departure date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    currency = forms.ChoiceField(label=_("Currency of the values"), choices=currency_choices())
    document_ids = forms.CharField(
        label=_("Referenced documents (one id per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Ids of the invoice, packing list and Form D, as printed under their QR codes."
        ),
    )

    def clean_document_ids(self) -> list[str]:
        """Split on new lines, commas and spaces; drop empties."""
        raw = str(self.cleaned_data.get("document_ids") or "")
        return [part for part in re.split(r"[\s,;]+", raw) if part]


class LineForm(forms.Form):
    """One goods item; an entirely empty line form is skipped."""

    hs_code = forms.CharField(label=_("HS code"), max_length=12)
    description = forms.CharField(label=_("Description"), max_length=400)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=Decimal("0.001"), decimal_places=3)
    # No initial values here: an untouched extra line must post nothing to be skipped.
    quantity_unit = forms.CharField(
        label=_("Unit"), max_length=8, widget=forms.TextInput(attrs={"placeholder": "kg"})
    )
    gross_mass_kg = forms.DecimalField(
        label=_("Gross mass (kg)"), min_value=Decimal(0), decimal_places=3
    )
    customs_value = forms.DecimalField(label=_("Customs value"), min_value=Decimal(0))
    origin_country = forms.ChoiceField(
        label=_("Country of origin"), choices=[("", "—"), *country_choices()]
    )
    preference = forms.ChoiceField(
        label=_("Preference"), choices=PREFERENCE_CHOICES, required=False
    )

    def minor_value(self, currency: str) -> int | None:
        """The customs value in minor units of ``currency``; None (and a field error) if it
        has more decimals than the currency allows."""
        try:
            return Money.from_decimal(self.cleaned_data["customs_value"], currency).minor
        except MoneyError:
            self.add_error("customs_value", _("Too many decimals for this currency."))
            return None

    def grams(self) -> int:
        """The gross mass in grams."""
        return int(Decimal(self.cleaned_data["gross_mass_kg"]) * 1000)


class BaseLineFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """Lines of a declaration: at least one filled line."""

    def clean(self) -> None:
        """Refuse a declaration without a single filled line."""
        super().clean()
        if not any(f.has_changed() for f in self.forms):
            raise forms.ValidationError(_("Declare at least one goods item."))


LineFormSet = forms.formset_factory(
    LineForm, formset=BaseLineFormSet, extra=LINE_FORMS, max_num=99, validate_max=True
)


class NoteForm(forms.Form):
    """An officer's or declarant's note."""

    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SupplyForm(NoteForm):
    """The declarant's answer: a note and optionally more document ids."""

    document_ids = forms.CharField(
        label=_("Additional documents (one id per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_document_ids(self) -> list[str]:
        """Split on new lines, commas and spaces; drop empties."""
        raw = str(self.cleaned_data.get("document_ids") or "")
        return [part for part in re.split(r"[\s,;]+", raw) if part]


def field_errors_to_forms(
    errors: list[dict[str, Any]], form: DeclarationForm, lines: list[LineForm]
) -> list[str]:
    """Attach service field errors (``lines[0].hs_code``) to form fields; return the rest."""
    rest: list[str] = []
    for error in errors:
        path, code = str(error.get("field", "")), str(error.get("code", ""))
        match = re.fullmatch(r"lines\[(\d+)\]\.(\w+)", path)
        if match and int(match.group(1)) < len(lines):
            name = {"gross_mass_g": "gross_mass_kg"}.get(match.group(2), match.group(2))
            target = lines[int(match.group(1))]
            if name in target.fields:
                target.add_error(name, ERROR_TEXT.get(code, code))
                continue
        if path in form.fields:
            form.add_error(path, ERROR_TEXT.get(code, code))
            continue
        rest.append(f"{path}: {ERROR_TEXT.get(code, code)}")
    return rest


ERROR_TEXT: dict[str, Any] = {
    "required": _("This field is required."),
    "too_long": _("This text is too long."),
    "invalid_choice": _("Choose one of the listed values."),
    "invalid_email": _("Enter an e-mail address."),
    "no_tariff_schedule": _("There is no tariff schedule for this country."),
    "not_declarant_country": _("You can only declare imports into your organisation's country."),
    "same_as_import_country": _("The country of export must differ from the country of import."),
    "no_exchange_rate": _("Customs publishes no exchange rate for this currency."),
    "not_digits": _("An HS code has digits only."),
    "wrong_length": _("Enter a 6-digit HS code or an 8-digit national tariff line."),
    "unknown_subheading": _("This is not an HS 2022 subheading."),
    "no_tariff_line": _("The importing country's schedule has no rate for this code."),
    "out_of_range": _("This value is out of range."),
    "too_many_decimals": _("Too many decimals."),
    "too_many": _("Too many entries."),
    "duplicate": _("A document is referenced twice."),
    "invalid_id": _("Enter document ids as printed on the documents."),
}
