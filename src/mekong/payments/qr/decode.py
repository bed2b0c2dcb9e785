"""Decode and validate a merchant-presented payload: `decode`.

Order of checks, each failure naming its tag: TLV structure; 00 first and ``01``; 63 last, four
hex digits, correct CRC; no duplicate root IDs; the shared EMVCo value rules (`fields`); then
the detected scheme's mandatory objects, country, currency, payee and extra rules.

Strict by default. ``lenient=True`` accepts three quirks seen in real payloads (research notes
§1, AYA Pay API responses) and reports each as a warning: a CRC written in lower-case hex, a
CRC computed without the ``6304`` ID and length, and an alphabetic currency in tag 53.
"""

from __future__ import annotations

from mekong.payments.qr import fields as f
from mekong.payments.qr.crc import crc16_ccitt_false
from mekong.payments.qr.currencies import ALPHA_BY_NUMERIC, NUMERIC_BY_ALPHA
from mekong.payments.qr.errors import QrError
from mekong.payments.qr.model import DecodedQr
from mekong.payments.qr.schemes import detect
from mekong.payments.qr.schemes.base import parse_children
from mekong.payments.qr.tlv import TEMPLATE_IDS, DataObject, split, subfields

#: The largest payload accepted: EMVCo MPM caps the payload at 512 characters.
MAX_PAYLOAD = 512
_HEX = frozenset("0123456789ABCDEFabcdef")
_STATIC, _DYNAMIC = "11", "12"


def _text(payload: object) -> str:
    if isinstance(payload, str):
        return payload
    if isinstance(payload, bytes | bytearray):
        try:
            return bytes(payload).decode("utf-8")
        except UnicodeDecodeError:
            raise QrError("00", "payload bytes are not UTF-8 text") from None
    raise QrError("00", f"payload must be text, not {type(payload).__name__}")


def _check_crc(text: str, value: str, lenient: bool, warnings: list[str]) -> bool:
    """Check tag 63 (EMVCo §4.7.3); return whether it is the spec's CRC of the payload."""
    if not set(value) <= _HEX:
        raise QrError("63", f"CRC {value!r} is not 4 hexadecimal digits")
    try:
        body = text[:-4].encode("utf-8")
    except UnicodeEncodeError:
        raise QrError("63", "the payload has no UTF-8 form (lone surrogate)") from None
    upper = value.upper()
    expected = format(crc16_ccitt_false(body), "04X")
    valid = upper == expected
    if not valid:
        # AYA Pay computes the CRC over the payload without the trailing "6304".
        if not (lenient and format(crc16_ccitt_false(body[:-4]), "04X") == upper):
            raise QrError("63", f"CRC mismatch: payload has {value}, computed {expected}")
        warnings.append("tag 63: CRC computed without the '6304' ID and length (accepted)")
    if value != upper:
        if not lenient:
            raise QrError("63", f"CRC {value} must be written in upper-case hex")
        warnings.append("tag 63: CRC written in lower-case hex (accepted)")
    return valid


def _currency(value: str, lenient: bool, warnings: list[str]) -> str:
    """Numeric currency of tag 53 (EMVCo §4.7.2: ISO 4217 numeric)."""
    if len(value) == 3 and value.isascii() and value.isdigit():
        if value not in ALPHA_BY_NUMERIC:
            raise QrError("53", f"{value} is not an active ISO 4217 numeric currency")
        return value
    numeric = NUMERIC_BY_ALPHA.get(value) if lenient else None
    if numeric is None:
        raise QrError("53", f"currency {value!r} is not a 3-digit ISO 4217 numeric code")
    warnings.append(f"tag 53: alphabetic currency {value!r} instead of {numeric} (accepted)")
    return numeric


def decode(payload: str | bytes, *, lenient: bool = False) -> DecodedQr:
    """Decode and validate an EMVCo merchant-presented QR payload.

    Args:
        payload: the text read from the QR code (bytes are taken as UTF-8).
        lenient: accept the known real-world quirks listed in the module docstring, each
            reported in ``warnings``; every other rule stays strict.

    Returns:
        The decoded payload, with the scheme detected from its account template.

    Raises:
        QrError: the payload is invalid; ``error.tag`` names the data object at fault.
    """
    text = _text(payload)
    if not text:
        raise QrError("00", "payload is empty")
    if len(text) > MAX_PAYLOAD:
        raise QrError("00", f"payload has {len(text)} characters, at most {MAX_PAYLOAD}")
    pairs = split(text)
    warnings: list[str] = []

    first_tag, pfi = pairs[0]
    if first_tag != "00":
        raise QrError("00", "the payload format indicator must be the first data object")
    if pfi != "01":
        raise QrError("00", f"payload format indicator is {pfi!r}, expected '01'")
    last_tag, crc = pairs[-1]
    if last_tag != "63":
        misplaced = any(tag == "63" for tag, _ in pairs)
        raise QrError("63", "the CRC must be the last data object" if misplaced else "missing CRC")
    if len(crc) != 4:
        raise QrError("63", f"CRC length is {len(crc)}, expected 04")
    crc_valid = _check_crc(text, crc, lenient, warnings)

    root: dict[str, DataObject] = {}
    for tag, value in pairs:
        if tag in root:
            raise QrError(tag, "appears twice")
        obj = DataObject(tag, value)
        root[tag] = parse_children(obj, tag) if tag in TEMPLATE_IDS else obj

    values = {tag: obj.value for tag, obj in root.items()}
    poi = values.get("01")
    if poi is not None and poi not in (_STATIC, _DYNAMIC):
        raise QrError("01", f"point of initiation {poi!r} is not 11 (static) or 12 (dynamic)")
    amount = values.get("54")
    if amount is not None:
        f.amount(amount)
    dynamic = poi == _DYNAMIC if poi is not None else amount is not None
    if dynamic and amount is None:
        raise QrError("54", "missing: a dynamic code (01 = 12) must carry an amount")
    mcc = values.get("52")
    if mcc is not None:
        f.digits(mcc, "52", length=4)
    numeric = None if "53" not in values else _currency(values["53"], lenient, warnings)
    country = values.get("58")
    if country is not None:
        f.country(country)
    for tag, max_length in (("59", 25), ("60", 15), ("61", 10)):
        if tag in values:
            f.text(values[tag], tag, max_length)
    tip = f.tip(values.get("55"), values.get("56"), values.get("57"))
    additional = {} if "62" not in root else f.additional_data(subfields(root["62"], "62"))
    language = None if "64" not in root else f.language(subfields(root["64"], "64"))

    found = detect(root)
    if found is None:
        raise QrError("02-51", "missing: no merchant account information object (IDs 02-51)")
    profile, account_tag = found
    root[account_tag] = profile.nest(root[account_tag])
    for tag in profile.mandatory:
        if tag not in root:
            raise QrError(tag, f"missing: mandatory in a {profile.scheme} payload")
    if profile.country is not None and country != profile.country:
        raise QrError("58", f"a {profile.scheme} payload is for {profile.country}, not {country}")
    if profile.currencies and numeric not in profile.currencies:
        allowed = " or ".join(ALPHA_BY_NUMERIC[c] for c in profile.currencies)
        raise QrError("53", f"a {profile.scheme} payload is in {allowed}")
    payee = profile.payee(root, account_tag)
    profile.check(root, dynamic=dynamic)

    return DecodedQr(
        scheme=profile.scheme,
        initiation="dynamic" if dynamic else "static",
        payload_format=pfi,
        currency=None if numeric is None else ALPHA_BY_NUMERIC[numeric],
        currency_numeric=numeric,
        amount=amount,
        country=country,
        merchant_name=values.get("59"),
        merchant_city=values.get("60"),
        postal_code=values.get("61"),
        mcc=mcc,
        crc=crc,
        crc_valid=crc_valid,
        payee=payee,
        additional_data=additional,
        language=language,
        tip=tip,
        tlv=tuple(root.values()),
        warnings=tuple(warnings),
        lenient=lenient,
    )
