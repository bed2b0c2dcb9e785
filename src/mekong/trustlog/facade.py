"""What other modules may call in trustlog. Takes and returns contracts, never ORM objects.

Typical use, from a module that wants a tamper-evident, witness-cosigned record::

    from mekong.trustlog import facade

    receipt = facade.anchor("customs.certificate", digest_of_the_document)
    store(receipt.to_json())          # give it to the parties; they verify it offline

`verify_receipt` is the pure function of `mekong.trustlog.receipt` (no database, no network).
"""

from __future__ import annotations

from mekong.trustlog import selectors, services
from mekong.trustlog.config import log_config
from mekong.trustlog.contracts import CheckpointInfo, Receipt
from mekong.trustlog.receipt import verify_receipt

__all__ = [
    "anchor",
    "latest_checkpoint",
    "log_key",
    "receipt_for",
    "verify_receipt",
    "witness_keys",
]


def anchor(kind: str, payload: bytes) -> Receipt:
    """Record ``payload`` under ``kind`` in the log and return its receipt.

    Appends the entry, publishes a checkpoint that covers it (or reuses a fully cosigned one),
    collects witness cosignatures, and returns the entry, the signed and cosigned checkpoint
    and the inclusion proof. Anchor a digest of large or personal documents, not the
    documents: the log is public.

    Raises:
        mekong.trustlog.errors.InvalidEntry: If ``kind`` does not match
            ``[a-z][a-z0-9_.-]{0,63}`` or ``payload`` is larger than 1 MiB.
    """
    return services.entry_anchor(kind=kind, payload=payload)


def receipt_for(index: int) -> Receipt:
    """A fresh receipt for an existing entry, under the best cosigned checkpoint covering it.

    Raises:
        mekong.trustlog.errors.EntryNotFound: If there is no entry ``index``.
        mekong.trustlog.errors.CheckpointNotFound: If no checkpoint covers it yet.
    """
    return selectors.receipt_for(index)


def latest_checkpoint() -> CheckpointInfo:
    """The newest checkpoint with its cosignatures.

    Raises:
        mekong.trustlog.errors.CheckpointNotFound: If none was published yet.
    """
    return selectors.checkpoint_latest()


def log_key() -> str:
    """The log's public verifier key, as readers pass it to ``verify_receipt``."""
    return log_config().verifier_key


def witness_keys() -> tuple[str, ...]:
    """The verifier keys of the witnesses this log asks for cosignatures."""
    return tuple(w.key.encode() for w in log_config().witnesses)
