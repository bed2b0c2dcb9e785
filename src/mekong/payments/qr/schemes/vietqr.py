"""Vietnam: VietQR (NAPAS 247, tag 38) and VNPAY-QR (tag 26).

VietQR sources: the NAPAS VietQR specification as summarised in github:giautm/emvqr-go
(README) and implemented by github:odoo/odoo (addons/l10n_vn/models/res_bank.py) and
github:xuannghia/vietnam-qr-pay (src/constants/qr-pay.ts); research notes §1.1. Template 38 =
{00 ``A000000727``; 01 beneficiary organisation, itself a template {00 acquirer / bank BIN, 6
digits; 01 account or card number, at most 19}; 02 service code}. Tags 00, 38, 53, 58 and 63
are mandatory ("M" in the NAPAS table); 01 is optional.

VNPAY-QR (merchant network) uses template 26 {00 ``A000000775``; 01 merchant ID}; store and
terminal travel in 62/03 and 62/07 (vietnam-qr-pay README and tests). Every VNPAY payload seen
carries a merchant name (59), so it is mandatory here, while 52 and 60 are sometimes left out.
"""

from __future__ import annotations

from collections.abc import Mapping

from mekong.payments.qr import fields as f
from mekong.payments.qr.errors import QrError
from mekong.payments.qr.schemes.base import Payee, Profile, Root, parse_children, required
from mekong.payments.qr.tlv import DataObject, serialise, subfields

VIETQR_AID = "A000000727"
VNPAY_AID = "A000000775"
#: NAPAS service codes: transfer to an account, to a card, merchant push payment.
SERVICES = ("QRIBFTTA", "QRIBFTTC", "QRPUSH")


def _account_number(value: str, tag: str, max_length: int) -> str:
    if not (value.isascii() and value.isalnum()):
        raise QrError(tag, f"{value!r} is not letters and digits")
    return f.text(value, tag, max_length)


class VietQr(Profile):
    """VietQR (NAPAS 247).

    Payee: ``aid``, ``bank_bin`` (6 digits), ``account`` (account or card number; MoMo and
    ZaloPay wallets use BVBank accounts such as ``99MM…``), ``service`` (``QRIBFTTA``,
    ``QRIBFTTC`` or ``QRPUSH``).
    """

    scheme = "vietqr"
    account_tags = ("38",)
    guid = VIETQR_AID
    country = "VN"
    currencies = ("704",)
    mandatory = ("38", "53", "58")

    def nest(self, obj: DataObject) -> DataObject:
        """Parse 38/01 (beneficiary organisation), itself a template."""
        if obj.children is None:
            return obj
        children = tuple(
            parse_children(c, f"{obj.tag}/01") if c.tag == "01" else c for c in obj.children
        )
        return DataObject(obj.tag, obj.value, children)

    def payee(self, root: Root, tag: str) -> Payee:
        """Read BIN, account and service code from template 38."""
        sub = self.fields(root, tag)
        if "01" not in sub:
            raise QrError(f"{tag}/01", "missing: beneficiary organisation (BIN and account)")
        org_obj = next(c for c in root[tag].children or () if c.tag == "01")
        org = subfields(org_obj, f"{tag}/01")
        for key in ("00", "01"):
            if key not in org:
                raise QrError(f"{tag}/01/{key}", "missing: BIN and account are mandatory")
        bin_ = f.digits(org["00"], f"{tag}/01/00", length=6)
        account = _account_number(org["01"], f"{tag}/01/01", 19)
        service = sub.get("02")
        if service is None:
            raise QrError(f"{tag}/02", "missing: the service code is mandatory")
        if service not in SERVICES:
            raise QrError(f"{tag}/02", f"service code {service!r} is not one of {SERVICES}")
        return {"aid": self.guid, "bank_bin": bin_, "account": account, "service": service}

    def payee_objects(self, payee: Mapping[str, str]) -> list[tuple[str, str]]:
        """Template 38 from ``bank_bin``, ``account`` and ``service`` (default QRIBFTTA)."""
        org = serialise(
            [
                ("00", required(payee, "bank_bin", "38/01/00")),
                ("01", required(payee, "account", "38/01/01")),
            ],
            "38/01",
        )
        service = payee.get("service") or "QRIBFTTA"
        return [("38", serialise([("00", VIETQR_AID), ("01", org), ("02", service)], "38"))]


class VnpayQr(Profile):
    """VNPAY-QR merchant code. Payee: ``aid``, ``merchant_id``."""

    scheme = "vnpayqr"
    account_tags = ("26",)
    guid = VNPAY_AID
    country = "VN"
    currencies = ("704",)
    mandatory = ("26", "53", "58", "59")

    def payee(self, root: Root, tag: str) -> Payee:
        """Read the merchant ID from template 26."""
        sub = self.fields(root, tag)
        if "01" not in sub:
            raise QrError(f"{tag}/01", "missing: the VNPAY merchant ID is mandatory")
        merchant = _account_number(sub["01"], f"{tag}/01", 20)
        return {"aid": self.guid, "merchant_id": merchant}

    def payee_objects(self, payee: Mapping[str, str]) -> list[tuple[str, str]]:
        """Template 26 from ``merchant_id``."""
        merchant = required(payee, "merchant_id", "26/01")
        return [("26", serialise([("00", VNPAY_AID), ("01", merchant)], "26"))]
