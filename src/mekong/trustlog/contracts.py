"""Frozen dataclasses that cross the trustlog module boundary (no ORM objects).

`Receipt`, `ReceiptEntry`, `Check` and `ReceiptVerification` live in the pure
`mekong.trustlog.receipt` module so that third parties can vendor them; they are re-exported
here for other modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mekong.trustlog.receipt import Check, Receipt, ReceiptEntry, ReceiptVerification

__all__ = [
    "AppendResult",
    "AuditFinding",
    "AuditReport",
    "Check",
    "CheckpointInfo",
    "EntryInfo",
    "Receipt",
    "ReceiptEntry",
    "ReceiptVerification",
]


@dataclass(frozen=True, slots=True)
class AppendResult:
    """The outcome of one batch append.

    Attributes:
        first_index: Index of the first entry of the batch.
        count: Entries appended.
        size: Log size after the batch.
        root_hash: Root of the tree of ``size`` leaves.
        leaf_hashes: Leaf hashes of the batch, in order (empty if not requested).
        compaction_due: The append left lookup-index merges for ``index_compact`` (only
            ``append_signed`` sets it).
    """

    first_index: int
    count: int
    size: int
    root_hash: bytes
    leaf_hashes: tuple[bytes, ...] = ()
    compaction_due: bool = False


@dataclass(frozen=True, slots=True)
class EntryInfo:
    """One stored entry."""

    index: int
    kind: str
    timestamp: datetime
    timestamp_us: int
    payload: bytes
    leaf_hash: bytes


@dataclass(frozen=True, slots=True)
class CheckpointInfo:
    """A checkpoint with the cosignatures collected so far.

    Attributes:
        size: Tree size.
        root_hash: Root hash.
        note: The signed note: the log's signature, then each witness's cosignature line.
        created_at: When the log signed it.
        witnesses: Names of the witnesses that cosigned, in storage order.
    """

    size: int
    root_hash: bytes
    note: str
    created_at: datetime
    witnesses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AuditFinding:
    """One problem `mekong log audit` found.

    Attributes:
        problem: ``missing``, ``reordered``, ``altered``, ``unreadable``, ``extra``,
            ``subtree_mismatch``, ``subtree_missing``, ``checkpoint_mismatch``,
            ``checkpoint_signature`` or ``size_mismatch``.
        index: The entry index, or the first entry of the affected range.
        end: One past the last entry of the affected range (``index + 1`` for one entry).
        detail: A sentence for the operator.
    """

    problem: str
    index: int
    end: int
    detail: str


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The result of recomputing the tree from the stored entries.

    Attributes:
        size: Entries the log head claims.
        entries_checked: Entry rows read.
        checkpoints_checked: Checkpoints compared with the recomputed roots.
        findings: Every problem, entry problems first, in index order.
        first_divergent_checkpoint: Size of the first checkpoint whose root differs from the
            recomputed tree, or None.
    """

    size: int
    entries_checked: int
    checkpoints_checked: int
    findings: tuple[AuditFinding, ...]
    first_divergent_checkpoint: int | None

    @property
    def ok(self) -> bool:
        """True if nothing was found."""
        return not self.findings
