"""Salted field hashes for selective disclosure (the OpenAttestation "wrap" idea, over JCS).

Every leaf of the document data (a string, number, boolean, null, or an empty object or
array) is addressed by its JSON pointer (RFC 6901) and gets a random 128-bit salt. Its
**field hash** is ``SHA-256(JCS([salt, pointer, value]))``; the pointer binds the value to its
place, the salt stops anyone guessing a hidden value from its hash. The **document hash** is
``SHA-256(JCS(sorted field hashes))`` over the visible fields' hashes plus the hashes of the
hidden ones (``obfuscated``). Hiding a field moves its hash into ``obfuscated`` and drops its
value and salt: the document hash, hence the issuer's signature, still verify.

Differences from OpenAttestation v2 (see docs/modules/customs.md): SHA-256 instead of keccak,
RFC 8785 instead of ``JSON.stringify``, 16-byte hex salts instead of UUIDs (shorter QR-able
documents), and array items are never removed (their indices are part of the pointers): an
item whose fields are all hidden stays as an empty object, which carries no data and is not
hashed.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from mekong.customs.documents.canonical import (
    CanonicalError,
    canonical_bytes,
    canonical_scalars,
    sha256_hex,
)

__all__ = [
    "DisclosureError",
    "document_hash",
    "field_hash",
    "flatten",
    "make_salts",
    "pointer_parts",
    "redact",
]

_MAX_DEPTH = 32
_MAX_LEAVES = 10_000


class DisclosureError(ValueError):
    """The data, salts or hidden-field list are inconsistent (integrity cannot be shown)."""


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def pointer_parts(pointer: str) -> list[str]:
    """Split an RFC 6901 pointer into unescaped reference tokens.

    Raises:
        DisclosureError: If it is not a pointer (non-empty and not starting with ``/``).
    """
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise DisclosureError(f"not a JSON pointer: {pointer!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]


def flatten(
    data: Any, *, _prefix: str = "", _depth: int = 0, _in_array: bool = False
) -> dict[str, Any]:
    """Map every leaf's JSON pointer to its value.

    Empty objects and arrays are leaves, except an empty object directly inside an array: that
    is an item whose fields were all hidden (a placeholder keeping the indices stable).

    Raises:
        DisclosureError: If the data nests deeper than 32 levels or has over 10,000 leaves.
    """
    if _depth > _MAX_DEPTH:
        raise DisclosureError("the data nests too deeply")
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        if not data:
            if not _in_array:
                out[_prefix] = {}
            return out
        for key, value in data.items():
            if not isinstance(key, str):
                raise DisclosureError("object keys must be strings")
            out.update(flatten(value, _prefix=f"{_prefix}/{_escape(key)}", _depth=_depth + 1))
    elif isinstance(data, list):
        if not data:
            out[_prefix] = []
            return out
        for i, value in enumerate(data):
            out.update(flatten(value, _prefix=f"{_prefix}/{i}", _depth=_depth + 1, _in_array=True))
    else:
        out[_prefix] = data
    if len(out) > _MAX_LEAVES:
        raise DisclosureError("the data has too many fields")
    return out


def make_salts(data: Any) -> dict[str, str]:
    """A fresh random salt (32 hex digits) for every leaf of ``data``."""
    return {pointer: secrets.token_hex(16) for pointer in flatten(data)}


def field_hash(pointer: str, salt: str, value: Any) -> str:
    """The field hash ``SHA-256(JCS([salt, pointer, value]))`` in hex.

    Raises:
        DisclosureError: If the value cannot be canonicalised.
    """
    try:
        return sha256_hex(canonical_scalars((salt, pointer, value)))
    except CanonicalError as exc:
        raise DisclosureError(f"{pointer or '/'}: {exc}") from None


def _is_hex_hash(value: object) -> bool:
    return (
        isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    )


def document_hash(data: Any, salts: Mapping[str, Any], obfuscated: Iterable[Any] = ()) -> str:
    """The document hash over the visible fields and the hidden fields' hashes.

    Raises:
        DisclosureError: If a visible field has no salt, a salt names no visible field, a
            hidden hash is not 64 hex digits, or a hash occurs twice.
    """
    if not isinstance(salts, Mapping):
        raise DisclosureError("salts must be an object")
    leaves = flatten(data)
    hashes: list[str] = []
    for pointer, value in leaves.items():
        salt = salts.get(pointer)
        if not isinstance(salt, str) or not salt:
            raise DisclosureError(f"field {pointer or '/'} has no salt")
        hashes.append(field_hash(pointer, salt, value))
    extra = sorted(set(salts) - set(leaves))
    if extra:
        raise DisclosureError(f"salt for a field that is not there: {extra[0]}")
    hidden = list(obfuscated)
    for h in hidden:
        if not _is_hex_hash(h):
            raise DisclosureError("hidden-field hashes must be 64 lower-case hex digits")
    hashes.extend(hidden)
    if len(set(hashes)) != len(hashes):
        raise DisclosureError("a field hash occurs twice")
    return sha256_hex(canonical_bytes(sorted(hashes)))


def redact(
    data: Any, salts: Mapping[str, str], obfuscated: Iterable[str], pointers: Iterable[str]
) -> tuple[Any, dict[str, str], list[str]]:
    """Hide the fields at ``pointers`` (a pointer to an object or array hides all it holds).

    Returns the new data, salts and hidden-field hashes; the document hash is unchanged.
    An object member is removed (and an object or array left empty by that is removed too,
    except array items, which stay as empty objects so that later indices keep their meaning).

    Raises:
        DisclosureError: If a pointer does not exist, is the root, or names an array item's
            position directly inside an array of primitives (hide the whole array instead).
    """
    import copy

    new = copy.deepcopy(data)
    new_salts = dict(salts)
    hidden = list(obfuscated)
    leaves = flatten(data)
    for pointer in pointers:
        parts = pointer_parts(pointer)
        if not parts:
            raise DisclosureError("cannot hide the whole document")
        parent: Any = new
        try:
            for part in parts[:-1]:
                parent = parent[int(part)] if isinstance(parent, list) else parent[part]
        except (KeyError, IndexError, ValueError, TypeError):
            raise DisclosureError(f"no field {pointer}") from None
        last = parts[-1]
        if isinstance(parent, list):
            try:
                item = parent[int(last)]
            except (IndexError, ValueError):
                raise DisclosureError(f"no field {pointer}") from None
            if not isinstance(item, dict):
                raise DisclosureError(f"hide the whole array, not item {pointer}")
            parent[int(last)] = {}
        elif isinstance(parent, dict) and last in parent:
            del parent[last]
        else:
            raise DisclosureError(f"no field {pointer}")
        for leaf in list(leaves):
            if leaf == pointer or leaf.startswith(pointer + "/"):
                if leaf in new_salts:
                    hidden.append(field_hash(leaf, new_salts.pop(leaf), leaves[leaf]))
                del leaves[leaf]
        _prune(new, parts[:-1])
    # Containers emptied by hiding were leaves of nothing: drop them so that they need no salt.
    remaining = flatten(new)
    for pointer in remaining:
        if pointer not in new_salts:
            raise DisclosureError(f"hiding left an unsalted empty field at {pointer}")
    return new, new_salts, sorted(hidden)


def _prune(root: Any, parts: list[str]) -> None:
    """Remove empty objects/arrays along ``parts`` bottom-up, keeping array items in place."""
    while parts:
        parent: Any = root
        for part in parts[:-1]:
            parent = parent[int(part)] if isinstance(parent, list) else parent[part]
        last = parts[-1]
        if isinstance(parent, list):
            return  # an array item: stays (as {} if emptied)
        node = parent[last]
        if node not in ({}, []):
            return
        del parent[last]
        parts = parts[:-1]
