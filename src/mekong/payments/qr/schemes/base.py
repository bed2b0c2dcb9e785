"""What a national scheme profile is, and helpers shared by the profiles.

A profile knows where its merchant account template lives (tag and globally unique identifier,
EMVCo §4.5), which root objects its scheme makes mandatory, its country and currencies, how to
read and check the payee from the template, and how to write it back for the encoder.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from mekong.payments.qr.errors import QrError
from mekong.payments.qr.tlv import DataObject, split, subfields

Root = Mapping[str, DataObject]
Payee = dict[str, str | None]


def guid_of(obj: DataObject) -> str | None:
    """Sub-object 00 (globally unique identifier, EMVCo §4.5) of a parsed template, or None."""
    if obj.children:
        for child in obj.children:
            if child.tag == "00":
                return child.value
    return None


def parse_children(obj: DataObject, path: str) -> DataObject:
    """`obj` with its value parsed as nested objects, or unchanged when the value is not TLV.

    The parse error is not lost: `subfields` re-raises it when the children are needed.
    """
    try:
        pairs = split(obj.value, path)
    except QrError:
        return obj
    return DataObject(obj.tag, obj.value, tuple([DataObject(t, v) for t, v in pairs]))


def required(payee: Mapping[str, str], key: str, tag: str) -> str:
    """Return ``payee[key]`` for the encoder, or fail naming the data object it would fill."""
    value = payee.get(key)
    if not value:
        raise QrError(tag, f"encoding needs payee {key!r}")
    return value


class Profile:
    """Base class of the scheme profiles; subclasses set the class attributes.

    Attributes:
        scheme: the name reported in ``DecodedQr.scheme``.
        account_tags: root IDs where the scheme's merchant account template may be.
        guid: the value of sub-object 00 identifying the scheme in that template.
        country: the country code required in tag 58, or None for any.
        currencies: numeric currencies allowed in tag 53 (the first is the encoder default);
            empty means any ISO 4217 currency.
        mandatory: root IDs that must be present, beyond EMVCo's 00 and 63.
        default_mcc: MCC the encoder writes when none is given (None: leave tag 52 out).
    """

    scheme: ClassVar[str]
    account_tags: ClassVar[tuple[str, ...]] = ()
    guid: ClassVar[str | None] = None
    country: ClassVar[str | None] = None
    currencies: ClassVar[tuple[str, ...]] = ()
    mandatory: ClassVar[tuple[str, ...]] = ()
    default_mcc: ClassVar[str | None] = None

    def account_tag(self, root: Root) -> str | None:
        """The root ID holding this scheme's account template, or None if the payload has none."""
        for tag in self.account_tags:
            obj = root.get(tag)
            if obj is not None and guid_of(obj) == self.guid:
                return tag
        return None

    def nest(self, obj: DataObject) -> DataObject:
        """The account template with any sub-templates parsed (default: as it is)."""
        return obj

    def payee(self, root: Root, tag: str) -> Payee:
        """Read and check the payee fields from template `tag`."""
        raise NotImplementedError

    def check(self, root: Root, *, dynamic: bool) -> None:
        """Scheme rules beyond the payee and mandatory objects (default: none)."""

    def payee_objects(self, payee: Mapping[str, str]) -> list[tuple[str, str]]:
        """Root ``(id, value)`` pairs carrying the payee, for the encoder."""
        raise NotImplementedError

    def payee_additional_data(self, payee: Mapping[str, str]) -> dict[str, str]:
        """Tag 62 sub-fields (by name) that come from the payee (default: none)."""
        return {}

    def trailing_objects(self, payee: Mapping[str, str]) -> list[tuple[str, str]]:
        """Root objects written after 64, before the CRC (default: none)."""
        return []

    def fields(self, root: Root, tag: str) -> dict[str, str]:
        """The sub-fields of template `tag` (re-raising its parse error, rejecting duplicates)."""
        return subfields(root[tag], tag)
