"""C2SP signed notes (Ed25519), tlog-checkpoint bodies and tlog-cosignature/v1 cosignatures.

Pure, no Django import; depends only on the standard library and ``cryptography``.

Specifications (C2SP/C2SP at commit 5ba5ee8, https://c2sp.org):

- ``signed-note`` — note format ("Format"), signature lines and key IDs ("Signatures"),
  Ed25519 signatures ("Ed25519 signatures", type ``0x01``), verifier keys ("Verifier keys");
- ``tlog-checkpoint`` — the note text of a checkpoint ("Note text");
- ``tlog-cosignature`` — Ed25519 cosignatures (type ``0x04``): key ID ("Format"), the
  ``timestamped_signature`` payload and the "Ed25519 signed message".

Signer keys use the ``PRIVATE+KEY+<name>+<hex key ID>+<base64(type || seed)>`` encoding of
golang.org/x/mod/sumdb/note, the de facto format for signed-note private keys; the C2SP specs
do not define one. Every parse error is a subclass of `NoteError` (itself a `ValueError`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, Self

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "MAX_SIGNATURES",
    "MAX_TIMESTAMP",
    "SIG_TYPE_COSIGNATURE_V1",
    "SIG_TYPE_ED25519",
    "Checkpoint",
    "CosignatureSigner",
    "KeyFormatError",
    "MalformedCheckpointError",
    "MalformedNoteError",
    "Note",
    "NoteError",
    "NoteSigner",
    "Signature",
    "SignatureVerificationError",
    "Signer",
    "UnverifiedNoteError",
    "VerifiedNote",
    "VerifiedSignature",
    "VerifierKey",
    "add_signatures",
    "cosignature_message",
    "generate_cosigner_key",
    "generate_key",
    "key_id",
    "open_checkpoint",
    "open_note",
    "parse_note",
    "sign_note",
]

SIG_TYPE_ED25519 = 0x01
"""signed-note signature type: Ed25519 over the note text."""

SIG_TYPE_COSIGNATURE_V1 = 0x04
"""signed-note signature type: timestamped Ed25519 checkpoint cosignature (tlog-cosignature)."""

MAX_SIGNATURES = 100
"""Most signature lines accepted in one note (signed-note: verifiers MUST accept >= 16)."""

MAX_TIMESTAMP = 2**63 - 1
"""Largest cosignature timestamp (tlog-cosignature: it "MUST NOT exceed 2^63 - 1")."""

_SIG_LINE_PREFIX = "\u2014 "  # em dash, space
_ED25519_SIG_SIZE = 64
_ED25519_KEY_SIZE = 32
_SUPPORTED_TYPES = (SIG_TYPE_ED25519, SIG_TYPE_COSIGNATURE_V1)
# signed-note: no ASCII control characters other than newline.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_KEY_ID_HEX = re.compile(r"[0-9a-f]{8}")
# tlog-checkpoint: "ASCII decimal ... with no leading zeroes (unless the tree is empty)".
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_MAX_TREE_SIZE = 2**64 - 1


class NoteError(ValueError):
    """Base class of every signed-note, key and checkpoint error in this module."""


class MalformedNoteError(NoteError):
    """The note is not syntactically a signed note (encoding, layout, signature lines)."""


class SignatureVerificationError(NoteError):
    """A signature whose key name and ID match a known key failed to verify.

    signed-note: "If a signature from a known key fails to verify, clients SHOULD reject the
    whole note"; tlog-witness answers 403 in that case.
    """


class UnverifiedNoteError(NoteError):
    """No signature from a known key: signed-note says clients "MUST reject the note".

    Attributes:
        note: The parsed, unverified note, for diagnostics only.
    """

    def __init__(self, note: Note) -> None:
        super().__init__("note has no verifiable signatures")
        self.note = note


class KeyFormatError(NoteError):
    """A verifier or signer key string, key name or key material is invalid."""


class MalformedCheckpointError(NoteError):
    """A note text is not a valid tlog-checkpoint body."""


# --------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------


def _check_key_name(name: object) -> str:
    # signed-note "Format": key names MUST be non-empty and MUST NOT contain any Unicode
    # spaces or plus (U+002B) characters. Control characters cannot appear in a note either.
    if (
        not isinstance(name, str)
        or not name
        or "+" in name
        or any(c.isspace() for c in name)
        or _CONTROL.search(name)
    ):
        raise KeyFormatError(f"invalid key name {name!r}")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise KeyFormatError("key name is not valid UTF-8") from exc
    return name


def key_id(name: str, sig_type: int, public_key: bytes) -> int:
    """Return the signed-note key ID ``SHA-256(name || 0x0A || type || public key)[:4]``.

    signed-note "Signatures" (RECOMMENDED derivation, REQUIRED for Ed25519 type 0x01) and
    tlog-cosignature "Format" (MUST, with type 0x04).

    Args:
        name: The key name.
        sig_type: The signature type byte (0x01 or 0x04 here).
        public_key: The 32-byte Ed25519 public key.

    Returns:
        The key ID as an unsigned 32-bit integer (big-endian interpretation of the 4 bytes).
    """
    _check_key_name(name)
    digest = hashlib.sha256(
        name.encode("utf-8") + b"\n" + bytes([sig_type]) + bytes(public_key)
    ).digest()
    return int.from_bytes(digest[:4], "big")


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise ValueError("invalid base64") from exc


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class VerifierKey:
    """A verifier key: a key name, a signature type and an Ed25519 public key.

    Text form (signed-note "Verifier keys"): ``<name>+<hex key ID>+<base64(type || key)>``.
    Type 0x01 verifies plain note signatures; type 0x04 verifies tlog-cosignature/v1
    cosignatures ("Ed25519 public keys MAY be encoded as vkeys with signature type 0x04").

    Invariant: ``key_id == key_id(name, sig_type, public_key)``.
    """

    name: str
    sig_type: int
    public_key: bytes
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        _check_key_name(self.name)
        if self.sig_type not in _SUPPORTED_TYPES:
            raise KeyFormatError(f"unsupported signature type 0x{self.sig_type:02x}")
        if not isinstance(self.public_key, bytes) or len(self.public_key) != _ED25519_KEY_SIZE:
            raise KeyFormatError("an Ed25519 public key is 32 bytes")
        object.__setattr__(self, "key_id", key_id(self.name, self.sig_type, self.public_key))

    @classmethod
    def parse(cls, vkey: str) -> VerifierKey:
        """Parse a verifier key string.

        The key ID in the string must equal the one derived from the name, type and key: a
        vkey whose ID does not match could never verify a signature, so it is a typo or an
        attack, and rejecting it early gives a clearer error.

        Raises:
            KeyFormatError: If the string is not a valid Ed25519 (0x01) or cosignature
                (0x04) verifier key.
        """
        if not isinstance(vkey, str):
            raise KeyFormatError("a verifier key is a string")
        # Key names contain no "+", the ID is hex; only the base64 part may contain "+".
        parts = vkey.split("+", 2)
        if len(parts) != 3 or not _KEY_ID_HEX.fullmatch(parts[1]):
            raise KeyFormatError("verifier key must be <name>+<8 hex digits>+<base64>")
        name, hex_id, material = parts
        try:
            raw = _b64decode(material)
        except ValueError as exc:
            raise KeyFormatError("verifier key material is not base64") from exc
        if len(raw) != 1 + _ED25519_KEY_SIZE:
            raise KeyFormatError("verifier key material must be a type byte and 32 bytes")
        key = cls(name, raw[0], raw[1:])
        if key.key_id != int(hex_id, 16):
            raise KeyFormatError("verifier key ID does not match the key")
        return key

    def encode(self) -> str:
        """Return the verifier key string ``<name>+<hex key ID>+<base64(type || key)>``."""
        material = _b64encode(bytes([self.sig_type]) + self.public_key)
        return f"{self.name}+{self.key_id:08x}+{material}"

    def __str__(self) -> str:
        return self.encode()

    def verify(self, text: str, signature: bytes) -> bool:
        """Check one signature (the bytes after the 4-byte key ID) over a note text.

        Type 0x01: ``signature`` is a 64-byte Ed25519 signature of the note text.
        Type 0x04: ``signature`` is a ``timestamped_signature`` — ``u64 timestamp`` big-endian
        then the 64-byte Ed25519 signature of `cosignature_message` (tlog-cosignature).

        Returns:
            True if valid; False otherwise, including for a wrong length or a timestamp above
            ``2**63 - 1``.
        """
        try:
            message = text.encode("utf-8")
            if self.sig_type == SIG_TYPE_COSIGNATURE_V1:
                if len(signature) != 8 + _ED25519_SIG_SIZE:
                    return False
                timestamp = int.from_bytes(signature[:8], "big")
                if timestamp > MAX_TIMESTAMP:
                    return False
                message = cosignature_message(text, timestamp)
                signature = signature[8:]
            elif len(signature) != _ED25519_SIG_SIZE:
                return False
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(bytes(signature), message)
        except (InvalidSignature, ValueError, TypeError):
            return False
        return True


class Signer(Protocol):
    """Anything that signs note texts: `NoteSigner` or `CosignatureSigner`."""

    @property
    def name(self) -> str:
        """The key name written in the signature line."""
        ...

    def sign(self, text: str) -> Signature:
        """Return a signature over the note text."""
        ...


class _Ed25519Signer:
    """Shared key handling of the two signer kinds; never prints the private key."""

    sig_type: ClassVar[int] = SIG_TYPE_ED25519
    accepted_skey_types: ClassVar[tuple[int, ...]] = (SIG_TYPE_ED25519,)

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        """Wrap an Ed25519 private key under a key name.

        Raises:
            KeyFormatError: If the name is invalid.
        """
        self._name = _check_key_name(name)
        self._private_key = private_key
        public = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self._verifier = VerifierKey(name, self.sig_type, public)

    @property
    def name(self) -> str:
        """The key name."""
        return self._name

    @property
    def key_id(self) -> int:
        """The key ID for this signer's signature type."""
        return self._verifier.key_id

    @property
    def verifier(self) -> VerifierKey:
        """The matching verifier key (publish ``verifier.encode()``)."""
        return self._verifier

    @classmethod
    def generate(cls, name: str) -> Self:
        """Create a signer with a fresh random Ed25519 key."""
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_skey(cls, skey: str) -> Self:
        """Load a signer from ``PRIVATE+KEY+<name>+<hex key ID>+<base64(type || seed)>``.

        Raises:
            KeyFormatError: If the string is malformed, the type is not accepted by this
                signer kind, or the key ID does not match.
        """
        if not isinstance(skey, str):
            raise KeyFormatError("a signer key is a string")
        parts = skey.split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise KeyFormatError("signer key must be PRIVATE+KEY+<name>+<hex ID>+<base64>")
        _, _, name, hex_id, material = parts
        if not _KEY_ID_HEX.fullmatch(hex_id):
            raise KeyFormatError("signer key ID must be 8 lowercase hex digits")
        try:
            raw = _b64decode(material)
        except ValueError as exc:
            raise KeyFormatError("signer key material is not base64") from exc
        if len(raw) != 1 + _ED25519_KEY_SIZE or raw[0] not in cls.accepted_skey_types:
            raise KeyFormatError("signer key material must be an accepted type and a seed")
        private_key = Ed25519PrivateKey.from_private_bytes(raw[1:])
        public = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        if key_id(name, raw[0], public) != int(hex_id, 16):
            raise KeyFormatError("signer key ID does not match the key")
        return cls(name, private_key)

    def encode_skey(self) -> str:
        """Return the secret signer key string (store it like a password)."""
        seed = self._private_key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        material = _b64encode(bytes([self.sig_type]) + seed)
        return f"PRIVATE+KEY+{self._name}+{self.key_id:08x}+{material}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._verifier.encode()!r})"


class NoteSigner(_Ed25519Signer):
    """Signs note texts with Ed25519, signature type 0x01 (signed-note "Ed25519 signatures").

    The log signs its checkpoints with one of these.
    """

    def sign(self, text: str) -> Signature:
        """Sign a note text (which must be valid, see `sign_note`)."""
        _check_note_text(text)
        sig = self._private_key.sign(text.encode("utf-8"))
        return Signature(self._name, self.key_id, sig)


class CosignatureSigner(_Ed25519Signer):
    """Cosigns checkpoints: tlog-cosignature/v1 with Ed25519, signature type 0x04.

    The key ID uses the 0x04 type byte. A signer key string of type 0x01 (as produced by
    `generate_key` or Go's ``note.GenerateKey``) is also accepted and used as a cosigner key;
    `encode_skey` then writes it with type 0x04. tlog-cosignature: an operator running several
    Ed25519 cosigners "MUST use distinct public keys for each", since the signed message does
    not commit to the cosigner name.
    """

    sig_type: ClassVar[int] = SIG_TYPE_COSIGNATURE_V1
    accepted_skey_types: ClassVar[tuple[int, ...]] = (SIG_TYPE_ED25519, SIG_TYPE_COSIGNATURE_V1)

    def cosign(self, text: str, timestamp: int) -> Signature:
        """Cosign a checkpoint note text at a POSIX timestamp.

        Args:
            text: The checkpoint note text, final newline included, no signature lines.
            timestamp: Seconds since the Epoch, ``1 <= timestamp <= 2**63 - 1``; zero is
                refused because tlog-witness says the timestamp "MUST NOT be zero".

        Returns:
            The signature; its bytes are ``u64 timestamp (big-endian) || Ed25519 signature``.
        """
        _check_note_text(text)
        if isinstance(timestamp, bool) or not isinstance(timestamp, int):
            raise TypeError("timestamp must be an int")
        if not 1 <= timestamp <= MAX_TIMESTAMP:
            raise ValueError("timestamp must be in 1 .. 2**63 - 1")
        sig = self._private_key.sign(cosignature_message(text, timestamp))
        return Signature(self._name, self.key_id, timestamp.to_bytes(8, "big") + sig)

    def sign(self, text: str) -> Signature:
        """Cosign at the current time (see `cosign`)."""
        return self.cosign(text, int(time.time()))


def generate_key(name: str) -> tuple[str, str]:
    """Generate an Ed25519 note key (type 0x01).

    Returns:
        ``(skey, vkey)``: the secret signer key string and the public verifier key string.
    """
    signer = NoteSigner.generate(name)
    return signer.encode_skey(), signer.verifier.encode()


def generate_cosigner_key(name: str) -> tuple[str, str]:
    """Generate an Ed25519 cosigner (witness) key (type 0x04).

    Returns:
        ``(skey, vkey)`` with type byte 0x04 in both.
    """
    signer = CosignatureSigner.generate(name)
    return signer.encode_skey(), signer.verifier.encode()


def cosignature_message(text: str, timestamp: int) -> bytes:
    """Return the message an Ed25519 cosignature signs (tlog-cosignature, "Ed25519 signed
    message"): ``"cosignature/v1\\ntime <timestamp>\\n"`` followed by the checkpoint note text.

    Args:
        text: The whole checkpoint note text, including extension lines and final newline.
        timestamp: POSIX seconds, written in decimal with no leading zeroes.
    """
    return f"cosignature/v1\ntime {int(timestamp)}\n{text}".encode()


# --------------------------------------------------------------------------------------------
# Notes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, key ID and the signature bytes after the key ID."""

    name: str
    key_id: int
    signature: bytes

    def line(self) -> str:
        """Return the line ``— <name> base64(key ID || signature)``, newline included."""
        payload = self.key_id.to_bytes(4, "big") + self.signature
        return f"{_SIG_LINE_PREFIX}{self.name} {_b64encode(payload)}\n"


@dataclass(frozen=True)
class Note:
    """A parsed, not yet verified note: its text and its signature lines, in order."""

    text: str
    signatures: tuple[Signature, ...]


@dataclass(frozen=True)
class VerifiedSignature:
    """A signature that verified under a known key.

    Attributes:
        key: The verifier key that matched (name and ID) and verified it.
        signature: The signature line.
        timestamp: For cosignatures (type 0x04), the signed POSIX timestamp; else None.
    """

    key: VerifierKey
    signature: Signature
    timestamp: int | None


@dataclass(frozen=True)
class VerifiedNote:
    """A note opened with `open_note`.

    Attributes:
        text: The note text (trust it only because ``verified`` is non-empty).
        verified: One entry per known key that signed, in order of first appearance.
        unknown: Signatures from keys not in the verifier set (ignored, as signed-note
            requires), without duplicates.
    """

    text: str
    verified: tuple[VerifiedSignature, ...]
    unknown: tuple[Signature, ...]

    def verified_by(self, key: VerifierKey) -> VerifiedSignature | None:
        """Return the verified signature of ``key``, or None if it did not sign."""
        for v in self.verified:
            if v.key == key:
                return v
        return None


def _check_note_chars(text: str) -> None:
    if _CONTROL.search(text):
        raise MalformedNoteError("note contains a control character other than newline")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates in a str
        raise MalformedNoteError("note is not valid UTF-8") from exc


def _check_note_text(text: object) -> None:
    if not isinstance(text, str):
        raise MalformedNoteError("note text must be a str")
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end with a newline")
    _check_note_chars(text)


def _parse_signature_line(line: str) -> Signature:
    if not line.startswith(_SIG_LINE_PREFIX):
        raise MalformedNoteError("signature line must start with an em dash and a space")
    fields = line[len(_SIG_LINE_PREFIX) :].split(" ")
    if len(fields) != 2:
        raise MalformedNoteError("signature line must be '— <name> <base64>'")
    name, encoded = fields
    try:
        _check_key_name(name)
        payload = _b64decode(encoded)
    except ValueError as exc:
        raise MalformedNoteError(f"bad signature line: {exc}") from exc
    # A key ID and at least one byte of signature.
    if len(payload) < 5:
        raise MalformedNoteError("signature is shorter than a key ID plus one byte")
    return Signature(name, int.from_bytes(payload[:4], "big"), payload[4:])


def parse_note(message: str | bytes) -> Note:
    """Parse a signed note without verifying it (signed-note "Format").

    The text ends at the last empty line; each following line is a signature line. The whole
    note must be valid UTF-8 without control characters other than newline, and end with a
    newline. At most `MAX_SIGNATURES` signature lines are accepted.

    Raises:
        MalformedNoteError: If the note is not a syntactically valid signed note.
    """
    if isinstance(message, bytes | bytearray):
        try:
            message = bytes(message).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedNoteError("note is not valid UTF-8") from exc
    if not isinstance(message, str):
        raise MalformedNoteError("note must be str or bytes")
    _check_note_chars(message)
    split = message.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("note has no empty line before its signatures")
    text, block = message[: split + 1], message[split + 2 :]
    if not block.endswith("\n"):
        raise MalformedNoteError("note must have signatures and end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"note has more than {MAX_SIGNATURES} signatures")
    return Note(text, tuple(_parse_signature_line(line) for line in lines))


def _index_keys(verifiers: Iterable[VerifierKey]) -> dict[tuple[str, int], VerifierKey]:
    keys: dict[tuple[str, int], VerifierKey] = {}
    for key in verifiers:
        if not isinstance(key, VerifierKey):
            raise TypeError("verifiers must be VerifierKey instances")
        known = keys.setdefault((key.name, key.key_id), key)
        if known != key:
            # Same name and ID, different key: the verdict would depend on which one we try.
            raise KeyFormatError(f"ambiguous key {key.name}+{key.key_id:08x}")
    return keys


def open_note(message: str | bytes, verifiers: Iterable[VerifierKey]) -> VerifiedNote:
    """Parse a signed note and verify its signatures against known keys.

    Follows signed-note "Signatures": signatures whose (name, key ID) match no known key are
    ignored (even if the name or the ID alone matches); a signature from a known key that
    fails to verify rejects the whole note; a note with no verified signature is rejected.
    Repeated signatures by one key are reported once (the first).

    Args:
        message: The signed note.
        verifiers: The trusted verifier keys (type 0x01 and/or 0x04).

    Returns:
        The note text with its verified and unknown signatures.

    Raises:
        MalformedNoteError: If the note is malformed.
        SignatureVerificationError: If a known key's signature does not verify (including a
            signature of the wrong length or a cosignature timestamp above 2**63 - 1).
        UnverifiedNoteError: If no known key signed the note.
        KeyFormatError: If two different verifier keys share a name and key ID.
    """
    note = parse_note(message)
    keys = _index_keys(verifiers)
    verified: dict[tuple[str, int], VerifiedSignature] = {}
    unknown: dict[Signature, None] = {}
    for sig in note.signatures:
        key = keys.get((sig.name, sig.key_id))
        if key is None:
            unknown.setdefault(sig, None)
            continue
        if not key.verify(note.text, sig.signature):
            raise SignatureVerificationError(
                f"invalid signature for key {sig.name}+{sig.key_id:08x}"
            )
        timestamp = None
        if key.sig_type == SIG_TYPE_COSIGNATURE_V1:
            timestamp = int.from_bytes(sig.signature[:8], "big")
        verified.setdefault((sig.name, sig.key_id), VerifiedSignature(key, sig, timestamp))
    if not verified:
        raise UnverifiedNoteError(note)
    return VerifiedNote(note.text, tuple(verified.values()), tuple(unknown))


def sign_note(text: str, signers: Signer | Iterable[Signer]) -> str:
    """Sign a note text and return the signed note.

    Args:
        text: The note text: valid UTF-8, ending with a newline, no control characters other
            than newline.
        signers: One signer or several; each adds one signature line, in order.

    Returns:
        ``text + "\\n" + signature lines``.

    Raises:
        MalformedNoteError: If the text is not a valid note text or there are no signers.
    """
    _check_note_text(text)
    group: Sequence[Signer] = list(signers) if isinstance(signers, Iterable) else [signers]
    if not group:
        raise MalformedNoteError("a signed note needs at least one signature")
    if len(group) > MAX_SIGNATURES:
        raise MalformedNoteError(f"more than {MAX_SIGNATURES} signatures")
    return text + "\n" + "".join(s.sign(text).line() for s in group)


def add_signatures(message: str, signatures: Iterable[Signature]) -> str:
    """Append signature lines (e.g. witness cosignatures) to a signed note.

    tlog-witness suggests exactly this: concatenate the returned cosignature lines to the
    checkpoint, then verify with `open_note`. Lines already present are not repeated. No
    signature is verified here.

    Raises:
        MalformedNoteError: If ``message`` is malformed or the result has too many signatures.
    """
    note = parse_note(message)
    present = dict.fromkeys(note.signatures)
    for sig in signatures:
        present.setdefault(sig, None)
    if len(present) > MAX_SIGNATURES:
        raise MalformedNoteError(f"more than {MAX_SIGNATURES} signatures")
    return note.text + "\n" + "".join(sig.line() for sig in present)


# --------------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A C2SP tlog-checkpoint note text: origin, tree size, root hash, extension lines.

    Invariants: ``origin`` is non-empty; ``0 <= size < 2**64``; ``root_hash`` is 32 bytes;
    extension lines are non-empty. None of them contains a newline or another control
    character, so the text always round-trips through `Checkpoint.parse`.
    """

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        lines = (self.origin, *self.extensions)
        if any(not isinstance(x, str) or not x or "\n" in x for x in lines):
            raise MalformedCheckpointError("origin and extension lines must be non-empty lines")
        if any(_CONTROL.search(x) for x in lines):
            raise MalformedCheckpointError("checkpoint lines must not contain control characters")
        try:
            "".join(lines).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise MalformedCheckpointError("checkpoint lines must be valid UTF-8") from exc
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise MalformedCheckpointError("tree size must be an int")
        if not 0 <= self.size <= _MAX_TREE_SIZE:
            raise MalformedCheckpointError("tree size out of range")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != 32:
            raise MalformedCheckpointError("root hash must be 32 bytes")

    def text(self) -> str:
        """Return the note text: one line each for origin, size, base64 root, extensions."""
        lines = [self.origin, str(self.size), _b64encode(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse a checkpoint note text (tlog-checkpoint "Note text").

        Strict where the text admits several spellings of one value, because cosignatures sign
        the text: the size must have no leading zeroes, and the root must be the canonical
        base64 of exactly 32 bytes.

        Raises:
            MalformedCheckpointError: If the text is not a valid checkpoint body.
        """
        if not isinstance(text, str) or not text.endswith("\n"):
            raise MalformedCheckpointError("checkpoint text must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3 or any(not line for line in lines):
            raise MalformedCheckpointError("checkpoint needs at least three non-empty lines")
        origin, size_text, root_text, *extensions = lines
        if not _DECIMAL.fullmatch(size_text):
            raise MalformedCheckpointError("tree size must be decimal without leading zeroes")
        try:
            root = _b64decode(root_text)
        except ValueError as exc:
            raise MalformedCheckpointError("root hash is not base64") from exc
        if len(root) != 32 or _b64encode(root) != root_text:
            raise MalformedCheckpointError("root hash must be canonical base64 of 32 bytes")
        return cls(origin, int(size_text), root, tuple(extensions))


def open_checkpoint(
    message: str | bytes, verifiers: Iterable[VerifierKey], *, origin: str | None = None
) -> tuple[Checkpoint, VerifiedNote]:
    """Open a signed checkpoint: verify the note, then parse its text as a checkpoint.

    Which signatures are required (the log key, a quorum of witnesses) is the caller's policy;
    inspect ``VerifiedNote.verified``.

    Args:
        message: The signed checkpoint note.
        verifiers: Trusted log and witness keys.
        origin: If given, the checkpoint origin must equal it.

    Returns:
        The parsed checkpoint and the opened note.

    Raises:
        NoteError: Any error of `open_note`, or `MalformedCheckpointError` for a bad body or
            an unexpected origin.
    """
    opened = open_note(message, verifiers)
    checkpoint = Checkpoint.parse(opened.text)
    if origin is not None and checkpoint.origin != origin:
        raise MalformedCheckpointError(f"checkpoint origin is not {origin!r}")
    return checkpoint, opened
