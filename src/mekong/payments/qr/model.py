"""The decoded form of a payload: `DecodedQr`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from mekong.payments.qr.tlv import DataObject, tree_to_dicts


@dataclass(frozen=True, slots=True)
class DecodedQr:
    """A validated merchant-presented QR payload.

    Produced only by `mekong.payments.qr.decode`; every field was checked against EMVCo and the
    detected scheme's profile. Values are the strings found in the payload (the amount is not
    reformatted, proxy values are as encoded), so nothing is lost.

    Attributes:
        scheme: ``promptpay``, ``promptpay_bill``, ``vietqr``, ``vnpayqr``, ``khqr``,
            ``laoqr``, ``mmqr`` or ``emvco`` (any other EMVCo MPM payload).
        initiation: ``static`` (tag 01 = 11) or ``dynamic`` (12); without tag 01, dynamic
            when an amount is present.
        payload_format: tag 00, always ``01``.
        currency: ISO 4217 alphabetic code from tag 53, e.g. ``THB``.
        currency_numeric: tag 53 as a numeric code, e.g. ``764``.
        amount: tag 54 as written (``"4.22"``), or None.
        country: tag 58 (ISO 3166-1 alpha-2), or None when the scheme lets it out.
        merchant_name: tag 59. merchant_city: tag 60. postal_code: tag 61. mcc: tag 52.
        crc: tag 63 as written. crc_valid: whether it is the EMVCo CRC of the payload
            (a lenient decode may accept a CRC computed the AYA Pay way and report False).
        payee: scheme-specific receiver fields (see each profile in `schemes`).
        additional_data: tag 62 sub-fields by name (``bill_number``...); IDs without a name
            (50-99 payment-system templates, RFU IDs) keyed by their two-digit ID.
        language: tag 64 (``language_preference``, ``merchant_name``, ``merchant_city``).
        tip: tags 55-57 (``indicator``, ``fixed_fee``, ``percentage_fee``), or None.
        tlv: the whole payload as a tree; unknown templates keep their raw value.
        warnings: quirks accepted by a lenient decode, one sentence each naming the tag.
        lenient: whether the payload was decoded leniently.
    """

    scheme: str
    initiation: str
    payload_format: str
    currency: str | None
    currency_numeric: str | None
    amount: str | None
    country: str | None
    merchant_name: str | None
    merchant_city: str | None
    postal_code: str | None
    mcc: str | None
    crc: str
    crc_valid: bool
    payee: Mapping[str, str | None]
    additional_data: Mapping[str, str]
    language: Mapping[str, str] | None
    tip: Mapping[str, str] | None
    tlv: tuple[DataObject, ...]
    warnings: tuple[str, ...] = ()
    lenient: bool = False

    @property
    def amount_decimal(self) -> Decimal | None:
        """The amount as a `Decimal`, or None for a code without an amount."""
        return None if self.amount is None else Decimal(self.amount)

    def expires_at(self) -> datetime | None:
        """KHQR expiration (tag 99/01, epoch milliseconds) as an aware UTC datetime, or None.

        The decoder checks that a dynamic KHQR has a well-formed expiration but not whether it
        has passed: that depends on the clock and belongs to the payment step (KHQR SDK error
        50), which keeps `decode` a pure function.
        """
        value = self.payee.get("expiration_timestamp")
        if value is None or not (len(value) == 13 and value.isascii() and value.isdigit()):
            return None
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC)

    def to_dict(self) -> dict[str, object]:
        """The JSON object printed by ``mekong qr decode``.

        ``warnings`` is present only for a lenient decode, so a strict consumer never sees it.
        """
        out: dict[str, object] = {
            "scheme": self.scheme,
            "initiation": self.initiation,
            "payload_format": self.payload_format,
            "currency": self.currency,
            "currency_numeric": self.currency_numeric,
            "amount": self.amount,
            "country": self.country,
            "merchant_name": self.merchant_name,
            "merchant_city": self.merchant_city,
            "postal_code": self.postal_code,
            "mcc": self.mcc,
            "crc": self.crc,
            "crc_valid": self.crc_valid,
            "payee": dict(self.payee),
            "additional_data": dict(self.additional_data),
            "language": None if self.language is None else dict(self.language),
            "tip": None if self.tip is None else dict(self.tip),
            "tlv": tree_to_dicts(self.tlv),
        }
        if self.lenient:
            out["warnings"] = list(self.warnings)
        return out
