"""EMVCo ID/length/value data objects: split, serialise and the nested tree.

EMV QRCPS MPM v1.1 §4.1-4.3: every data object is a two-digit ID, a two-digit length and the
value; templates (IDs 26-51, 62, 64 and 80-99) hold data objects of the same form in their
value. The length counts *characters* (code points), not UTF-8 bytes: UnionPay's MPM guide says
so explicitly and real MMQR payloads encode a 7-code-point Myanmar name (21 bytes) as ``07``.
Python slices strings by code point, so slicing is exactly right.

The splitter is a plain loop over 4-character headers: no regular expression, one slice per
object. ``str.isdigit`` alone would accept non-ASCII digits (``"٣"``), so ASCII is checked too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from mekong.payments.qr.errors import QrError

#: Two digits of length: no value may be longer (EMVCo §4.2).
MAX_VALUE_LENGTH = 99


def _name(parent: str, tag: str) -> str:
    return f"{parent}/{tag}" if parent else tag


def _header_error(text: str, pos: int, parent: str) -> QrError:
    """The precise error for a malformed header (kept off the fast path)."""
    tag = text[pos : pos + 2]
    length = text[pos + 2 : pos + 4]
    if len(length) < 2:
        return QrError(_name(parent, tag or "??"), f"truncated data object header at offset {pos}")
    if not (tag.isascii() and tag.isdigit()):
        return QrError(_name(parent, tag), f"ID is not two digits (offset {pos})")
    return QrError(_name(parent, tag), f"length {length!r} is not two digits")


def split(text: str, parent: str = "") -> list[tuple[str, str]]:
    """Split `text` into ``(id, value)`` pairs in payload order.

    Args:
        text: a payload, or the value of a template.
        parent: the path of the template being split (``"62"``), used to name errors.

    Raises:
        QrError: a header is truncated or not digits, a length runs past the end, or a value is
            empty (EMVCo §4.2: a data object without a value is left out, never ``00``).
    """
    items: list[tuple[str, str]] = []
    append = items.append
    pos = 0
    end = len(text)
    while pos < end:
        start = pos + 4
        header = text[pos:start]
        # One check for ID and length together; the error path finds out which is wrong.
        if not (len(header) == 4 and header.isascii() and header.isdigit()):
            raise _header_error(text, pos, parent)
        stop = start + int(header[2:])
        if stop > end or stop == start:
            tag = _name(parent, header[:2])
            if stop == start:
                raise QrError(tag, "empty value (length 00)")
            raise QrError(
                tag, f"length {header[2:]} runs past the end ({end - start} characters left)"
            )
        append((header[:2], text[start:stop]))
        pos = stop
    return items


def data_object(tag: str, value: str, parent: str = "") -> str:
    """Serialise one data object.

    Raises:
        QrError: the ID is not two digits, or the value is empty or longer than 99 characters.
    """
    if not (len(tag) == 2 and tag.isascii() and tag.isdigit()):
        raise QrError(_name(parent, tag), "ID is not two digits")
    length = len(value)
    if not 0 < length <= MAX_VALUE_LENGTH:
        raise QrError(_name(parent, tag), f"value length {length} is outside 1-99 characters")
    return f"{tag}{length:02d}{value}"


def serialise(items: Iterable[tuple[str, str]], parent: str = "") -> str:
    """Serialise ``(id, value)`` pairs in the order given."""
    return "".join([data_object(tag, value, parent) for tag, value in items])


class DataObject(NamedTuple):
    """One decoded data object (a named tuple: cheap to build, immutable).

    Attributes:
        tag: the two-digit ID.
        value: the raw value, exactly as in the payload.
        children: the nested objects when this is a template that parsed as TLV, else None
            (primitive objects, and unknown templates whose value is not TLV: kept raw).
    """

    tag: str
    value: str
    children: tuple[DataObject, ...] | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form: ``{"tag", "value"}`` plus ``"children"`` for parsed templates."""
        out: dict[str, object] = {"tag": self.tag, "value": self.value}
        if self.children is not None:
            out["children"] = [child.to_dict() for child in self.children]
        return out


#: Root IDs that EMVCo defines as templates (§4.4: 26-51, 62, 64, 80-99).
TEMPLATE_IDS = frozenset(f"{n:02d}" for n in (*range(26, 52), 62, 64, *range(80, 100)))


def is_template(tag: str) -> bool:
    """Whether EMVCo defines root ID `tag` as a template."""
    return tag in TEMPLATE_IDS


def subfields(obj: DataObject, parent: str) -> dict[str, str]:
    """Return the children of a template as ``{id: value}``, re-raising its parse error.

    Args:
        obj: a template whose children are needed (a scheme's account template, 62, 64, 99).
        parent: the path used to name errors.

    Raises:
        QrError: the value is not TLV, or an ID appears twice (EMVCo §4.3: IDs are unique
            within a template).
    """
    pairs = (
        split(obj.value, parent)
        if obj.children is None
        else [(child.tag, child.value) for child in obj.children]
    )
    out: dict[str, str] = {}
    for tag, value in pairs:
        if tag in out:
            raise QrError(_name(parent, tag), "appears twice")
        out[tag] = value
    return out


def tree_to_dicts(objects: Iterable[DataObject]) -> list[dict[str, object]]:
    """JSON-ready form of a list of data objects."""
    return [obj.to_dict() for obj in objects]


def flat(mapping: Mapping[str, str]) -> list[tuple[str, str]]:
    """``(id, value)`` pairs of a mapping in ascending ID order (the order encoders write)."""
    return sorted(mapping.items())
