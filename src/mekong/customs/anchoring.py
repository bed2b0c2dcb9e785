"""The bridge to the verifiable log: anchor documents, and check receipts for the pure verifier.

`receipt_checker` wraps trustlog's pure ``verify_receipt`` (through its facade) as the
`documents.verify.ReceiptChecker` the offline verifier takes: no database, no network.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mekong.customs.documents.verify import AnchorProof, ReceiptChecker
from mekong.trustlog import errors as trustlog_errors
from mekong.trustlog import facade as trustlog
from mekong.trustlog.contracts import Receipt


def receipt_checker(
    log_key: str, witness_keys: Sequence[str] = (), quorum: int | None = None
) -> ReceiptChecker:
    """A checker of receipts against the given log key, witnesses and quorum.

    Raises:
        ValueError: (trustlog's ``KeyFormatError``) if a key is not a valid verifier key.
    """
    keys = list(witness_keys)

    def check(raw: Any) -> AnchorProof:
        try:
            receipt = Receipt.from_dict(raw)
        except ValueError as exc:
            return AnchorProof(False, f"unreadable receipt: {exc}")
        result = trustlog.verify_receipt(receipt, log_key, keys, quorum)
        if not result.valid:
            failed = ", ".join(
                f"{c.code}{' ' + c.subject if c.subject else ''}: {c.reason}" for c in result.failed
            )
            return AnchorProof(False, f"receipt does not verify ({failed})")
        cosigned = next((c.detail for c in result.checks if c.code == "quorum"), "")
        return AnchorProof(
            True,
            f"checkpoint {result.tree_size} of {result.origin}, witnesses {cosigned}",
            kind=receipt.entry.kind,
            data=receipt.entry.data,
            timestamp_us=receipt.entry.timestamp_us,
            index=receipt.entry.index,
        )

    return check


def platform_checker() -> ReceiptChecker:
    """A checker with this platform's configured log key and witnesses (default quorum)."""
    return receipt_checker(trustlog.log_key(), trustlog.witness_keys())


def anchor(kind: str, payload: bytes) -> tuple[int, dict[str, Any]]:
    """Anchor ``payload``; return its log index and receipt JSON."""
    receipt = trustlog.anchor(kind, payload)
    return receipt.entry.index, receipt.to_dict()


def fresh_receipt(index: int, fallback: dict[str, Any] | None) -> dict[str, Any] | None:
    """The receipt under the best cosigned checkpoint now, or ``fallback`` if none is found."""
    try:
        return trustlog.receipt_for(index).to_dict()
    except (trustlog_errors.EntryNotFound, trustlog_errors.CheckpointNotFound):
        return fallback
