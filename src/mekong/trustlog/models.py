"""Storage of the verifiable log: entry bundles, edge entries, complete-subtree hashes, a
leaf-hash lookup index, checkpoints, cosignatures (docs/adr/0009-trustlog-entry-bundles.md).

Entries are stored 256 to a row once their group of 256 is complete (`EntryBundle`, like the
C2SP tlog-tiles entry bundles and level-0 hash tiles); the last ``size % 256`` entries are
single rows (`LogEntry`) until their bundle completes, and are then moved into it in the same
transaction. A batch append therefore writes one row per 256 entries instead of one per entry.

Only *complete* subtrees are stored (their hashes never change), so every root, inclusion
proof and consistency proof needs ``O(log n)`` stored hashes, fetched in one query
(`mekong.trustlog.selectors.node_hashes`). Level-0 nodes are the entries' leaf hashes (in the
bundle's hash tile or the edge row); `SubtreeHash` holds levels `STORED_MIN_LEVEL` (6) and up:
one row per ~32 entries. A subtree of 2 to 32 leaves is folded from its leaf hashes when
needed (at most 31 hashes, tens of microseconds), read from one hash tile or a few edge rows.
Logs written before migration 0004 also have rows for levels 4 and 5; they are not read.

Bundles, subtree hashes, checkpoints and cosignatures are append-only, in the ORM and through
database triggers (`mekong.core.db.append_only`). Edge rows refuse UPDATE in the database but
may be deleted: that is how they move into their bundle. The lookup index (`LeafKeyRun`,
`LeafKeyBucket`) is derived data, rewritten as its runs merge; `mekong log audit` does not
trust it.
"""

from __future__ import annotations

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from mekong.core import clock
from mekong.core.db import append_only
from mekong.core.models import AppendOnlyModel

STORED_MIN_LEVEL = 6
"""The lowest level of `SubtreeHash` rows: subtrees of 64 leaves and more are stored."""

LEAF_KEY_BYTES = 8
"""Bytes of the leaf hash that the edge rows' lookup index holds (see `LogEntry`)."""

BUNDLE_SIZE = 256
"""Entries per `EntryBundle` row (and leaf hashes per hash tile), as in C2SP tlog-tiles."""

BUNDLE_BITS = 8
"""``BUNDLE_SIZE == 1 << BUNDLE_BITS``: entry ``i`` is in bundle ``i >> BUNDLE_BITS``."""

KEY_BUCKET_BITS = 10
"""The lookup index partitions leaf hashes by their first 10 bits (1,024 buckets)."""


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
    """One entry of the log's edge: an entry whose bundle of 256 is not complete yet.

    Every entry ``i >= 256 * (size // 256)`` has a row; when an append completes the bundle,
    the rows are moved into the `EntryBundle` row in the same transaction (the only DELETE
    the database accepts on this table; UPDATE is refused by a trigger, and the ORM refuses
    both). ``leaf`` holds the canonical leaf bytes (docs/adr/0008-merkle-leaf-format.md),
    which repeat ``index``, ``kind``, ``timestamp`` and the payload; ``leaf_hash`` is
    ``SHA-256(0x00 || leaf)``.

    Lookups by leaf hash among edge rows go through an index on the hash's first 8 bytes
    (`LeafKey`); the table holds at most 255 rows outside an append, so the index is tiny.
    Several entries may share a prefix; the lookup then compares the full hash among them.
    """

    index = RowIdField(primary_key=True, db_column="idx")
    kind = models.CharField(max_length=64)
    timestamp = models.DateTimeField()
    leaf = models.BinaryField()
    leaf_hash = models.BinaryField(max_length=32)

    class Meta:
        # Not registered append-only: edge rows are deleted when their bundle is written
        # (migration 0004 installs an UPDATE-only trigger).
        db_table = "trustlog_logentry"
        verbose_name_plural = "log entries"
        indexes = [models.Index(LeafKey("leaf_hash"), name="trustlog_leaf_key")]

    def __str__(self) -> str:
        return f"entry {self.index} ({self.kind})"


class EntryBundle(AppendOnlyModel):
    """The 256 entries ``256 * id .. 256 * id + 255``: their leaf bytes and leaf hashes.

    ``leaves`` is 257 big-endian uint32 offsets followed by the 256 leaves concatenated: leaf
    ``j`` is ``leaves[1028 + off[j] : 1028 + off[j + 1]]``. ``hashes`` is the level-0 hash
    tile, the 256 leaf hashes concatenated (32 bytes each). Written once, in the append that
    completes the bundle. Append-only.
    """

    id = RowIdField(primary_key=True)
    leaves = models.BinaryField()
    hashes = models.BinaryField()

    class Meta:
        db_table = append_only.register("trustlog_entrybundle")

    def __str__(self) -> str:
        return f"entry bundle {self.id}"


class LeafKeyRun(models.Model):
    """One run of the leaf-hash lookup index: the bundled entries ``start .. stop - 1``.

    Each append that completes bundles adds a run; runs then merge like a binary counter
    (while the previous run is no larger than the newest one, the two become one), so there
    are ``O(log n)`` runs and each entry is rewritten ``O(log n)`` times, in whole blobs.
    """

    start = models.BigIntegerField(primary_key=True)
    stop = models.BigIntegerField()

    class Meta:
        db_table = "trustlog_leafkeyrun"

    def __str__(self) -> str:
        return f"lookup run {self.start}..{self.stop - 1}"


class LeafKeyBucket(models.Model):
    """The entries of one run whose leaf hash starts with the `KEY_BUCKET_BITS` bits ``bucket``.

    ``records`` concatenates 16-byte records: the leaf hash's first `LEAF_KEY_BYTES` bytes,
    then the entry index as a big-endian 64-bit integer. A lookup reads one row per run (the
    hash's bucket), scans it in C (`bytes.find`) and compares the full hash of each match.
    """

    run = models.BigIntegerField()
    bucket = models.IntegerField()
    records = models.BinaryField()

    class Meta:
        db_table = "trustlog_leafkeybucket"
        constraints = [
            models.UniqueConstraint(fields=["run", "bucket"], name="trustlog_leafkey_run_bucket")
        ]

    def __str__(self) -> str:
        return f"lookup bucket {self.bucket} of run {self.run}"


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
