"""The log's storage layout below the models: entry bundles and the leaf-hash lookup index.

Entry bundles (`mekong.trustlog.models.EntryBundle`) hold 256 consecutive entries in one row,
so a batch append writes one row per 256 entries; see docs/adr/0009-trustlog-entry-bundles.md.
The lookup index answers "which entry has this leaf hash" for bundled entries without a row
per entry. It is built off the append path (`services.lookup_index_update`, after each
checkpoint): each update indexes the bundles appended since the last one as one *run* of
16-byte records (the leaf hash's first 8 bytes, the entry index), partitioned into 1,024
buckets by their first 10 bits (one row per bucket and run); runs merge like a binary counter,
so a lookup reads ``O(log n)`` small rows and confirms the few candidates' full hashes. The
append-side merges stop at `MERGE_CAP`; larger ones are done by `key_compact_step` in short
transactions of their own (`services.lookup_index_compact`), so no writer waits on a merge of
the whole index.
Bundles not indexed yet are found by scanning their hash tiles (`tiles_find`). All functions run
inside the caller's transaction; those that write expect the log head lock (`services`).
"""

from __future__ import annotations

import struct
from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate, chain, pairwise
from operator import add
from typing import Any

from django.db import connection

from mekong.trustlog.models import BUNDLE_BITS, BUNDLE_SIZE, KEY_BUCKET_BITS, LEAF_KEY_BYTES

#: Size of the offsets header of a bundle's ``leaves`` blob: 257 big-endian uint32.
_HEADER = struct.Struct(f">{BUNDLE_SIZE + 1}I")
_OFFSET = struct.Struct(">II")
_BUCKET_SHIFT = 16 - KEY_BUCKET_BITS
_HASH = 32


class BundleFormatError(ValueError):
    """A bundle blob that does not have the layout `encode_bundle` writes."""


def encode_bundle(leaves: Sequence[bytes]) -> bytes:
    """The ``leaves`` blob of a bundle: the offsets header, then the leaves concatenated."""
    if len(leaves) != BUNDLE_SIZE:
        raise ValueError(f"a bundle holds exactly {BUNDLE_SIZE} leaves")
    return _HEADER.pack(*accumulate(map(len, leaves), initial=0)) + b"".join(leaves)


def bundle_leaf(blob: bytes, offset: int) -> bytes:
    """Leaf number ``offset`` (0..255) of a bundle's ``leaves`` blob.

    Raises:
        BundleFormatError: If the header does not describe the blob.
    """
    if len(blob) < _HEADER.size or not 0 <= offset < BUNDLE_SIZE:
        raise BundleFormatError("bundle is shorter than its header")
    lo, hi = _OFFSET.unpack_from(blob, 4 * offset)
    if not lo <= hi <= len(blob) - _HEADER.size:
        raise BundleFormatError("bundle offsets are out of order or out of bounds")
    return blob[_HEADER.size + lo : _HEADER.size + hi]


def bundle_leaves(blob: bytes) -> list[bytes]:
    """All 256 leaves of a bundle's ``leaves`` blob, in order.

    Raises:
        BundleFormatError: If the header does not describe the blob exactly.
    """
    if len(blob) < _HEADER.size:
        raise BundleFormatError("bundle is shorter than its header")
    offsets = _HEADER.unpack_from(blob)
    body = len(blob) - _HEADER.size
    if offsets[0] != 0 or offsets[-1] != body or list(offsets) != sorted(offsets):
        raise BundleFormatError("bundle offsets do not describe its bytes")
    base = _HEADER.size
    return [blob[base + a : base + b] for a, b in pairwise(offsets)]


def tile_hash(tile: bytes, offset: int) -> bytes | None:
    """Leaf hash number ``offset`` of a bundle's hash tile, or None if the tile is short."""
    h = tile[_HASH * offset : _HASH * offset + _HASH]
    return h if len(h) == _HASH else None


def bucket_of(leaf_hash: bytes) -> int:
    """The lookup bucket of a leaf hash: its first `KEY_BUCKET_BITS` bits."""
    return int.from_bytes(leaf_hash[:2], "big") >> _BUCKET_SHIFT


def _insert(sql: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def bundles_write(first_bundle: int, leaves: Sequence[bytes], hashes: Sequence[bytes]) -> None:
    """Insert bundles ``first_bundle ..`` holding ``leaves`` (a multiple of 256) and hashes."""
    rows: list[tuple[Any, ...]] = []
    for n, start in enumerate(range(0, len(leaves), BUNDLE_SIZE)):
        end = start + BUNDLE_SIZE
        rows.append(
            (first_bundle + n, encode_bundle(leaves[start:end]), b"".join(hashes[start:end]))
        )
    _insert("INSERT INTO trustlog_entrybundle (id, leaves, hashes) VALUES (%s, %s, %s)", rows)


#: A hash tile's 256 keys (first 8 bytes of each hash), and 256 indexes as 8-byte strings.
_TILE_KEYS = struct.Struct(f"{LEAF_KEY_BYTES}s{_HASH - LEAF_KEY_BYTES}x" * BUNDLE_SIZE)
_TILE_INDEXES = struct.Struct(f">{BUNDLE_SIZE}Q")
_TILE_INDEX_BYTES = struct.Struct("8s" * BUNDLE_SIZE)
_RECORD = LEAF_KEY_BYTES + 8


def _bucket_rows(run: int, first: int, tiles: bytes) -> list[tuple[Any, ...]]:
    """Rows of a new run for the bundled entries ``first ..`` whose hash tiles are ``tiles``.

    A record is the hash's first 8 bytes then the entry index (big-endian), 16 bytes; sorting
    the records sorts them by bucket, so each bucket is a slice found by bisection. Keys and
    indexes are cut out 256 at a time by `struct`, and the records are joined and sorted in
    C: this is the index's per-entry cost.
    """
    count = len(tiles) // _HASH
    keys = chain.from_iterable(_TILE_KEYS.iter_unpack(tiles))
    indexes = chain.from_iterable(
        _TILE_INDEX_BYTES.iter_unpack(
            b"".join(
                _TILE_INDEXES.pack(*range(i, i + BUNDLE_SIZE))
                for i in range(first, first + count, BUNDLE_SIZE)
            )
        )
    )
    records = sorted(map(add, keys, indexes))
    rows: list[tuple[Any, ...]] = []
    lo, end = 0, len(records)
    last = (1 << KEY_BUCKET_BITS) - 1
    while lo < end:
        r = records[lo]
        bucket = ((r[0] << 8) | r[1]) >> _BUCKET_SHIFT
        hi = end if bucket == last else bisect_left(records, _bucket_floor(bucket + 1), lo)
        rows.append((run, bucket, b"".join(records[lo:hi])))
        lo = hi
    return rows


def _bucket_floor(bucket: int) -> bytes:
    return (bucket << _BUCKET_SHIFT).to_bytes(2, "big")


_INSERT_BUCKETS = "INSERT INTO trustlog_leafkeybucket (run, bucket, records) VALUES (%s, %s, %s)"


#: The largest run, in entries, that `key_run_add` makes by merging (4 bundles). Merging
#: inside the append's transaction is what keeps lookups at ``O(log n)`` rows, but an uncapped
#: binary counter now and then rewrites the whole index there: 1.6 s under the payments'
#: writer lock on a 4M-entry log. Each merge rewrites up to 1,024 bucket rows whatever the
#: runs' size, so even small merges cost milliseconds: at 16 bundles the cascade of four
#: took up to ~35 ms, at 4 bundles ~13 ms (bench/trustlog_index.py). The larger merges are
#: left to `key_compact_step`.
MERGE_CAP = 4 * BUNDLE_SIZE
#: About how many bytes of records one `key_compact_step` rewrites (whole buckets, at least
#: one): a step then holds the write lock ~5-10 ms on SQLite.
COMPACT_STEP_BYTES = 256 * 1024


def _runs(cursor: Any) -> list[tuple[int, int]]:
    cursor.execute("SELECT start, stop FROM trustlog_leafkeyrun ORDER BY start")
    return [(int(a), int(b)) for a, b in cursor.fetchall()]


def _move(cursor: Any, into: int, src: int, lo: int, hi: int) -> None:
    """Move run ``src``'s records of buckets ``lo .. hi`` into run ``into``'s rows of the same
    buckets (blobs concatenated: a lookup scans a bucket's blob, it need not be sorted)."""
    cursor.execute(
        "SELECT bucket, records FROM trustlog_leafkeybucket"
        " WHERE run IN (%s, %s) AND bucket >= %s AND bucket <= %s ORDER BY bucket, run",
        [into, src, lo, hi],
    )
    merged: dict[int, list[bytes]] = {}
    for bucket, records in cursor.fetchall():  # ``into`` < ``src``: its records come first
        merged.setdefault(int(bucket), []).append(bytes(records))
    cursor.execute(
        "DELETE FROM trustlog_leafkeybucket"
        " WHERE run IN (%s, %s) AND bucket >= %s AND bucket <= %s",
        [into, src, lo, hi],
    )
    cursor.executemany(_INSERT_BUCKETS, [(into, k, b"".join(parts)) for k, parts in merged.items()])


def _absorb(cursor: Any, into: int, src: int, src_stop: int) -> None:
    """Run ``src`` (now empty of records) ends; run ``into`` covers its entries too."""
    cursor.execute("DELETE FROM trustlog_leafkeyrun WHERE start = %s", [src])
    cursor.execute("UPDATE trustlog_leafkeyrun SET stop = %s WHERE start = %s", [src_stop, into])


def key_run_add(first: int, tiles: bytes) -> None:
    """Index the bundled entries ``first ..`` (whole bundles; ``tiles`` is their hash tiles
    concatenated) as a new run, then merge runs while the previous one is no larger than the
    newest (binary-counter merging: ``O(log n)`` runs, blobs concatenated, never re-sorted)
    and the merged run stays within `MERGE_CAP`; `key_compact_step` does the larger merges.
    """
    if first % BUNDLE_SIZE or len(tiles) % (_HASH * BUNDLE_SIZE):
        raise ValueError("a lookup run covers whole bundles")
    if not tiles:
        return
    stop = first + len(tiles) // _HASH
    _insert(_INSERT_BUCKETS, _bucket_rows(first, first, tiles))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO trustlog_leafkeyrun (start, stop) VALUES (%s, %s)", [first, stop]
        )
        runs = _runs(cursor)
        while len(runs) >= 2:
            (a, a_stop), (b, b_stop) = runs[-2], runs[-1]
            if a_stop - a > b_stop - b or b_stop - a > MERGE_CAP:
                break
            _move(cursor, a, b, 0, (1 << KEY_BUCKET_BITS) - 1)
            _absorb(cursor, a, b, b_stop)
            runs[-2:] = [(a, b_stop)]


def key_compact_pair(runs: Sequence[tuple[int, int]]) -> tuple[int, int, int] | None:
    """The merge `key_compact_step` works on among ``runs`` (``(start, stop)``, ascending):
    the leftmost neighbours ``x``, ``y`` with ``x`` no larger than ``y`` and together larger
    than `MERGE_CAP`, as ``(x start, y start, y stop)``; None when the index is compact.

    Leftmost, so that every step continues the same merge until it is done: a step never
    changes ``x``'s size, and `key_run_add` only merges runs that together fit the cap.
    """
    for (x, x_stop), (y, y_stop) in pairwise(runs):
        if x_stop - x <= y_stop - y and y_stop - x > MERGE_CAP:
            return x, y, y_stop
    return None


def key_compact_due() -> bool:
    """Whether `key_compact_step` has work (a hint when read without the head lock)."""
    with connection.cursor() as cursor:
        return key_compact_pair(_runs(cursor)) is not None


def key_compact_step() -> bool:
    """Do one bounded piece of the lookup index's pending merge; False if there is none.

    Moves the next buckets of run ``y`` into run ``x`` (`key_compact_pair`), about
    `COMPACT_STEP_BYTES` of records, and once ``y`` has none left, deletes it and extends
    ``x`` to ``y``'s stop as it is then (a `key_run_add` merge may have grown ``y``
    meanwhile). Between steps both runs stay listed and each record is in exactly one of
    them, so lookups are right after any step, and a step that crashes rolls back whole: the
    next one starts from what is committed. The caller holds the log head lock.
    """
    with connection.cursor() as cursor:
        pair = key_compact_pair(_runs(cursor))
        if pair is None:
            return False
        x, y, y_stop = pair
        cursor.execute("SELECT min(bucket) FROM trustlog_leafkeybucket WHERE run = %s", [y])
        row = cursor.fetchone()
        if row is not None and row[0] is not None:
            # Leaf hashes are SHA-256 outputs, so a bucket of the two runs holds about 1/1024
            # of their records: no need to read the rows' sizes to cut a step.
            per_bucket = _RECORD * (y_stop - x) >> KEY_BUCKET_BITS
            lo = int(row[0])
            hi = lo + max(1, COMPACT_STEP_BYTES // max(1, per_bucket)) - 1
            _move(cursor, x, y, lo, hi)
            cursor.execute(
                "SELECT 1 FROM trustlog_leafkeybucket WHERE run = %s AND bucket > %s LIMIT 1",
                [y, hi],
            )
            if cursor.fetchone() is not None:  # y keeps the rest of its buckets for later
                return True
        _absorb(cursor, x, y, y_stop)
    return True


def key_indexed_upto() -> int:
    """End of the entries the lookup runs cover (they cover ``0 ..`` that, contiguously)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(stop) FROM trustlog_leafkeyrun")
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def tiles_read(first_bundle: int, stop_bundle: int) -> bytes:
    """The hash tiles of bundles ``first_bundle .. stop_bundle - 1`` concatenated, in order.

    Raises:
        BundleFormatError: If a bundle is missing or its tile is not 256 hashes.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, hashes FROM trustlog_entrybundle WHERE id >= %s AND id < %s ORDER BY id",
            [first_bundle, stop_bundle],
        )
        rows = cursor.fetchall()
    tiles = [bytes(t) for _, t in rows]
    if [int(k) for k, _ in rows] != list(range(first_bundle, stop_bundle)) or any(
        len(t) != _HASH * BUNDLE_SIZE for t in tiles
    ):
        raise BundleFormatError("entry bundles are missing or damaged: run `mekong log audit`")
    return b"".join(tiles)


def tiles_find(leaf_hash: bytes) -> list[int]:
    """Indexes of bundled entries *not yet in the lookup runs* whose leaf hash is
    ``leaf_hash``: a scan of those bundles' hash tiles, in C (`bytes.find`), one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, hashes FROM trustlog_entrybundle WHERE id >= "
            "(SELECT coalesce(max(stop), 0) FROM trustlog_leafkeyrun) / %s",
            [BUNDLE_SIZE],
        )
        rows = cursor.fetchall()
    found: list[int] = []
    for bundle, tile in rows:
        raw = bytes(tile)
        pos = raw.find(leaf_hash)
        while pos >= 0:
            if pos % _HASH == 0:
                found.append((int(bundle) << BUNDLE_BITS) + pos // _HASH)
            pos = raw.find(leaf_hash, pos + 1)
    return sorted(found)


def key_find(leaf_hash: bytes) -> list[int]:
    """Indexes of the bundled entries whose leaf hash *starts* like ``leaf_hash`` (its first
    8 bytes), ascending, in one query. The caller compares the full hash (from the hash tile).
    """
    key = bytes(leaf_hash[:LEAF_KEY_BYTES])
    if len(key) != LEAF_KEY_BYTES:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT records FROM trustlog_leafkeybucket WHERE bucket = %s"
            " AND run IN (SELECT start FROM trustlog_leafkeyrun)",
            [bucket_of(key)],
        )
        rows = cursor.fetchall()
    found: list[int] = []
    for (records,) in rows:
        blob = bytes(records)
        pos = blob.find(key)
        while pos >= 0:
            if pos % _RECORD == 0:  # a match across two records is no match
                found.append(int.from_bytes(blob[pos + LEAF_KEY_BYTES : pos + _RECORD], "big"))
            pos = blob.find(key, pos + 1)
    return sorted(found)


def bundle_of(index: int) -> int:
    """The bundle number of entry ``index``."""
    return index >> BUNDLE_BITS
