"""Thailand PromptPay: credit transfer (tag 29) and bill payment (tag 30).

Sources: Bank of Thailand "Thai QR Code Payment Standard" as implemented by
github:dtinth/promptpay-qr (index.js) and github:maythiwat/promptparse
(src/generate/promptpay/AnyID.ts, BillPayment.ts); research notes §1.1.

Credit transfer (AID ``A000000677010111``) carries exactly one proxy: 01 mobile (13 digits,
``0066`` + the number without its leading 0), 02 national ID or tax ID (13 digits), 03
e-wallet ID (15 digits), 04 bank account (bank code + account, up to 43 digits). Bill payment
(AID ``A000000677010112``) carries 01 biller ID, 02 reference 1, 03 reference 2; reference 3
goes in 62/07. The other AIDs listed by promptpay-js (…0114, …2006) are unverified against the
BOT standard and decode as generic ``emvco``.
"""

from __future__ import annotations

from collections.abc import Mapping

from mekong.payments.qr import fields as f
from mekong.payments.qr.errors import QrError
from mekong.payments.qr.schemes.base import Payee, Profile, Root, required
from mekong.payments.qr.tlv import serialise

AID_CREDIT_TRANSFER = "A000000677010111"
AID_BILL_PAYMENT = "A000000677010112"

#: Proxy sub-tag -> (proxy type, exact length or None, maximum length).
_PROXIES: dict[str, tuple[str, int | None, int]] = {
    "01": ("mobile", 13, 13),
    "02": ("national_id", 13, 13),
    "03": ("ewallet", 15, 15),
    "04": ("bank_account", None, 43),
}
PROXY_TYPES = ("mobile", "national_id", "tax_id", "ewallet", "bank_account")
_SUBTAG_BY_TYPE = {
    "mobile": "01",
    "national_id": "02",
    "tax_id": "02",
    "ewallet": "03",
    "bank_account": "04",
}


def normalise_proxy(proxy_type: str, value: str) -> str:
    """Write a proxy the way tag 29 carries it, from what a person types.

    Dashes, spaces and a leading ``+`` are dropped. A mobile number becomes 13 digits: the
    national ``0`` replaced by ``66`` and left-padded with zeros (``081-222-3333`` ->
    ``0066812223333``), as dtinth/promptpay-qr and promptparse do. Other proxies are kept as
    digits.

    Raises:
        QrError: unknown proxy type, or a value that is not digits after cleaning.
    """
    if proxy_type not in _SUBTAG_BY_TYPE:
        raise QrError("29", f"unknown proxy type {proxy_type!r}, expected one of {PROXY_TYPES}")
    tag = f"29/{_SUBTAG_BY_TYPE[proxy_type]}"
    cleaned = value.replace("-", "").replace(" ", "").removeprefix("+")
    f.digits(cleaned, tag)
    if proxy_type == "mobile" and len(cleaned) != 13:
        if cleaned.startswith("0"):
            cleaned = "66" + cleaned[1:]
        cleaned = cleaned.rjust(13, "0")
    return cleaned


class PromptPay(Profile):
    """PromptPay credit transfer.

    Payee: ``aid``; ``proxy_type`` (``mobile``, ``national_id``, ``tax_id``, ``ewallet``,
    ``bank_account``); ``proxy_value`` as encoded; ``ota`` (sub-tag 05) when present. Sub-tag
    02 holds both Thai national IDs and tax IDs: a juristic person's tax ID starts with ``0``,
    a national ID never does (Thai ID numbers start 1-8), which is how the two are told apart.
    """

    scheme = "promptpay"
    account_tags = ("29",)
    guid = AID_CREDIT_TRANSFER
    country = "TH"
    currencies = ("764",)
    mandatory = ("29", "53", "58")

    def payee(self, root: Root, tag: str) -> Payee:
        """Read the one proxy of template 29."""
        sub = self.fields(root, tag)
        proxies = [(key, value) for key, value in sub.items() if key in _PROXIES]
        if len(proxies) != 1:
            raise QrError(tag, f"needs exactly one proxy (sub-tags 01-04), found {len(proxies)}")
        key, value = proxies[0]
        proxy_type, length, max_length = _PROXIES[key]
        f.digits(value, f"{tag}/{key}", length=length, max_length=max_length)
        if key == "02" and value.startswith("0"):
            proxy_type = "tax_id"
        return {
            "aid": self.guid,
            "proxy_type": proxy_type,
            "proxy_value": value,
            "ota": sub.get("05"),
        }

    def payee_objects(self, payee: Mapping[str, str]) -> list[tuple[str, str]]:
        """Template 29 from ``proxy_type`` and ``proxy_value`` (normalised)."""
        proxy_type = required(payee, "proxy_type", "29")
        value = normalise_proxy(proxy_type, required(payee, "proxy_value", "29"))
        if proxy_type == "tax_id" and not value.startswith("0"):
            raise QrError("29/02", "a tax ID (juristic person) starts with 0")
        if proxy_type == "national_id" and value.startswith("0"):
            raise QrError("29/02", "a national ID never starts with 0 (that is a tax ID)")
        items = [("00", self.guid or ""), (_SUBTAG_BY_TYPE[proxy_type], value)]
        if payee.get("ota"):
            items.append(("05", payee["ota"]))
        return [("29", serialise(items, "29"))]


class PromptPayBill(Profile):
    """PromptPay bill payment.

    Payee: ``aid``, ``biller_id`` (tax ID + 2-digit suffix: 15 digits; 13 accepted, as in
    promptparse's own tests), ``reference_1`` (mandatory), ``reference_2``, and
    ``reference_3`` read from 62/07 as promptparse writes it. References are at most 20
    characters (BOT standard, bill payment table).
    """

    scheme = "promptpay_bill"
    account_tags = ("30",)
    guid = AID_BILL_PAYMENT
    country = "TH"
    currencies = ("764",)
    mandatory = ("30", "53", "58")

    def payee(self, root: Root, tag: str) -> Payee:
        """Read biller ID and references from template 30."""
        sub = self.fields(root, tag)
        if "01" not in sub:
            raise QrError(f"{tag}/01", "missing: the biller ID is mandatory")
        biller = f.digits(sub["01"], f"{tag}/01", max_length=15)
        if len(biller) not in (13, 15):
            raise QrError(f"{tag}/01", f"biller ID must be 15 (or 13) digits, got {len(biller)}")
        if "02" not in sub:
            raise QrError(f"{tag}/02", "missing: reference 1 is mandatory")
        ref1 = f.text(sub["02"], f"{tag}/02", 20)
        ref2 = sub.get("03")
        if ref2 is not None:
            f.text(ref2, f"{tag}/03", 20)
        ref3 = None
        if "62" in root:
            ref3 = self.fields(root, "62").get("07")
        return {
            "aid": self.guid,
            "biller_id": biller,
            "reference_1": ref1,
            "reference_2": ref2,
            "reference_3": ref3,
        }

    def payee_objects(self, payee: Mapping[str, str]) -> list[tuple[str, str]]:
        """Template 30 from ``biller_id``, ``reference_1`` and optional ``reference_2``."""
        items = [
            ("00", self.guid or ""),
            ("01", required(payee, "biller_id", "30/01")),
            ("02", required(payee, "reference_1", "30/02")),
        ]
        if payee.get("reference_2"):
            items.append(("03", payee["reference_2"]))
        return [("30", serialise(items, "30"))]

    def payee_additional_data(self, payee: Mapping[str, str]) -> dict[str, str]:
        """Reference 3 travels as the terminal label, 62/07."""
        ref3 = payee.get("reference_3")
        return {"terminal_label": ref3} if ref3 else {}
