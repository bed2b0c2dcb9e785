"""The log in the database: batched appends, roots and proofs from stored subtrees.

Proofs served from the database must equal the pure RFC 9162 definitions in
`mekong.trustlog.merkle` (which share no code with the ``*_from`` path) for random sizes.
"""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mekong.core import clock
from mekong.core.events import capture_events
from mekong.core.models import AppendOnlyError, AuditEntry
from mekong.trustlog import merkle, selectors, services
from mekong.trustlog.errors import EntryNotFound, InvalidEntry, TreeSizeOutOfRange
from mekong.trustlog.events import CheckpointPublished, EntriesAppended
from mekong.trustlog.leaf import decode_leaf, encode_leaf
from mekong.trustlog.models import (
    LEAF_KEY_BYTES,
    Checkpoint,
    LogEntry,
    LogHead,
    SubtreeHash,
)

pytestmark = pytest.mark.django_db

PROPS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _append(n: int, start: int = 0, kind: str = "test.entry") -> list[bytes]:
    result = services.entries_append(
        items=[(kind, b"entry %d" % i) for i in range(start, start + n)], return_hashes=True
    )
    return list(result.leaf_hashes)


@pytest.fixture
def log_200() -> list[bytes]:
    """200 entries appended in uneven batches; returns their leaf hashes."""
    leaves: list[bytes] = []
    for n in (1, 2, 5, 64, 3, 125):
        leaves += _append(n, len(leaves))
    return leaves


@given(batches=st.lists(st.integers(1, 40), min_size=1, max_size=8))
@PROPS
def test_roots_equal_pure_roots_for_any_batching(batches):
    with transaction.atomic():
        leaves: list[bytes] = []
        for n in batches:
            leaves += _append(n, len(leaves))
        for size in range(len(leaves) + 1):
            assert selectors.root_at(size) == merkle.root_hash(leaves[:size])
        transaction.set_rollback(True)


@given(data=st.data())
@PROPS
def test_inclusion_proofs_equal_pure_proofs(log_200, data):
    size = data.draw(st.integers(1, 200))
    index = data.draw(st.integers(0, size - 1))

    proof = selectors.inclusion_proof_at(index, size)

    assert proof == merkle.inclusion_proof(log_200, index, size)
    assert merkle.verify_inclusion(log_200[index], index, size, proof, selectors.root_at(size))


@given(data=st.data())
@PROPS
def test_consistency_proofs_equal_pure_proofs(log_200, data):
    new = data.draw(st.integers(0, 200))
    old = data.draw(st.integers(0, new))

    proof = selectors.consistency_proof_between(old, new)

    assert proof == merkle.consistency_proof(log_200, old, new)
    if old > 0:
        assert merkle.verify_consistency(
            old, new, selectors.root_at(old), selectors.root_at(new), proof
        )


def test_every_proof_of_a_small_log(log_200):
    for size in (1, 2, 3, 7, 8, 9, 127, 128, 129, 200):
        for index in range(size):
            assert selectors.inclusion_proof_at(index, size) == merkle.inclusion_proof(
                log_200, index, size
            )


def test_hashes_are_read_in_one_query(log_200, django_assert_num_queries):
    ranges = merkle.inclusion_proof_ranges(137, 200)

    with django_assert_num_queries(1):
        lookup = selectors.subtree_lookup(ranges)
    proof = merkle.inclusion_proof_from(lookup, 137, 200)
    with django_assert_num_queries(1):
        root, inclusion, consistency = selectors.root_and_proofs(200, index=137, old_size=77)

    assert proof == merkle.inclusion_proof(log_200, 137, 200)
    assert root == merkle.root_hash(log_200)
    assert inclusion == proof
    assert consistency == merkle.consistency_proof(log_200, 77, 200)


def test_only_complete_subtrees_of_64_leaves_and_more_are_stored(log_200):
    stored = set(SubtreeHash.objects.values_list("level", "index"))
    expected = {(level, index) for level in range(6, 8) for index in range(200 >> level)}

    assert stored == expected
    assert LogHead.objects.get().size == 200
    assert LogEntry.objects.count() == 200


def _raw_entries(hashes: list[bytes]) -> None:
    """Store entries 0.. with chosen leaf hashes (not their real ones) to force collisions."""
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                index=i,
                kind="test.collision",
                timestamp=clock.now(),
                leaf=encode_leaf(i, 0, "test.collision", b"%d" % i),
                leaf_hash=h,
            )
            for i, h in enumerate(hashes)
        ]
    )


def test_lookup_by_leaf_hash_compares_the_full_hash_among_equal_prefixes():
    # SHA-256 prefixes of 8 bytes do not collide in a test; the stored hashes are forced.
    prefix = bytes(range(LEAF_KEY_BYTES))
    suffix_len = 32 - LEAF_KEY_BYTES
    a, b, c = (prefix + bytes([x]) * suffix_len for x in (0xA1, 0xB2, 0xC3))
    other = bytes([0xFF]) * LEAF_KEY_BYTES + bytes([0xB2]) * suffix_len
    _raw_entries([a, b, b, other])

    assert selectors.entry_find(a).index == 0
    assert selectors.entry_find(b).index == 1  # the first of two equal hashes
    assert selectors.entry_find(b, below=3).index == 1
    assert selectors.entry_find(other).index == 3
    with pytest.raises(EntryNotFound):
        selectors.entry_find(c)  # shares the prefix of a and b, but is not stored
    with pytest.raises(EntryNotFound):
        selectors.entry_find(b, below=1)
    with pytest.raises(EntryNotFound):
        selectors.entry_find(prefix)  # a bare prefix is not a leaf hash


def test_lookup_by_leaf_hash_uses_the_prefix_index(log_200):
    # The index serves only the very expression it was built on (literal bounds, same
    # function): if entry_find's SQL drifted, the plan would fall back to a table scan.
    # (200 entries are all edge rows; bundled entries are found through lookup runs.)
    with CaptureQueriesContext(connection) as queries:
        found = selectors.entry_find(log_200[137])
    (query,) = [q for q in queries.captured_queries if "trustlog_logentry" in q["sql"]][:1]
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # 200 rows fit in a few pages: forbid the scan to see whether the index can serve.
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(explain + query["sql"])
        plan = " ".join(str(row) for row in cursor.fetchall())

    assert found.index == 137
    assert found.leaf_hash == log_200[137]
    assert "trustlog_leaf_key" in plan


def test_entries_carry_their_index_and_batch_time():
    services.entries_append(items=[("a.b", b"1"), ("c.d", b"2")])

    rows = list(LogEntry.objects.order_by("index"))

    assert [decode_leaf(bytes(r.leaf)).index for r in rows] == [0, 1]
    assert [r.kind for r in rows] == ["a.b", "c.d"]
    assert rows[0].timestamp == rows[1].timestamp
    assert selectors.entry_get(1).payload == b"2"


def test_append_publishes_one_event_and_audit_entry_per_batch():
    with capture_events() as events:
        result = services.entries_append(items=[("k", b"a"), ("k", b"b"), ("j", b"c")])

    assert (result.first_index, result.count, result.size) == (0, 3, 3)
    assert events == [EntriesAppended(
        event_id=events[0].event_id, occurred_at=events[0].occurred_at,
        first_index=0, count=3, kinds=["j", "k"],
    )]  # fmt: skip
    assert AuditEntry.objects.filter(action="trustlog.entries_appended").count() == 1


@pytest.mark.parametrize(
    "items", [[], [("Bad Kind", b"x")], [("ok", b"x"), ("ok", "text not bytes")]]
)
def test_invalid_batches_write_nothing(items):
    _append(3)

    with pytest.raises(InvalidEntry):
        services.entries_append(items=items)

    assert LogEntry.objects.count() == 3
    assert selectors.log_size() == 3


def test_sizes_beyond_the_log_are_refused(log_200):
    with pytest.raises(TreeSizeOutOfRange):
        selectors.root_at(201)
    with pytest.raises(TreeSizeOutOfRange):
        selectors.inclusion_proof_at(200, 200)
    with pytest.raises(TreeSizeOutOfRange):
        selectors.consistency_proof_between(10, 9)


def test_entries_are_append_only_in_the_orm_and_the_database():
    _append(16)  # 16 entries: one stored subtree
    _append(256, 16)  # and one complete bundle
    entry = LogEntry.objects.get(index=256)

    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    for sql in (
        "UPDATE trustlog_logentry SET kind = 'x'",
        "DELETE FROM trustlog_subtreehash",
        "UPDATE trustlog_entrybundle SET hashes = leaves",
        "DELETE FROM trustlog_entrybundle",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
            c.execute(sql)
    assert LogEntry.objects.get(index=256).kind == "test.entry"


def test_checkpoint_publish_signs_once_per_size():
    leaves = _append(5)

    with capture_events() as events:
        first = services.checkpoint_publish()
        again = services.checkpoint_publish()

    assert first == again
    assert (first.size, first.root_hash) == (5, merkle.root_hash(leaves))
    assert [type(e) for e in events] == [CheckpointPublished]
    assert Checkpoint.objects.count() == 1


def test_empty_log_checkpoint_has_the_empty_root():
    cp = services.checkpoint_publish()

    assert (cp.size, cp.root_hash) == (0, merkle.EMPTY_ROOT)


def test_anchor_without_witnesses_returns_a_log_signed_receipt():
    from mekong.trustlog import facade
    from mekong.trustlog.tests.conftest import LOG_VKEY

    _append(4)
    receipt = facade.anchor("customs.certificate", b"digest")

    assert receipt.entry.index == 4
    assert facade.verify_receipt(receipt, LOG_VKEY, [], 0).valid
    assert facade.latest_checkpoint().size == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_are_serialised_on_postgresql():
    """Four threads append batches at once; the row lock keeps indexes contiguous."""
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for b in range(5):
                services.entries_append(
                    items=[("race.test", b"%d-%d-%d" % (n, b, i)) for i in range(7)]
                )
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert not errors
    leaves = [
        bytes(h) for h in LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)
    ]
    assert list(LogEntry.objects.order_by("index").values_list("index", flat=True)) == list(
        range(140)
    )
    assert selectors.root_at(140) == merkle.root_hash(leaves)


@pytest.mark.django_db(transaction=True)
def test_an_sqlite_connection_is_tuned_once_and_again_after_a_reconnect():
    if connection.vendor != "sqlite":
        pytest.skip("the page cache is tuned on SQLite only")

    def pragmas() -> int:
        with CaptureQueriesContext(connection) as sql:
            services.entries_append(items=[("test.kind", b"x")])
        return sum(q["sql"].startswith("PRAGMA cache_size") for q in sql.captured_queries)

    connection.ensure_connection()
    # As a connection no append has used yet (an earlier test may have tuned this one).
    connection._mekong_trustlog_tuned = None  # type: ignore[attr-defined]
    assert [pragmas(), pragmas(), pragmas()] == [1, 0, 0]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == -services._SQLITE_CACHE_KIB
    before = connection.connection
    connection.close()  # a file database reconnects; the in-memory test one stays open
    connection.ensure_connection()
    assert pragmas() == (0 if connection.connection is before else 1)


def test_a_signed_append_commits_with_the_callers_transaction_or_leaves_nothing(monkeypatch):
    from mekong.trustlog.integrity import log_audit

    def unsigned(*args: object):  # type: ignore[no-untyped-def]
        raise RuntimeError("signer unavailable")

    # The checkpoint fails after the entries and subtree hashes were written: the append's
    # savepoint drops them, and the caller's transaction goes on.
    with transaction.atomic():
        AuditEntry.objects.create(action="test.outer")
        real = services._checkpoint_sign
        monkeypatch.setattr(services, "_checkpoint_sign", unsigned)
        with pytest.raises(RuntimeError, match="signer unavailable"):
            services.entries_append_signed(items=[("test.kind", b"a"), ("test.kind", b"b")])
        monkeypatch.setattr(services, "_checkpoint_sign", real)
        assert (LogEntry.objects.count(), Checkpoint.objects.count()) == (0, 0)
        assert not SubtreeHash.objects.exists()
        assert AuditEntry.objects.filter(action="test.outer").exists()
        with capture_events() as events:
            result = services.entries_append_signed(items=[("test.kind", b"c")])
    assert (result.first_index, result.size) == (0, 1)
    assert LogHead.objects.get().size == 1
    assert Checkpoint.objects.get().size == 1  # signed in the same transaction
    names = [e.name for e in events]
    assert names == ["trustlog.entries_appended", "trustlog.checkpoint_published"]
    assert log_audit().ok

    # A caller's rollback takes the entries and their checkpoint with it.
    with transaction.atomic():
        services.entries_append_signed(items=[("test.kind", b"d")])
        transaction.set_rollback(True)
    assert (LogHead.objects.get().size, Checkpoint.objects.count()) == (1, 1)
    assert log_audit().ok
