"""Value rules for the root data objects every EMVCo MPM payload shares.

Section numbers refer to EMV QRCPS Merchant-Presented Mode v1.1 (Nov 2020), chapter 4 (data
object definitions) and tables 3.6-3.8 (additional data and language templates). Scheme
profiles (`schemes`) add their own mandatory objects and value rules on top.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from mekong.payments.qr.errors import QrError

#: §4.7.4: "up to 13 characters", digits with "." as the decimal mark. ASCII only: a ``\d``
#: would also accept Thai or Myanmar digits.
_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
#: §4.7.6: percentage convenience fee, "00.01" to "99.99".
_PERCENT = re.compile(r"[0-9]{1,2}(?:\.[0-9]{1,2})?", re.ASCII)
AMOUNT_MAX_LENGTH = 13

#: Table 3.7, additional data field template (ID 62): ID -> (name, maximum length).
ADDITIONAL_DATA: dict[str, tuple[str, int]] = {
    "01": ("bill_number", 25),
    "02": ("mobile_number", 25),
    "03": ("store_label", 25),
    "04": ("loyalty_number", 25),
    "05": ("reference_label", 25),
    "06": ("customer_label", 25),
    "07": ("terminal_label", 25),
    "08": ("purpose_of_transaction", 25),
    "09": ("additional_consumer_data_request", 3),
    "10": ("merchant_tax_id", 20),
    "11": ("merchant_channel", 3),
}
ADDITIONAL_DATA_IDS: dict[str, str] = {name: tag for tag, (name, _) in ADDITIONAL_DATA.items()}

#: Table 3.8, merchant information - language template (ID 64).
LANGUAGE: dict[str, tuple[str, int]] = {
    "00": ("language_preference", 2),
    "01": ("merchant_name", 25),
    "02": ("merchant_city", 15),
}
LANGUAGE_IDS: dict[str, str] = {name: tag for tag, (name, _) in LANGUAGE.items()}

#: §4.7.5: tip or convenience indicator values.
TIP_PROMPT, TIP_FIXED, TIP_PERCENT = "01", "02", "03"


def digits(value: str, tag: str, *, length: int | None = None, max_length: int = 99) -> str:
    """Check that `value` is ASCII digits, of exactly `length` or at most `max_length`."""
    if not (value.isascii() and value.isdigit()):
        raise QrError(tag, f"{value!r} is not all digits")
    if length is not None and len(value) != length:
        raise QrError(tag, f"must be {length} digits, got {len(value)}")
    if len(value) > max_length:
        raise QrError(tag, f"at most {max_length} digits, got {len(value)}")
    return value


def text(value: str, tag: str, max_length: int) -> str:
    """Check a free-text value's length in characters (§4.2: lengths count characters)."""
    if len(value) > max_length:
        raise QrError(tag, f"at most {max_length} characters, got {len(value)}")
    return value


def amount(value: str, tag: str = "54") -> str:
    """Check an amount (tags 54 and 56): digits, optional "." and decimals, above zero."""
    if len(value) > AMOUNT_MAX_LENGTH:
        raise QrError(tag, f"amount has {len(value)} characters, at most 13")
    if _AMOUNT.fullmatch(value) is None:
        raise QrError(tag, f"amount {value!r} is not digits with an optional '.' and decimals")
    if value.strip("0.") == "":
        raise QrError(tag, "amount must be greater than zero")
    return value


def country(value: str, tag: str = "58") -> str:
    """Check an ISO 3166-1 alpha-2 country code (§4.7.7): two upper-case ASCII letters."""
    if not (len(value) == 2 and value.isascii() and value.isalpha() and value.isupper()):
        raise QrError(tag, f"country {value!r} is not two upper-case letters (ISO 3166-1)")
    return value


def additional_data(fields: Mapping[str, str]) -> dict[str, str]:
    """Name and check the sub-fields of template 62.

    IDs 12-49 are RFU and 50-99 payment-system templates (table 3.7): kept, keyed by ID.
    """
    out: dict[str, str] = {}
    for tag, value in fields.items():
        known = ADDITIONAL_DATA.get(tag)
        if known is None:
            out[tag] = value
            continue
        name, max_length = known
        text(value, f"62/{tag}", max_length)
        if tag == "09" and not (set(value) <= {"A", "M", "E"} and len(set(value)) == len(value)):
            raise QrError("62/09", "consumer data request is a subset of 'A', 'M' and 'E'")
        out[name] = value
    return out


def language(fields: Mapping[str, str]) -> dict[str, str]:
    """Name and check template 64: language preference and alternate name are mandatory."""
    for tag in ("00", "01"):
        if tag not in fields:
            raise QrError(f"64/{tag}", f"missing: {LANGUAGE[tag][0]} is mandatory in template 64")
    pref = fields["00"]
    if not (len(pref) == 2 and pref.isascii() and pref.isalpha()):
        raise QrError("64/00", f"language preference {pref!r} is not two letters (ISO 639-1)")
    out: dict[str, str] = {}
    for tag, value in fields.items():
        known = LANGUAGE.get(tag)
        if known is None:
            out[tag] = value
            continue
        name, max_length = known
        text(value, f"64/{tag}", max_length)
        out[name] = value
    return out


def tip(indicator: str | None, fixed: str | None, percent: str | None) -> dict[str, str] | None:
    """Check tags 55-57 together (§4.7.5-4.7.6) and return them named, or None if absent."""
    if indicator is None:
        if fixed is not None or percent is not None:
            raise QrError("55", "convenience fee (56/57) present without indicator 55")
        return None
    if indicator not in (TIP_PROMPT, TIP_FIXED, TIP_PERCENT):
        raise QrError("55", f"tip or convenience indicator {indicator!r} is not 01, 02 or 03")
    if (indicator == TIP_FIXED) != (fixed is not None):
        raise QrError("56", "fixed convenience fee goes with indicator 02, and only with it")
    if (indicator == TIP_PERCENT) != (percent is not None):
        raise QrError("57", "percentage convenience fee goes with indicator 03, and only with it")
    out = {"indicator": indicator}
    if fixed is not None:
        out["fixed_fee"] = amount(fixed, "56")
    if percent is not None:
        if _PERCENT.fullmatch(percent) is None or percent.strip("0.") == "":
            raise QrError("57", f"percentage {percent!r} is not between 00.01 and 99.99")
        out["percentage_fee"] = percent
    return out
