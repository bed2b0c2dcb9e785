"""Field-level validation of a declaration to lodge: every problem at once, with its path."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from mekong.core.countries import COUNTRIES
from mekong.core.currencies import CURRENCIES
from mekong.core.text import normalize_text
from mekong.customs.clearance import duty, hscodes
from mekong.customs.clearance.models import TransportMode
from mekong.identity.models import OrganisationType

#: Lines and documents per declaration (ACDD allows 999 items; we keep it small).
LINES_MAX = 99
DOCUMENTS_MAX = 20
NOTE_MAX = 2000
#: Organisation types that may lodge declarations.
TRADER_KINDS = frozenset({OrganisationType.SME, OrganisationType.BUYER})
PREFERENCES = frozenset({"", "atiga"})


_DOCUMENT_ID = re.compile(r"[A-Za-z0-9-]{1,100}")


def valid_document_id(value: str) -> bool:
    """Document ids are printed under QR codes: letters, digits and dashes, up to 100."""
    return bool(_DOCUMENT_ID.fullmatch(value))


@dataclass(frozen=True)
class LineData:
    """One goods item as lodged; values in minor units of the declaration's currency."""

    hs_code: str
    description: str
    quantity: Decimal
    quantity_unit: str
    gross_mass_g: int
    customs_value: int
    origin_country: str
    preference: str = ""


@dataclass(frozen=True)
class DeclarationData:
    """The ACDD-style header and the lines of a declaration to lodge."""

    importer_name: str
    exporter_name: str
    import_country: str
    export_country: str
    transport_mode: str
    currency: str
    lines: Sequence[LineData]
    importer_address: str = ""
    exporter_address: str = ""
    exporter_email: str = ""
    transport_id: str = ""
    port_of_discharge: str = ""
    departure_date: date | None = None
    document_ids: Sequence[str] = field(default_factory=tuple)


# --- validation ------------------------------------------------------------------------------
def text_field(value: object, limit: int) -> tuple[str, str | None]:
    if not isinstance(value, str):
        return "", "not_a_string"
    text = normalize_text(value).strip()
    return text, ("too_long" if len(text) > limit else None)


def validate(
    data: DeclarationData, *, declarant_country: str
) -> tuple[DeclarationData, list[dict[str, str]]]:
    """Normalised data and the field-level errors (empty when valid)."""
    errors: list[dict[str, str]] = []

    def err(path: str, code: str) -> None:
        errors.append({"field": path, "code": code})

    texts: dict[str, str] = {}
    for name, limit, required in (
        ("importer_name", 200, True), ("importer_address", 400, False),
        ("exporter_name", 200, True), ("exporter_address", 400, False),
        ("exporter_email", 254, False), ("transport_id", 100, False),
        ("port_of_discharge", 100, False),
    ):  # fmt: skip
        text, problem = text_field(getattr(data, name), limit)
        if problem:
            err(name, problem)
        elif required and not text:
            err(name, "required")
        texts[name] = text
    if texts["exporter_email"] and (
        "@" not in texts["exporter_email"] or " " in texts["exporter_email"]
    ):
        err("exporter_email", "invalid_email")
    import_country = str(data.import_country).upper()
    export_country = str(data.export_country).upper()
    if import_country not in duty.SCHEDULE_COUNTRIES:
        err("import_country", "no_tariff_schedule")
    elif import_country != declarant_country:
        err("import_country", "not_declarant_country")
    if export_country not in COUNTRIES:
        err("export_country", "invalid_choice")
    elif export_country == import_country:
        err("export_country", "same_as_import_country")
    if data.transport_mode not in TransportMode.values:
        err("transport_mode", "invalid_choice")
    currency = str(data.currency).upper()
    if currency not in CURRENCIES:
        err("currency", "invalid_choice")
    elif (
        import_country in duty.SCHEDULE_COUNTRIES
        and duty.load_schedule(import_country).rate(currency) is None
    ):
        err("currency", "no_exchange_rate")
    ids = [str(i).strip() for i in data.document_ids]
    if len(ids) > DOCUMENTS_MAX:
        err("document_ids", "too_many")
    if len(set(ids)) != len(ids):
        err("document_ids", "duplicate")
    if not all(valid_document_id(i) for i in ids):
        err("document_ids", "invalid_id")
    if not data.lines:
        err("lines", "required")
    if len(data.lines) > LINES_MAX:
        err("lines", "too_many")
    schedule = (
        duty.load_schedule(import_country) if import_country in duty.SCHEDULE_COUNTRIES else None
    )
    lines: list[LineData] = []
    for i, line in enumerate(data.lines[:LINES_MAX]):
        at = f"lines[{i}]"
        problem = hscodes.check_code(line.hs_code)
        if problem:
            err(f"{at}.hs_code", problem)
        elif schedule is not None and schedule.line_for(line.hs_code) is None:
            err(f"{at}.hs_code", "no_tariff_line")
        description, problem = text_field(line.description, 400)
        if problem or not description:
            err(f"{at}.description", problem or "required")
        unit, problem = text_field(line.quantity_unit, 8)
        if problem or not unit:
            err(f"{at}.quantity_unit", problem or "required")
        try:
            quantity = Decimal(str(line.quantity))
            if not quantity.is_finite() or quantity <= 0 or quantity >= Decimal(10) ** 15:
                err(f"{at}.quantity", "out_of_range")
            elif quantity != round(quantity, 3):
                err(f"{at}.quantity", "too_many_decimals")
        except InvalidOperation:
            quantity = Decimal(0)
            err(f"{at}.quantity", "not_a_number")
        for name in ("gross_mass_g", "customs_value"):
            value = getattr(line, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or not 0 <= value <= duty.VALUE_MAX
            ):
                err(f"{at}.{name}", "out_of_range")
        origin = str(line.origin_country).upper()
        if origin not in COUNTRIES:
            err(f"{at}.origin_country", "invalid_choice")
        preference = str(line.preference).lower()
        if preference not in PREFERENCES:
            err(f"{at}.preference", "invalid_choice")
        lines.append(
            LineData(
                hs_code=str(line.hs_code), description=description, quantity=quantity,
                quantity_unit=unit, gross_mass_g=line.gross_mass_g,
                customs_value=line.customs_value, origin_country=origin, preference=preference,
            )
        )  # fmt: skip
    clean = DeclarationData(
        **texts,
        import_country=import_country,
        export_country=export_country,
        transport_mode=data.transport_mode,
        currency=currency,
        lines=tuple(lines),
        departure_date=data.departure_date,
        document_ids=tuple(ids),
    )
    return clean, errors
