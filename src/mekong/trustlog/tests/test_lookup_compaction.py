"""Lookup-index compaction: appends merge small runs only, the rest is done in short steps.

The append path's merges stop at `bundles.MERGE_CAP` (a merge of the whole index inside a
payment batch held the writer lock for seconds on a large log); `key_compact_step` finishes
them a bounded piece per transaction. Here the cap and the step are made tiny so that a log
of a few bundles needs many steps, and every entry must be found after each one.
"""

from __future__ import annotations

import threading
import time
from itertools import pairwise

import pytest
from django.db import connection, transaction

from mekong.trustlog import bundles, facade, selectors, services
from mekong.trustlog.models import LeafKeyBucket, LeafKeyRun
from mekong.trustlog.tests.conftest import run_cli

pytestmark = pytest.mark.django_db

BUNDLE = 256


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> None:
    """Appends merge runs up to 2 bundles; a step moves about one bucket."""
    monkeypatch.setattr(bundles, "MERGE_CAP", 2 * BUNDLE)
    monkeypatch.setattr(bundles, "COMPACT_STEP_BYTES", 1)


def _bundles(n: int, hashes: list[bytes]) -> None:
    """Append ``n`` bundles and index them as one run (one checkpoint's update)."""
    start = len(hashes)
    hashes += services.entries_append(
        items=[("test.compact", b"entry %d" % i) for i in range(start, start + n * BUNDLE)],
        return_hashes=True,
    ).leaf_hashes
    services.lookup_index_update()


def _runs() -> list[tuple[int, int]]:
    return list(LeafKeyRun.objects.order_by("start").values_list("start", "stop"))


def _all_found(hashes: list[bytes], step: int = 1) -> None:
    for index in range(0, len(hashes), step):
        assert bundles.key_find(hashes[index]) == [index], index


def _records() -> dict[int, set[bytes]]:
    """Each bucket's records, whichever run holds them."""
    out: dict[int, set[bytes]] = {}
    for bucket, blob in LeafKeyBucket.objects.values_list("bucket", "records"):
        raw = bytes(blob)
        out.setdefault(bucket, set()).update(raw[i : i + 16] for i in range(0, len(raw), 16))
    return out


def test_appends_stop_merging_at_the_cap_and_steps_finish_the_binary_counter(tiny, monkeypatch):
    monkeypatch.setattr(bundles, "COMPACT_STEP_BYTES", 1000)  # some 30-60 buckets a step
    hashes: list[bytes] = []
    for _ in range(11):
        _bundles(1, hashes)
    # Merged at the tail up to 2 bundles: the rest is left to compaction.
    assert _runs() == [(0, 512), (512, 1024), (1024, 1536), (1536, 2048), (2048, 2560),
                       (2560, 2816)]  # fmt: skip
    before = _records()

    steps = 0
    while bundles.key_compact_due():
        with transaction.atomic():
            assert bundles.key_compact_step()
        steps += 1
        _all_found(hashes, 53)  # right after every step, not only at the end
    # Leftmost first: 2+2 -> 4, 2+2 -> 4, 4+4 -> 8: 11 = 0b1011 as without a cap.
    assert _runs() == [(0, 2048), (2048, 2560), (2560, 2816)]
    assert steps > 40  # many small steps, not one big merge
    assert _records() == before  # nothing lost, nothing doubled
    assert sum(len(bytes(r)) for r in LeafKeyBucket.objects.values_list("records", flat=True)) == (
        16 * 2816
    )
    _all_found(hashes)
    assert not bundles.key_compact_step()


def test_a_run_grown_by_an_append_merge_mid_compaction_is_carried_whole(tiny, monkeypatch):
    hashes: list[bytes] = []
    for _ in range(4):
        _bundles(1, hashes)
    assert _runs() == [(0, 512), (512, 1024)]
    with transaction.atomic():
        assert bundles.key_compact_step()  # part of run 512 is in run 0 now
    assert _runs() == [(0, 512), (512, 1024)]
    _all_found(hashes, 7)

    # An append whose merge rule differs (a configuration changed between releases) grows
    # the run being emptied: its new records must move too, and the run end with it.
    monkeypatch.setattr(bundles, "MERGE_CAP", 5 * BUNDLE)  # 2 + 2 merge, 2 + 4 would not
    _bundles(2, hashes)
    assert _runs() == [(0, 512), (512, 1536)]
    monkeypatch.setattr(bundles, "MERGE_CAP", 2 * BUNDLE)
    assert services.lookup_index_compact() > 1
    assert _runs() == [(0, 1536)]
    _all_found(hashes)


def test_a_step_that_fails_rolls_back_whole_and_the_next_one_carries_on(tiny, monkeypatch):
    hashes: list[bytes] = []
    for _ in range(4):
        _bundles(1, hashes)
    runs, before = _runs(), _records()
    real_move = bundles._move

    def move_then_fail(*args: object) -> None:
        real_move(*args)  # type: ignore[arg-type]
        raise RuntimeError("crash after the rows were rewritten")

    monkeypatch.setattr(bundles, "_move", move_then_fail)
    with pytest.raises(RuntimeError):
        services.lookup_index_compact()
    assert (_runs(), _records()) == (runs, before)
    monkeypatch.setattr(bundles, "_move", real_move)
    assert services.lookup_index_compact() > 0
    assert _runs() == [(0, 1024)]
    _all_found(hashes)


def test_each_step_takes_its_own_write_section_and_stopping_ends_early(tiny):
    hashes: list[bytes] = []
    for _ in range(4):
        _bundles(1, hashes)
    entered: list[bool] = []

    class Section:
        def __enter__(self) -> None:
            entered.append(connection.in_atomic_block)

        def __exit__(self, *exc: object) -> None:
            return None

    assert facade.index_compact(write_section=Section, stopping=lambda: len(entered) >= 3) == 3
    assert _runs() == [(0, 512), (512, 1024)]  # not finished: stopped after three steps
    done = facade.index_compact(write_section=Section)
    assert len(entered) == 3 + done
    assert _runs() == [(0, 1024)]
    assert facade.index_compact(write_section=Section) == 0  # compact: no turn taken
    assert len(entered) == 3 + done


def test_the_inline_append_says_when_merges_are_due_and_checkpoints_carry_them_on(tiny):
    hashes: list[bytes] = []
    _bundles(2, hashes)  # one run of 2 bundles: the cap
    items = [("test.compact", b"more %d" % i) for i in range(BUNDLE - 1)]
    assert not services.entries_append_signed(items=items).compaction_due  # no bundle done
    finished = services.entries_append_signed(
        items=[("test.compact", b"x"), ("test.compact", b"y")]
    )
    assert not finished.compaction_due  # runs 2 + 1: not due
    services.entries_append_signed(items=[("test.compact", b"%d" % i) for i in range(BUNDLE)])
    assert _runs() == [(0, 512), (512, 1024)]  # 1 + 1 merged at the tail, up to the cap
    assert bundles.key_compact_due()

    # A checkpoint (maybe inside a request's `anchor`) carries the merge on by a few steps of
    # one bucket each here, not all of it.
    buckets_left = LeafKeyBucket.objects.filter(run=512).count()
    services.checkpoint_publish(collect=False)
    assert _runs() == [(0, 512), (512, 1024)]
    moved = buckets_left - LeafKeyBucket.objects.filter(run=512).count()
    assert moved == services.CHECKPOINT_COMPACT_STEPS
    for index in (0, 300, 600, 1000, 1023):
        assert selectors.entry_find(selectors.entry_get(index).leaf_hash).index == index

    services.lookup_index_compact()  # the payments hub's loop, or `mekong log reindex`
    assert _runs() == [(0, 1024)]
    assert not bundles.key_compact_due()
    for index in (0, 300, 600, 1000, 1023):
        assert selectors.entry_find(selectors.entry_get(index).leaf_hash).index == index


def test_reindex_updates_and_compacts(tiny, capsys):
    hashes: list[bytes] = []
    for _ in range(4):
        _bundles(1, hashes)
    assert len(_runs()) == 2
    assert run_cli(["log", "reindex"]) == 0
    assert capsys.readouterr().out == "indexed 0 entries\n"
    assert _runs() == [(0, 1024)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_compactors_racing_each_other_and_appends_lose_and_double_nothing(tiny, monkeypatch):
    """Two compactors (as two server processes' loops) run while a third thread appends
    inline-receipt batches that each complete a bundle: every step and append takes the head
    row lock, and whatever the interleaving the runs end contiguous, each record once."""
    monkeypatch.setattr(bundles, "COMPACT_STEP_BYTES", 300)  # a few buckets a step
    appended: list[bytes] = []
    errors: list[BaseException] = []
    done = threading.Event()
    steps_while_appending: list[int] = []

    def append() -> None:
        try:
            for b in range(12):
                items = [("test.race", b"%d.%d" % (b, i)) for i in range(BUNDLE)]
                first = services.entries_append_signed(items=items).first_index
                assert first == b * BUNDLE
                appended.extend(selectors.entry_get(first + i).leaf_hash for i in (0, 77, 255))
                time.sleep(0.02)  # let the compactors in between appends
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            done.set()
            connection.close()

    def compact() -> None:
        try:
            while not done.is_set():
                steps_while_appending.append(services.lookup_index_compact())
            services.lookup_index_compact()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=f) for f in (append, compact, compact)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)

    assert not errors
    assert sum(steps_while_appending) > 0  # the race happened: steps between the appends
    services.lookup_index_compact()
    runs = _runs()
    assert (runs[0][0], runs[-1][1]) == (0, 12 * BUNDLE)
    assert all(a_stop == b for (_a, a_stop), (b, _b) in pairwise(runs))
    assert not bundles.key_compact_due()
    assert sum(len(blobs) for blobs in _records().values()) == 12 * BUNDLE  # distinct records
    assert sum(len(bytes(r)) for r in LeafKeyBucket.objects.values_list("records", flat=True)) == (
        16 * 12 * BUNDLE
    )
    for n, leaf_hash in enumerate(appended):
        index = (n // 3) * BUNDLE + (0, 77, 255)[n % 3]
        assert bundles.key_find(leaf_hash) == [index]
