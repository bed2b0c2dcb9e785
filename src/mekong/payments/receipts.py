"""Deferred receipts: a durable queue of payments to anchor, drained by a background loop.

With ``PAYMENTS_RECEIPTS=deferred`` a payment's receipt is not anchored in its request. The
queue is the payments table itself: a completed payment without ``receipt_index`` is
committed in the payment's own transaction, so nothing acknowledged can be lost, whatever
crashes when. It is drained by

- a daemon thread in each server process, started by the first deferred payment the process
  makes and woken by every later one (so receipts lag by the time the anchoring takes, about
  a second under load; idle, it looks once a second; a woken loop lingers ``LINGER`` so one
  round anchors what half a second brings), and
- ``mekong payments anchor`` (after a restart, or where no server runs).

Each round reads a chunk of the queue and anchors it with ONE `trustlog.anchor_many` call (one
append of all its entries, one checkpoint, one round of witness cosignatures), then fills the
chunk's ``receipt_index`` with one UPDATE. On SQLite the trustlog's write transactions queue in
the process's writer queue (`mekong.payments.writer`) like the payment flow's; the witness
round trips happen outside it, so payments never wait on a witness.

Only one drainer works at a time on a host: each takes an exclusive ``flock`` on
``$MEKONG_VAR_DIR/payments-anchor.lock`` first (the loop skips a round when another holds
it, the CLI waits), so no payment is anchored twice. Servers on several hosts need the CLI
on one host instead (``PAYMENTS_ANCHOR_LOOP=off`` on the others).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings

from mekong.payments import fastreads, writer
from mekong.payments.background import BackgroundLoop

log = logging.getLogger(__name__)

#: The loop's longest sleep when it is not woken.
IDLE_WAIT = 1.0
#: Receipts anchored per database read of the queue.
CHUNK = 200
#: How long a woken loop gathers receipts before anchoring them. Each round pays a fixed
#: cost (a checkpoint signed, the log head and its witnesses): under load, rounds woken by
#: every payment batch anchored 2-4 receipts each, and at 0.1 s the rounds still took about a
#: tenth of the server's CPU at 150 payments/s (half that at 0.5 s, docs/benchmarks.md).
#: Receipts lag by this much more; the payment itself is acknowledged without waiting.
LINGER = 0.5


@contextlib.contextmanager
def drainer_lock(*, wait: bool) -> Iterator[bool]:
    """Hold the host's drainer lock; yields False (without waiting) when another holds it."""
    path = Path(settings.VAR_DIR) / "payments-anchor.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def drain(*, limit: int | None = None) -> int:
    """Anchor queued receipts (all, or at most ``limit``), holding the drainer lock; return
    how many were anchored."""
    done = 0
    with drainer_lock(wait=True):
        while limit is None or done < limit:
            chunk = CHUNK if limit is None else min(CHUNK, limit - done)
            anchored = anchor_pending(limit=chunk)
            done += anchored
            if anchored < chunk:
                break
    return done


def anchor_pending(*, limit: int = 1000) -> int:
    """Anchor completed payments that have no receipt yet, oldest first; return how many.

    The chunk (at most ``limit``) is anchored with one `trustlog.anchor_many` call, whose
    writes queue in the SQLite writer queue and whose witness requests do not; then every
    payment of the chunk whose ``receipt_index`` is still empty gets its entry's index, in
    one UPDATE. If anchoring fails, the whole chunk stays queued (logged) and 0 is returned.
    Callers hold the drainer lock (`drain`, the loop), so no other drainer anchors the chunk
    meanwhile.
    """
    from mekong.payments.models import PaymentStatus
    from mekong.payments.paying import anchor_receipts

    pending = fastreads.awaiting_receipt(
        (PaymentStatus.COMPLETED, PaymentStatus.REFUNDED), limit=limit
    )
    if not pending:
        return 0
    try:
        indexes = anchor_receipts(pending)
    except Exception:  # the payments stand; the next round retries them
        log.exception("could not anchor the receipts of %d payments", len(pending))
        return 0
    with writer.serial():
        # A payment anchored meanwhile by another path (`receipt_ensure` with force) keeps
        # the index it got first.
        fastreads.receipts_set(indexes)
    return len(indexes)


def kick() -> None:
    """A deferred receipt was queued: wake this process's loop (started on first use).

    Not inside a transaction (the row may not be visible yet, and tests run in one): then it
    wakes the loop on commit. Not with ``PAYMENTS_ANCHOR_LOOP=off``.
    """
    _loop.kick_after_commit()


def stop(timeout: float = 10.0) -> None:
    """Stop this process's loop (after its current round) and wait for it."""
    _loop.stop(timeout)


def _drain_round(stopping: Callable[[], bool]) -> None:
    """One round of the loop: drain while this host's lock is free and receipts keep coming."""
    with drainer_lock(wait=False) as mine:
        while mine and not stopping() and anchor_pending(limit=CHUNK) == CHUNK:
            pass


_loop = BackgroundLoop(
    "payments-receipts",
    _drain_round,
    idle_wait=IDLE_WAIT,
    linger=LINGER,
    failure="anchoring deferred payment receipts failed",
    off_switch="PAYMENTS_ANCHOR_LOOP",
)
