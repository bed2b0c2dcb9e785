"""XML pieces shared by the pacs.008 and pacs.002 builders: escaped string writers.

Every text and attribute value goes through `text` / `attr`, which escape it exactly as
lxml's serialiser does (``&``, ``<``, ``>`` and a carriage return in text; also ``"``, tab
and newline in attributes) and refuse what XML 1.0 cannot carry, as lxml refuses it. So a
``<`` or ``&`` in a name cannot change the document's structure, and parsing a built document
and serialising it again with lxml gives back the same bytes (tested). Strings, not lxml
elements: a payment writes ~100 elements, and building them as lxml nodes cost about 5 % of a
server's CPU per payment (docs/benchmarks.md).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from mekong.core.currencies import currency as lookup_currency
from mekong.payments.iso20022.model import NOT_XML, Agent, Party, clean_text

#: The XML declaration lxml writes for ``xml_declaration=True, encoding="UTF-8"``.
DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"

# What the serialiser escapes in text, and what XML cannot carry (lxml raises for those).
_TEXT_SPECIAL = re.compile(f"[&<>\r]|{NOT_XML.pattern}")
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
    }
)


def _checked(value: str) -> str:
    if NOT_XML.search(value):
        raise ValueError("All strings must be XML compatible: no NULL bytes or control characters")
    return value


def text(value: str) -> str:
    """``value`` escaped as element text."""
    if _TEXT_SPECIAL.search(value) is None:
        return value  # the common case: ids, amounts, codes, most names
    return _checked(value).translate(_TEXT_ESCAPES)


def attr(value: str) -> str:
    """``value`` escaped for a double-quoted attribute."""
    return _checked(value).translate(_ATTR_ESCAPES)


def el(tag: str, value: str) -> str:
    """``<tag>value</tag>`` with ``value`` escaped."""
    return f"<{tag}>{text(value)}</{tag}>"


def wrap(tag: str, inner: str) -> str:
    """``<tag>inner</tag>`` around already-built children, or ``<tag/>`` when there are none,
    as lxml writes an empty element (a party whose name cleans away to nothing)."""
    return f"<{tag}>{inner}</{tag}>" if inner else f"<{tag}/>"


def document(namespace: str, body: str) -> bytes:
    """The UTF-8 bytes of a ``Document`` in ``namespace`` holding ``body`` (already built),
    with an XML declaration and no pretty-printing: what is signed is what is sent."""
    return f'{DECLARATION}<Document xmlns="{attr(namespace)}">{body}</Document>'.encode()


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


def amount(tag: str, minor: int, currency: str) -> str:
    """A currency-and-amount element (``<IntrBkSttlmAmt Ccy="THB">12.50</…>``)."""
    return f'<{tag} Ccy="{attr(currency)}">{text(format_amount(minor, currency))}</{tag}>'


def agent(tag: str, value: Agent) -> str:
    """A BranchAndFinancialInstitutionIdentification6 (``DbtrAgt``, ``InstgAgt``…)."""
    parts = []
    if value.bic is not None:
        parts.append(el("BICFI", value.bic))
    if value.member_id is not None:
        system = ""
        if value.clearing_system is not None:
            system = f"<ClrSysId>{el('Prtry', value.clearing_system)}</ClrSysId>"
        parts.append(f"<ClrSysMmbId>{system}{el('MmbId', value.member_id)}</ClrSysMmbId>")
    name = clean_text(value.name, 140)
    if name is not None:
        parts.append(el("Nm", name))
    return f"<{tag}>{wrap('FinInstnId', ''.join(parts))}</{tag}>"


def party(tag: str, value: Party) -> str:
    """A PartyIdentification135 (``Dbtr``, ``Cdtr``): name and country of residence."""
    name = clean_text(value.name, 140)
    inner = "" if name is None else el("Nm", name)
    if value.country is not None:
        inner += el("CtryOfRes", value.country)
    return wrap(tag, inner)


def account(tag: str, value: Party) -> str:
    """A CashAccount38 (``DbtrAcct``, ``CdtrAcct``), or nothing if the party has no account."""
    if value.account is None:
        return ""
    proxy = ""
    if value.proxy_type is not None and value.proxy_id is not None:
        proxy = f"<Prxy><Tp>{el('Cd', value.proxy_type)}</Tp>{el('Id', value.proxy_id)}</Prxy>"
    return f"<{tag}><Id><Othr>{el('Id', value.account)}</Othr></Id>{proxy}</{tag}>"
