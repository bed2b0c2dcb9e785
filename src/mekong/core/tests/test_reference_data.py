"""Countries and currencies: the facts other modules rely on."""

import pytest

from mekong.core.countries import COUNTRIES, GMS_CODES, UnknownCountryError, country
from mekong.core.currencies import currency


def test_the_five_gms_countries_and_their_currencies():
    assert set(GMS_CODES) == {"KH", "LA", "MM", "TH", "VN"}
    assert {country(c).currency for c in GMS_CODES} == {"KHR", "LAK", "MMK", "THB", "VND"}


def test_asean_members_china_and_india_are_known():
    asean = {c.code for c in COUNTRIES.values() if c.asean}
    assert asean == {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN"}
    assert country("cn").currency == "CNY"
    assert country("IN").calling_code == "91"


def test_every_country_currency_is_a_supported_currency():
    for c in COUNTRIES.values():
        assert currency(c.currency).code == c.currency


@pytest.mark.parametrize(
    ("code", "units", "numeric"),
    [
        ("THB", 2, "764"),
        ("VND", 0, "704"),
        ("KHR", 2, "116"),
        ("LAK", 2, "418"),
        ("MMK", 2, "104"),
        ("USD", 2, "840"),
        ("SGD", 2, "702"),
        ("MYR", 2, "458"),
        ("CNY", 2, "156"),
    ],
)
def test_iso_4217_minor_units_and_numeric_codes(code, units, numeric):
    cur = currency(code)
    assert (cur.minor_units, cur.numeric) == (units, numeric)


def test_unknown_country():
    with pytest.raises(UnknownCountryError):
        country("ZZ")


#: The IANA zone of each country's capital (Jakarta for Indonesia, WIB).
_ZONES = {
    "KH": "Asia/Phnom_Penh",
    "LA": "Asia/Vientiane",
    "MM": "Asia/Yangon",
    "TH": "Asia/Bangkok",
    "VN": "Asia/Ho_Chi_Minh",
    "BN": "Asia/Brunei",
    "ID": "Asia/Jakarta",
    "MY": "Asia/Kuala_Lumpur",
    "PH": "Asia/Manila",
    "SG": "Asia/Singapore",
    "TL": "Asia/Dili",
    "CN": "Asia/Shanghai",
    "IN": "Asia/Kolkata",
}


@pytest.mark.parametrize("code", sorted(COUNTRIES))
def test_fixed_offsets_match_the_time_zone_database_all_year(code):
    # The host's tz database is the oracle: a fixed offset is only right for a zone without
    # daylight saving time, so every month of two years is checked.
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(_ZONES[code])
    for year in (2026, 2027):
        for month in range(1, 13):
            when = datetime(year, month, 15, 12, tzinfo=UTC)
            assert when.astimezone(zone).utcoffset() == country(code).tz.utcoffset(when)
