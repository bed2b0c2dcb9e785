"""Batched anchoring (`facade.anchor_many`): one append, one checkpoint, a receipt per entry.

Every receipt of a batch must pass the same offline verification as a single `anchor`'s
receipt, and a tampered one must fail it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest

from mekong.core.events import capture_events
from mekong.trustlog import facade, merkle, selectors, services
from mekong.trustlog.errors import InvalidEntry, TreeSizeOutOfRange
from mekong.trustlog.events import CheckpointPublished, EntriesAppended
from mekong.trustlog.models import Checkpoint, Cosignature
from mekong.trustlog.tests.conftest import LOG_VKEY
from mekong.trustlog.witness import Witness

pytestmark = pytest.mark.django_db

#: Entries appended before each batch: a batch of 200 then completes the first bundle of 256
#: and leaves edge rows, so its receipts read hash tiles and edge rows both.
PRIOR = 250


def _items(n: int, tag: str = "b") -> list[tuple[str, bytes]]:
    return [("test.batch", b"%s %d" % (tag.encode(), i)) for i in range(n)]


@pytest.mark.parametrize("n", [0, 1, 3, 200])
def test_anchor_many_returns_one_verifying_receipt_per_entry_under_one_checkpoint(n):
    services.entries_append(items=_items(PRIOR, "prior"))
    items = _items(n)

    with capture_events() as events:
        receipts = facade.anchor_many(items)

    assert len(receipts) == n
    assert [r.entry.index for r in receipts] == list(range(PRIOR, PRIOR + n))
    assert [(r.entry.kind, r.entry.data) for r in receipts] == items
    assert Checkpoint.objects.count() == (1 if n else 0)
    assert selectors.log_size() == PRIOR + n
    if n:
        assert {r.checkpoint for r in receipts} == {facade.latest_checkpoint().note}
    for r in receipts:
        assert facade.verify_receipt(r, LOG_VKEY, [], 0).valid, r.entry.index
    if n:
        assert [type(e) for e in events] == [EntriesAppended, CheckpointPublished]
        assert (events[0].first_index, events[0].count) == (PRIOR, n)
        assert events[1].size == PRIOR + n
    else:
        assert events == []


def test_batch_receipts_equal_single_receipts_and_the_pure_proofs():
    leaves = list(services.entries_append(items=_items(70, "p"), return_hashes=True).leaf_hashes)

    receipts = facade.anchor_many(_items(5))

    leaves += [r.entry.leaf_hash for r in receipts]
    cp = facade.latest_checkpoint()
    assert cp.root_hash == merkle.root_hash(leaves)
    for r in receipts:
        assert r == selectors.receipt_for(r.entry.index, cp)
        assert list(r.inclusion_proof) == merkle.inclusion_proof(leaves, r.entry.index, cp.size)


def test_tampering_with_one_receipt_of_a_batch_fails_only_that_receipt(inproc_witnesses):
    witnesses = inproc_witnesses(2)
    keys = [w.vkey for w in witnesses]
    services.entries_append(items=_items(9, "p"))

    receipts = facade.anchor_many(_items(4))

    assert Cosignature.objects.count() == 2
    for r in receipts:
        result = facade.verify_receipt(r, LOG_VKEY, keys, 2)
        assert result.valid, [(c.code, c.reason) for c in result.failed]
    changed = replace(receipts[2], entry=replace(receipts[2].entry, data=b"b 99"))
    swapped = replace(receipts[1], inclusion_proof=receipts[3].inclusion_proof)
    failed_data = {c.code for c in facade.verify_receipt(changed, LOG_VKEY, keys, 2).failed}
    failed_proof = {c.code for c in facade.verify_receipt(swapped, LOG_VKEY, keys, 2).failed}
    assert failed_data == {"entry_hash", "inclusion"}
    assert failed_proof == {"inclusion"}
    assert facade.verify_receipt(receipts[0], LOG_VKEY, keys, 2).valid


def test_consecutive_batches_get_consecutive_indexes_and_a_checkpoint_each():
    first = facade.anchor_many(_items(3, "x"))
    one = facade.anchor("test.single", b"single")
    second = facade.anchor_many(_items(17, "y"))

    indexes = [r.entry.index for r in [*first, one, *second]]
    assert indexes == list(range(21))
    assert list(Checkpoint.objects.order_by("size").values_list("size", flat=True)) == [3, 4, 21]
    for r in [*first, one, *second]:
        assert facade.verify_receipt(r, LOG_VKEY, [], 0).valid


def test_an_invalid_item_anchors_nothing():
    services.entries_append(items=_items(2, "p"))

    with pytest.raises(InvalidEntry):
        facade.anchor_many([("test.ok", b"fine"), ("Not A Kind", b"x")])

    assert selectors.log_size() == 2
    assert Checkpoint.objects.count() == 0


def test_a_fully_cosigned_checkpoint_published_meanwhile_is_reused() -> None:
    # Without witnesses every checkpoint is fully cosigned. A concurrent anchor publishes one
    # right after our append committed (here: when the append's write section is left).
    calls = 0

    @contextlib.contextmanager
    def section() -> Iterator[None]:
        nonlocal calls
        calls += 1
        yield
        if calls == 1:
            services.checkpoint_publish()

    receipts = facade.anchor_many(_items(3), write_section=section)

    assert calls == 1  # no checkpoint of its own: nothing more was written
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [3]
    assert all(facade.verify_receipt(r, LOG_VKEY, [], 0).valid for r in receipts)


def test_receipts_for_a_range_read_two_queries(django_assert_num_queries):
    services.entries_append(items=_items(300, "p"))
    cp = services.checkpoint_publish()

    with django_assert_num_queries(2):
        receipts = selectors.receipts_for_range(40, 230, cp)

    assert [r.entry.index for r in receipts] == list(range(40, 270))
    assert all(facade.verify_receipt(r, LOG_VKEY, [], 0).valid for r in receipts)


def test_receipts_for_a_range_refuse_what_the_checkpoint_does_not_cover():
    services.entries_append(items=_items(10, "p"))
    cp = services.checkpoint_publish()
    services.entries_append(items=_items(3, "q"))

    with pytest.raises(TreeSizeOutOfRange):
        selectors.receipts_for_range(8, 3, cp)
    with pytest.raises(TreeSizeOutOfRange):
        selectors.receipts_for_range(-1, 2, cp)
    assert selectors.receipts_for_range(8, 0, cp) == []
    assert [r.entry.index for r in selectors.receipts_for_range(8, 2, cp)] == [8, 9]


class _Section:
    """A writer queue like the payments hub's: a lock, entered around each log write."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entered = 0

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        # Non-blocking: entering it twice at once (nested) would deadlock a real queue.
        assert self.lock.acquire(blocking=False), "write section entered while held"
        self.entered += 1
        try:
            yield
        finally:
            self.lock.release()


def test_witnesses_are_asked_outside_the_callers_write_section(inproc_witnesses, monkeypatch):
    section = _Section()
    held_during_requests: list[bool] = []
    real = Witness.add_checkpoint

    def observed(self: Witness, body: bytes):  # the real witness, observed
        held_during_requests.append(section.lock.locked())
        return real(self, body)

    monkeypatch.setattr(Witness, "add_checkpoint", observed)
    witnesses = inproc_witnesses(3)

    receipts = facade.anchor_many(_items(5), write_section=section)

    assert held_during_requests == [False, False, False]
    # The append, the checkpoint (and index update), the cosignatures: three write sections.
    assert section.entered == 3
    keys = [w.vkey for w in witnesses]
    assert all(facade.verify_receipt(r, LOG_VKEY, keys, 3).valid for r in receipts)
