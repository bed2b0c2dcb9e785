"""Myanmar: MMQR (Myanmar Payment Union / Central Bank of Myanmar), template 26.

Source: github:odoo/odoo addons/l10n_mm/models/res_bank.py and tests/test_l10n_mm_emv_qr.py,
which follow https://myanmarpay.com.mm/frontend/assets/files/MyanmarQRSpecification.pdf;
research notes §1.1. Template 26 = {00 ``com.mmqrpay.www``; 01 merchant ID, the first 15 of the
16 assigned digits; 02 terminal ID, up to 25 digits, ``000000`` by default}. Template 64
(Myanmar-script name, language ``MY``) is mandatory, as are 52, 53 (MMK 104), 58, 59 and 60.
"""

from __future__ import annotations

from collections.abc import Mapping

from mekong.payments.qr import fields as f
from mekong.payments.qr.errors import QrError
from mekong.payments.qr.schemes.base import Payee, Profile, Root, required
from mekong.payments.qr.tlv import serialise

MMQR_GUID = "com.mmqrpay.www"
DEFAULT_TERMINAL = "000000"


class Mmqr(Profile):
    """MMQR. Payee: ``guid``, ``merchant_id`` (15 digits), ``terminal_id``."""

    scheme = "mmqr"
    account_tags = ("26",)
    guid = MMQR_GUID
    country = "MM"
    currencies = ("104",)
    mandatory = ("26", "52", "53", "58", "59", "60", "64")
    default_mcc = "0000"

    def payee(self, root: Root, tag: str) -> Payee:
        """Read merchant and terminal IDs from template 26."""
        sub = self.fields(root, tag)
        for key, what in (("01", "merchant ID"), ("02", "terminal ID")):
            if key not in sub:
                raise QrError(f"{tag}/{key}", f"missing: the {what} is mandatory")
        merchant = f.digits(sub["01"], f"{tag}/01", length=15)
        terminal = f.digits(sub["02"], f"{tag}/02", max_length=25)
        return {"guid": self.guid, "merchant_id": merchant, "terminal_id": terminal}

    def payee_objects(self, payee: Mapping[str, str]) -> list[tuple[str, str]]:
        """Template 26; a 16-digit merchant ID is cut to its first 15 digits, per the spec."""
        merchant = required(payee, "merchant_id", "26/01")
        if len(merchant) == 16:
            merchant = merchant[:15]
        terminal = payee.get("terminal_id") or DEFAULT_TERMINAL
        return [("26", serialise([("00", MMQR_GUID), ("01", merchant), ("02", terminal)], "26"))]
