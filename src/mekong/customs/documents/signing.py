"""Ed25519 keys of issuing authorities: generation, key ids, signing and checking.

Public keys travel as standard base64 of the 32 raw bytes; the key id is the first 16 hex
digits of SHA-256 of those bytes, so anyone can recompute it from the trust list.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

__all__ = [
    "KeyError_",
    "generate_private_key",
    "key_id_of",
    "private_key_from_seed",
    "public_key_b64",
    "public_key_from_b64",
    "sign",
    "verify_signature",
]


class KeyError_(ValueError):  # noqa: N801 - KeyError is a builtin
    """A public key or signature is not valid base64 of the right length."""


def generate_private_key() -> Ed25519PrivateKey:
    """A new random Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def private_key_from_seed(seed: bytes) -> Ed25519PrivateKey:
    """The Ed25519 private key of a 32-byte seed."""
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of the public key."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_b64(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """Standard base64 of the raw public key, as the trust list carries it."""
    return base64.b64encode(public_raw(key)).decode("ascii")


def key_id_of(public_b64: str) -> str:
    """The key id: the first 16 hex digits of SHA-256 of the raw public key."""
    return hashlib.sha256(_unb64(public_b64, 32)).hexdigest()[:16]


def public_key_from_b64(public_b64: str) -> Ed25519PublicKey:
    """Parse a trust-list public key.

    Raises:
        KeyError_: If it is not base64 of 32 bytes.
    """
    return Ed25519PublicKey.from_public_bytes(_unb64(public_b64, 32))


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    """Sign ``message``; the signature as standard base64."""
    return base64.b64encode(key.sign(message)).decode("ascii")


def verify_signature(public_b64: str, message: bytes, signature_b64: object) -> bool:
    """True if ``signature_b64`` is a valid Ed25519 signature of ``message`` by the key."""
    if not isinstance(signature_b64, str):
        return False
    try:
        public_key_from_b64(public_b64).verify(_unb64(signature_b64, 64), message)
    except (KeyError_, InvalidSignature, ValueError):
        return False
    return True


def _unb64(text: str, length: int) -> bytes:
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError, AttributeError):
        raise KeyError_("not valid base64") from None
    if len(raw) != length:
        raise KeyError_(f"expected {length} bytes, got {len(raw)}")
    return raw
