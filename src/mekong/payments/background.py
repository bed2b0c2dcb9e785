"""A per-process background loop: a daemon thread started on first use and woken on demand.

The deferred-receipt drain and the webhook delivery both need the same thing: a thread that
sleeps until woken (or until ``idle_wait`` passes), runs one round of work, and keeps going
after a failure, leaving the queue to the next round or the CLI. The work itself is durable
rows in the database, so the thread holds no state of its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections, connection, transaction

from mekong.core.switches import switched_on

log = logging.getLogger(__name__)


class BackgroundLoop:
    """One daemon thread per process running ``work(stopping)`` each time it is woken.

    ``work`` gets a callable telling it to stop early (``stop()`` was called); an exception
    from it is logged with ``failure`` and the next round starts on a fresh connection. With
    ``linger`` (seconds), a woken loop waits that long before its round, so the work queued
    in the meantime joins it (one round's fixed cost shared by more items, as Kafka's
    ``linger.ms`` does for a producer's batches). With ``off_switch``, the environment
    variable of that name set to ``off`` or ``0`` turns it off (`enabled`): `kick_after_commit`
    does not start it, and the CLI does the work instead.
    """

    def __init__(
        self,
        name: str,
        work: Callable[[Callable[[], bool]], None],
        *,
        idle_wait: float,
        failure: str,
        linger: float = 0.0,
        off_switch: str | None = None,
    ) -> None:
        self.name = name
        self.work = work
        self.idle_wait = idle_wait
        self.linger = linger
        self.failure = failure
        self.off_switch = off_switch
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._start = threading.Lock()
        self._thread: threading.Thread | None = None

    def kick(self) -> None:
        """Wake the loop, starting its thread if this process has none running."""
        if self._thread is None or not self._thread.is_alive():
            with self._start:
                if self._thread is None or not self._thread.is_alive():
                    self._stop.clear()
                    self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                    self._thread.start()
        self._wake.set()

    def kick_after_commit(self) -> None:
        """`kick` once the caller's transaction has committed (at once outside one): the rows
        the loop is woken for are not visible to its connection before (and tests, which run
        in a transaction, never start it). Nothing when the off switch is set."""
        if connection.in_atomic_block:
            transaction.on_commit(self.kick_after_commit)
            return
        if self.enabled():
            self.kick()

    def enabled(self) -> bool:
        """False when the off switch names an environment variable set to ``off`` or ``0``."""
        if not self.off_switch:
            return True
        return switched_on(self.off_switch)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the loop (after its current round) and wait for it."""
        thread = self._thread
        self._stop.set()
        self._wake.set()
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._wake.wait(timeout=self.idle_wait)
                if self.linger and self._wake.is_set():
                    self._stop.wait(self.linger)  # returns at once when stopping
                self._wake.clear()
                # A thread outside the request cycle must drop a broken or expired connection
                # itself: a database restart or failover would otherwise stall it for good.
                close_old_connections()
                try:
                    self.work(self._stop.is_set)
                except Exception:  # the rows stay queued; the next round or the CLI retries
                    log.exception(self.failure)
                    connection.close()  # the next round opens a fresh one
        finally:
            connection.close()
