"""Cambodia: KHQR (National Bank of Cambodia, Bakong).

Sources: the official NBC SDK, npm bakong-khqr 1.0.20 (``src/constant/index.js``,
``KHQRTag.js``, ``errorCode.js``), github:odoo/odoo (addons/l10n_kh/models/res_bank.py) and the
test vectors of github:ishinvin/go-khqr (decode_test.go, verify_test.go); research notes §1.1.

KHQR has no AID: sub-object 00 of template 29 (individual) or 30 (merchant) is the Bakong
account ID ``name@bank`` (at most 32 characters, SDK regex ``^[A-Za-z0-9_].*@[A-Za-z0-9_].*$``).
Template 29: 01 account information, 02 acquiring bank. Template 30: 01 merchant ID and 02
acquiring bank, both required by the SDK for merchants. Tag 99 holds {00 creation, 01
expiration}, epoch milliseconds, 13 digits. The SDK requires 01, 52 (numeric MCC), 53 (KHR 116
or USD 840), 58, 59 and 60, and for a dynamic code (01 = 12) an amount (error 47) and an
expiration (45) of 13 digits (49) after the creation time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from mekong.payments.qr import fields as f
from mekong.payments.qr.errors import QrError
from mekong.payments.qr.schemes.base import Payee, Profile, Root, guid_of, required
from mekong.payments.qr.tlv import serialise, subfields

#: bakong-khqr 1.0.20 ``BakongAccountIdentifier`` check.
_ACCOUNT_ID = re.compile(r"[A-Za-z0-9_].*@[A-Za-z0-9_].*", re.ASCII)
_MAX = 32
INDIVIDUAL, MERCHANT = "29", "30"


def is_bakong_account(value: str | None) -> bool:
    """Whether `value` looks like a Bakong account ID (``name@bank``)."""
    return value is not None and len(value) <= _MAX and _ACCOUNT_ID.fullmatch(value) is not None


class Khqr(Profile):
    """KHQR, individual (29) or merchant (30).

    Payee: ``merchant_type`` (``individual`` or ``merchant``), ``bakong_account_id``,
    ``account_information`` (29/01), ``merchant_id`` (30/01), ``acquiring_bank`` (29/02,
    30/02), ``creation_timestamp`` and ``expiration_timestamp`` (99/00, 99/01, as written).
    Static codes from bank apps sometimes put non-KHQR data in 99 (ABA writes a hex value): for
    a static code 99 is reported as found but not checked.
    """

    scheme = "khqr"
    account_tags = (INDIVIDUAL, MERCHANT)
    country = "KH"
    currencies = ("116", "840")
    mandatory = ("01", "52", "53", "58", "59", "60")
    default_mcc = "5999"

    def account_tag(self, root: Root) -> str | None:
        """Template 29 or 30 whose sub-object 00 is a Bakong account ID."""
        for tag in self.account_tags:
            obj = root.get(tag)
            if obj is not None and is_bakong_account(guid_of(obj)):
                return tag
        return None

    def payee(self, root: Root, tag: str) -> Payee:
        """Read the Bakong account, merchant or account information, bank and timestamps."""
        sub = self.fields(root, tag)
        for key in ("01", "02"):
            if key in sub:
                f.text(sub[key], f"{tag}/{key}", _MAX)
        merchant = tag == MERCHANT
        if merchant:
            for key, what in (("01", "merchant ID"), ("02", "acquiring bank")):
                if key not in sub:
                    raise QrError(f"{tag}/{key}", f"missing: a merchant KHQR needs the {what}")
        created = expires = None
        if "99" in root and root["99"].children is not None:
            stamps = subfields(root["99"], "99")
            created, expires = stamps.get("00"), stamps.get("01")
        return {
            "merchant_type": "merchant" if merchant else "individual",
            "bakong_account_id": sub["00"],
            "account_information": None if merchant else sub.get("01"),
            "merchant_id": sub.get("01") if merchant else None,
            "acquiring_bank": sub.get("02"),
            "creation_timestamp": created,
            "expiration_timestamp": expires,
        }

    def check(self, root: Root, *, dynamic: bool) -> None:
        """A dynamic KHQR needs 99/01, 13 digits, after 99/00 when that is present."""
        if not dynamic:
            return
        if "99" not in root:
            raise QrError("99", "missing: a dynamic KHQR needs timestamps with an expiration")
        stamps = subfields(root["99"], "99")
        if "01" not in stamps:
            raise QrError("99/01", "missing: a dynamic KHQR needs an expiration timestamp")
        expires = int(f.digits(stamps["01"], "99/01", length=13))
        if "00" in stamps:
            created = int(f.digits(stamps["00"], "99/00", length=13))
            if expires <= created:
                raise QrError("99/01", "expiration is not after the creation timestamp")

    def payee_objects(self, payee: Mapping[str, str]) -> list[tuple[str, str]]:
        """Template 30 when the payee has a ``merchant_id`` (or merchant type), else 29."""
        account = required(payee, "bakong_account_id", "29/00")
        merchant = payee.get("merchant_type") == "merchant" or bool(payee.get("merchant_id"))
        tag = MERCHANT if merchant else INDIVIDUAL
        items = [("00", account)]
        first = payee.get("merchant_id") if merchant else payee.get("account_information")
        if merchant:
            first = required(payee, "merchant_id", f"{tag}/01")
            required(payee, "acquiring_bank", f"{tag}/02")
        if first:
            items.append(("01", first))
        if payee.get("acquiring_bank"):
            items.append(("02", payee["acquiring_bank"]))
        return [(tag, serialise(items, tag))]

    def trailing_objects(self, payee: Mapping[str, str]) -> list[tuple[str, str]]:
        """Tag 99 from ``creation_timestamp`` and ``expiration_timestamp`` (epoch ms)."""
        stamps = [
            (key, payee[name])
            for key, name in (("00", "creation_timestamp"), ("01", "expiration_timestamp"))
            if payee.get(name)
        ]
        return [("99", serialise(stamps, "99"))] if stamps else []
