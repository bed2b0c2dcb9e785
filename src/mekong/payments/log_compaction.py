"""Finishing the trustlog's lookup-index merges that inline receipts leave behind.

A payment batch appends its receipts inside its own transaction (`paying._append_receipts`),
and the log then merges only small runs of its leaf-hash lookup index: a merge of the whole
index, on a log of millions of receipts, would hold the writer lock for seconds. The larger
merges are done here, by a daemon thread per server process woken after a batch commits
whose append says merges are due (about once per 4 bundles, 1,024 receipts), in steps of
~10 ms that queue in the writer queue (`writer.serial`) like any batch. Nothing is lost if a
process dies: the runs are rows, and the next round, another process's loop, a checkpoint or
``mekong log reindex`` carries on.
"""

from __future__ import annotations

from collections.abc import Callable

from mekong.payments import writer
from mekong.payments.background import BackgroundLoop
from mekong.trustlog import facade as trustlog

#: A woken loop waits this long so one round serves the batches of the next second.
LINGER = 1.0


def kick() -> None:
    """A batch's receipts left index merges due: wake this process's loop once it has
    committed (started on first use). Not with ``PAYMENTS_ANCHOR_LOOP=off`` (then the CLI
    or checkpoints do it)."""
    _loop.kick_after_commit()


def stop(timeout: float = 10.0) -> None:
    """Stop this process's loop (after its current step) and wait for it."""
    _loop.stop(timeout)


def _round(stopping: Callable[[], bool]) -> None:
    trustlog.index_compact(write_section=writer.serial, stopping=stopping)


_loop = BackgroundLoop(
    "payments-log-index",
    _round,
    idle_wait=60.0,
    linger=LINGER,
    failure="compacting the trustlog's lookup index failed",
    off_switch="PAYMENTS_ANCHOR_LOOP",
)
