"""Any other EMVCo merchant-presented payload (scheme ``emvco``).

EMV QRCPS MPM v1.1 §3.3 table 3.1 makes these root objects mandatory: 00, at least one merchant
account information object (02-51), 52, 53, 58, 59, 60 and 63. Card-network IDs 02-25 are
primitive values; 26-51 are templates whose sub-object 00 is a globally unique identifier.
"""

from __future__ import annotations

from collections.abc import Mapping

from mekong.payments.qr.errors import QrError
from mekong.payments.qr.schemes.base import Payee, Profile, Root, guid_of, required
from mekong.payments.qr.tlv import serialise


def account_tags(root: Root) -> list[str]:
    """Root IDs 02-51 present, in ID order."""
    return [tag for tag in sorted(root) if 2 <= int(tag) <= 51]


class Emvco(Profile):
    """Generic EMVCo MPM.

    Payee: ``account_tag`` (the first merchant account ID present), ``guid`` (its sub-object
    00 for a template), ``account`` (sub-object 01 of a template, or the primitive value).
    Everything else is in ``tlv``.
    """

    scheme = "emvco"
    mandatory = ("52", "53", "58", "59", "60")

    def account_tag(self, root: Root) -> str | None:
        """The first merchant account ID present (every payload reaching here has one)."""
        tags = account_tags(root)
        return tags[0] if tags else None

    def payee(self, root: Root, tag: str) -> Payee:
        """Report the first merchant account object."""
        obj = root[tag]
        if int(tag) < 26:
            return {"account_tag": tag, "guid": None, "account": obj.value}
        account = None
        if obj.children:
            account = next((c.value for c in obj.children if c.tag == "01"), None)
        return {"account_tag": tag, "guid": guid_of(obj), "account": account}

    def payee_objects(self, payee: Mapping[str, str]) -> list[tuple[str, str]]:
        """One merchant account object: ``account_tag`` (default 26) with ``guid``/``account``.

        IDs 02-25 are primitive (the ``account`` value); 26-51 are templates {00 guid,
        01 account}.
        """
        tag = payee.get("account_tag") or "26"
        if not (len(tag) == 2 and tag.isascii() and tag.isdigit() and 2 <= int(tag) <= 51):
            raise QrError(tag, "a merchant account ID is between 02 and 51")
        if int(tag) < 26:
            return [(tag, required(payee, "account", tag))]
        items = [("00", required(payee, "guid", f"{tag}/00"))]
        if payee.get("account"):
            items.append(("01", payee["account"]))
        return [(tag, serialise(items, tag))]
