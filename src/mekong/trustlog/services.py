"""Write use cases of the verifiable log: append entries, publish checkpoints, collect
cosignatures, anchor a record and return its receipt.

Appends are serialised on the single `LogHead` row: on PostgreSQL ``SELECT ... FOR UPDATE``,
on SQLite the ``BEGIN IMMEDIATE`` every transaction starts with (settings) already holds the
database write lock. Inside that lock an append reads the right edge of the tree (the
``root_ranges(size)`` subtrees, one query), resumes a `CompactRange` from it, and bulk-inserts
the entries (256 to a bundle row, `mekong.trustlog.bundles`) and every subtree the batch
completes. Nothing talks to the network while a
database lock is held: witnesses are asked after the checkpoint is committed.

A caller that queues its own writers (the payments hub's SQLite writer queue) passes its
queue as ``write_section`` to `entries_anchor` and `checkpoint_publish`: the log's write
transactions run inside it, the witness round trips outside it.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from itertools import repeat
from operator import itemgetter
from typing import Any

from django.db import connection, transaction

from mekong.core import clock
from mekong.core.audit import audit_record, audit_record_many
from mekong.core.events import DomainEvent, publish_many
from mekong.trustlog import bundles, merkle, selectors
from mekong.trustlog.config import LogConfig, WitnessEndpoint, log_config
from mekong.trustlog.contracts import AppendResult, CheckpointInfo, Receipt
from mekong.trustlog.errors import CheckpointNotFound, InvalidEntry
from mekong.trustlog.events import CheckpointPublished, EntriesAppended
from mekong.trustlog.leaf import LeafFormatError, encode_leaves
from mekong.trustlog.models import (
    BUNDLE_BITS,
    BUNDLE_SIZE,
    STORED_MIN_LEVEL,
    Checkpoint,
    Cosignature,
    LogHead,
)
from mekong.trustlog.note import Checkpoint as CheckpointBody
from mekong.trustlog.note import NoteError, Signature, parse_note, sign_note
from mekong.trustlog.witness import add_checkpoint_body, parse_size_body, post_add_checkpoint

logger = logging.getLogger(__name__)

#: Rounds of add-checkpoint per witness: the first, then retries after 409 answers.
_WITNESS_ROUNDS = 3

#: Entered around each of the log's write transactions on behalf of a caller that queues its
#: writers (e.g. a process's SQLite writer queue); never around a witness request. It must not
#: be held by the caller already (it is entered several times, one after the other).
WriteSection = Callable[[], contextlib.AbstractContextManager[object]]


def _lock_head() -> int:
    """Lock the log head row (creating it on first use) and return the log size."""
    # Precomposed: this runs in every append, and inside every payment batch.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "size" FROM "trustlog_loghead" WHERE "id" = 1{lock}')  # noqa: S608
        row = cursor.fetchone()
    if row is not None:
        return int(row[0])
    head = LogHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # Two first appends may race to create the row; the loser's insert is ignored.
        LogHead.objects.bulk_create([LogHead(pk=1, size=0)], ignore_conflicts=True)
        head = LogHead.objects.select_for_update().get(pk=1)
    return int(head.size)


#: SQLite page cache for connections that append (KiB, negative = size, not pages).
_SQLITE_CACHE_KIB = 65536


def _tune_connection() -> None:
    """Give an appending SQLite connection a 64 MiB page cache, once per connection.

    Each leaf hash goes into a B-tree index at a random position, so a batch dirties pages
    all over that index; with SQLite's default 2 MiB cache they are read again and again.
    PostgreSQL sizes its shared buffers at the server.
    """
    if connection.vendor != "sqlite":
        return
    connection.ensure_connection()
    raw = connection.connection
    # Noted on Django's wrapper (sqlite3.Connection takes no attributes), against the raw
    # connection it tuned: a reconnect gets a new one, tuned again.
    if getattr(connection, "_mekong_trustlog_tuned", None) is raw:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}")
    connection._mekong_trustlog_tuned = raw  # type: ignore[attr-defined]


def _insert(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return  # an append that only completed bundles: no edge rows, no statement
    qn = connection.ops.quote_name
    # Table and column names are constants of this module; values are parameters.
    names = ", ".join(qn(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {qn(table)} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _store_entries(
    size: int,
    now: datetime,
    items: Sequence[tuple[str, bytes]],
    leaves: list[bytes],
    hashes: list[bytes],
) -> None:
    """Store entries ``size ..``: complete bundles as `EntryBundle` rows, the rest as edge rows.

    The edge rows of a bundle this batch completes are read, deleted and bundled with the new
    entries. The lookup index is not touched: `lookup_index_update` adds the new bundles to it
    later, and lookups scan the hash tiles of bundles it has not reached yet.
    """
    edge_start = size & ~(BUNDLE_SIZE - 1)
    new_size = size + len(leaves)
    new_edge = new_size & ~(BUNDLE_SIZE - 1)
    first_edge = 0  # offset in `leaves` of the first entry that stays an edge row
    if new_edge > edge_start:
        first_edge = new_edge - size
        old_leaves: list[bytes] = []
        old_hashes: list[bytes] = []
        if size > edge_start:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT leaf, leaf_hash FROM trustlog_logentry"
                    " WHERE idx >= %s AND idx < %s ORDER BY idx",
                    [edge_start, size],
                )
                rows = cursor.fetchall()
                if len(rows) != size - edge_start:
                    raise selectors.LogCorruptedError("edge entries are missing")
                old_leaves = [bytes(leaf) for leaf, _ in rows]
                old_hashes = [bytes(h) for _, h in rows]
                cursor.execute(
                    "DELETE FROM trustlog_logentry WHERE idx >= %s AND idx < %s",
                    [edge_start, size],
                )
        bundles.bundles_write(
            edge_start >> BUNDLE_BITS,
            old_leaves + leaves[:first_edge],
            old_hashes + hashes[:first_edge],
        )
    if first_edge < len(leaves):
        db_now = connection.ops.adapt_datetimefield_value(now)
        # Rows are zipped in C: building them in a Python loop costs more than inserting them.
        _insert(
            "trustlog_logentry",
            ("idx", "kind", "timestamp", "leaf", "leaf_hash"),
            list(
                zip(
                    range(size + first_edge, new_size),
                    map(itemgetter(0), items[first_edge:]),
                    repeat(db_now),
                    leaves[first_edge:],
                    hashes[first_edge:],
                    strict=False,  # repeat() is endless; the others have the same length
                )
            ),
        )


def entries_append(
    *, items: Sequence[tuple[str, bytes]], return_hashes: bool = False
) -> AppendResult:
    """Append a batch of entries ``(kind, payload)`` at the end of the log, in order.

    All entries of a batch share one timestamp (the append time). The leaf bytes follow
    docs/adr/0008-merkle-leaf-format.md.

    Invariants: indexes are contiguous from the old size; after commit the subtree hashes of
    ``root_ranges(new size)`` are stored; the batch is wholly appended or not at all. Lock:
    the log head row (see the module docstring). Writes one ``trustlog.entries_appended``
    audit entry and publishes `EntriesAppended`.

    Raw ``executemany`` inserts are used instead of ``bulk_create``: building model
    instances would cost more than the hashing, and this is the log's hot path.

    Raises:
        InvalidEntry: If the batch is empty, a kind is invalid or a payload too large.
    """
    with transaction.atomic():
        result = _append(items, return_hashes=return_hashes)
        _record(_appended(result, items))
    return result


def _record(*done: tuple[dict[str, Any], DomainEvent]) -> None:
    """Record the audit entries and publish the events of what the caller just did: one
    insert each, however many."""
    audit_record_many([audit for audit, _event in done])
    publish_many([event for _audit, event in done])


def _appended(
    result: AppendResult, items: Sequence[tuple[str, bytes]]
) -> tuple[dict[str, Any], EntriesAppended]:
    """The audit entry and the event of an append."""
    kinds = sorted({kind for kind, _ in items})[:20]
    audit = {
        "action": "trustlog.entries_appended",
        "object_type": "trustlog.log",
        "object_id": result.first_index,
        "data": {"first_index": result.first_index, "count": result.count, "kinds": kinds},
    }
    return audit, EntriesAppended(first_index=result.first_index, count=result.count, kinds=kinds)


def _append(items: Sequence[tuple[str, bytes]], *, return_hashes: bool) -> AppendResult:
    """`entries_append` without its audit entry and event, in the caller's transaction."""
    if not items:
        raise InvalidEntry(extra={"errors": [{"loc": ["items"], "msg": "empty batch"}]})
    sha256 = hashlib.sha256
    _tune_connection()
    size = _lock_head()
    frontier_ranges = merkle.root_ranges(size)
    found = selectors.node_hashes(frontier_ranges)
    if len(found) != len(frontier_ranges):
        raise selectors.LogCorruptedError("the tree's right edge is not stored")
    tree = merkle.CompactRange(size, [found[r] for r in frontier_ranges])
    now = clock.now()
    stamp = selectors.timestamp_us(now)
    try:
        leaves = encode_leaves(size, stamp, items)
    except (LeafFormatError, TypeError, ValueError) as exc:
        raise InvalidEntry(extra={"errors": [{"loc": ["items"], "msg": str(exc)}]}) from None
    hashes = [sha256(b"\x00" + leaf).digest() for leaf in leaves]
    # Level 0 is the leaf hashes (hash tiles and edge rows); levels 1-5 are folded from
    # leaf hashes on read.
    nodes = tree.extend(hashes, min_level=STORED_MIN_LEVEL)
    _store_entries(size, now, items, leaves, hashes)
    _insert(
        "trustlog_subtreehash",
        ("id", "level", "idx", "hash"),
        [
            (((index << level) << 1) + (1 << level) - 1, level, index, h)
            for level, index, h in nodes
        ],
    )
    new_size = size + len(items)
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE "trustlog_loghead" SET "size" = %s, "updated_at" = %s WHERE "id" = 1',
            [new_size, connection.ops.adapt_datetimefield_value(now)],
        )
    return AppendResult(
        first_index=size,
        count=len(items),
        size=new_size,
        root_hash=tree.root(),
        leaf_hashes=tuple(hashes) if return_hashes else (),
    )


def lookup_index_update() -> int:
    """Add the bundles appended since the last update to the leaf-hash lookup index.

    Appends do not index (that work would cost the append path about a third of its time);
    lookups stay correct meanwhile by scanning the hash tiles of the bundles not indexed yet
    (`selectors.entry_find`), so this only keeps lookups fast. Called after each checkpoint is
    published, and by ``mekong log reindex``.

    Invariant: the lookup runs cover entries ``0 .. stop`` of the last run, contiguously.
    Lock: the log head row (serialised with appends and other updates). No events.

    Returns:
        The number of entries indexed.
    """
    with transaction.atomic():
        size = _lock_head()
        start = bundles.key_indexed_upto()
        stop = size & ~(BUNDLE_SIZE - 1)
        if stop <= start:
            return 0
        try:
            tiles = bundles.tiles_read(start >> BUNDLE_BITS, stop >> BUNDLE_BITS)
        except bundles.BundleFormatError as exc:
            raise selectors.LogCorruptedError(str(exc)) from None
        bundles.key_run_add(start, tiles)
    return stop - start


#: Compaction steps a checkpoint does at most (`checkpoint_publish`): it may run in a request
#: (`anchor`), which should not do all of a merge that rewrites millions of records; later
#: checkpoints, the payments hub's loop or ``mekong log reindex`` do the rest.
CHECKPOINT_COMPACT_STEPS = 8


def lookup_index_compact(
    *,
    write_section: WriteSection = contextlib.nullcontext,
    stopping: Callable[[], bool] = lambda: False,
    max_steps: int | None = None,
) -> int:
    """Finish the lookup index's pending merges (`bundles.key_compact_step`), one short
    transaction per step, until none is left, ``stopping()`` or ``max_steps`` steps; return
    the steps done.

    Appends merge only small runs (`bundles.MERGE_CAP`), so that a payment batch never waits
    on a rewrite of the whole index; this does the larger merges in pieces of about
    `bundles.COMPACT_STEP_BYTES`, each in its own ``write_section()`` (a writer queued
    behind a step waits ~10 ms, not seconds). Lookups are right before, between and after
    steps; left undone, the index only costs lookups a few more rows each.

    Lock: the log head row, per step (steps of concurrent callers take turns). No events.
    """
    steps = 0
    while (max_steps is None or steps < max_steps) and not stopping() and bundles.key_compact_due():
        # ``key_compact_due`` is an unlocked look: an index with nothing due costs no turn.
        with write_section(), transaction.atomic():
            _lock_head()
            if not bundles.key_compact_step():
                break
        steps += 1
    return steps


def checkpoint_publish(
    *, collect: bool = True, write_section: WriteSection = contextlib.nullcontext
) -> CheckpointInfo:
    """Sign a checkpoint of the current log and ask the configured witnesses to cosign it.

    If the newest checkpoint already has the current size it is reused (Ed25519 signatures
    are deterministic, so it would be the same note) and only missing cosignatures are asked
    for.

    Invariants: at most one checkpoint per size; a checkpoint's root is the root of the tree
    of its size. Lock: the log head row while reading the size and signing, so the checkpoint
    names a state the log really had; released before any witness is contacted. Then brings
    the leaf-hash lookup index up to date (`lookup_index_update`, its own transaction) and
    carries its merges on by at most `CHECKPOINT_COMPACT_STEPS` steps
    (`lookup_index_compact`). Writes a ``trustlog.checkpoint_published``
    audit entry and publishes `CheckpointPublished` when a new checkpoint is signed. The
    signing and index transactions run inside one ``write_section()``, each compaction step
    and the storing of cosignatures inside others; witnesses are asked last.

    Raises:
        django.core.exceptions.ImproperlyConfigured: If the log has no signing key.
    """
    config = log_config()
    with write_section():
        with transaction.atomic():
            size = _lock_head()
            if not Checkpoint.objects.filter(size=size).exists():
                root = merkle.root_from(selectors.subtree_lookup(merkle.root_ranges(size)), size)
                _record(_checkpoint_sign(config, size, root))
        lookup_index_update()
    lookup_index_compact(write_section=write_section, max_steps=CHECKPOINT_COMPACT_STEPS)
    if collect and config.witnesses:
        cosignatures_collect(size=size, write_section=write_section)
    return selectors.checkpoint_at(size)


def _checkpoint_sign(
    config: LogConfig, size: int, root: bytes
) -> tuple[dict[str, Any], CheckpointPublished]:
    """Store the log's signed checkpoint of ``size`` (root ``root``) and return the audit
    entry and event to record for it. The caller holds the head lock and knows there is none
    yet."""
    text = CheckpointBody(config.origin, size, root).text()
    now = connection.ops.adapt_datetimefield_value(clock.now())
    with connection.cursor() as cursor:  # not the ORM's create: this runs in every payment batch
        cursor.execute(
            'INSERT INTO "trustlog_checkpoint" ("size", "root_hash", "note", "created_at")'
            " VALUES (%s, %s, %s, %s)",
            [size, root, sign_note(text, config.signer), now],
        )
    root_b64 = base64.b64encode(root).decode("ascii")
    audit = {
        "action": "trustlog.checkpoint_published",
        "object_type": "trustlog.checkpoint",
        "object_id": size,
        "data": {"size": size, "root_hash": root_b64},
    }
    return audit, CheckpointPublished(size=size, root_hash=root_b64)


def entries_append_signed(*, items: Sequence[tuple[str, bytes]]) -> AppendResult:
    """Append a batch of entries and sign a checkpoint of the new size, in ONE transaction:
    the caller's when it has one (a savepoint in it), so a record and its log entry commit or
    roll back together.

    For a caller that writes the records the entries describe in the same transaction (the
    payments hub): the entry indexes are known before the records are stored, and the log's
    writes share that transaction's lock turn instead of taking three of their own (append,
    checkpoint, receipts) after it. Witnesses are not asked here: a database transaction
    must not wait on the network. Call `cosignatures_collect_latest` after commit to collect
    their cosignatures (for this checkpoint, or a newer one covering it). The
    leaf-hash lookup index is brought up to date only when the batch completes a bundle, with
    small merges only: when it leaves larger ones, the result says ``compaction_due`` and the
    caller runs `lookup_index_compact` after commit, off its request path.

    Invariants, locks and events: those of `entries_append` and of `checkpoint_publish`'s
    signing (one ``CheckpointPublished``); the head lock is held to the end of the caller's
    transaction.

    Raises:
        InvalidEntry: If the batch is empty, a kind is invalid or a payload too large.
        django.core.exceptions.ImproperlyConfigured: If the log has no signing key.
    """
    config = log_config()  # before appending: a log that cannot sign must not grow
    with transaction.atomic():
        result = _append(items, return_hashes=False)
        # Both audit entries and both events in one insert each: this runs in every payment
        # batch.
        _record(_appended(result, items), _checkpoint_sign(config, result.size, result.root_hash))
        if result.size >> BUNDLE_BITS > result.first_index >> BUNDLE_BITS:
            lookup_index_update()
            if bundles.key_compact_due():
                return dataclasses.replace(result, compaction_due=True)
    return result


def cosignatures_collect_latest(*, write_section: WriteSection = contextlib.nullcontext) -> int:
    """`cosignatures_collect` for the newest checkpoint (it covers every entry appended so
    far); 0 if none was published. For a caller whose appends signed their checkpoints in
    their own transactions (`entries_append_signed`): nothing is signed or written here but
    the cosignatures."""
    newest = Checkpoint.objects.order_by("-size").values_list("size", flat=True).first()
    if newest is None:
        return 0
    return cosignatures_collect(size=newest, write_section=write_section)


def _cosignature_from(
    witness: WitnessEndpoint, note_text: str, signed: str, body: bytes
) -> Signature | None:
    """The witness's valid cosignature in its 200 answer, or None."""
    try:
        answer = parse_note(signed + body.decode("utf-8"))
    except (NoteError, UnicodeDecodeError):
        return None
    key = witness.key
    for sig in answer.signatures:
        if (sig.name, sig.key_id) == (key.name, key.key_id) and key.verify(
            note_text, sig.signature
        ):
            return sig
    return None


def cosignatures_collect(*, size: int, write_section: WriteSection = contextlib.nullcontext) -> int:
    """Ask every configured witness that has not cosigned the checkpoint of ``size`` to do so.

    Each witness gets ``add-checkpoint`` with a consistency proof from the largest size it
    cosigned here; a 409 answer names its real size and the request is retried from there
    (up to three rounds). Requests run in parallel threads that do no database work. Only
    cosignatures that verify under the configured key are stored.

    Invariant: stored cosignatures verify. No lock is held while waiting for witnesses; the
    cosignatures are stored in one transaction inside ``write_section()``. Writes a
    ``trustlog.checkpoint_cosigned`` audit entry when any cosignature is stored.

    Returns:
        The number of new cosignatures stored.
    """
    config = log_config()
    cp = Checkpoint.objects.get(size=size)
    note_text = parse_note(cp.note).text
    have = set(Cosignature.objects.filter(checkpoint=cp).values_list("witness_key", flat=True))
    pending = [w for w in config.witnesses if w.key.encode() not in have]
    known = selectors.witness_sizes(w.key.encode() for w in pending)
    collected: list[tuple[WitnessEndpoint, Signature]] = []
    for _ in range(_WITNESS_ROUNDS):
        requests: list[tuple[WitnessEndpoint, bytes]] = []
        for w in pending:
            old = known[w.key.encode()]
            if old > size:
                continue  # the witness has seen a newer checkpoint; it cannot cosign this one
            proof = selectors.consistency_proof_between(old, size) if 0 < old < size else []
            requests.append((w, add_checkpoint_body(old, proof, cp.note)))
        if not requests:
            break
        with ThreadPoolExecutor(max_workers=len(requests)) as pool:
            answers = list(
                pool.map(lambda r: post_add_checkpoint(r[0].url, r[1], config.timeout), requests)
            )
        pending = []
        for (w, _), (status, body) in zip(requests, answers, strict=True):
            if status == 200:
                sig = _cosignature_from(w, note_text, cp.note, body)
                if sig is None:
                    logger.warning("witness %s answered without a valid cosignature", w.key.name)
                else:
                    collected.append((w, sig))
            elif status == 409:
                their = parse_size_body(body)
                if their is not None and their != known[w.key.encode()]:
                    known[w.key.encode()] = their
                    pending.append(w)
                else:
                    logger.error(
                        "witness %s refuses checkpoint %d as conflicting (size %s)",
                        w.key.name,
                        size,
                        their,
                    )
            else:
                logger.warning(
                    "witness %s refused checkpoint %d: HTTP %d %s",
                    w.key.name,
                    size,
                    status,
                    body[:200].decode("utf-8", "replace").strip(),
                )
        if not pending:
            break
    if not collected:
        return 0
    with write_section(), transaction.atomic():
        Cosignature.objects.bulk_create(
            [
                Cosignature(
                    checkpoint=cp,
                    witness_name=w.key.name,
                    witness_key=w.key.encode(),
                    line=sig.line(),
                    timestamp=selectors.from_timestamp_us(
                        int.from_bytes(sig.signature[:8], "big") * 1_000_000
                    ),
                )
                for w, sig in collected
            ],
            ignore_conflicts=True,
        )
        audit_record(
            action="trustlog.checkpoint_cosigned",
            object_type="trustlog.checkpoint",
            object_id=size,
            data={"witnesses": [w.key.name for w, _ in collected]},
        )
    return len(collected)


def entries_anchor(
    *, items: Sequence[tuple[str, bytes]], write_section: WriteSection = contextlib.nullcontext
) -> list[Receipt]:
    """Append a batch of entries, make sure one cosigned checkpoint covers them all, and return
    one receipt per entry, in order.

    The batch is one `entries_append` (one transaction) and at most one new checkpoint: a
    checkpoint covering the batch that every configured witness already cosigned (one
    published by a concurrent anchor) is reused; otherwise `checkpoint_publish` signs the
    current size and collects cosignatures. Every receipt is built under the same checkpoint,
    the best cosigned one covering the batch (an append is atomic, so a checkpoint covers
    either all of the batch or none of it). Witnesses that are down only lower the receipts'
    cosignature count. An empty batch appends nothing and returns ``[]``.

    Invariants, locks and events: those of `entries_append` (one ``EntriesAppended`` per
    batch) and `checkpoint_publish` (one ``CheckpointPublished`` if a checkpoint is signed).
    Its write transactions run inside ``write_section()``, never a witness request.

    Raises:
        InvalidEntry: If a kind or payload is invalid (nothing is appended).
        django.core.exceptions.ImproperlyConfigured: If the log has no signing key.
    """
    if not items:
        return []
    config = log_config()  # before appending: a log that cannot sign must not grow
    with write_section():
        result = entries_append(items=items)
    last = result.first_index + result.count - 1
    try:
        best: CheckpointInfo | None = selectors.checkpoint_for_entry(last)
    except CheckpointNotFound:
        best = None
    if best is None or len(best.witnesses) < len(config.witnesses):
        checkpoint_publish(write_section=write_section)
        # Not necessarily the one just published: a concurrent anchor's newer checkpoint may
        # have the cosignatures of witnesses that saw it first and so refused ours.
        best = selectors.checkpoint_for_entry(last)
    return selectors.receipts_for_range(result.first_index, result.count, best)


def entry_anchor(*, kind: str, payload: bytes) -> Receipt:
    """Append one entry, make sure a cosigned checkpoint covers it, and return its receipt.

    `entries_anchor` with one item: same reuse of a fully cosigned checkpoint, invariants,
    locks and events.

    Raises:
        InvalidEntry: If the kind or payload is invalid.
    """
    return entries_anchor(items=[(kind, payload)])[0]
