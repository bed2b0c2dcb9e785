"""``mekong log audit``: recompute the tree from the stored entries and compare.

Three independent views of the log are compared:

1. each entry (in its bundle or edge row) against itself: its leaf bytes must decode, name
   the entry's own index (a position holding another position's leaf was reordered), hash
   to the stored leaf hash (hash tile or column), and agree with the kind and timestamp
   columns of an edge row;
2. the tree recomputed from the stored leaf *bytes* against every stored subtree hash;
3. the recomputed roots against every signed checkpoint (whose signatures are checked).

An attacker with write access to the database can rewrite rows and stored hashes
consistently, but not the log's signatures: view 3 then still names the first checkpoint
that no longer matches and the range of entries since the last one that does. Reads only;
streams the entries in index order in batches, so memory stays ``O(batch + log n)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import datetime

from mekong.trustlog import merkle
from mekong.trustlog.bundles import BundleFormatError, bundle_leaves, tile_hash
from mekong.trustlog.config import log_config
from mekong.trustlog.contracts import AuditFinding, AuditReport
from mekong.trustlog.leaf import LeafFormatError, decode_leaf
from mekong.trustlog.models import (
    BUNDLE_BITS,
    BUNDLE_SIZE,
    STORED_MIN_LEVEL,
    Checkpoint,
    EntryBundle,
    LogEntry,
    SubtreeHash,
)
from mekong.trustlog.note import NoteError, VerifierKey, open_checkpoint
from mekong.trustlog.selectors import log_size, timestamp_us

#: (index, kind column or None for bundled entries, timestamp column or None, leaf bytes or
#: None if its bundle does not parse, stored leaf hash or None if the hash tile is short).
_Row = tuple[int, str | None, datetime | None, bytes | None, bytes | None]

#: A placeholder leaf hash for a missing entry, so later subtrees can still be compared.
_MISSING = bytes(32)
_HASH_SIZE = 32


def _bundle_rows(
    bundle: int, blob: bytes, tile: bytes, start: int, end: int, findings: list[AuditFinding]
) -> list[_Row]:
    base = bundle << BUNDLE_BITS
    lo, hi = max(start, base), min(end, base + BUNDLE_SIZE)
    try:
        leaves: list[bytes | None] = list(bundle_leaves(blob))
    except BundleFormatError:
        leaves = [None] * BUNDLE_SIZE  # each entry is reported unreadable
    if lo == base and len(tile) != BUNDLE_SIZE * _HASH_SIZE:
        # The lookup index refuses such a tile (`services.lookup_index_update`).
        findings.append(
            AuditFinding(
                "unreadable",
                base,
                base + BUNDLE_SIZE,
                f"bundle {bundle}'s hash tile is {len(tile)} bytes, not {BUNDLE_SIZE * _HASH_SIZE}",
            )
        )
    return [(i, None, None, leaves[i - base], tile_hash(tile, i - base)) for i in range(lo, hi)]


def _windows(
    size: int, batch: int, findings: list[AuditFinding]
) -> Iterator[tuple[int, list[_Row]]]:
    """Yield ``(window end, rows)`` for consecutive index windows of ``batch`` entries, in
    index order, from where readers take each entry: the bundles below ``size // 256 * 256``
    and the edge rows from there on. An edge row below that bound or a bundle at or beyond
    it is not read here; both are reported as extra by `log_audit`. Bundle-level problems
    (a blob or hash tile of the wrong shape) are added to ``findings`` once per bundle."""
    bundled_end = size & ~(BUNDLE_SIZE - 1)
    for start in range(0, size, batch):
        end = min(size, start + batch)
        rows: list[_Row] = [
            (int(i), k, t, bytes(leaf), bytes(h))
            for i, k, t, leaf, h in LogEntry.objects.filter(
                index__gte=max(start, bundled_end), index__lt=end
            )
            .order_by("index")
            .values_list("index", "kind", "timestamp", "leaf", "leaf_hash")
        ]
        if start < bundled_end:
            bundled = EntryBundle.objects.filter(
                id__gte=start >> BUNDLE_BITS, id__lte=(min(end, bundled_end) - 1) >> BUNDLE_BITS
            ).values_list("id", "leaves", "hashes")
            for k, blob, tile in bundled:
                rows += _bundle_rows(
                    int(k), bytes(blob), bytes(tile), start, min(end, bundled_end), findings
                )
        rows.sort(key=lambda r: r[0])
        yield end, rows


def _check_entry(
    index: int,
    kind: str | None,
    timestamp: datetime | None,
    leaf: bytes | None,
    stored_hash: bytes | None,
) -> AuditFinding | None:
    if leaf is None:
        return AuditFinding("unreadable", index, index + 1, "its bundle's bytes do not parse")
    try:
        decoded = decode_leaf(leaf)
    except LeafFormatError as exc:
        return AuditFinding("unreadable", index, index + 1, f"leaf bytes do not decode: {exc}")
    if decoded.index != index:
        return AuditFinding(
            "reordered",
            index,
            index + 1,
            f"holds the entry of index {decoded.index}",
        )
    if hashlib.sha256(b"\x00" + leaf).digest() != stored_hash:
        return AuditFinding(
            "altered", index, index + 1, "its bytes do not hash to the stored leaf hash"
        )
    if (
        kind is not None
        and timestamp is not None
        and (decoded.kind != kind or timestamp_us(timestamp) != decoded.timestamp_us)
    ):
        return AuditFinding(
            "altered", index, index + 1, "its kind or timestamp column differs from its leaf"
        )
    return None


def log_audit(*, batch: int = 20_000) -> AuditReport:
    """Recompute the log's tree from the stored entries and report every discrepancy.

    Reports, by index: missing entries, entries whose row holds another index's leaf
    (reordered), entries whose bytes changed (altered) or do not decode (unreadable), rows
    beyond the log size (extra); stored subtree hashes that differ from the recomputed ones
    where no entry finding explains them; checkpoints with an invalid log signature; and the
    first checkpoint whose root differs from the recomputed tree.

    Reads only, no locks: run it on a quiet log or a replica; entries appended while it runs
    are beyond the size it read first and are ignored.
    """
    size = log_size()
    config = log_config()
    log_key: VerifierKey = config.signer.verifier
    findings: list[AuditFinding] = []
    named: list[tuple[int, int]] = []  # ranges already explained by entry findings

    checkpoints = list(
        Checkpoint.objects.filter(size__lte=size)
        .order_by("size")
        .values_list("size", "root_hash", "note")
    )
    cp_iter = iter(checkpoints)
    next_cp = next(cp_iter, None)
    last_good = 0
    first_divergent: int | None = None
    checked_cps = 0
    tree = merkle.CompactRange()
    entries_checked = 0

    def compare_checkpoints() -> None:
        nonlocal next_cp, last_good, first_divergent, checked_cps
        while next_cp is not None and next_cp[0] == tree.size:
            cp_size, cp_root, note = next_cp
            checked_cps += 1
            try:
                body, _ = open_checkpoint(note, [log_key])
                signed_ok = body.size == cp_size and body.root_hash == bytes(cp_root)
            except NoteError:
                signed_ok = False
            if not signed_ok:
                findings.append(
                    AuditFinding(
                        "checkpoint_signature",
                        cp_size,
                        cp_size,
                        f"checkpoint {cp_size} is not validly signed by the log key",
                    )
                )
            if tree.root() == bytes(cp_root):
                if first_divergent is None:
                    last_good = cp_size
            elif first_divergent is None:
                first_divergent = cp_size
                findings.append(
                    AuditFinding(
                        "checkpoint_mismatch",
                        last_good,
                        cp_size,
                        f"checkpoint {cp_size} signed another root: entries {last_good}.."
                        f"{cp_size - 1} differ from what the log signed",
                    )
                )
            next_cp = next(cp_iter, None)

    compare_checkpoints()  # a checkpoint of the empty log
    expected = 0
    for window_end, rows in _windows(size, batch, findings):
        hashes: list[bytes] = []
        for row in [*rows, None]:
            # The sentinel None fills the gap up to the window end.
            upto = window_end if row is None else row[0]
            while expected < upto:
                findings.append(AuditFinding("missing", expected, expected + 1, "no row"))
                named.append((expected, expected + 1))
                hashes.append(_MISSING)
                expected += 1
            if row is None:
                break
            index, kind, timestamp, leaf, stored_hash = row
            if index < expected:
                continue  # an edge row left beside its bundle: reported as extra below
            entries_checked += 1
            finding = _check_entry(index, kind, timestamp, leaf, stored_hash)
            if finding is not None:
                findings.append(finding)
                named.append((index, index + 1))
            hashes.append(_MISSING if leaf is None else hashlib.sha256(b"\x00" + leaf).digest())
            expected = index + 1
        _extend_and_compare(tree, hashes, findings, named, compare_checkpoints)

    beyond = (
        Checkpoint.objects.filter(size__gt=size).order_by("size").values_list("size", flat=True)
    )
    for cp_size in beyond[:1]:
        if first_divergent is None:
            first_divergent = int(cp_size)
        findings.append(
            AuditFinding(
                "checkpoint_mismatch",
                size,
                int(cp_size),
                f"checkpoint {cp_size} covers entries {size}..{cp_size - 1}, "
                "which the log no longer has",
            )
        )
    extra = LogEntry.objects.filter(index__gte=size).values_list("index", flat=True)
    findings.extend(
        AuditFinding("extra", int(i), int(i) + 1, f"row beyond the log size {size}")
        for i in extra[:1000]
    )
    # Edge rows must not outlive their bundle: bundled entries are below size // 256 * 256.
    bundled_end = size & ~(BUNDLE_SIZE - 1)
    stale = LogEntry.objects.filter(index__lt=bundled_end).values_list("index", flat=True)
    findings.extend(
        AuditFinding("extra", int(i), int(i) + 1, "edge row beside its complete bundle")
        for i in stale[:1000]
    )
    extra_bundles = EntryBundle.objects.filter(id__gte=size >> BUNDLE_BITS).values_list(
        "id", flat=True
    )
    findings.extend(
        AuditFinding(
            "extra",
            int(k) << BUNDLE_BITS,
            (int(k) + 1) << BUNDLE_BITS,
            f"bundle beyond the log size {size}",
        )
        for k in extra_bundles[:1000]
    )
    findings.sort(key=lambda f: (f.problem.startswith("checkpoint"), f.index, f.problem))
    return AuditReport(
        size=size,
        entries_checked=entries_checked,
        checkpoints_checked=checked_cps,
        findings=tuple(findings),
        first_divergent_checkpoint=first_divergent,
    )


def _extend_and_compare(
    tree: merkle.CompactRange,
    hashes: list[bytes],
    findings: list[AuditFinding],
    named: list[tuple[int, int]],
    at_size: Callable[[], None],
) -> None:
    """Append ``hashes`` leaf by leaf (checkpoints may fall anywhere) and compare every
    completed interior node with the stored one (one query per batch)."""
    completed: list[tuple[int, int, bytes]] = []
    for h in hashes:
        completed += [n for n in tree.append(h) if n[0] >= STORED_MIN_LEVEL]
        at_size()
    if not completed:
        return
    ids = {((i << lv) << 1) + (1 << lv) - 1: (lv, i, h) for lv, i, h in completed}
    stored: dict[int, bytes] = {}
    id_list = list(ids)
    for chunk in range(0, len(id_list), 5000):
        part = id_list[chunk : chunk + 5000]
        stored.update(
            (int(pk), bytes(h))
            for pk, h in SubtreeHash.objects.filter(id__in=part).values_list("id", "hash")
        )
    for pk, (level, index, h) in sorted(ids.items(), key=lambda kv: (kv[1][0], kv[1][1])):
        start, end = merkle.node_range(level, index)
        if any(a < end and start < b for a, b in named):
            continue  # explained by an entry finding inside it
        if pk not in stored:
            findings.append(
                AuditFinding(
                    "subtree_missing", start, end, f"stored node ({level}, {index}) missing"
                )
            )
            named.append((start, end))
        elif stored[pk] != h:
            findings.append(
                AuditFinding(
                    "subtree_mismatch",
                    start,
                    end,
                    f"stored hash of entries {start}..{end - 1} differs from the recomputed one",
                )
            )
            named.append((start, end))
