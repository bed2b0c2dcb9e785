"""Receipts of the Mekong log and their offline verification.

Pure: no Django; depends on the standard library, ``cryptography`` and the vendorable
`merkle`, `note` and `leaf` modules. A receipt proves that one entry is in the log, under a
checkpoint signed by the log and cosigned by witnesses; `verify_receipt` checks it without
the database or the network.

Receipt JSON (``format`` ``mekong.trustlog.receipt/v1``; hashes and data in standard base64)::

    {
      "format": "mekong.trustlog.receipt/v1",
      "entry": {
        "index": 41,
        "kind": "payments.transfer",
        "timestamp_us": 1764300000123456,
        "data": "<base64 payload>",
        "leaf_hash": "<base64 SHA-256(0x00 || leaf)>"
      },
      "checkpoint": "<C2SP signed checkpoint: origin, size, root, blank line, signature lines>",
      "inclusion_proof": ["<base64 hash>", ...]
    }

The tree size and root come from the checkpoint text. The leaf bytes are rebuilt from the
entry fields (docs/adr/0008-merkle-leaf-format.md), never taken from the receipt.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mekong.trustlog import merkle
from mekong.trustlog.leaf import LeafFormatError, entry_leaf_hash
from mekong.trustlog.note import (
    SIG_TYPE_COSIGNATURE_V1,
    SIG_TYPE_ED25519,
    Checkpoint,
    KeyFormatError,
    NoteError,
    VerifierKey,
    parse_note,
)

__all__ = [
    "RECEIPT_FORMAT",
    "Check",
    "Receipt",
    "ReceiptEntry",
    "ReceiptFormatError",
    "ReceiptVerification",
    "default_quorum",
    "parse_log_key",
    "parse_witness_key",
    "verify_receipt",
]

RECEIPT_FORMAT = "mekong.trustlog.receipt/v1"
"""The ``format`` member of every version 1 receipt."""

_MAX_PROOF = 64  # a tree of < 2**64 leaves has audit paths of at most 64 hashes


class ReceiptFormatError(ValueError):
    """The receipt is not valid JSON of the expected shape (it cannot be checked at all)."""


@dataclass(frozen=True, slots=True)
class ReceiptEntry:
    """The anchored entry, as the receipt states it.

    Attributes:
        index: Position in the log (0-based).
        kind: The entry kind, e.g. ``payments.transfer``.
        timestamp_us: Append time, microseconds since the Unix epoch (UTC).
        data: The payload the anchoring module recorded.
        leaf_hash: The receipt's claim of the RFC 9162 leaf hash of this entry.
    """

    index: int
    kind: str
    timestamp_us: int
    data: bytes
    leaf_hash: bytes


@dataclass(frozen=True, slots=True)
class Receipt:
    """Proof that an entry is in the log: the entry, a signed checkpoint, an inclusion proof.

    Attributes:
        entry: The entry.
        checkpoint: The signed checkpoint note (log signature and witness cosignatures).
        inclusion_proof: Audit path of ``entry.index`` in the checkpoint's tree, leaf first.
    """

    entry: ReceiptEntry
    checkpoint: str
    inclusion_proof: tuple[bytes, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready dictionary of the receipt (see the module docstring)."""
        return {
            "format": RECEIPT_FORMAT,
            "entry": {
                "index": self.entry.index,
                "kind": self.entry.kind,
                "timestamp_us": self.entry.timestamp_us,
                "data": _b64(self.entry.data),
                "leaf_hash": _b64(self.entry.leaf_hash),
            },
            "checkpoint": self.checkpoint,
            "inclusion_proof": [_b64(h) for h in self.inclusion_proof],
        }

    def to_json(self) -> str:
        """Return the receipt as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: object) -> Receipt:
        """Build a receipt from parsed JSON, checking only its shape, not its proofs.

        Raises:
            ReceiptFormatError: If a member is missing or has the wrong type or encoding.
        """
        if not isinstance(data, Mapping):
            raise ReceiptFormatError("a receipt is a JSON object")
        if data.get("format") != RECEIPT_FORMAT:
            raise ReceiptFormatError(f"format must be {RECEIPT_FORMAT!r}")
        entry = data.get("entry")
        if not isinstance(entry, Mapping):
            raise ReceiptFormatError("entry must be an object")
        index = _int(entry.get("index"), "entry.index")
        timestamp_us = _int(entry.get("timestamp_us"), "entry.timestamp_us")
        kind = entry.get("kind")
        if not isinstance(kind, str):
            raise ReceiptFormatError("entry.kind must be a string")
        checkpoint = data.get("checkpoint")
        if not isinstance(checkpoint, str):
            raise ReceiptFormatError("checkpoint must be a string")
        proof = data.get("inclusion_proof")
        if not isinstance(proof, list) or len(proof) > _MAX_PROOF:
            raise ReceiptFormatError("inclusion_proof must be a list of at most 64 hashes")
        return cls(
            entry=ReceiptEntry(
                index=index,
                kind=kind,
                timestamp_us=timestamp_us,
                data=_unb64(entry.get("data"), "entry.data"),
                leaf_hash=_unb64(entry.get("leaf_hash"), "entry.leaf_hash"),
            ),
            checkpoint=checkpoint,
            inclusion_proof=tuple(_unb64(h, "inclusion_proof") for h in proof),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Receipt:
        """Parse receipt JSON text.

        Raises:
            ReceiptFormatError: If the text is not JSON or not a receipt.
        """
        try:
            data = json.loads(text)
        except (ValueError, TypeError, RecursionError) as exc:
            raise ReceiptFormatError(f"not JSON: {exc}") from None
        return cls.from_dict(data)


@dataclass(frozen=True, slots=True)
class Check:
    """The result of one check of a receipt.

    Attributes:
        code: ``entry_hash``, ``log_signature``, ``inclusion``, ``cosignature`` or ``quorum``.
        ok: Whether the check passed.
        reason: Why it failed (a stable code, see `verify_receipt`), ``"ok"`` when it passed.
        subject: The witness key name for ``cosignature`` checks, else empty.
        detail: Numbers a reader may want (e.g. ``"3 of 5, need 3"``), not translated.
    """

    code: str
    ok: bool
    reason: str = "ok"
    subject: str = ""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ReceiptVerification:
    """Every check of one receipt, in a fixed order, and the checkpoint it relied on.

    Attributes:
        checks: entry_hash, log_signature, inclusion, one cosignature per witness key, quorum.
        origin: The checkpoint's origin line, if the checkpoint could be read.
        tree_size: The checkpoint's tree size, if it could be read.
    """

    checks: tuple[Check, ...]
    origin: str | None = None
    tree_size: int | None = None

    @property
    def valid(self) -> bool:
        """True if every check passed."""
        return all(c.ok for c in self.checks)

    @property
    def failed(self) -> tuple[Check, ...]:
        """The checks that failed."""
        return tuple(c for c in self.checks if not c.ok)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: object, where: str) -> bytes:
    if not isinstance(value, str):
        raise ReceiptFormatError(f"{where} must be a base64 string")
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ReceiptFormatError(f"{where} is not valid base64") from None


def _int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ReceiptFormatError(f"{where} must be a non-negative integer")
    return value


def parse_log_key(vkey: str) -> VerifierKey:
    """Parse the log's verifier key (signature type 0x01, Ed25519).

    Raises:
        KeyFormatError: If it is not a valid Ed25519 note verifier key.
    """
    key = VerifierKey.parse(vkey.strip())
    if key.sig_type != SIG_TYPE_ED25519:
        raise KeyFormatError("the log key must be an Ed25519 (type 0x01) verifier key")
    return key


def parse_witness_key(vkey: str) -> VerifierKey:
    """Parse a witness verifier key (signature type 0x04, tlog-cosignature/v1).

    Raises:
        KeyFormatError: If it is not a valid cosignature verifier key.
    """
    key = VerifierKey.parse(vkey.strip())
    if key.sig_type != SIG_TYPE_COSIGNATURE_V1:
        raise KeyFormatError("a witness key must be a cosignature (type 0x04) verifier key")
    return key


def default_quorum(witness_count: int) -> int:
    """A majority of the witnesses: 3 of the 5 member countries' witnesses."""
    return witness_count // 2 + 1 if witness_count > 0 else 0


def _signature_check(
    code: str, text: str, signatures: Sequence[Any], key: VerifierKey, subject: str = ""
) -> Check:
    """Check that ``key`` signed ``text``: at least one matching line, and all of them valid."""
    mine = [s for s in signatures if s.name == key.name and s.key_id == key.key_id]
    if not mine:
        return Check(code, False, "missing", subject)
    if not all(key.verify(text, s.signature) for s in mine):
        return Check(code, False, "bad_signature", subject)
    return Check(code, True, "ok", subject)


def verify_receipt(
    receipt: Receipt,
    log_key: VerifierKey | str,
    witness_keys: Iterable[VerifierKey | str] = (),
    quorum: int | None = None,
) -> ReceiptVerification:
    """Check a receipt offline and report every check, passed or failed.

    Checks, in order, with their failure reasons:

    - ``entry_hash``: the leaf hash rebuilt from the entry fields equals the receipt's
      ``leaf_hash`` (``mismatch``; ``invalid_entry`` if the fields cannot form a leaf);
    - ``log_signature``: the checkpoint carries a valid signature of ``log_key`` and its text is
      a tlog-checkpoint (``malformed_checkpoint``, ``missing``, ``bad_signature``);
    - ``inclusion``: the proof takes the rebuilt leaf hash to the checkpoint's root
      (``proof_invalid``; ``no_checkpoint`` if the checkpoint cannot be read);
    - ``cosignature``, once per witness key: a valid tlog-cosignature/v1 of that key
      (``missing``, ``bad_signature``, ``malformed_checkpoint``);
    - ``quorum``: at least ``quorum`` witnesses cosigned (``not_met``).

    The inclusion check uses the rebuilt hash, so a receipt whose data was changed fails both
    ``entry_hash`` and, if its ``leaf_hash`` was changed to match, ``inclusion``. Never raises
    on receipt content.

    Args:
        receipt: The parsed receipt.
        log_key: The log's verifier key (type 0x01), parsed or as text.
        witness_keys: The witnesses the reader trusts (type 0x04); duplicates count once.
        quorum: Cosignatures required; defaults to a majority of ``witness_keys``.

    Returns:
        The checks and what the checkpoint said (origin and size), if it could be read.

    Raises:
        KeyFormatError: If a key given as text is not a valid key of its kind (the reader's
            input, not the receipt's).
    """
    if isinstance(log_key, str):
        log_key = parse_log_key(log_key)
    witnesses = list(
        dict.fromkeys(parse_witness_key(k) if isinstance(k, str) else k for k in witness_keys)
    )
    required = default_quorum(len(witnesses)) if quorum is None else max(0, quorum)
    checks: list[Check] = []
    entry = receipt.entry

    try:
        rebuilt: bytes | None = entry_leaf_hash(
            entry.index, entry.timestamp_us, entry.kind, entry.data
        )
    except LeafFormatError:
        rebuilt = None
    if rebuilt is None:
        checks.append(Check("entry_hash", False, "invalid_entry"))
    elif rebuilt != entry.leaf_hash:
        checks.append(Check("entry_hash", False, "mismatch"))
    else:
        checks.append(Check("entry_hash", True))

    checkpoint: Checkpoint | None = None
    signatures: tuple[Any, ...] = ()
    text = ""
    try:
        note = parse_note(receipt.checkpoint)
        text, signatures = note.text, note.signatures
        checkpoint = Checkpoint.parse(text)
    except NoteError:
        checkpoint = None
    if checkpoint is None:
        checks.append(Check("log_signature", False, "malformed_checkpoint"))
        checks.append(Check("inclusion", False, "no_checkpoint"))
    else:
        checks.append(_signature_check("log_signature", text, signatures, log_key))
        included = rebuilt is not None and merkle.verify_inclusion(
            rebuilt, entry.index, checkpoint.size, receipt.inclusion_proof, checkpoint.root_hash
        )
        checks.append(
            Check(
                "inclusion",
                included,
                "ok" if included else "proof_invalid",
                detail=f"index {entry.index} of {checkpoint.size}",
            )
        )

    cosigned = 0
    for key in witnesses:
        if checkpoint is None:
            check = Check("cosignature", False, "malformed_checkpoint", key.name)
        else:
            check = _signature_check("cosignature", text, signatures, key, key.name)
        cosigned += check.ok
        checks.append(check)
    met = cosigned >= required
    checks.append(
        Check(
            "quorum",
            met,
            "ok" if met else "not_met",
            detail=f"{cosigned} of {len(witnesses)}, need {required}",
        )
    )
    return ReceiptVerification(
        checks=tuple(checks),
        origin=checkpoint.origin if checkpoint else None,
        tree_size=checkpoint.size if checkpoint else None,
    )
