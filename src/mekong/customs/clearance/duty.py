"""The duty engine: import duty (MFN or ATIGA), VAT and de minimis for one declaration. Pure.

No Django: the tariff schedules are files in ``tariffs/`` (``<country>.csv`` lines and
``countries.json`` for VAT, de minimis and customs exchange rates; sources in
``tariffs/SOURCE.md``), and the engine is a function of its inputs, so the service layer, the
benchmark and the property tests call the same code.

Rules, in the order they apply (docs/modules/customs.md, "Clearance"):

1. Each line's declared customs value is converted into the importing country's currency with
   the schedule's customs exchange rate (national units per declared unit).
2. The tariff line is the longest prefix of the declared code (8, 6, 4 or 2 digits) that has a
   row in the schedule; no row → `DutyError("no_tariff_line")`.
3. Regime: the ATIGA rate when the line claims the ATIGA preference, the origin is an ASEAN
   member not excluded on that row, the row has an ATIGA rate, and origin is proven — a valid
   Form D covers the line, or the whole consignment is worth at most US$200 (ATIGA OCP Rule 15
   waives proof of origin) — and the ATIGA rate is not higher than MFN (an importer would
   never claim a preference that costs more). MFN otherwise; every decision carries its reason.
4. Duty = value × rate; VAT = (value + duty) × VAT rate.
5. De minimis: if the consignment's total converted value is at or below a rule's threshold on
   the lodging date, the taxes that rule names (duty, VAT) are zero for every line.

Rounding: amounts are integer minor units of the importing country's currency; each
conversion, each line's duty and each line's VAT is rounded half up (0.5 minor unit → up) on its
own, and totals are sums of the rounded lines. Values are never negative, so half up is
also half away from zero.
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path

from mekong.core.countries import COUNTRIES
from mekong.core.currencies import CURRENCIES

TARIFFS = Path(__file__).resolve().parent / "tariffs"
#: Importing countries with a shipped schedule.
SCHEDULE_COUNTRIES = ("KH", "LA", "MM", "TH", "VN")
#: ATIGA Operational Certification Procedures, Rule 15: no proof of origin at or below US$200 FOB.
ORIGIN_PROOF_WAIVER_USD_MINOR = 200_00
#: Largest customs value per line, in minor units (keeps every product inside 64-bit columns).
VALUE_MAX = 10**15
_HUNDRED = Decimal(100)


class DutyError(ValueError):
    """An input the engine cannot assess; ``code`` is stable, ``index`` the line (if any)."""

    def __init__(self, code: str, *, index: int | None = None, detail: str = "") -> None:
        self.code = code
        self.index = index
        super().__init__(f"{code}" + (f" (line {index})" if index is not None else "") + detail)


class Regime(StrEnum):
    """The tariff column applied to a line."""

    MFN = "mfn"
    ATIGA = "atiga"


class Tax(StrEnum):
    """Taxes that a de minimis rule can exempt."""

    DUTY = "duty"
    VAT = "vat"


@dataclass(frozen=True, slots=True)
class TariffLine:
    """One row of a schedule: ad valorem rates in percent, with its status and source."""

    code: str
    description: str
    mfn: Decimal
    atiga: Decimal | None
    atiga_excluded: frozenset[str]
    status: str  # "published" or "illustrative"
    source: str


@dataclass(frozen=True, slots=True)
class DeMinimisRule:
    """A threshold at or below which a consignment is exempt from some taxes (dates inclusive)."""

    threshold: Decimal  # major units of ``threshold_currency``
    threshold_currency: str
    exempts: frozenset[Tax]
    source: str
    valid_from: date | None = None
    valid_until: date | None = None

    def in_force(self, on: date) -> bool:
        """True on the dates the rule applies."""
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or on <= self.valid_until
        )


@dataclass(frozen=True)
class Schedule:
    """An importing country's tariff lines, VAT rate, de minimis rules and exchange rates."""

    country: str
    currency: str
    vat_percent: Decimal
    vat_source: str
    de_minimis: tuple[DeMinimisRule, ...]
    rates: Mapping[str, Decimal]
    lines: Mapping[str, TariffLine]
    notes: str = ""

    def line_for(self, code: str) -> TariffLine | None:
        """The row for the longest prefix (8, 6, 4, 2 digits) of ``code`` that has one."""
        for size in (8, 6, 4, 2):
            if len(code) >= size:
                row = self.lines.get(code[:size])
                if row is not None:
                    return row
        return None

    def rate(self, currency: str) -> Decimal | None:
        """National currency units per one unit of ``currency`` (1 for the national currency)."""
        if currency == self.currency:
            return Decimal(1)
        return self.rates.get(currency)


@dataclass(frozen=True, slots=True)
class LineIn:
    """One declaration line as the engine sees it.

    Attributes:
        hs_code: 6-digit HS 2022 subheading or 8-digit national line (validated upstream).
        customs_value: minor units of the declaration's currency, ≥ 0.
        origin: ISO alpha-2 country of origin.
        atiga_claimed: the declarant claims the ATIGA preference for this line.
        form_d_valid: a Form D that verifies covers this line (decided by the service layer).
    """

    hs_code: str
    customs_value: int
    origin: str
    atiga_claimed: bool = False
    form_d_valid: bool = False


@dataclass(frozen=True, slots=True)
class LineDuty:
    """The assessment of one line, in minor units of the importing country's currency."""

    index: int
    hs_code: str
    tariff_line: str
    tariff_status: str
    customs_value: int
    regime: Regime
    rate_percent: Decimal
    duty: int
    vat_percent: Decimal
    vat_base: int
    vat: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Assessment:
    """Duty and VAT of a declaration, with every decision's reason."""

    country: str
    currency: str
    declared_currency: str
    exchange_rate: Decimal
    on: date
    lines: tuple[LineDuty, ...]
    total_value: int
    duty: int
    vat: int
    origin_proof_waived: bool
    de_minimis_exempts: frozenset[Tax] = field(default_factory=frozenset)
    de_minimis_sources: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        """Duty plus VAT."""
        return self.duty + self.vat


def round_half_up(value: Decimal) -> int:
    """Round to an integer, halves up (the engine only rounds non-negative values)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def convert(minor: int, *, rate: Decimal, from_currency: str, to_currency: str) -> int:
    """Convert minor units with a major-unit rate, rounding half up once."""
    shift = CURRENCIES[to_currency].minor_units - CURRENCIES[from_currency].minor_units
    return round_half_up(Decimal(minor) * rate * Decimal(10) ** shift)


def percent_of(minor: int, percent: Decimal) -> int:
    """``minor × percent / 100`` rounded half up."""
    return round_half_up(Decimal(minor) * percent / _HUNDRED)


def assess(
    *,
    schedule: Schedule,
    lines: Sequence[LineIn],
    currency: str,
    on: date,
) -> Assessment:
    """Assess duty and VAT for the lines of one declaration lodged on ``on``.

    Args:
        schedule: the importing country's schedule (`load_schedule`).
        lines: at least one line; values in minor units of ``currency``.
        currency: the declaration's currency (ISO 4217).
        on: the lodging date; picks the de minimis rules in force.

    Raises:
        DutyError: ``no_lines``, ``unknown_currency`` (no exchange rate), ``negative_value`` /
            ``value_too_large`` (with the line index) or ``no_tariff_line``.
    """
    if not lines:
        raise DutyError("no_lines")
    rate = schedule.rate(currency) if currency in CURRENCIES else None
    if rate is None:
        raise DutyError("unknown_currency", detail=f": {currency}")
    national = schedule.currency
    values: list[int] = []
    rows: list[TariffLine] = []
    for index, line in enumerate(lines):
        if isinstance(line.customs_value, bool) or line.customs_value < 0:
            raise DutyError("negative_value", index=index)
        if line.customs_value > VALUE_MAX:
            raise DutyError("value_too_large", index=index)
        row = schedule.line_for(line.hs_code)
        if row is None:
            raise DutyError("no_tariff_line", index=index, detail=f": {line.hs_code}")
        rows.append(row)
        values.append(
            convert(line.customs_value, rate=rate, from_currency=currency, to_currency=national)
        )
    total_value = sum(values)
    waived = _origin_proof_waived(schedule, total_value)
    exempts, sources = _de_minimis(schedule, total_value, on)

    assessed: list[LineDuty] = []
    for index, (line, row, value) in enumerate(zip(lines, rows, values, strict=True)):
        regime, rate_percent, reasons = _regime(line, row, waived)
        duty = 0 if Tax.DUTY in exempts else percent_of(value, rate_percent)
        vat_base = value + duty
        vat = 0 if Tax.VAT in exempts else percent_of(vat_base, schedule.vat_percent)
        assessed.append(
            LineDuty(
                index=index,
                hs_code=line.hs_code,
                tariff_line=row.code,
                tariff_status=row.status,
                customs_value=value,
                regime=regime,
                rate_percent=rate_percent,
                duty=duty,
                vat_percent=schedule.vat_percent,
                vat_base=vat_base,
                vat=vat,
                reasons=reasons,
            )
        )
    return Assessment(
        country=schedule.country,
        currency=national,
        declared_currency=currency,
        exchange_rate=rate,
        on=on,
        lines=tuple(assessed),
        total_value=total_value,
        duty=sum(a.duty for a in assessed),
        vat=sum(a.vat for a in assessed),
        origin_proof_waived=waived,
        de_minimis_exempts=exempts,
        de_minimis_sources=sources,
    )


def _regime(line: LineIn, row: TariffLine, waived: bool) -> tuple[Regime, Decimal, tuple[str, ...]]:
    if not line.atiga_claimed:
        return Regime.MFN, row.mfn, ("no_preference_claimed",)
    origin = COUNTRIES.get(line.origin)
    if origin is None or not origin.asean:
        return Regime.MFN, row.mfn, ("origin_not_asean",)
    if row.atiga is None:
        return Regime.MFN, row.mfn, ("no_atiga_rate",)
    if line.origin in row.atiga_excluded:
        return Regime.MFN, row.mfn, ("origin_excluded",)
    if line.form_d_valid:
        proof = "form_d_valid"
    elif waived:
        proof = "origin_proof_waived"
    else:
        return Regime.MFN, row.mfn, ("form_d_not_valid",)
    if row.atiga > row.mfn:
        return Regime.MFN, row.mfn, (proof, "atiga_not_lower")
    return Regime.ATIGA, row.atiga, (proof, "atiga_rate")


def _origin_proof_waived(schedule: Schedule, total_value: int) -> bool:
    usd = schedule.rate("USD")
    if usd is None:
        return False
    limit = convert(
        ORIGIN_PROOF_WAIVER_USD_MINOR, rate=usd, from_currency="USD", to_currency=schedule.currency
    )
    return total_value <= limit


def _de_minimis(
    schedule: Schedule, total_value: int, on: date
) -> tuple[frozenset[Tax], tuple[str, ...]]:
    exempts: set[Tax] = set()
    sources: list[str] = []
    for rule in schedule.de_minimis:
        if not rule.in_force(on):
            continue
        rate = schedule.rate(rule.threshold_currency)
        if rate is None:
            continue
        # The threshold in national minor units, rounded half up once.
        minor_units = CURRENCIES[schedule.currency].minor_units
        limit = round_half_up(rule.threshold * rate * Decimal(10) ** minor_units)
        if total_value <= limit:
            exempts |= rule.exempts
            sources.append(rule.source)
    return frozenset(exempts), tuple(sources)


# --- loading the files -----------------------------------------------------------------------
def _decimal(text: str, *, where: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{where}: not a number: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"{where}: not a finite non-negative number: {text!r}")
    return value


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def parse_lines(rows: Iterable[Mapping[str, str]], *, where: str) -> dict[str, TariffLine]:
    """Tariff lines from CSV rows (columns as in ``tariffs/SOURCE.md``); strict."""
    lines: dict[str, TariffLine] = {}
    for number, row in enumerate(rows, start=2):
        here = f"{where}:{number}"
        code = row["line"].strip()
        if not (code.isdigit() and len(code) in (2, 4, 6, 8)):
            raise ValueError(f"{here}: a line is 2, 4, 6 or 8 digits: {code!r}")
        if code in lines:
            raise ValueError(f"{here}: duplicate line {code}")
        status = row["status"].strip()
        if status not in {"published", "illustrative"}:
            raise ValueError(f"{here}: status must be published or illustrative")
        atiga_text = row["atiga_percent"].strip()
        lines[code] = TariffLine(
            code=code,
            description=row["description"].strip(),
            mfn=_decimal(row["mfn_percent"].strip(), where=here),
            atiga=_decimal(atiga_text, where=here) if atiga_text else None,
            atiga_excluded=frozenset(row["atiga_excluded_origins"].split()),
            status=status,
            source=row["source"].strip(),
        )
    return lines


@functools.cache
def load_schedule(country: str) -> Schedule:
    """The shipped schedule of an importing country (cached; files are read once).

    Raises:
        DutyError: ``no_schedule`` for a country without one.
    """
    if country not in SCHEDULE_COUNTRIES:
        raise DutyError("no_schedule", detail=f": {country}")
    meta = json.loads((TARIFFS / "countries.json").read_text(encoding="utf-8"))[country]
    path = TARIFFS / f"{country}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        lines = parse_lines(csv.DictReader(handle), where=path.name)
    rules = tuple(
        DeMinimisRule(
            threshold=_decimal(r["threshold"], where=f"{country} de minimis"),
            threshold_currency=r["threshold_currency"],
            exempts=frozenset(Tax(t) for t in r["exempts"]),
            source=r["source"],
            valid_from=_date(r.get("from")),
            valid_until=_date(r.get("until")),
        )
        for r in meta["de_minimis"]
    )
    return Schedule(
        country=country,
        currency=meta["currency"],
        vat_percent=_decimal(meta["vat_percent"], where=f"{country} VAT"),
        vat_source=meta["vat_source"],
        de_minimis=rules,
        rates={k: _decimal(v, where=f"{country} rate {k}") for k, v in meta["rates"].items()},
        lines=lines,
        notes=meta.get("de_minimis_note", ""),
    )
