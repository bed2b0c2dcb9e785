"""Canonical JSON (RFC 8785, JSON Canonicalization Scheme) and time stamps in documents.

Every byte string that is hashed or signed goes through `canonical_bytes`, so the same
document always gives the same bytes whatever the producer's key order or number format.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import rfc8785

__all__ = [
    "CanonicalError",
    "canonical_bytes",
    "canonical_scalars",
    "format_time",
    "parse_time",
    "sha256_hex",
]


class CanonicalError(ValueError):
    """The value cannot be canonicalised (e.g. NaN, an integer beyond IEEE 754 precision)."""


def canonical_bytes(value: Any) -> bytes:
    """RFC 8785 canonical UTF-8 bytes of a JSON value.

    Raises:
        CanonicalError: If the value holds something JSON cannot represent exactly.
    """
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError, RecursionError) as exc:
        raise CanonicalError(str(exc) or type(exc).__name__) from None


_PLAIN = (str, int, bool, type(None))


def canonical_scalars(values: tuple[Any, ...]) -> bytes:
    """JCS bytes of a JSON array of strings, integers, booleans and nulls, without the general
    serialiser: for these types Python's ``json.dumps`` without ASCII escaping and without
    spaces writes exactly the RFC 8785 form (same string escapes, lower-case ``\\u00xx``,
    integers in decimal). Falls back to `canonical_bytes` for anything else (floats, containers,
    integers beyond 2**53, strings with lone surrogates).

    Raises:
        CanonicalError: As `canonical_bytes`.
    """
    if all(type(v) in _PLAIN and (type(v) is not int or -(2**53) < v < 2**53) for v in values):
        try:
            return json.dumps(list(values), ensure_ascii=False, separators=(",", ":")).encode()
        except UnicodeEncodeError:
            pass
    return canonical_bytes(list(values))


def sha256_hex(data: bytes) -> str:
    """Lower-case hexadecimal SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def format_time(value: datetime) -> str:
    """RFC 3339 UTC with microseconds and ``Z``: the one spelling used in signed documents."""
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: object) -> datetime | None:
    """Parse an RFC 3339 time stamp; None if it is not one (the caller reports the failure)."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        return None
    return value.astimezone(UTC)
