"""XML pieces shared by the pacs.008 and pacs.002 builders (lxml).

Text goes in through lxml's element API, never by string formatting, so ``<``, ``&`` and ``>``
in a name are escaped by the serialiser and cannot change the document's structure.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from mekong.core.currencies import currency as lookup_currency
from mekong.payments.iso20022.model import Agent, Party, clean_text

Element = Any  # lxml elements (lxml ships no type information)


def format_amount(minor: int, currency: str) -> str:
    """Write ``minor`` units of ``currency`` with its ISO 4217 exponent.

    ``format_amount(123450, "THB") == "1234.50"``, ``format_amount(50000, "VND") == "50000"``,
    ``format_amount(100000, "LAK") == "1000.00"``.
    """
    units = lookup_currency(currency).minor_units
    value = Decimal(minor).scaleb(-units)
    return f"{value:.{units}f}"


def format_datetime(value: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and ``Z`` (xs:dateTime; CBPR+ wants no more digits)."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def sub(parent: Element, tag: str, text: str | None = None, **attrib: str) -> Element:
    """Append ``<tag>`` (in the parent's namespace) with optional text and attributes."""
    # The parent's Clark-notation tag ("{namespace}Name") carries the namespace; slicing it is
    # several times cheaper than building a QName, and a payment writes ~100 elements.
    parent_tag = parent.tag
    if parent_tag[0] == "{":
        tag = parent_tag[: parent_tag.index("}") + 1] + tag
    child = etree.SubElement(parent, tag, attrib)
    if text is not None:
        child.text = text
    return child


def amount(parent: Element, tag: str, minor: int, currency: str) -> Element:
    """Append a currency-and-amount element (``<IntrBkSttlmAmt Ccy="THB">12.50</…>``)."""
    return sub(parent, tag, format_amount(minor, currency), Ccy=currency)


def agent(parent: Element, tag: str, value: Agent) -> Element:
    """Append a BranchAndFinancialInstitutionIdentification6 (``DbtrAgt``, ``InstgAgt``…)."""
    outer = sub(parent, tag)
    fin = sub(outer, "FinInstnId")
    if value.bic is not None:
        sub(fin, "BICFI", value.bic)
    if value.member_id is not None:
        member = sub(fin, "ClrSysMmbId")
        if value.clearing_system is not None:
            sub(sub(member, "ClrSysId"), "Prtry", value.clearing_system)
        sub(member, "MmbId", value.member_id)
    name = clean_text(value.name, 140)
    if name is not None:
        sub(fin, "Nm", name)
    return outer


def party(parent: Element, tag: str, value: Party) -> Element:
    """Append a PartyIdentification135 (``Dbtr``, ``Cdtr``): name and country of residence."""
    outer = sub(parent, tag)
    name = clean_text(value.name, 140)
    if name is not None:
        sub(outer, "Nm", name)
    if value.country is not None:
        sub(outer, "CtryOfRes", value.country)
    return outer


def account(parent: Element, tag: str, value: Party) -> Element | None:
    """Append a CashAccount38 (``DbtrAcct``, ``CdtrAcct``) if the party has an account."""
    if value.account is None:
        return None
    outer = sub(parent, tag)
    sub(sub(sub(outer, "Id"), "Othr"), "Id", value.account)
    if value.proxy_type is not None and value.proxy_id is not None:
        proxy = sub(outer, "Prxy")
        sub(sub(proxy, "Tp"), "Cd", value.proxy_type)
        sub(proxy, "Id", value.proxy_id)
    return outer


def serialise(root: Element) -> bytes:
    """UTF-8 bytes with an XML declaration (no pretty-printing: what is signed is what is sent)."""
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data
