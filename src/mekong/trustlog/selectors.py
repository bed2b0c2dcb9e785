"""Reads of the verifiable log: roots and proofs from stored subtree hashes, entries, checkpoints.

Every root, inclusion proof and consistency proof reads the ``O(log n)`` complete-subtree
hashes that `mekong.trustlog.merkle` lists for it (``*_ranges``) in ONE query
(`node_hashes`), then folds them with the pure ``*_from`` functions. Reads take no locks:
stored subtrees never change, and a tree size below the committed log size only needs
subtrees that were committed with it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Count, Max

from mekong.trustlog import bundles, merkle
from mekong.trustlog.contracts import CheckpointInfo, EntryInfo
from mekong.trustlog.errors import (
    CheckpointNotFound,
    EntryNotFound,
    InvalidLeafHash,
    TreeSizeOutOfRange,
)
from mekong.trustlog.leaf import decode_leaf
from mekong.trustlog.models import (
    BUNDLE_BITS,
    BUNDLE_SIZE,
    LEAF_KEY_BYTES,
    STORED_MIN_LEVEL,
    Checkpoint,
    Cosignature,
    LeafKey,
    LogEntry,
)
from mekong.trustlog.receipt import Receipt, ReceiptEntry

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
#: How many recent covering checkpoints a receipt considers when picking the best cosigned.
_RECEIPT_CANDIDATES = 20
_STORED_WIDTH = 1 << STORED_MIN_LEVEL


class LogCorruptedError(RuntimeError):
    """A subtree hash the log must have is missing: run ``mekong log audit``."""


def timestamp_us(value: datetime) -> int:
    """Microseconds since the Unix epoch, exactly (no float rounding)."""
    return (value - EPOCH) // _MICROSECOND


def from_timestamp_us(value: int) -> datetime:
    """The aware UTC datetime of ``value`` microseconds since the epoch."""
    return EPOCH + timedelta(microseconds=value)


def node_id(start: int, end: int) -> int:
    """In-order number of the complete subtree ``[start, end)``: ``2 * start + width - 1``."""
    return start + end - 1


def _bytes(value: bytes | memoryview) -> bytes:
    # PostgreSQL returns bytea as memoryview, SQLite as bytes.
    return bytes(value)


def node_hashes(ranges: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """Fetch the hashes of complete subtrees in one query.

    Subtrees of `STORED_MIN_LEVEL` and up come from `SubtreeHash`; smaller ones (at most
    ``2**STORED_MIN_LEVEL - 1`` leaves wide, never across two bundles) are folded from their
    leaves' hashes: in the bundle's hash tile, or in the edge rows (`LogEntry.leaf_hash`) if
    the bundle is not complete. Only the needed slice of a tile is read (``substr``: on
    PostgreSQL the 8 KB tile is a TOAST value, and a slice reads one or two of its chunks
    instead of the whole value). One ``UNION ALL`` reads all three through primary keys; as one
    statement it sees one state, so a leaf moved from the edge into its bundle meanwhile is
    found in one place or the other. Ranges that are not stored are absent from the result.
    """
    wanted = {node_id(a, b): (a, b) for a, b in ranges}
    if not wanted:
        return {}
    small = [(a, b) for a, b in wanted.values() if b - a < _STORED_WIDTH]
    leaves = sorted({i for a, b in small for i in range(a, b)})
    # Per bundle, the slice of its tile that holds the needed leaves: offsets lo .. hi - 1.
    slices: dict[int, tuple[int, int]] = {}
    for i in leaves:
        k, off = i >> BUNDLE_BITS, i & (BUNDLE_SIZE - 1)
        lo, hi = slices.get(k, (off, off + 1))
        slices[k] = (min(lo, off), max(hi, off + 1))
    inner = [n for n, (a, b) in wanted.items() if b - a >= _STORED_WIDTH]
    parts: list[str] = []
    params: list[int] = []
    # Only placeholders are interpolated below; the values travel as parameters. Ids: even
    # for leaves (2 * index), odd for subtrees (`node_id`), negative for hash tiles.
    # Each bundle's needed leaves lie in one slice: read it as a range of edge rows and as a
    # slice of the tile (a range, not an IN list of up to 63 values: building and parsing
    # that SQL cost more than running it).
    for k, (lo, hi) in slices.items():
        base = k << BUNDLE_BITS
        parts.append(
            "SELECT 2 * idx, leaf_hash FROM trustlog_logentry WHERE idx >= %s AND idx < %s"
        )
        parts.append(
            "SELECT -1 - id, substr(hashes, %s, %s) FROM trustlog_entrybundle WHERE id = %s"
        )
        params += [base + lo, base + hi, 32 * lo + 1, 32 * (hi - lo), k]
    if inner:
        marks = ",".join(["%s"] * len(inner))
        parts.append(f"SELECT id, hash FROM trustlog_subtreehash WHERE id IN ({marks})")  # noqa: S608
        params += inner
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    found: dict[tuple[int, int], bytes] = {}
    leaf_hashes: dict[int, bytes] = {}
    tile_rows: dict[int, bytes] = {}
    for n, h in rows:
        n = int(n)
        if n < 0:
            tile_rows[-1 - n] = _bytes(h)
        elif n % 2 == 0:
            leaf_hashes[n // 2] = _bytes(h)
        elif n in wanted and wanted[n][1] - wanted[n][0] >= _STORED_WIDTH:
            found[wanted[n]] = _bytes(h)
    for i in leaves:
        k = i >> BUNDLE_BITS
        tile = tile_rows.get(k)
        if tile is not None:
            h = bundles.tile_hash(tile, (i & (BUNDLE_SIZE - 1)) - slices[k][0])
            if h is not None:
                leaf_hashes[i] = h
    for a, b in small:
        hashes = [leaf_hashes.get(i) for i in range(a, b)]
        if all(h is not None for h in hashes):
            found[(a, b)] = merkle.root_hash([h for h in hashes if h is not None])
    return found


def subtree_lookup(ranges: list[tuple[int, int]]) -> merkle.SubtreeHash:
    """Load the hashes of ``ranges`` (one query) and return a ``subtree_hash`` callable.

    Raises:
        LogCorruptedError: If a range is not stored.
    """
    found = node_hashes(ranges)
    missing = [r for r in ranges if r not in found]
    if missing:
        raise LogCorruptedError(f"stored subtree hashes missing: {missing[:3]}")

    def subtree_hash(start: int, end: int) -> bytes:
        return found[(start, end)]

    return subtree_hash


def log_size() -> int:
    """The number of entries in the log (committed).

    Raw SQL: every proof starts with this read, and the ORM would double a proof's latency.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT size FROM trustlog_loghead WHERE id = 1")
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _check_size(size: int, current: int | None = None) -> int:
    current = log_size() if current is None else current
    if not 0 <= size <= current:
        raise TreeSizeOutOfRange(
            params={"size": size, "current": current},
            extra={"errors": [{"loc": ["tree_size"], "msg": f"must be 0..{current}"}]},
        )
    return current


def root_at(size: int) -> bytes:
    """The root hash of the tree of the first ``size`` entries (one query).

    Raises:
        TreeSizeOutOfRange: If ``size`` is negative or beyond the log.
    """
    _check_size(size)
    return merkle.root_from(subtree_lookup(merkle.root_ranges(size)), size)


def inclusion_proof_at(index: int, size: int) -> list[bytes]:
    """The inclusion proof of entry ``index`` in the tree of ``size`` entries (one query).

    Raises:
        TreeSizeOutOfRange: Unless ``0 <= index < size <= log size``.
    """
    _check_size(size)
    if not 0 <= index < size:
        raise TreeSizeOutOfRange(
            extra={"errors": [{"loc": ["index"], "msg": f"must be 0..{size - 1}"}]}
        )
    ranges = merkle.inclusion_proof_ranges(index, size)
    return merkle.inclusion_proof_from(subtree_lookup(ranges), index, size)


def consistency_proof_between(old_size: int, new_size: int) -> list[bytes]:
    """The consistency proof from ``old_size`` to ``new_size`` (one query; empty from 0).

    Raises:
        TreeSizeOutOfRange: Unless ``0 <= old_size <= new_size <= log size``.
    """
    _check_size(new_size)
    if not 0 <= old_size <= new_size:
        raise TreeSizeOutOfRange(
            extra={"errors": [{"loc": ["old_size"], "msg": f"must be 0..{new_size}"}]}
        )
    ranges = merkle.consistency_proof_ranges(old_size, new_size)
    return merkle.consistency_proof_from(subtree_lookup(ranges), old_size, new_size)


def root_and_proofs(
    size: int, index: int | None = None, old_size: int | None = None
) -> tuple[bytes, list[bytes], list[bytes]]:
    """Root at ``size`` plus an inclusion and/or consistency proof, all in one query."""
    ranges = list(merkle.root_ranges(size))
    if index is not None:
        ranges += merkle.inclusion_proof_ranges(index, size)
    if old_size is not None:
        ranges += merkle.consistency_proof_ranges(old_size, size)
    lookup = subtree_lookup(list(dict.fromkeys(ranges)))
    root = merkle.root_from(lookup, size)
    inclusion = merkle.inclusion_proof_from(lookup, index, size) if index is not None else []
    consistency = (
        merkle.consistency_proof_from(lookup, old_size, size) if old_size is not None else []
    )
    return root, inclusion, consistency


def parse_leaf_hash(value: str) -> bytes:
    """Accept a leaf hash as 64 hex digits or as (standard or URL-safe) base64 of 32 bytes.

    Raises:
        InvalidLeafHash: Otherwise.
    """
    text = value.strip().replace(" ", "+")  # a '+' in a query string arrives as a space
    try:
        if len(text) == 64:
            raw = bytes.fromhex(text)
        else:
            raw = base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (ValueError, binascii.Error):
        raise InvalidLeafHash() from None
    if len(raw) != merkle.HASH_SIZE:
        raise InvalidLeafHash()
    return raw


def _entry_info(index: int, leaf: bytes, leaf_hash: bytes) -> EntryInfo:
    decoded = decode_leaf(leaf)
    return EntryInfo(
        index=index,
        kind=decoded.kind,
        timestamp=from_timestamp_us(decoded.timestamp_us),
        timestamp_us=decoded.timestamp_us,
        payload=decoded.payload,
        leaf_hash=leaf_hash,
    )


def _entries(start: int, stop: int) -> list[EntryInfo]:
    """The stored entries ``start .. stop - 1``, from their bundles and the edge rows (one
    query). Kind and timestamp are read from the leaf bytes, which are what the tree signs."""
    if stop <= start:
        return []
    first, last = start >> BUNDLE_BITS, (stop - 1) >> BUNDLE_BITS
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT idx, leaf, leaf_hash FROM trustlog_logentry WHERE idx >= %s AND idx < %s"
            " UNION ALL SELECT -1 - id, leaves, hashes FROM trustlog_entrybundle"
            " WHERE id >= %s AND id <= %s",
            [start, stop, first, last],
        )
        rows = cursor.fetchall()
    out: dict[int, EntryInfo] = {}
    for n, leaf, h in rows:
        n = int(n)
        if n >= 0:
            out[n] = _entry_info(n, _bytes(leaf), _bytes(h))
            continue
        bundle = -1 - n
        base = bundle << BUNDLE_BITS
        blob, tile = _bytes(leaf), _bytes(h)
        for i in range(max(start, base), min(stop, base + BUNDLE_SIZE)):
            offset = i - base
            out[i] = _entry_info(
                i, bundles.bundle_leaf(blob, offset), bundles.tile_hash(tile, offset) or b""
            )
    return [out[i] for i in sorted(out)]


def entry_get(index: int) -> EntryInfo:
    """The entry at ``index``.

    Raises:
        EntryNotFound: If there is none.
    """
    found = _entries(index, index + 1) if index >= 0 else []
    if not found:
        raise EntryNotFound(params={"index": index})
    return found[0]


def entry_find(leaf_hash: bytes, *, below: int | None = None) -> EntryInfo:
    """The first entry whose leaf hash is ``leaf_hash`` (and whose index is below ``below``).

    Bundled entries are found through the lookup runs (`mekong.trustlog.bundles.key_find`)
    or, for bundles appended since the runs were last updated, by scanning those bundles'
    hash tiles (`mekong.trustlog.bundles.tiles_find`); edge entries through the index on the
    first bytes of their hash (`mekong.trustlog.models.LeafKey`). Candidates from prefixes
    are confirmed against the full hash.

    Raises:
        EntryNotFound: If there is none.
    """
    leaf_hash = bytes(leaf_hash)
    # Three statements, in the order entries move (edge row -> unindexed bundle -> lookup
    # run), so an append or index update committed between two of them cannot hide an entry:
    # whichever statement runs after the move looks where the entry went.
    candidates: list[int] = []
    qs = LogEntry.objects.alias(key=LeafKey("leaf_hash")).filter(
        key=leaf_hash[:LEAF_KEY_BYTES], leaf_hash=leaf_hash
    )
    edge = qs.order_by("index").values_list("index", flat=True).first()
    if edge is not None:
        candidates.append(int(edge))
    if len(leaf_hash) == merkle.HASH_SIZE:
        candidates += bundles.tiles_find(leaf_hash)
        candidates += bundles.key_find(leaf_hash)
    for index in sorted(candidates):
        if below is not None and index >= below:
            break
        found = _entries(index, index + 1)
        if found and found[0].leaf_hash == leaf_hash:
            return found[0]
    raise EntryNotFound()


def entries_range(start: int, limit: int) -> list[EntryInfo]:
    """Entries ``start`` .. ``start + limit - 1`` that exist, in index order."""
    return _entries(max(start, 0), start + limit)


def _cosignature_lines(checkpoint_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {i: [] for i in checkpoint_ids}
    rows = (
        Cosignature.objects.filter(checkpoint_id__in=checkpoint_ids)
        .order_by("id")
        .values_list("checkpoint_id", "witness_name", "line")
    )
    for cp_id, name, line in rows:
        out[cp_id].append((name, line))
    return out


def _info(cp: Checkpoint, cosigs: list[tuple[str, str]]) -> CheckpointInfo:
    # Stored lines are whole signature lines ("— name base64\n"), verified when collected.
    note = cp.note + "".join(line for _, line in cosigs)
    return CheckpointInfo(
        size=cp.size,
        root_hash=_bytes(cp.root_hash),
        note=note,
        created_at=cp.created_at,
        witnesses=tuple(name for name, _ in cosigs),
    )


def checkpoint_latest() -> CheckpointInfo:
    """The newest checkpoint with every cosignature collected for it.

    Raises:
        CheckpointNotFound: If none was published yet.
    """
    cp = Checkpoint.objects.order_by("-size").first()
    if cp is None:
        raise CheckpointNotFound()
    return _info(cp, _cosignature_lines([cp.pk])[cp.pk])


def checkpoint_at(size: int) -> CheckpointInfo:
    """The checkpoint of exactly ``size`` entries.

    Raises:
        CheckpointNotFound: If none was published at that size.
    """
    cp = Checkpoint.objects.filter(size=size).first()
    if cp is None:
        raise CheckpointNotFound()
    return _info(cp, _cosignature_lines([cp.pk])[cp.pk])


def checkpoint_for_entry(index: int) -> CheckpointInfo:
    """The best checkpoint to prove entry ``index``: among the recent ones covering it, the
    one with the most cosignatures (the newest on ties).

    Raises:
        CheckpointNotFound: If no checkpoint covers the entry yet.
    """
    candidates = list(
        Checkpoint.objects.filter(size__gt=index)
        .annotate(n=Count("cosignatures"))
        .order_by("-size")[:_RECEIPT_CANDIDATES]
    )
    if not candidates:
        raise CheckpointNotFound()
    best = max(candidates, key=lambda c: (c.n, c.size))
    return _info(best, _cosignature_lines([best.pk])[best.pk])


def witness_sizes(keys: Iterable[str]) -> dict[str, int]:
    """The largest checkpoint size each witness (by verifier key) has cosigned here."""
    sizes = dict.fromkeys(keys, 0)
    rows = (
        Cosignature.objects.filter(witness_key__in=list(sizes))
        .values("witness_key")
        .annotate(largest=Max("checkpoint__size"))
        .values_list("witness_key", "largest")
        .order_by()
    )
    for key, size in rows:
        sizes[key] = int(size or 0)
    return sizes


def receipt_for(index: int, checkpoint: CheckpointInfo | None = None) -> Receipt:
    """Build the receipt of entry ``index`` under ``checkpoint`` (default: the best one).

    Raises:
        EntryNotFound: If the entry does not exist.
        CheckpointNotFound: If no checkpoint covers it.
        TreeSizeOutOfRange: If ``checkpoint`` does not cover it.
    """
    entry = entry_get(index)
    cp = checkpoint or checkpoint_for_entry(index)
    return _receipt(entry, cp, inclusion_proof_at(index, cp.size))


def _receipt(entry: EntryInfo, checkpoint: CheckpointInfo, proof: Sequence[bytes]) -> Receipt:
    return Receipt(
        entry=ReceiptEntry(
            index=entry.index,
            kind=entry.kind,
            timestamp_us=entry.timestamp_us,
            data=entry.payload,
            leaf_hash=entry.leaf_hash,
        ),
        checkpoint=checkpoint.note,
        inclusion_proof=tuple(proof),
    )


def receipts_for_range(start: int, count: int, checkpoint: CheckpointInfo) -> list[Receipt]:
    """The receipts of entries ``start .. start + count - 1`` under ``checkpoint``, in order.

    Two queries whatever ``count``: the entries (bundles and edge rows), then every subtree
    hash of all their inclusion proofs at once (neighbouring entries share most of them).
    Each receipt is what `receipt_for` returns for its entry under ``checkpoint``.

    Raises:
        EntryNotFound: If an entry of the range does not exist.
        TreeSizeOutOfRange: If ``checkpoint`` does not cover the whole range.
    """
    if count <= 0:
        return []
    stop = start + count
    size = checkpoint.size
    if start < 0 or stop > size:
        raise TreeSizeOutOfRange(
            extra={"errors": [{"loc": ["index"], "msg": f"must be 0..{size - 1}"}]}
        )
    entries = _entries(start, stop)
    if [e.index for e in entries] != list(range(start, stop)):
        present = {e.index for e in entries}
        missing = next(i for i in range(start, stop) if i not in present)
        raise EntryNotFound(params={"index": missing})
    # The checkpoint names a committed size, so every subtree below it is stored (a missing
    # one is corruption, raised by `subtree_lookup`); no log size read is needed.
    indexes = range(start, stop)
    lookup = subtree_lookup(merkle.inclusion_proofs_ranges(indexes, size))
    proofs = merkle.inclusion_proofs_from(lookup, indexes, size)
    return [_receipt(e, checkpoint, proof) for e, proof in zip(entries, proofs, strict=True)]
