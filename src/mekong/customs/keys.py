"""Authority private keys at rest: AES-256-GCM under a key derived from a server secret.

The secret is ``MEKONG_CUSTOMS_KEY_SECRET`` (environment). Without it: the file
``$MEKONG_VAR_DIR/customs/key_secret`` if it exists; with ``DEBUG`` on (or when the demo seed
asks) it is generated there. Otherwise issuing fails with ``ImproperlyConfigured``, so a
production server never signs with a guessable key. Each private key is encrypted under
HKDF-SHA256(secret, info = "mekong customs key " + key id); the key id is the associated data,
so an encrypted key cannot be swapped onto another key row.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ENV = "MEKONG_CUSTOMS_KEY_SECRET"


def _secret_file() -> Path:
    return Path(settings.VAR_DIR) / "customs" / "key_secret"


def ensure_local_secret() -> None:
    """Create the local secret file if no secret is configured (demo and development)."""
    if os.environ.get(ENV):
        return
    path = _secret_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)


def _secret() -> bytes:
    value = os.environ.get(ENV, "")
    if value:
        return value.encode()
    path = _secret_file()
    if not path.exists() and settings.DEBUG:
        ensure_local_secret()
    if path.exists():
        return path.read_text().strip().encode()
    raise ImproperlyConfigured(
        f"{ENV} is not set: set it to a long random value (customs authority keys are "
        "encrypted with it), or DEBUG=true for local development"
    )


def _aead(key_id: str) -> AESGCM:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"mekong customs key " + key_id.encode(),
    )
    return AESGCM(hkdf.derive(_secret()))


def encrypt_private_key(key: Ed25519PrivateKey, key_id: str) -> str:
    """Encrypt a private key for storage: base64(nonce || ciphertext)."""
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    nonce = os.urandom(12)
    return base64.b64encode(nonce + _aead(key_id).encrypt(nonce, raw, key_id.encode())).decode()


def decrypt_private_key(blob: str, key_id: str) -> Ed25519PrivateKey:
    """Decrypt a stored private key (raises ``cryptography.exceptions.InvalidTag`` if the
    secret is not the one it was stored under)."""
    data = base64.b64decode(blob)
    raw = _aead(key_id).decrypt(data[:12], data[12:], key_id.encode())
    return Ed25519PrivateKey.from_private_bytes(raw)
