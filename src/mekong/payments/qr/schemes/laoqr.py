"""Laos: Lao QR (LAPNet), template 38.

No public specification was found. The layout is taken from real BCEL OnePay, JDB, LVB and
LAPNet payloads in public code and a JDB integration config (``LAOQR_AID=A005266284662577``,
``LAOQR_IIN=32170418``); research notes §1.1. Template 38 = {00 AID ``A005266284662577``; 01
IIN, the member's 8-digit switch ID (27710418 BCEL, 32170418 JDB, 70050418 LVB, 00000418
LAPNet personal codes); 02 payment type, 3 digits (``001`` personal, ``002`` merchant); 03
receiver or merchant ID}. Personal codes leave 52, 59 and 60 out, so only 38, 53 (LAK 418) and
58 are mandatory.
"""

from __future__ import annotations

from collections.abc import Mapping

from mekong.payments.qr import fields as f
from mekong.payments.qr.errors import QrError
from mekong.payments.qr.schemes.base import Payee, Profile, Root, required
from mekong.payments.qr.tlv import serialise

LAOQR_AID = "A005266284662577"
PAYMENT_TYPES = {"001": "personal", "002": "merchant"}


class LaoQr(Profile):
    """Lao QR. Payee: ``aid``, ``iin``, ``payment_type`` (as encoded, ``001``/``002``),
    ``receiver_id``.
    """

    scheme = "laoqr"
    account_tags = ("38",)
    guid = LAOQR_AID
    country = "LA"
    currencies = ("418",)
    mandatory = ("38", "53", "58")

    def payee(self, root: Root, tag: str) -> Payee:
        """Read IIN, payment type and receiver ID from template 38."""
        sub = self.fields(root, tag)
        for key, what in (("01", "IIN"), ("02", "payment type"), ("03", "receiver ID")):
            if key not in sub:
                raise QrError(f"{tag}/{key}", f"missing: the {what} is mandatory")
        iin = f.digits(sub["01"], f"{tag}/01", length=8)
        payment_type = f.digits(sub["02"], f"{tag}/02", length=3)
        return {
            "aid": self.guid,
            "iin": iin,
            "payment_type": payment_type,
            "receiver_id": sub["03"],
        }

    def payee_objects(self, payee: Mapping[str, str]) -> list[tuple[str, str]]:
        """Template 38 from ``iin``, ``payment_type`` (default ``001``) and ``receiver_id``."""
        items = [
            ("00", LAOQR_AID),
            ("01", required(payee, "iin", "38/01")),
            ("02", payee.get("payment_type") or "001"),
            ("03", required(payee, "receiver_id", "38/03")),
        ]
        return [("38", serialise(items, "38"))]
