"""Forms of the analyst pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
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


class _MarkedForm(forms.Form):
    """A TLP level with its recipients (named organisations for AMBER+STRICT and RED)."""

    tlp = forms.ChoiceField(label=_("TLP"), choices=TLP_CHOICES, initial=tlp.AMBER)
    recipients = forms.MultipleChoiceField(
        label=_("Recipients (TLP:AMBER+STRICT and TLP:RED)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict[str, Any]:
        """AMBER+STRICT and RED need named recipients; other levels must not name any."""
        data = super().clean() or {}
        addressed = data.get("tlp") in tlp.RECIPIENT_LEVELS
        if addressed and not data.get("recipients"):
            self.add_error("recipients", _("Name at least one recipient organisation."))
        if not addressed and data.get("recipients"):
            self.add_error("recipients", _("Recipients apply to TLP:AMBER+STRICT and TLP:RED."))
        return data


class IndicatorForm(_MarkedForm):
    """One observable turned into a STIX indicator with a TLP marking."""

    collection = forms.ChoiceField(label=_("Collection"))
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Observable type"), choices=KIND_CHOICES)
    value = forms.CharField(label=_("Value"), max_length=2000)
    confidence = forms.IntegerField(label=_("Confidence"), min_value=0, max_value=100, initial=50)
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=3650, initial=90
    )
    field_order = ["collection", "name", "kind", "value", "tlp", "confidence", "recipients"]

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

    def clean_value(self) -> str:
        """Refuse quotes and backslashes: they would need escaping inside a STIX pattern."""
        value = str(self.cleaned_data["value"]).strip()
        if "'" in value or "\\" in value:
            raise forms.ValidationError(_("Quotes and backslashes are not allowed."))
        return value


class _RefsField(forms.MultipleChoiceField):
    """Object ids: the choices list the newest visible objects for picking, but any id is
    accepted here and checked against *everything* the analyst may see in the form's clean."""

    def valid_value(self, value: Any) -> bool:
        return isinstance(value, str) and 0 < len(value) <= 300


class ReportForm(_MarkedForm):
    """A STIX report: name, description, publication time and the objects it is about.

    ``levels_of`` returns the TLP of each id the analyst may see (invisible ids are absent), so
    a report can neither reference an object its author cannot see nor be marked less
    restrictively than what it references (that would widen the audience of those objects).
    """

    collection = forms.ChoiceField(label=_("Collection"))
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=10_000, required=False, widget=forms.Textarea
    )
    published = forms.DateTimeField(
        label=_("Published (UTC)"),
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    object_refs = _RefsField(
        label=_("Objects the report is about"), widget=forms.CheckboxSelectMultiple
    )
    field_order = ["collection", "name", "description", "published", "object_refs", "tlp"]

    def __init__(
        self,
        *args: Any,
        collections: list[tuple[str, str]],
        recipients: list[tuple[str, str]],
        objects: list[tuple[str, str]],
        levels_of: Callable[[list[str]], dict[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["collection"].choices = collections  # type: ignore[attr-defined]
        self.fields["recipients"].choices = recipients  # type: ignore[attr-defined]
        self.fields["object_refs"].choices = objects  # type: ignore[attr-defined]
        self._levels_of = levels_of

    def clean_published(self) -> datetime:
        """STIX timestamps are UTC."""
        value: datetime = self.cleaned_data["published"]
        return value.astimezone(UTC)

    def clean(self) -> dict[str, Any]:
        """Every referenced id must be visible; the report's TLP covers theirs."""
        data = super().clean()
        refs = list(dict.fromkeys(data.get("object_refs") or []))
        if not refs:
            return data
        levels = self._levels_of(refs)
        if any(ref not in levels for ref in refs):
            self.add_error("object_refs", _("Choose only objects you can see."))
            return data
        wanted = data.get("tlp")
        strictest = tlp.most_restrictive(levels.values())
        if (
            wanted in tlp.LEVELS
            and strictest
            and tlp.LEVELS.index(wanted) < tlp.LEVELS.index(strictest)
        ):
            self.add_error(
                "tlp",
                _("Mark the report at least TLP:%(level)s, like the objects it references.")
                % {"level": strictest.upper()},
            )
        data["object_refs"] = refs
        return data


class GroupForm(forms.Form):
    """A new sharing group created by an organisation (which becomes its owner)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(label=_("Short name (for links)"), max_length=80)
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea
    )


class MemberForm(forms.Form):
    """An organisation to add to a sharing group."""

    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int)

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]


class SightingForm(forms.Form):
    """How many times the analyst's organisation saw an indicator."""

    count = forms.IntegerField(
        label=_("Times seen"), min_value=1, max_value=999_999_999, initial=1, required=False
    )

    def clean_count(self) -> int:
        """Left empty: seen once."""
        value = self.cleaned_data.get("count")
        return 1 if value is None else int(value)
