"""The exporter's forms: fields addressed by JSON pointers, so that schema errors land on fields.

A form field named ``f:/lines/0/hs_code`` fills the document data at that pointer. Repeated
rows (invoice lines, Form D items) are numbered in the form; rows left empty are dropped and
the others renumbered, and `FilledForm.row_map` maps the data index back to the form row so
that an error at ``/lines/1/...`` is shown on the right row.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mekong.core.countries import country_choices
from mekong.core.currencies import currency, currency_choices

ROWS = 3


@dataclass(frozen=True)
class Spec:
    """One input: ``pointer`` in the data (``{i}`` for the row), label, kind, choices."""

    pointer: str
    label: Promise
    kind: str = "text"  # text, textarea, int, money, date, country, currency, select, bool
    choices: tuple[tuple[str, Any], ...] = ()
    required: bool = True


@dataclass
class Field:
    """A rendered input: name, label, value, error message, kind, choices."""

    name: str
    pointer: str
    label: str
    kind: str
    value: str
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""


@dataclass
class FilledForm:
    """Parsed input: the data, local errors by pointer, and the row map."""

    data: dict[str, Any]
    errors: dict[str, str]
    row_map: dict[tuple[str, int], int]


MEANS = (
    ("sea", _("Sea")),
    ("air", _("Air")),
    ("road", _("Road")),
    ("rail", _("Rail")),
    ("inland_waterway", _("Inland waterway")),
    ("multimodal", _("Multimodal")),
)
UNITS = tuple((u, u) for u in ("kg", "g", "t", "l", "m", "m2", "m3", "pcs", "pairs", "sets"))
INCOTERMS = tuple((t, t) for t in ("FOB", "EXW", "FCA", "CIF", "CFR", "CPT", "CIP", "DAP", "DDP"))

INVOICE: tuple[Spec, ...] = (
    Spec("/invoice_number", _("Invoice number")),
    Spec("/invoice_date", _("Invoice date"), "date"),
    Spec("/currency", _("Currency"), "currency"),
    Spec("/incoterm", _("Incoterm"), "select", INCOTERMS),
    Spec("/seller/name", _("Seller")),
    Spec("/seller/address", _("Seller's address"), "textarea"),
    Spec("/seller/country", _("Seller's country"), "country"),
    Spec("/buyer/name", _("Buyer")),
    Spec("/buyer/address", _("Buyer's address"), "textarea"),
    Spec("/buyer/country", _("Buyer's country"), "country"),
)
INVOICE_ROW: tuple[Spec, ...] = (
    Spec("/lines/{i}/description", _("Description")),
    Spec("/lines/{i}/hs_code", _("HS code")),
    Spec("/lines/{i}/quantity", _("Quantity"), "int"),
    Spec("/lines/{i}/unit_price_minor", _("Unit price"), "money"),
    Spec("/lines/{i}/origin_country", _("Origin"), "country"),
)

FORM_D: tuple[Spec, ...] = (
    Spec("/reference_number", _("Reference number")),
    Spec("/exporter/name", _("Box 1: exporter")),
    Spec("/exporter/address", _("Exporter's address"), "textarea"),
    Spec("/exporter/country", _("Exporter's country"), "country"),
    Spec("/consignee/name", _("Box 2: consignee")),
    Spec("/consignee/address", _("Consignee's address"), "textarea"),
    Spec("/consignee/country", _("Consignee's country"), "country"),
    Spec("/transport/departure_date", _("Box 3: departure date"), "date"),
    Spec("/transport/means", _("Means of transport"), "select", MEANS),
    Spec("/transport/vessel_or_aircraft", _("Vessel, flight or vehicle"), required=False),
    Spec("/transport/port_of_loading", _("Port of loading"), required=False),
    Spec("/transport/port_of_discharge", _("Port of discharge")),
    Spec("/invoice/number", _("Box 10: invoice number")),
    Spec("/invoice/date", _("Invoice date"), "date"),
    Spec("/declaration/place", _("Box 11: place of declaration")),
    Spec("/declaration/date", _("Date of declaration"), "date"),
    Spec("/declaration/signatory", _("Signatory")),
    Spec("/declaration/importing_country", _("Importing country"), "country"),
    Spec(
        "/flags/third_country_invoicing",
        _("Box 13: third-country invoicing"),
        "bool",
        required=False,
    ),
    Spec("/flags/back_to_back", _("Box 13: back-to-back certificate"), "bool", required=False),
    Spec("/flags/issued_retroactively", _("Box 13: issued retroactively"), "bool", required=False),
    Spec("/third_country_invoice/company", _("Invoicing company (third country)"), required=False),
    Spec(
        "/third_country_invoice/country",
        _("Invoicing company's country"),
        "country",
        required=False,
    ),
    Spec(
        "/back_to_back_original/reference_number", _("Original certificate number"), required=False
    ),
    Spec("/back_to_back_original/issued_in", _("Original issued in"), "country", required=False),
    Spec("/back_to_back_original/date", _("Original certificate date"), "date", required=False),
)
FORM_D_ROW: tuple[Spec, ...] = (
    Spec("/items/{i}/description", _("Box 7: description of goods")),
    Spec("/items/{i}/hs_code", _("HS code")),
    Spec("/items/{i}/origin_criterion", _("Box 8: origin criterion")),
    Spec("/items/{i}/marks_and_numbers", _("Box 6: marks and numbers"), required=False),
    Spec("/items/{i}/packages/number", _("Number of packages"), "int"),
    Spec("/items/{i}/packages/kind", _("Kind of packages")),
    Spec("/items/{i}/quantity/value", _("Box 9: quantity"), "int"),
    Spec("/items/{i}/quantity/unit", _("Unit"), "select", UNITS),
    Spec("/items/{i}/fob_value_minor", _("FOB value (when RVC applies)"), "money", required=False),
)

FORMS: dict[str, tuple[tuple[Spec, ...], tuple[Spec, ...], str]] = {
    "commercial_invoice": (INVOICE, INVOICE_ROW, "lines"),
    "atiga_form_d": (FORM_D, FORM_D_ROW, "items"),
}


def _get(data: Any, pointer: str) -> Any:
    cur = data
    for part in pointer.strip("/").split("/"):
        if isinstance(cur, list):
            try:
                cur = cur[int(part)]
            except (ValueError, IndexError):
                return None
        elif isinstance(cur, dict):
            cur = cur.get(part)
        else:
            return None
    return cur


def _set(data: dict[str, Any], pointer: str, value: Any) -> None:
    parts = pointer.strip("/").split("/")
    cur: Any = data
    for part, nxt in itertools.pairwise(parts):
        key: Any = int(part) if isinstance(cur, list) else part
        if isinstance(cur, list):
            while len(cur) <= key:
                cur.append({})
            cur = cur[key]
        else:
            cur = cur.setdefault(key, [] if nxt.isdigit() else {})
    last = parts[-1]
    if isinstance(cur, list):
        cur.append(value)
    else:
        cur[last] = value


def _minor_units(data: dict[str, Any]) -> int:
    code = data.get("currency") or data.get("fob_currency") or "THB"
    try:
        return currency(str(code)).minor_units
    except ValueError:
        return 2


def _choices(spec: Spec) -> list[tuple[str, str]]:
    if spec.kind == "country":
        return [("", "—"), *country_choices()]
    if spec.kind == "currency":
        return currency_choices()
    if spec.kind == "select":
        return [("", "—"), *((k, str(v)) for k, v in spec.choices)]
    return []


def _render_value(spec: Spec, value: Any, minor: int) -> str:
    if value is None:
        return ""
    if spec.kind == "money" and isinstance(value, int):
        return str(Decimal(value).scaleb(-minor)) if minor else str(value)
    if spec.kind == "bool":
        return "on" if value else ""
    return str(value)


def fields_for(
    doc_type: str,
    data: dict[str, Any],
    raw: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> tuple[list[Field], list[list[Field]]]:
    """The inputs of a form, filled from ``raw`` (a POST) or else from ``data``."""
    top, row, _key = FORMS[doc_type]
    minor = _minor_units(data)
    errors = errors or {}

    def make(spec: Spec, pointer: str) -> Field:
        name = f"f:{pointer}"
        value = (
            raw.get(name, "")
            if raw is not None
            else _render_value(spec, _get(data, pointer), minor)
        )
        return Field(
            name=name,
            pointer=pointer,
            label=str(spec.label),
            kind=spec.kind,
            value=value,
            required=spec.required,
            choices=_choices(spec),
            error=errors.get(pointer, ""),
        )

    rows = [[make(s, s.pointer.format(i=i)) for s in row] for i in range(ROWS)]
    return [make(s, s.pointer) for s in top], rows


def parse(doc_type: str, post: dict[str, str], base: dict[str, Any]) -> FilledForm:
    """Build document data from a POST on top of ``base`` (fixed fields such as issued_in).

    Money is entered in major units (``320.50``) and stored in minor units of the currency;
    invoice amounts and the total are computed.
    """
    top, row, key = FORMS[doc_type]
    data: dict[str, Any] = {k: v for k, v in base.items() if k != key}
    errors: dict[str, str] = {}
    row_map: dict[tuple[str, int], int] = {}

    def convert(spec: Spec, pointer: str, text: str) -> tuple[bool, Any]:
        text = text.strip()
        if spec.kind == "bool":
            return True, bool(text)
        if not text:
            return False, None
        if spec.kind == "int":
            try:
                return True, int(text.replace(",", ""))
            except ValueError:
                errors[pointer] = str(_("Enter a whole number."))
                return False, None
        if spec.kind == "money":
            try:
                amount = Decimal(text.replace(",", ""))
                scaled = amount.scaleb(_minor_units(data))
                if scaled != scaled.to_integral_value() or amount < 0:
                    raise InvalidOperation
                return True, int(scaled)
            except InvalidOperation:
                errors[pointer] = str(_("Enter an amount such as 320.50."))
                return False, None
        return True, text

    for spec in top:
        if spec.kind == "currency":
            ok, value = convert(spec, spec.pointer, post.get(f"f:{spec.pointer}", ""))
            if ok:
                _set(data, spec.pointer, value)
    for spec in top:
        if spec.kind == "currency":
            continue
        ok, value = convert(spec, spec.pointer, post.get(f"f:{spec.pointer}", ""))
        if ok and not (spec.kind == "bool" and not value):
            _set(data, spec.pointer, value)
    rows: list[dict[str, Any]] = []
    for i in range(ROWS):
        values = {s: post.get(f"f:{s.pointer.format(i=i)}", "").strip() for s in row}
        if not any(v for s, v in values.items() if s.kind != "select" and s.kind != "country"):
            continue
        n = len(rows)
        row_map[(key, n)] = i
        item: dict[str, Any] = {}
        for spec, text in values.items():
            form_pointer = spec.pointer.format(i=i)
            ok, value = convert(spec, form_pointer, text)
            if ok:
                sub = spec.pointer.split("{i}/", 1)[1]
                _set(item, "/" + sub, value)
        rows.append(item)
    if rows:
        data[key] = rows
    if doc_type == "commercial_invoice":
        for line in rows:
            if isinstance(line.get("quantity"), int) and isinstance(
                line.get("unit_price_minor"), int
            ):
                line["amount_minor"] = line["quantity"] * line["unit_price_minor"]
        if rows and all("amount_minor" in li for li in rows):
            data["total_minor"] = sum(li["amount_minor"] for li in rows)
    if doc_type == "atiga_form_d":
        for n, item in enumerate(rows, start=1):
            item["item_number"] = n
            if "fob_value_minor" in item:
                item["fob_currency"] = base.get("fob_currency", "THB")
        exporter = data.get("exporter")
        if isinstance(exporter, dict) and exporter.get("country"):
            data["issued_in"] = exporter["country"]
            declaration = data.setdefault("declaration", {})
            if isinstance(declaration, dict):
                declaration["producing_country"] = exporter["country"]
    return FilledForm(data, errors, row_map)


def form_pointer(pointer: str, row_map: dict[tuple[str, int], int]) -> str:
    """Map a data pointer (``/lines/1/hs_code``) to the form's (``/lines/2/hs_code``)."""
    parts = pointer.split("/")
    if len(parts) > 2 and parts[2].isdigit() and (parts[1], int(parts[2])) in row_map:
        parts[2] = str(row_map[(parts[1], int(parts[2]))])
        if parts[1] == "lines" and len(parts) > 3 and parts[3] == "amount_minor":
            parts[3] = "unit_price_minor"
    return "/".join(parts)
