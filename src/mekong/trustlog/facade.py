"""What other modules may call in trustlog. Takes and returns contracts, never ORM objects.

Typical use, from a module that wants a tamper-evident, witness-cosigned record::

    from mekong.trustlog import facade

    receipt = facade.anchor("customs.certificate", digest_of_the_document)
    store(receipt.to_json())          # give it to the parties; they verify it offline

To anchor many records at once, ``facade.anchor_many([(kind, payload), ...])`` appends them
in one transaction under one checkpoint and returns a receipt for each.

A module that stores records and wants their log entries in the same transaction (so both
commit or neither does) calls ``append_signed`` inside it, then ``cosign`` after commit, and
``index_compact`` now and then off the request path.

`verify_receipt` is the pure function of `mekong.trustlog.receipt` (no database, no network).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence

from mekong.trustlog import selectors, services
from mekong.trustlog.config import log_config
from mekong.trustlog.contracts import AppendResult, CheckpointInfo, Receipt
from mekong.trustlog.receipt import verify_receipt
from mekong.trustlog.services import WriteSection

__all__ = [
    "WriteSection",
    "anchor",
    "anchor_many",
    "append_signed",
    "cosign",
    "index_compact",
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


def anchor_many(
    items: Sequence[tuple[str, bytes]], *, write_section: WriteSection | None = None
) -> list[Receipt]:
    """Record each ``(kind, payload)`` of ``items`` in the log and return their receipts, in
    order.

    Like `anchor` for each item, at the cost of about one: ONE append of all the entries
    (consecutive indexes, one transaction: all or none), ONE checkpoint covering them (or a
    fully cosigned one reused), one round of witness cosignatures, and every receipt proving
    its entry against that same checkpoint. An empty ``items`` anchors nothing and returns
    ``[]``.

    Args:
        items: ``(kind, payload)`` pairs.
        write_section: A caller that queues its own writers (e.g. a process's SQLite writer
            queue) passes the context-manager factory of its queue: the log's write
            transactions run inside it, one after the other (it is never entered twice at
            once), and the witness round trips outside it. It must not be held by the caller.

    Raises:
        mekong.trustlog.errors.InvalidEntry: If a ``kind`` or ``payload`` is invalid (as in
            `anchor`); then nothing is appended.
    """
    return services.entries_anchor(
        items=items, write_section=write_section or contextlib.nullcontext
    )


def append_signed(items: Sequence[tuple[str, bytes]]) -> AppendResult:
    """Append ``items`` and sign a checkpoint covering them, inside the caller's transaction.

    The entries are ``result.first_index ..`` in order. Nothing is asked of the witnesses:
    call `cosign` once the caller's transaction has committed. Receipts are built later with
    `receipt_for`. The log's head stays locked until the caller's transaction ends, so keep
    what follows it short.

    Raises:
        mekong.trustlog.errors.InvalidEntry: If ``items`` is empty or an item is invalid (as
            in `anchor`); then nothing is appended.
        django.core.exceptions.ImproperlyConfigured: If the log has no signing key.
    """
    return services.entries_append_signed(items=items)


def cosign(*, write_section: WriteSection | None = None) -> None:
    """Ask the configured witnesses to cosign the log's newest checkpoint (after
    `append_signed` committed: it covers those entries); does nothing when the log has no
    witnesses. ``write_section`` is that of `anchor_many`."""
    if log_config().witnesses:
        services.cosignatures_collect_latest(write_section=write_section or contextlib.nullcontext)


def index_compact(
    *, write_section: WriteSection | None = None, stopping: Callable[[], bool] | None = None
) -> int:
    """Finish the log's lookup-index merges that `append_signed` leaves (it merges only small
    runs inside the caller's transaction), in short transactions of their own; return how
    many. Call it after commit, off the request path (a background loop): it only keeps
    lookups by leaf hash fast. ``write_section`` is that of `anchor_many`; ``stopping`` ends
    it early."""
    return services.lookup_index_compact(
        write_section=write_section or contextlib.nullcontext,
        stopping=stopping or (lambda: False),
    )


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
