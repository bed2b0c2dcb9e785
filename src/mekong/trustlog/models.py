"""Storage of the verifiable log: entries, complete-subtree hashes, checkpoints, cosignatures.

Only *complete* subtrees are stored (their hashes never change), so every root, inclusion
proof and consistency proof needs ``O(log n)`` stored hashes, fetched in one query
(`mekong.trustlog.selectors.node_hashes`). Level-0 nodes are the entries' own leaf hashes;
`SubtreeHash` holds levels `STORED_MIN_LEVEL` (4) and up: one row per 15 entries instead of
one per entry. A subtree of 2, 4 or 8 leaves is folded from its leaves when needed (at most
7 hashes), which costs microseconds; storing it would cost a row on every append.

Everything except the `LogHead` counter is append-only, in the ORM and through database
triggers (`mekong.core.db.append_only`).
"""

from __future__ import annotations

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from mekong.core import clock
from mekong.core.db import append_only
from mekong.core.models import AppendOnlyModel

STORED_MIN_LEVEL = 4
"""The lowest level of `SubtreeHash` rows: subtrees of 16 leaves and more are stored."""

LEAF_KEY_BYTES = 8
"""Bytes of the leaf hash that the lookup index holds (see `LogEntry`)."""


class LeafKey(models.Func):
    """The indexed expression: the first `LEAF_KEY_BYTES` bytes of the leaf hash.

    ``substr(bytes, 1, 8)`` works on a blob (SQLite) and on bytea (PostgreSQL). The bounds are
    written into the SQL, not bound as parameters: a database uses an expression index only
    for the very same expression, and ``substr(h, ?, ?)`` is not ``substr(h, 1, 8)``. Lookups
    use this class too (`mekong.trustlog.selectors.entry_find`).
    """

    function = "substr"
    template = f"%(function)s(%(expressions)s, 1, {LEAF_KEY_BYTES})"
    output_field = models.BinaryField()


class RowIdField(models.BigIntegerField[int, int]):
    """A 64-bit primary key that is SQLite's rowid itself.

    SQLite makes a column the rowid only when declared exactly ``INTEGER PRIMARY KEY``;
    Django's ``bigint`` would add a second B-tree beside the table and double the cost of
    every append. PostgreSQL keeps ``bigint``.
    """

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


class LogHead(models.Model):
    """The single row that serialises appends and records the log size.

    Invariant: ``size`` equals the number of `LogEntry` rows, and the subtree hashes of
    ``root_ranges(size)`` are stored. Appends lock this row (``SELECT ... FOR UPDATE`` on
    PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already holds the database write lock).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"log head: {self.size} entries"


class LogEntry(AppendOnlyModel):
    """One entry of the log, at a fixed position.

    ``leaf`` holds the canonical leaf bytes (docs/adr/0008-merkle-leaf-format.md), which
    repeat ``index``, ``kind``, ``timestamp`` and the payload; ``leaf_hash`` is
    ``SHA-256(0x00 || leaf)``. Append-only.

    Lookups by leaf hash (proofs by hash) go through an index on the hash's first 8 bytes
    (`LeafKey`), not on the whole hash: every append inserts a random key into that index,
    and an 8-byte key makes it about a third of the size of a 32-byte one, so appends dirty
    and rewrite fewer pages. Several entries may share a prefix; the lookup then compares the
    full hash among them. The index is not unique and does not need to be: leaf bytes contain
    the entry's index, so two entries never have the same leaf (ADR 0008).
    """

    index = RowIdField(primary_key=True, db_column="idx")
    kind = models.CharField(max_length=64)
    timestamp = models.DateTimeField()
    leaf = models.BinaryField()
    leaf_hash = models.BinaryField(max_length=32)

    class Meta:
        db_table = append_only.register("trustlog_logentry")
        verbose_name_plural = "log entries"
        indexes = [models.Index(LeafKey("leaf_hash"), name="trustlog_leaf_key")]

    def __str__(self) -> str:
        return f"entry {self.index} ({self.kind})"


class SubtreeHash(AppendOnlyModel):
    """The hash of a complete, aligned subtree of ``2**level`` leaves (``level >= 4``).

    ``id`` is the node's in-order number, ``2 * start + 2**level - 1`` for the leaf range
    ``[start, start + 2**level)``: unique per node, so lookups hit the primary key only.
    Written once, when the last leaf of the subtree is appended. Append-only.
    """

    id = RowIdField(primary_key=True)
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField(db_column="idx")
    hash = models.BinaryField(max_length=32)

    class Meta:
        db_table = append_only.register("trustlog_subtreehash")

    def __str__(self) -> str:
        return f"node ({self.level}, {self.index})"


class Checkpoint(AppendOnlyModel):
    """A published tree head: size, root and the note signed by the log's key.

    ``note`` carries only the log's signature; witnesses' cosignatures are `Cosignature` rows
    and are appended to the note when served. One checkpoint per size (Ed25519 signatures are
    deterministic, so the note of a size is always the same). Append-only.
    """

    size = models.BigIntegerField(unique=True)
    root_hash = models.BinaryField(max_length=32)
    note = models.TextField()
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        db_table = append_only.register("trustlog_checkpoint")

    def __str__(self) -> str:
        return f"checkpoint {self.size}"


class Cosignature(AppendOnlyModel):
    """A witness's tlog-cosignature/v1 on a checkpoint, as the signature line it returned.

    Stored only after it verified under the configured witness key. Append-only.
    """

    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.PROTECT, related_name="cosignatures"
    )
    witness_name = models.CharField(max_length=200)
    witness_key = models.CharField(max_length=300)
    line = models.TextField()
    timestamp = models.DateTimeField()
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        db_table = append_only.register("trustlog_cosignature")
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "witness_key"], name="trustlog_one_cosignature_per_witness"
            )
        ]

    def __str__(self) -> str:
        return f"{self.witness_name} on checkpoint {self.checkpoint_id}"
