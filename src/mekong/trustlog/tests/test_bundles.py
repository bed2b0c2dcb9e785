"""Entry bundles and lookup runs (docs/adr/0009-trustlog-entry-bundles.md).

Logs here cross bundle boundaries (256 entries) in uneven batches; what is served must equal
the pure RFC 9162 functions and the entries appended, wherever each entry is stored.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mekong.trustlog import bundles, merkle, selectors, services
from mekong.trustlog.integrity import log_audit
from mekong.trustlog.leaf import decode_leaf, encode_leaf
from mekong.trustlog.models import EntryBundle, LeafKeyRun, LogEntry
from mekong.trustlog.tests.conftest import run_cli
from mekong.trustlog.tests.test_audit import triggers_disabled

pytestmark = pytest.mark.django_db


def _append(sizes: list[int]) -> list[bytes]:
    hashes: list[bytes] = []
    for n in sizes:
        start = len(hashes)
        result = services.entries_append(
            items=[("test.bundle", b"entry %d" % i) for i in range(start, start + n)],
            return_hashes=True,
        )
        hashes += result.leaf_hashes
    return hashes


def _layout_ok(size: int) -> None:
    assert EntryBundle.objects.count() == size // 256
    assert sorted(LogEntry.objects.values_list("index", flat=True)) == list(
        range(size // 256 * 256, size)
    )


def test_bundle_blob_round_trips_and_refuses_bad_offsets():
    leaves = [b"leaf %d" % i * (i % 5) for i in range(256)]
    blob = bundles.encode_bundle(leaves)

    assert bundles.bundle_leaves(blob) == leaves
    assert [bundles.bundle_leaf(blob, j) for j in (0, 1, 255)] == [leaves[j] for j in (0, 1, 255)]
    with pytest.raises(ValueError, match="exactly 256"):
        bundles.encode_bundle(leaves[:255])
    broken = bytearray(blob)
    broken[4:8] = (10**6).to_bytes(4, "big")  # offset of leaf 1 beyond the blob
    with pytest.raises(bundles.BundleFormatError):
        bundles.bundle_leaves(bytes(broken))
    with pytest.raises(bundles.BundleFormatError):
        bundles.bundle_leaf(bytes(broken), 0)
    with pytest.raises(bundles.BundleFormatError):
        bundles.bundle_leaves(blob[:100])


def test_uneven_batches_across_bundles_serve_the_pure_roots_proofs_and_entries():
    hashes = _append([1, 254, 1, 300, 3, 512, 129])  # 1,200 entries: 4 bundles + 176 at the edge
    size = len(hashes)

    _layout_ok(size)
    for n in (1, 255, 256, 257, 511, 512, 768, 1024, 1025, 1199, 1200):
        assert selectors.root_at(n) == merkle.root_hash(hashes[:n])
    for index in (0, 7, 255, 256, 300, 767, 768, 1023, 1024, 1199):
        for n in (index + 1, 1024, 1200):
            if index < n:
                assert selectors.inclusion_proof_at(index, n) == merkle.inclusion_proof(
                    hashes, index, n
                )
    for old in (1, 200, 256, 600, 1024, 1100):
        assert selectors.consistency_proof_between(old, size) == merkle.consistency_proof(
            hashes, old, size
        )
    listed = selectors.entries_range(250, 20) + selectors.entries_range(1020, 10)
    assert [e.index for e in listed] == [*range(250, 270), *range(1020, 1030)]
    for e in listed:
        assert e.payload == b"entry %d" % e.index
        assert e.leaf_hash == hashes[e.index]
        assert e.kind == "test.bundle"
    # 1023 (bundled) and 1070 (an edge row) came in the same batch of 512 (559..1070).
    assert selectors.entry_get(1023).timestamp == selectors.entry_get(1070).timestamp


@given(batches=st.lists(st.integers(1, 300), min_size=1, max_size=6))
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_batching_gives_the_pure_root_and_a_complete_lookup_index(batches):
    from django.db import transaction

    with transaction.atomic():
        hashes = _append(batches)
        size = len(hashes)

        _layout_ok(size)
        assert selectors.root_at(size) == merkle.root_hash(hashes)
        for index in sorted({0, size // 2, size - 1, *range(0, size, 97)}):
            assert selectors.entry_find(hashes[index]).index == index
        transaction.set_rollback(True)


def test_lookup_runs_merge_like_a_binary_counter_and_find_every_entry():
    hashes: list[bytes] = []
    for _ in range(11):  # eleven runs of one bundle each
        hashes += _append([256])
        assert services.lookup_index_update() == 256
        services.lookup_index_compact()  # as `checkpoint_publish` does after its update
    hashes += _append([3])
    assert services.lookup_index_update() == 0  # edge rows are not in the runs
    runs = list(LeafKeyRun.objects.order_by("start").values_list("start", "stop"))

    # 11 = 0b1011: runs of 8, 2 and 1 bundles.
    assert runs == [(0, 2048), (2048, 2560), (2560, 2816)]
    for index in range(0, len(hashes), 37):
        assert selectors.entry_find(hashes[index]).index == index
    assert bundles.key_find(hashes[5]) == [5]
    with pytest.raises(selectors.EntryNotFound):
        selectors.entry_find(merkle.leaf_hash(b"never appended"))
    with pytest.raises(selectors.EntryNotFound):
        selectors.entry_find(hashes[5], below=5)


def test_lookups_find_bundles_appended_since_the_last_index_update(capsys):
    first = _append([600])
    assert services.lookup_index_update() == 512
    more = services.entries_append(
        items=[("test.bundle", b"later %d" % i) for i in range(700)], return_hashes=True
    ).leaf_hashes
    hashes = first + list(more)

    # Entries 512..1279 are bundled but not indexed; 1280..1299 are edge rows.
    assert bundles.key_indexed_upto() == 512
    for index in (0, 511, 512, 600, 1000, 1279, 1280, 1299):
        assert selectors.entry_find(hashes[index]).index == index
    assert run_cli(["log", "reindex"]) == 0
    assert capsys.readouterr().out == "indexed 768 entries\n"
    assert bundles.key_indexed_upto() == 1280
    assert bundles.tiles_find(hashes[1000]) == []
    assert bundles.key_find(hashes[1000]) == [1000]
    services.checkpoint_publish()  # also updates the index; nothing new to add
    assert bundles.key_indexed_upto() == 1280


def test_audit_names_a_changed_bundled_entry_and_stale_edge_rows(capsys):
    _append([600])
    services.checkpoint_publish()
    with connection.cursor() as c:
        c.execute("SELECT leaves FROM trustlog_entrybundle WHERE id = 1")
        leaves = bundles.bundle_leaves(bytes(c.fetchone()[0]))
    changed = bytearray(leaves[44])
    changed[-1] ^= 0x01  # entry 256 + 44 = 300
    leaves[44] = bytes(changed)

    with triggers_disabled("trustlog_entrybundle"), connection.cursor() as c:
        c.execute(
            "UPDATE trustlog_entrybundle SET leaves = %s WHERE id = 1",
            [bundles.encode_bundle(leaves)],
        )
        # An edge row that should have moved into bundle 0.
        leaf = encode_leaf(3, 0, "test.bundle", b"stale")
        c.execute(
            "INSERT INTO trustlog_logentry (idx, kind, timestamp, leaf, leaf_hash)"
            " VALUES (%s, %s, %s, %s, %s)",
            [3, "test.bundle", "2026-01-01 00:00:00", leaf, merkle.leaf_hash(leaf)],
        )
    report = log_audit()

    problems = {(f.problem, f.index) for f in report.findings}
    assert ("altered", 300) in problems
    assert ("extra", 3) in problems
    assert report.first_divergent_checkpoint == 600
    assert report.entries_checked == 600


def test_audit_names_a_missing_bundle_entry_by_entry():
    _append([520])
    with triggers_disabled("trustlog_entrybundle"), connection.cursor() as c:
        c.execute("DELETE FROM trustlog_entrybundle WHERE id = 1")

    report = log_audit()

    missing = [f.index for f in report.findings if f.problem == "missing"]
    assert missing == list(range(256, 512))


def test_a_bundle_whose_offsets_are_broken_is_unreadable_not_a_crash():
    _append([300])
    with triggers_disabled("trustlog_entrybundle"), connection.cursor() as c:
        c.execute("UPDATE trustlog_entrybundle SET leaves = %s WHERE id = 0", [b"\x00" * 10])

    report = log_audit()

    unreadable = [f.index for f in report.findings if f.problem == "unreadable"]
    assert unreadable == list(range(256))


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_roots_proofs_and_lookups_of_an_old_layout_log():
    # A log with one row per entry (the layout before 0004): built by migrating back, which
    # unpacks the bundles, then grown with old-layout rows written as the old code did.
    hashes = _append([300, 100])
    executor = MigrationExecutor(connection)
    executor.migrate([("trustlog", "0003_leaf_key_index")])
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM trustlog_logentry")
        assert c.fetchone()[0] == 400
        c.execute("SELECT leaf_hash FROM trustlog_logentry ORDER BY idx")
        assert [bytes(h) for (h,) in c.fetchall()] == hashes
        tree = merkle.CompactRange()
        tree.extend(hashes)
        stamp = 1_700_000_000_000_000
        when = connection.ops.adapt_datetimefield_value(selectors.from_timestamp_us(stamp))
        more = [encode_leaf(i, stamp, "old.layout", b"old %d" % i) for i in range(400, 700)]
        more_hashes = [merkle.leaf_hash(leaf) for leaf in more]
        nodes = tree.extend(more_hashes, min_level=4)
        c.executemany(
            "INSERT INTO trustlog_logentry (idx, kind, timestamp, leaf, leaf_hash)"
            " VALUES (%s, %s, %s, %s, %s)",
            [
                (i, "old.layout", when, leaf, h)
                for i, leaf, h in zip(range(400, 700), more, more_hashes, strict=True)
            ],
        )
        c.executemany(
            "INSERT INTO trustlog_subtreehash (id, level, idx, hash) VALUES (%s, %s, %s, %s)",
            [(((i << lv) << 1) + (1 << lv) - 1, lv, i, h) for lv, i, h in nodes],
        )
        c.execute("UPDATE trustlog_loghead SET size = 700 WHERE id = 1")
    hashes += more_hashes

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("trustlog"))

    _layout_ok(700)
    assert selectors.root_at(700) == merkle.root_hash(hashes)
    assert selectors.root_at(400) == merkle.root_hash(hashes[:400])
    assert selectors.inclusion_proof_at(450, 700) == merkle.inclusion_proof(hashes, 450, 700)
    assert selectors.consistency_proof_between(300, 700) == merkle.consistency_proof(
        hashes, 300, 700
    )
    assert selectors.entry_find(hashes[450]).index == 450
    assert selectors.entry_get(450).payload == b"old 450"
    assert selectors.entry_get(450).kind == "old.layout"
    assert log_audit().findings == ()
    # Appending goes on from the migrated layout.
    hashes += _append([100])
    _layout_ok(800)
    assert selectors.root_at(800) == merkle.root_hash(hashes)


def _forge_bundle_entry_3_and_leave_the_genuine_one_as_an_edge_row(hashes: list[bytes]) -> None:
    with connection.cursor() as c:
        c.execute("SELECT leaves, hashes FROM trustlog_entrybundle WHERE id = 0")
        blob, tile = c.fetchone()
    leaves = bundles.bundle_leaves(bytes(blob))
    original = leaves[3]
    forged = encode_leaf(3, 0, "test.bundle", b"forged")
    leaves[3] = forged
    new_tile = bytearray(bytes(tile))
    new_tile[3 * 32 : 4 * 32] = merkle.leaf_hash(forged)
    stamp = decode_leaf(original).timestamp_us
    when = connection.ops.adapt_datetimefield_value(selectors.from_timestamp_us(stamp))
    with triggers_disabled("trustlog_entrybundle"), connection.cursor() as c:
        c.execute(
            "UPDATE trustlog_entrybundle SET leaves = %s, hashes = %s WHERE id = 0",
            [bundles.encode_bundle(leaves), bytes(new_tile)],
        )
        c.execute(
            "INSERT INTO trustlog_logentry (idx, kind, timestamp, leaf, leaf_hash)"
            " VALUES (%s, %s, %s, %s, %s)",
            [3, "test.bundle", when, original, hashes[3]],
        )


def test_audit_checks_the_bundled_copy_readers_serve_not_a_stray_edge_row():
    # Entry 3 rewritten consistently inside bundle 0 (leaf and tile hash), the genuine entry
    # left beside it as an edge row: readers serve the forged one, so the audit must too.
    hashes = _append([300])
    services.checkpoint_publish(collect=False)
    _forge_bundle_entry_3_and_leave_the_genuine_one_as_an_edge_row(hashes)
    assert selectors.entry_get(3).payload == b"forged"

    report = log_audit()

    problems = {(f.problem, f.index) for f in report.findings}
    assert ("extra", 3) in problems  # the stray edge row is still reported
    assert report.first_divergent_checkpoint == 300  # the forged entry changes the root
    assert any(f.problem == "subtree_mismatch" and f.index <= 3 < f.end for f in report.findings)


def test_audit_reports_a_hash_tile_of_the_wrong_length_that_the_index_refuses():
    _append([300])
    with triggers_disabled("trustlog_entrybundle"), connection.cursor() as c:
        c.execute("SELECT hashes FROM trustlog_entrybundle WHERE id = 0")
        tile = bytes(c.fetchone()[0])
        c.execute("UPDATE trustlog_entrybundle SET hashes = %s WHERE id = 0", [tile + b"\x00" * 32])

    report = log_audit()

    assert [(f.problem, f.index, f.end) for f in report.findings] == [("unreadable", 0, 256)]
    assert "8224 bytes" in report.findings[0].detail
    with pytest.raises(selectors.LogCorruptedError):
        services.lookup_index_update()


@pytest.mark.django_db(transaction=True)
def test_migrating_back_restores_the_level_4_and_5_nodes_the_old_code_reads():
    hashes = _append([300, 100, 10])  # 410: the level-4 node (384, 400) is on its right edge
    executor = MigrationExecutor(connection)
    executor.migrate([("trustlog", "0003_leaf_key_index")])
    try:
        with connection.cursor() as c:
            c.execute("SELECT id, level, idx, hash FROM trustlog_subtreehash")
            stored = {int(pk): (int(lv), int(i), bytes(h)) for pk, lv, i, h in c.fetchall()}
        low = [pk for pk, (lv, _, _) in stored.items() if lv < 6]
        for lv in (4, 5):
            step = 1 << lv
            for i in range(410 // step):
                pk = 2 * i * step + step - 1
                assert stored[pk] == (lv, i, merkle.root_hash(hashes[i * step : (i + 1) * step]))
        assert len(low) == 410 // 16 + 410 // 32
        # The old code's root at 400 and 410: stored nodes for every range of 16 and more.
        for size in (400, 410):
            parts = []
            for start, end in merkle.root_ranges(size):
                if end - start >= 16:
                    lv = (end - start).bit_length() - 1
                    parts.append(stored[2 * start + (1 << lv) - 1][2])
                else:
                    parts.append(merkle.root_hash(hashes[start:end]))
            root = parts[-1]
            for part in reversed(parts[:-1]):
                root = merkle.node_hash(part, root)
            assert root == merkle.root_hash(hashes[:size])
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes("trustlog"))
    assert selectors.root_at(410) == merkle.root_hash(hashes)
