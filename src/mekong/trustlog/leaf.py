"""The Mekong log's leaf format: the exact bytes that are hashed into the Merkle tree.

Pure, standard library only, so it can be vendored with `merkle`, `note` and `receipt` to
check receipts offline. The decision and its reasons are in docs/adr/0008-merkle-leaf-format.md.

A leaf (version 1) is, all integers big-endian::

    uint8   version        = 0x01
    uint64  index          position of the entry in the log (0-based)
    uint64  timestamp_us   time of the append, microseconds since 1970-01-01T00:00:00Z
    uint8   kind_length    1..64
    byte    kind[kind_length]        ASCII, see `KIND_PATTERN`
    uint32  payload_length
    byte    payload[payload_length]  opaque bytes chosen by the anchoring module

Every field has exactly one encoding and the lengths must account for every byte, so two
different entries never share leaf bytes (and so never share a leaf hash, barring SHA-256
collisions). The Merkle leaf hash is RFC 9162's ``SHA-256(0x00 || leaf)``.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from mekong.trustlog.merkle import leaf_hash

__all__ = [
    "KIND_PATTERN",
    "LEAF_VERSION",
    "MAX_INDEX",
    "MAX_PAYLOAD",
    "LeafFormatError",
    "LeafV1",
    "decode_leaf",
    "encode_leaf",
    "encode_leaves",
    "entry_leaf_hash",
]

LEAF_VERSION = 1
"""The only leaf version so far."""

MAX_PAYLOAD = 1 << 20
"""Largest payload in bytes (1 MiB): the log records digests and small documents, not files."""

MAX_INDEX = (1 << 62) - 1
"""Largest entry index: storage numbers tree nodes in signed 64-bit integers (2 per leaf)."""

KIND_PATTERN = re.compile(r"[a-z][a-z0-9_.-]{0,63}")
"""An entry kind: lowercase ASCII, e.g. ``payments.transfer`` or ``customs.certificate``."""

_HEAD = struct.Struct(">BQQB")  # version, index, timestamp_us, kind_length
_LEN = struct.Struct(">I")
_MAX_U64 = (1 << 64) - 1


class LeafFormatError(ValueError):
    """Leaf bytes or entry fields that do not form a valid version 1 leaf."""


@dataclass(frozen=True, slots=True)
class LeafV1:
    """The decoded fields of a version 1 leaf."""

    index: int
    timestamp_us: int
    kind: str
    payload: bytes


def _uint(value: object, limit: int) -> bool:
    # bool is an int subclass; True as an index is a caller bug, not index 1.
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= limit


def _check(index: object, timestamp_us: object, kind: object, payload: object) -> bytes:
    # Arguments are typed `object`: callers pass decoded JSON, which may be anything.
    if not _uint(index, MAX_INDEX):
        raise LeafFormatError("index must be an integer in 0 .. 2**62 - 1")
    if not _uint(timestamp_us, _MAX_U64):
        raise LeafFormatError("timestamp_us must be an unsigned 64-bit integer")
    if not isinstance(kind, str) or not KIND_PATTERN.fullmatch(kind):
        raise LeafFormatError("kind must match [a-z][a-z0-9_.-]{0,63}")
    if not isinstance(payload, bytes | bytearray | memoryview):
        raise LeafFormatError("payload must be bytes")
    data = bytes(payload)
    if len(data) > MAX_PAYLOAD:
        raise LeafFormatError(f"payload is larger than {MAX_PAYLOAD} bytes")
    return data


def encode_leaf(index: int, timestamp_us: int, kind: str, payload: bytes) -> bytes:
    """Return the version 1 leaf bytes of an entry.

    Raises:
        LeafFormatError: If a field is out of range (see the module docstring).
    """
    data = _check(index, timestamp_us, kind, payload)
    kind_bytes = kind.encode("ascii")
    return b"".join(
        (
            _HEAD.pack(LEAF_VERSION, index, timestamp_us, len(kind_bytes)),
            kind_bytes,
            _LEN.pack(len(data)),
            data,
        )
    )


def encode_leaves(
    first_index: int, timestamp_us: int, items: Sequence[tuple[object, object]]
) -> list[bytes]:
    """Encode a batch of entries at consecutive indexes sharing one timestamp.

    Same bytes as `encode_leaf` for each item, several times faster: each distinct kind is
    validated once and the fixed header is packed once per kind.

    Raises:
        LeafFormatError: If any field is out of range (nothing is returned then).
    """
    if not _uint(first_index, MAX_INDEX) or not _uint(first_index + len(items) - 1, MAX_INDEX):
        raise LeafFormatError("index must be an integer in 0 .. 2**62 - 1")
    if not _uint(timestamp_us, _MAX_U64):
        raise LeafFormatError("timestamp_us must be an unsigned 64-bit integer")
    stamp = timestamp_us.to_bytes(8, "big")
    kinds: dict[object, bytes] = {}
    out: list[bytes] = []
    append = out.append
    for offset, (kind, payload) in enumerate(items):
        tail = kinds.get(kind)
        if tail is None:
            if not isinstance(kind, str) or not KIND_PATTERN.fullmatch(kind):
                raise LeafFormatError("kind must match [a-z][a-z0-9_.-]{0,63}")
            tail = stamp + bytes([len(kind)]) + kind.encode("ascii")
            kinds[kind] = tail
        if not isinstance(payload, bytes):
            payload = _check(0, 0, "k", payload)  # raises unless bytearray/memoryview
        if len(payload) > MAX_PAYLOAD:
            raise LeafFormatError(f"payload is larger than {MAX_PAYLOAD} bytes")
        append(
            b"\x01"
            + (first_index + offset).to_bytes(8, "big")
            + tail
            + len(payload).to_bytes(4, "big")
            + payload
        )
    return out


def decode_leaf(leaf: bytes) -> LeafV1:
    """Parse leaf bytes strictly: ``encode_leaf(*decode_leaf(b))`` gives back ``b``.

    Raises:
        LeafFormatError: If the bytes are not exactly one valid version 1 leaf.
    """
    if not isinstance(leaf, bytes | bytearray | memoryview):
        raise LeafFormatError("a leaf is bytes")
    raw = bytes(leaf)
    if len(raw) < _HEAD.size:
        raise LeafFormatError("leaf is shorter than its header")
    version, index, timestamp_us, kind_len = _HEAD.unpack_from(raw)
    if version != LEAF_VERSION:
        raise LeafFormatError(f"unknown leaf version {version}")
    pos = _HEAD.size
    kind_raw = raw[pos : pos + kind_len]
    pos += kind_len
    if len(kind_raw) != kind_len or len(raw) < pos + _LEN.size:
        raise LeafFormatError("leaf is truncated")
    (payload_len,) = _LEN.unpack_from(raw, pos)
    pos += _LEN.size
    if len(raw) != pos + payload_len:
        raise LeafFormatError("payload length does not match the leaf length")
    try:
        kind = kind_raw.decode("ascii")
    except UnicodeDecodeError:
        raise LeafFormatError("kind is not ASCII") from None
    payload = raw[pos:]
    _check(index, timestamp_us, kind, payload)
    return LeafV1(index, timestamp_us, kind, payload)


def entry_leaf_hash(index: int, timestamp_us: int, kind: str, payload: bytes) -> bytes:
    """Return the RFC 9162 leaf hash of an entry: ``SHA-256(0x00 || encode_leaf(...))``."""
    return leaf_hash(encode_leaf(index, timestamp_us, kind, payload))
