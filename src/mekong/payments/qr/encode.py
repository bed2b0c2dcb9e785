"""Build payloads for every scheme: `encode`.

The encoder writes root objects in ascending ID order (00, 01, the account template, 52-61,
62, 64, 80-99, then 63), which every scheme accepts, and finishes by decoding its own output
strictly: whatever `encode` returns, `decode` accepts, and a request that would produce an
invalid payload fails with the same `QrError` the decoder would raise.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from mekong.payments.qr import fields as f
from mekong.payments.qr.crc import CRC_PREFIX, crc_hex
from mekong.payments.qr.currencies import to_numeric
from mekong.payments.qr.decode import decode
from mekong.payments.qr.errors import QrError
from mekong.payments.qr.schemes import BY_SCHEME, SCHEMES
from mekong.payments.qr.tlv import serialise


def format_amount(amount: Decimal | str | int) -> str:
    """Write an amount for tag 54: plain digits and ``.``, as given (``Decimal("4.20")`` ->
    ``"4.20"``), never in exponent form.

    Raises:
        QrError: not a finite number above zero, or longer than 13 characters.
    """
    try:
        number = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise QrError("54", f"amount {amount!r} is not a number") from None
    if not number.is_finite() or number <= 0:
        raise QrError("54", f"amount {amount!r} must be a finite number above zero")
    return f.amount(format(number, "f"))


def _named(mapping: Mapping[str, str], ids: Mapping[str, str], tag: str) -> list[tuple[str, str]]:
    items = []
    for name, value in mapping.items():
        if name not in ids:
            raise QrError(tag, f"unknown field {name!r}, expected one of {sorted(ids)}")
        if value:
            items.append((ids[name], value))
    return sorted(items)


def encode(
    scheme: str,
    *,
    payee: Mapping[str, str],
    amount: Decimal | str | int | None = None,
    currency: str | None = None,
    dynamic: bool | None = None,
    merchant_name: str | None = None,
    merchant_city: str | None = None,
    mcc: str | None = None,
    country: str | None = None,
    postal_code: str | None = None,
    additional_data: Mapping[str, str] | None = None,
    language: Mapping[str, str] | None = None,
) -> str:
    """Build a merchant-presented QR payload for `scheme`.

    Args:
        scheme: one of `SCHEMES` (``promptpay``, ``promptpay_bill``, ``vietqr``, ``vnpayqr``,
            ``khqr``, ``laoqr``, ``mmqr``, ``emvco``).
        payee: the scheme's payee fields, named as in ``DecodedQr.payee`` (e.g. PromptPay
            ``proxy_type``/``proxy_value``; VietQR ``bank_bin``/``account``/``service``; KHQR
            ``bakong_account_id``/``merchant_id``/``acquiring_bank``/``expiration_timestamp``).
        amount: the amount; None for a code where the payer types it.
        currency: alphabetic or numeric ISO 4217 code; defaults to the scheme's currency.
        dynamic: point of initiation 12 (one payment) or 11 (reusable); defaults to dynamic
            when an amount is given, as PromptPay generators do.
        merchant_name: tag 59. merchant_city: tag 60. mcc: tag 52 (scheme default if any).
        country: tag 58; defaults to the scheme's country.
        postal_code: tag 61.
        additional_data: tag 62 sub-fields by name (``bill_number``, ``reference_label``...).
        language: tag 64 by name (``language_preference``, ``merchant_name``,
            ``merchant_city``).

    Returns:
        The payload, CRC included.

    Raises:
        QrError: unknown scheme or field, a missing payee field, or a value the decoder would
            reject; ``error.tag`` names the data object.
    """
    profile = BY_SCHEME.get(scheme)
    if profile is None:
        raise QrError("00", f"unknown scheme {scheme!r}, expected one of {SCHEMES}")
    amount_text = None if amount is None else format_amount(amount)
    is_dynamic = amount_text is not None if dynamic is None else dynamic

    items: list[tuple[str, str]] = [("00", "01"), ("01", "12" if is_dynamic else "11")]
    items += profile.payee_objects(payee)
    mcc = mcc or profile.default_mcc
    if mcc:
        items.append(("52", mcc))
    if currency is None:
        if not profile.currencies:
            raise QrError("53", f"encoding a {scheme} payload needs a currency")
        numeric = profile.currencies[0]
    else:
        numeric = to_numeric(currency)
    items.append(("53", numeric))
    if amount_text is not None:
        items.append(("54", amount_text))
    country = country or profile.country
    for tag, value in (
        ("58", country),
        ("59", merchant_name),
        ("60", merchant_city),
        ("61", postal_code),
    ):
        if value:
            items.append((tag, value))
    extra = dict(additional_data or {})
    extra.update(profile.payee_additional_data(payee))
    if extra:
        items.append(("62", serialise(_named(extra, f.ADDITIONAL_DATA_IDS, "62"), "62")))
    if language:
        items.append(("64", serialise(_named(language, f.LANGUAGE_IDS, "64"), "64")))
    items += profile.trailing_objects(payee)

    body = serialise(items) + CRC_PREFIX
    payload = body + crc_hex(body)
    decoded = decode(payload)
    if decoded.scheme != scheme:
        raise QrError(items[2][0], f"the payload would decode as {decoded.scheme}, not {scheme}")
    return payload
