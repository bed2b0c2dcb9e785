"""The printable view of a document: its data grouped into labelled sections and item tables.

Labels are translatable; money (``*_minor``) is formatted in the document's currency and the
reader's language; booleans read yes/no. Unknown keys fall back to the key itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from mekong.core.formatting import format_money, format_number
from mekong.core.money import Money, MoneyError

LABELS: dict[str, Promise] = {
    "reference_number": _("Reference number"),
    "issued_in": _("Issued in"),
    "exporter": _("Box 1: goods consigned from (exporter)"),
    "consignee": _("Box 2: goods consigned to (consignee)"),
    "transport": _("Box 3: means of transport and route"),
    "official_use": _("Box 4: for official use"),
    "items": _("Boxes 5 to 9: items"),
    "invoice": _("Box 10: invoice"),
    "declaration": _("Box 11: declaration by the exporter"),
    "certification": _("Box 12: certification"),
    "flags": _("Box 13"),
    "third_country_invoice": _("Third-country invoicing company"),
    "back_to_back_original": _("Original certificate (back-to-back)"),
    "invoice_number": _("Invoice number"),
    "invoice_date": _("Invoice date"),
    "order_ref": _("Order"),
    "seller": _("Seller"),
    "buyer": _("Buyer"),
    "currency": _("Currency"),
    "incoterm": _("Incoterm"),
    "lines": _("Lines"),
    "total_minor": _("Total"),
    "packing_list_number": _("Packing list number"),
    "date": _("Date"),
    "shipper": _("Shipper"),
    "packages": _("Packages"),
    "total_gross_weight_grams": _("Total gross weight (g)"),
    "declaration_number": _("Declaration number"),
    "declarant": _("Declaring agent"),
    "departure_date": _("Departure date"),
    "transport_mode": _("Transport mode"),
    "port_of_discharge": _("Port of discharge"),
    "port_of_loading": _("Port of loading"),
    "means": _("Means of transport"),
    "vessel_or_aircraft": _("Vessel, flight or vehicle"),
    "name": _("Name"),
    "address": _("Address"),
    "country": _("Country"),
    "id": _("Identifier"),
    "number": _("Number"),
    "kind": _("Kind"),
    "item_number": _("Item"),
    "serial_number": _("Item"),
    "marks_and_numbers": _("Marks and numbers"),
    "marks": _("Marks"),
    "description": _("Description"),
    "hs_code": _("HS code"),
    "origin_criterion": _("Origin criterion"),
    "quantity": _("Quantity"),
    "quantity_unit": _("Unit"),
    "value": _("Value"),
    "unit": _("Unit"),
    "fob_value_minor": _("FOB value"),
    "fob_currency": _("FOB currency"),
    "unit_price_minor": _("Unit price"),
    "amount_minor": _("Amount"),
    "origin_country": _("Origin"),
    "weight_grams": _("Weight (g)"),
    "count": _("Count"),
    "net_weight_grams": _("Net weight (g)"),
    "gross_weight_grams": _("Gross weight (g)"),
    "producing_country": _("Goods produced in"),
    "importing_country": _("Exported to"),
    "place": _("Place"),
    "signatory": _("Signatory"),
    "authority": _("Authority"),
    "preferential_treatment": _("Preferential treatment"),
    "reason": _("Reason"),
    "third_country_invoicing": _("Third-country invoicing"),
    "exhibition": _("Exhibition"),
    "accumulation": _("Accumulation"),
    "de_minimis": _("De minimis"),
    "back_to_back": _("Back-to-back certificate"),
    "issued_retroactively": _("Issued retroactively"),
    "partial_cumulation": _("Partial cumulation"),
}


@dataclass
class Section:
    """A titled group: label/value pairs, or a table (``columns`` and ``rows``)."""

    title: str
    pairs: list[tuple[str, str]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def _label(key: str) -> str:
    parts = key.split("/")
    return " · ".join(str(LABELS.get(p, p)) for p in parts)


def _value(key: str, value: Any, currency: str) -> str:
    lang = get_language()
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if key.endswith("_minor") and isinstance(value, int):
        try:
            return format_money(Money(value, currency), lang)
        except MoneyError:
            return format_number(value, lang)
    if isinstance(value, int):
        return format_number(value, lang)
    if value is None:
        return "—"
    if isinstance(value, (dict, list)):
        return "—" if not value else str(value)
    return str(value)


def _flat(obj: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.extend(_flat(value, name + "/"))
        else:
            out.append((name, value))
    return out


def sections(data: dict[str, Any]) -> list[Section]:
    """The document's data as sections, in the data's order."""
    currency = str(data.get("currency") or "")
    general = Section(gettext("General"))
    out: list[Section] = [general]
    for key, value in data.items():
        if isinstance(value, dict):
            section = Section(_label(key))
            for sub, val in _flat(value):
                cur = str(value.get("fob_currency") or currency)
                section.pairs.append((_label(sub), _value(sub, val, cur)))
            out.append(section)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            columns: list[str] = []
            flat_rows = [dict(_flat(v)) for v in value]
            for row in flat_rows:
                columns.extend(k for k in row if k not in columns)
            table = Section(_label(key), columns=[_label(c) for c in columns])
            for item, row in zip(value, flat_rows, strict=True):
                cur = str(item.get("fob_currency") or currency)
                table.rows.append([_value(c, row[c], cur) if c in row else "" for c in columns])
            out.append(table)
        else:
            general.pairs.append((_label(key), _value(key, value, currency)))
    return [s for s in out if s.pairs or s.rows]
