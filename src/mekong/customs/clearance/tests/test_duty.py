"""The duty engine: worked examples from the shipped schedules, rounding, and properties."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mekong.customs.clearance import duty
from mekong.customs.clearance import hscodes as hs
from mekong.customs.clearance.duty import DutyError, LineIn, Regime, Tax, assess, load_schedule

VN = load_schedule("VN")
TODAY = date(2026, 12, 4)


def test_every_shipped_schedule_loads_and_rows_are_real_hs_codes():
    names = hs.nomenclature()
    for country in duty.SCHEDULE_COUNTRIES:
        schedule = load_schedule(country)
        assert schedule.lines, country
        for code, row in schedule.lines.items():
            # Every row starts with a real HS 2022 chapter, heading or subheading.
            assert code[: min(len(code), 6)] in names, (country, code)
            assert row.status in {"published", "illustrative"}
            assert (row.status == "published") == (row.source != "ILLUSTRATIVE")


def test_hs_codes_are_validated_against_hs_2022():
    assert hs.check_code("100630") is None
    assert hs.check_code("10063040") is None  # national 8-digit line on a real subheading
    assert hs.check_code("999999") == "unknown_subheading"  # Comtrade artefact, not HS
    assert hs.check_code("123456") == "unknown_subheading"
    assert hs.check_code("10063") == "wrong_length"
    assert hs.check_code("1006.30") == "not_digits"
    assert hs.check_code("१००६३०") == "not_digits"  # non-ASCII digits
    assert hs.check_code(100630) == "not_a_string"
    assert "rice" in hs.describe("10063040").lower()


def test_vietnam_hom_mali_rice_atiga_with_a_valid_form_d():
    # 10063040 Hom Mali rice: MFN 40 %, ATIGA 0 % (published, VN-2026); VAT 10 %.
    line = LineIn("10063040", 100_000_00, "TH", atiga_claimed=True, form_d_valid=True)
    result = assess(schedule=VN, lines=[line], currency="USD", on=TODAY)
    (a,) = result.lines
    assert result.currency == "VND"
    assert a.customs_value == 2_630_000_000  # USD 100,000.00 × 26,300 VND
    assert (a.regime, a.rate_percent, a.duty) == (Regime.ATIGA, Decimal(0), 0)
    assert a.vat == 263_000_000
    assert a.reasons == ("form_d_valid", "atiga_rate")
    assert a.tariff_status == "published"


def test_vietnam_rice_without_form_d_pays_mfn():
    line = LineIn("10063040", 100_000_00, "TH", atiga_claimed=True, form_d_valid=False)
    (a,) = assess(schedule=VN, lines=[line], currency="USD", on=TODAY).lines
    assert (a.regime, a.duty, a.reasons) == (Regime.MFN, 1_052_000_000, ("form_d_not_valid",))
    assert a.vat == (2_630_000_000 + 1_052_000_000) // 10


def test_reasons_for_mfn():
    cases = {
        LineIn("22030091", 500_000_00, "TH"): ("no_preference_claimed",),
        LineIn("22030091", 500_000_00, "CN", atiga_claimed=True, form_d_valid=True): (
            "origin_not_asean",
        ),
        LineIn("87032362", 500_000_00, "KH", atiga_claimed=True, form_d_valid=True): (
            "form_d_valid",
            "atiga_rate",
        ),  # the 8-digit published row has no exclusions
        LineIn("870321", 500_000_00, "KH", atiga_claimed=True, form_d_valid=True): (
            "origin_excluded",
        ),  # falls back to the illustrative chapter-87 row, which excludes KH
    }
    for line, reasons in cases.items():
        (a,) = assess(schedule=VN, lines=[line], currency="USD", on=TODAY).lines
        assert a.reasons == reasons, line


def test_origin_proof_waiver_at_200_usd():
    # ATIGA OCP Rule 15: up to US$200 FOB needs no proof of origin.
    at = LineIn("22030091", 200_00, "TH", atiga_claimed=True)
    above = LineIn("22030091", 200_01, "TH", atiga_claimed=True)
    (a,) = assess(schedule=VN, lines=[at], currency="USD", on=TODAY).lines
    (b,) = assess(schedule=VN, lines=[above], currency="USD", on=TODAY).lines
    assert (a.regime, a.reasons[0]) == (Regime.ATIGA, "origin_proof_waived")
    assert (b.regime, b.reasons) == (Regime.MFN, ("form_d_not_valid",))


def test_rounding_half_up_per_line():
    # 61091010 cotton T-shirts, MFN 20 %. THB 0.03 × 810 = VND 24.3 → 24; 24 × 20 % = 4.8 → 5;
    # VAT (24 + 5) × 10 % = 2.9 → 3. Two lines round separately: totals are sums of lines.
    line = LineIn("61091010", 3, "TH")
    result = assess(schedule=VN, lines=[line, line], currency="THB", on=TODAY)
    assert [(a.customs_value, a.duty, a.vat) for a in result.lines] == [(24, 5, 3), (24, 5, 3)]
    assert (result.duty, result.vat, result.total) == (10, 6, 16)
    assert duty.round_half_up(Decimal("2.5")) == 3
    assert duty.round_half_up(Decimal("2.4999")) == 2


def test_thailand_de_minimis_history():
    th = load_schedule("TH")
    small = [LineIn("610910", 1_000_00, "VN")]  # THB 1,000
    rules = {
        date(2024, 7, 1): {Tax.DUTY, Tax.VAT},  # ≤ THB 1,500: no duty, no VAT
        date(2025, 1, 1): {Tax.DUTY},  # VAT on everything > THB 1
        date(2026, 1, 1): set(),  # de minimis abolished
    }
    for on, exempt in rules.items():
        result = assess(schedule=th, lines=small, currency="THB", on=on)
        assert result.de_minimis_exempts == exempt, on
        assert (result.duty == 0) == (Tax.DUTY in exempt)
        assert (result.vat == 0) == (Tax.VAT in exempt)


def test_cambodia_de_minimis_usd_50_boundary():
    kh = load_schedule("KH")
    at = assess(schedule=kh, lines=[LineIn("610910", 50_00, "TH")], currency="USD", on=TODAY)
    above = assess(schedule=kh, lines=[LineIn("610910", 50_01, "TH")], currency="USD", on=TODAY)
    assert (at.duty, at.vat, at.de_minimis_exempts) == (0, 0, {Tax.DUTY, Tax.VAT})
    assert above.duty > 0
    assert above.vat > 0
    assert not above.de_minimis_exempts


def test_errors_have_stable_codes():
    with pytest.raises(DutyError) as e:
        assess(schedule=VN, lines=[], currency="USD", on=TODAY)
    assert e.value.code == "no_lines"
    with pytest.raises(DutyError) as e:
        assess(schedule=VN, lines=[LineIn("010121", 1, "TH")], currency="USD", on=TODAY)
    assert (e.value.code, e.value.index) == ("no_tariff_line", 0)
    with pytest.raises(DutyError) as e:
        assess(schedule=VN, lines=[LineIn("610910", 1, "TH")], currency="XXX", on=TODAY)
    assert e.value.code == "unknown_currency"
    with pytest.raises(DutyError) as e:
        assess(schedule=VN, lines=[LineIn("610910", -1, "TH")], currency="USD", on=TODAY)
    assert e.value.code == "negative_value"
    with pytest.raises(DutyError) as e:
        load_schedule("SG")
    assert e.value.code == "no_schedule"


def test_bad_schedule_rows_are_refused():
    header = "line,description,mfn_percent,atiga_percent,atiga_excluded_origins,status,source"
    for bad in ("123,x,5,0,,published,S", "61,x,-5,0,,published,S", "61,x,5,0,,maybe,S",
                "61,x,abc,0,,published,S"):  # fmt: skip
        with pytest.raises(ValueError, match=r"t\.csv:2"):
            duty.parse_lines(csv.DictReader([header, bad]), where="t.csv")


# --- properties ------------------------------------------------------------------------------
ALL_LINES = [(c, code) for c in duty.SCHEDULE_COUNTRIES for code in load_schedule(c).lines]
ORIGINS = st.sampled_from(["TH", "VN", "KH", "LA", "MM", "SG", "CN", "IN"])


def _code(code: str) -> str:
    # Pad a chapter or heading row to a 6-digit code that falls under it.
    return code if len(code) >= 6 else (code + "0000")[:6]


line_strategy = st.builds(
    lambda row, value, origin, claimed, valid: (
        row,
        LineIn(_code(row[1]), value, origin, claimed, valid),
    ),
    st.sampled_from(ALL_LINES),
    st.integers(min_value=0, max_value=duty.VALUE_MAX),
    ORIGINS,
    st.booleans(),
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(item=line_strategy, currency=st.sampled_from(["USD", "THB", "VND", "EUR"]),
       on=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))  # fmt: skip
def test_duty_and_vat_are_never_negative_and_a_valid_form_d_never_costs_more(item, currency, on):
    (country, _), line = item
    schedule = load_schedule(country)
    if schedule.rate(currency) is None:
        currency = schedule.currency
    proven = LineIn(line.hs_code, line.customs_value, line.origin, True, True)
    unproven = LineIn(line.hs_code, line.customs_value, line.origin, True, False)
    a = assess(schedule=schedule, lines=[proven], currency=currency, on=on)
    b = assess(schedule=schedule, lines=[unproven], currency=currency, on=on)
    for result in (a, b):
        assert result.duty >= 0
        assert result.vat >= 0
        assert result.total == result.duty + result.vat
    assert a.duty <= b.duty
    (la,) = a.lines
    row = schedule.line_for(line.hs_code)
    assert row is not None
    if row.atiga is not None and row.atiga <= row.mfn:
        # "ATIGA ≤ MFN where the table says so": the applied rate follows the table.
        assert la.rate_percent <= row.mfn


@settings(max_examples=100, deadline=None)
@given(threshold_minor=st.integers(min_value=1, max_value=10**9))
def test_de_minimis_boundary_is_inclusive(threshold_minor):
    rule = duty.DeMinimisRule(
        threshold=Decimal(threshold_minor) / 100,
        threshold_currency="THB",
        exempts=frozenset({Tax.DUTY, Tax.VAT}),
        source="test",
    )
    th = load_schedule("TH")
    schedule = duty.Schedule(
        country="TH", currency="THB", vat_percent=Decimal(7), vat_source="", de_minimis=(rule,),
        rates={}, lines=th.lines,
    )  # fmt: skip
    at = assess(
        schedule=schedule, lines=[LineIn("610910", threshold_minor, "VN")], currency="THB", on=TODAY
    )
    above = assess(
        schedule=schedule,
        lines=[LineIn("610910", threshold_minor + 1, "VN")],
        currency="THB",
        on=TODAY,
    )
    assert at.de_minimis_exempts == {Tax.DUTY, Tax.VAT}
    assert at.total == 0
    assert above.de_minimis_exempts == frozenset()
    assert above.duty == duty.percent_of(threshold_minor + 1, Decimal(30))


def test_shipped_rows_have_atiga_at_most_mfn():
    for country, code in ALL_LINES:
        row = load_schedule(country).lines[code]
        assert row.atiga is None or row.atiga <= row.mfn, (country, code)
