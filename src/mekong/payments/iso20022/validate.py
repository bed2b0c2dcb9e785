"""Validation of messages against the official ISO 20022 XSDs bundled in ``xsd/``.

Parsing is hardened: no entity resolution, no DTD loading, no network, no huge trees; the same
parser reads messages that come from outside (a participant's pacs.002).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from mekong.payments.iso20022.model import Iso20022Error

XSD_DIR = Path(__file__).parent / "xsd"

#: Message family → (namespace, schema file).
SCHEMAS: dict[str, tuple[str, str]] = {
    "pacs.008": ("urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08", "pacs.008.001.08.xsd"),
    "pacs.002": ("urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10", "pacs.002.001.10.xsd"),
}
_BY_NAMESPACE = {namespace: family for family, (namespace, _) in SCHEMAS.items()}

#: Messages larger than this are refused before parsing (one transaction is a few kB).
MAX_BYTES = 1_000_000


def _parser() -> Any:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@cache
def _schema(family: str) -> Any:
    _, filename = SCHEMAS[family]
    return etree.XMLSchema(etree.parse(str(XSD_DIR / filename), _parser()))


def parse_document(xml: bytes) -> Any:
    """Parse ``xml`` safely and return the root element.

    Raises:
        Iso20022Error: not bytes, too large, not well-formed or carrying a DOCTYPE.
    """
    if not isinstance(xml, bytes | bytearray):
        raise Iso20022Error("a message must be bytes")
    if len(xml) > MAX_BYTES:
        raise Iso20022Error(f"message larger than {MAX_BYTES} bytes")
    try:
        tree = etree.fromstring(bytes(xml), _parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        raise Iso20022Error(f"not well-formed XML: {exc}") from None
    if tree.docinfo.doctype:
        # A message never needs a DTD; refusing one closes the entity-expansion door for good.
        raise Iso20022Error("a DOCTYPE is not allowed in a message")
    return tree.getroot()


def schema_errors(root: Any, family: str) -> list[str]:
    """Validate a parsed root against the ``family`` schema; return readable errors (or [])."""
    namespace, _ = SCHEMAS[family]
    if etree.QName(root).namespace != namespace:
        return [f"expected a {family} document in namespace {namespace}"]
    schema = _schema(family)
    if schema.validate(root):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def _validate(xml: bytes, family: str | None) -> list[str]:
    try:
        root = parse_document(xml)
    except Iso20022Error as exc:
        return [str(exc)]
    if family is None:
        family = _BY_NAMESPACE.get(etree.QName(root).namespace or "")
        if family is None:
            return [f"not a supported message: namespace {etree.QName(root).namespace!r}"]
    return schema_errors(root, family)


def validate(xml: bytes) -> list[str]:
    """Validate a pacs.008.001.08 or pacs.002.001.10 message, chosen by its namespace.

    Returns:
        The schema errors, each with its line; an empty list when the message is valid.
    """
    return _validate(xml, None)


def validate_pacs008(xml: bytes) -> list[str]:
    """Validate ``xml`` as a pacs.008.001.08 message; return the errors (empty when valid)."""
    return _validate(xml, "pacs.008")


def validate_pacs002(xml: bytes) -> list[str]:
    """Validate ``xml`` as a pacs.002.001.10 message; return the errors (empty when valid)."""
    return _validate(xml, "pacs.002")
