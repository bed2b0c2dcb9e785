"""Inline receipts leave the trustlog's larger lookup-index merges to a background loop.

A payment batch's append merges only small runs of the log's lookup index (a merge of the
whole index inside the batch held the writer lock for seconds on a large log); when it leaves
larger merges due, the batch wakes `log_compaction`'s loop after commit, whose steps queue in
the writer queue like any batch.
"""

from __future__ import annotations

import time

import pytest
from django.db import connection

from mekong.payments import facade, log_compaction, writer
from mekong.payments.tests.factories import make_hub
from mekong.trustlog import facade as trustlog

BUNDLE = 256


def _runs() -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT start, stop FROM trustlog_leafkeyrun ORDER BY start")
        return [(int(a), int(b)) for a, b in cursor.fetchall()]


def _log_one_receipt_short_of_due_merges() -> None:
    """2,047 entries: lookup runs of 4, 2 and 1 bundles (the append-side cap is 4) and 255
    entries at the edge, so the next receipt completes bundle 8 and its append merges the
    tail up to a second run of 4 bundles."""
    trustlog.anchor_many([("test.prefill", b"%d" % i) for i in range(4 * BUNDLE)])
    for n in range(3):
        trustlog.anchor_many([("test.prefill", b"%d.%d" % (n, i)) for i in range(BUNDLE)])
    trustlog.anchor_many([("test.prefill", b"edge %d" % i) for i in range(BUNDLE - 1)])
    assert _runs() == [(0, 1024), (1024, 1536), (1536, 1792)]


def _pay_one() -> int:
    hub = make_hub()
    payee = facade.resolve_proxy("wallet_id", hub.wallets["LA"].account_ref)
    quote = facade.quote(wallet_id=hub.wallets["VN"].pk, payee=payee, amount=200_000)
    paid = facade.pay(quote_id=quote.id, idempotency_key="compaction")
    assert paid.receipt_index == 2047
    return paid.receipt_index


@pytest.mark.django_db
def test_a_batch_that_leaves_merges_due_wakes_the_loop_after_commit(
    django_capture_on_commit_callbacks,
):
    _log_one_receipt_short_of_due_merges()

    with django_capture_on_commit_callbacks() as after_commit:
        _pay_one()
    assert (
        log_compaction._loop.kick_after_commit in after_commit
    )  # woken once the payment commits, not before
    # The batch merged only up to the cap; the merge of the two 4-bundle runs waits.
    assert _runs() == [(0, 1024), (1024, 2048)]

    log_compaction._round(lambda: False)  # what the woken loop runs
    assert _runs() == [(0, 2048)]
    receipt = trustlog.receipt_for(2047)
    assert receipt.entry.index == 2047


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_server_loop_compacts_soon_after_the_batch(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    _log_one_receipt_short_of_due_merges()
    steps: list[int] = []
    real_serial = writer.serial

    def counted():  # the loop's steps take the writer queue, one turn each
        steps.append(1)
        return real_serial()

    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(writer, "serial", counted)
            _pay_one()
            deadline = time.monotonic() + 60
            while _runs() != [(0, 2048)] and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        log_compaction.stop()
    assert _runs() == [(0, 2048)]
    assert len(steps) > 1
