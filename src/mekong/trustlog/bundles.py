"""The log's storage layout below the models: entry bundles and the leaf-hash lookup index.

Entry bundles (`mekong.trustlog.models.EntryBundle`) hold 256 consecutive entries in one row,
so a batch append writes one row per 256 entries; see docs/adr/0009-trustlog-entry-bundles.md.
The lookup index answers "which entry has this leaf hash" for bundled entries without a row
per entry. It is built off the append path (`services.lookup_index_update`, after each
checkpoint): each update indexes the bundles appended since the last one as one *run* of
16-byte records (the leaf hash's first 8 bytes, the entry index), partitioned into 1,024
buckets by their first 10 bits (one row per bucket and run); runs merge like a binary counter,
so a lookup reads ``O(log n)`` small rows and confirms the few candidates' full hashes.
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


def key_run_add(first: int, tiles: bytes) -> None:
    """Index the bundled entries ``first ..`` (whole bundles; ``tiles`` is their hash tiles
    concatenated) as a new run, then merge runs while the previous one is no larger than the
    newest (binary-counter merging: ``O(log n)`` runs, blobs concatenated, never re-sorted).
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
        cursor.execute("SELECT start, stop FROM trustlog_leafkeyrun ORDER BY start")
        runs = [(int(a), int(b)) for a, b in cursor.fetchall()]
        while len(runs) >= 2 and runs[-2][1] - runs[-2][0] <= runs[-1][1] - runs[-1][0]:
            (a, _), (b, b_stop) = runs[-2], runs.pop()
            cursor.execute(
                "SELECT bucket, records FROM trustlog_leafkeybucket"
                " WHERE run IN (%s, %s) ORDER BY bucket, run",
                [a, b],
            )
            merged: dict[int, list[bytes]] = {}
            for bucket, records in cursor.fetchall():
                merged.setdefault(int(bucket), []).append(bytes(records))
            cursor.execute("DELETE FROM trustlog_leafkeybucket WHERE run IN (%s, %s)", [a, b])
            cursor.executemany(
                _INSERT_BUCKETS, [(a, k, b"".join(parts)) for k, parts in merged.items()]
            )
            cursor.execute("DELETE FROM trustlog_leafkeyrun WHERE start = %s", [b])
            cursor.execute("UPDATE trustlog_leafkeyrun SET stop = %s WHERE start = %s", [b_stop, a])
            runs[-1] = (a, b_stop)


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
