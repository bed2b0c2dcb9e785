"""The API token format: ``mkt_<prefix>_<secret>``.

The prefix (8 url-safe characters) is stored in clear to find the row; only the SHA-256 digest
of the whole token is stored. Knowing the prefix gives nothing: the secret carries 256 bits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_TAG = "mkt"  # noqa: S105 - a public format tag, not a secret
PREFIX_LEN = 8


def token_generate() -> tuple[str, str, str]:
    """Return ``(token, prefix, digest)`` for a new random token."""
    prefix = secrets.token_hex(PREFIX_LEN // 2)
    secret = secrets.token_urlsafe(32)
    token = f"{TOKEN_TAG}_{prefix}_{secret}"
    return token, prefix, token_digest(token)


def token_digest(token: str) -> str:
    """SHA-256 hex digest of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_prefix(token: str) -> str | None:
    """Extract the prefix of a well-formed token, or None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_TAG or len(parts[1]) != PREFIX_LEN or not parts[2]:
        return None
    return parts[1]


def token_matches(token: str, digest: str) -> bool:
    """Compare a presented token with a stored digest in constant time."""
    return hmac.compare_digest(token_digest(token), digest)
