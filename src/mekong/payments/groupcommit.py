"""Group commit: concurrent requests of one process applied in one database transaction.

Leader/follower batching (docs/adr/0010-payments-group-commit.md). A request thread
`submit`\\ s its work item and, when no batch is running, becomes the leader: it passes the
committer's gate (the SQLite writer lock, for payments), then takes every item queued by then
(up to `BATCH_MAX`), runs them with one call of the batch runner (one
transaction), and wakes each item's thread with that item's own result or error. Items that
arrive while a batch runs queue up; when the leader finishes, it hands the lead to the oldest
waiting item's thread, which runs the next batch. A thread is woken only after the batch that
carried its item committed (or failed), so nothing is acknowledged before it is durable.

The runner owns the semantics: it must give every item its own outcome (one item's refusal
or error must not decide the others'). This module only queues, elects and wakes.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Most items applied in one batch (one transaction). Large enough to absorb a burst of a
#: server's threads, small enough to keep a batch's transaction short.
BATCH_MAX = 64


class QueueTimeout(Exception):
    """A submitted item waited too long behind other batches and was withdrawn unapplied."""


class Item(Generic[T, R]):
    """One queued request: its payload, and once its batch ran, its result or error."""

    __slots__ = ("error", "lead", "payload", "result", "woken")

    def __init__(self, payload: T) -> None:
        self.payload = payload
        self.result: R | None = None
        self.error: BaseException | None = None
        self.lead = False  # woken to lead the next batch, not with an outcome
        self.woken = threading.Event()


class GroupCommitter(Generic[T, R]):
    """Batches concurrent `submit` calls of one process into calls of ``run``.

    ``run(items)`` applies a batch and sets each item's ``result`` or ``error``; if it raises,
    every item of the batch without an outcome gets that error.
    """

    def __init__(
        self,
        run: Callable[[Sequence[Item[T, R]]], None],
        *,
        batch_max: int = BATCH_MAX,
        gate: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext,
    ):
        self._run = run
        self._batch_max = batch_max
        self._gate = gate
        self._mutex = threading.Lock()
        self._queue: list[Item[T, R]] = []
        self._busy = False  # a leader is running a batch

    def submit(self, payload: T, *, queue_timeout: float | None = None) -> R:
        """Queue ``payload``, wait until a batch applied it, and return its result.

        ``queue_timeout`` bounds the wait while the item is still queued (a stuck batch ahead
        of it): the item is then withdrawn, never applied, and `QueueTimeout` raised. Once a
        batch has taken the item the wait is the batch's, which the runner bounds (database
        lock timeouts): an outcome is never abandoned half-way.

        Raises:
            QueueTimeout: still queued after ``queue_timeout`` seconds.
            whatever the runner set as the item's error.
        """
        item: Item[T, R] = Item(payload)
        with self._mutex:
            self._queue.append(item)
            lead = not self._busy
            if lead:
                self._busy = True
        if not lead:
            if not item.woken.wait(queue_timeout):
                with self._mutex:
                    withdrawn = not item.lead and item in self._queue
                    if withdrawn:
                        self._queue.remove(item)
                if withdrawn:
                    raise QueueTimeout()
                item.woken.wait()  # taken by a batch, or made leader, meanwhile
            if item.lead:
                lead = True
        if lead:
            self._lead()
        if item.error is not None:
            raise item.error
        return item.result  # type: ignore[return-value]

    def _take(self) -> list[Item[T, R]]:
        with self._mutex:
            batch = self._queue[: self._batch_max]
            del self._queue[: self._batch_max]
        return batch

    def _lead(self) -> None:
        """Pass the gate, take the queued items as one batch and run it; then hand the lead to
        the oldest waiting item (or stand down).

        The batch is taken only once the gate is passed: what queued while the leader waited
        there (for the database's writer lock, say) joins this batch instead of waiting for
        the next one. If the gate fails, the items queued by then get its error."""
        batch: list[Item[T, R]] = []
        try:
            with self._gate():
                batch = self._take()
                if batch:
                    self._run(batch)
        except BaseException as exc:  # every waiter must wake, whatever happened
            if not batch:
                batch = self._take()
            for it in batch:
                if it.error is None and it.result is None:
                    it.error = exc
        finally:
            with self._mutex:
                successor = self._queue[0] if self._queue else None
                if successor is None:
                    self._busy = False
                else:
                    successor.lead = True
            for it in batch:
                if not it.lead:
                    it.woken.set()
            if successor is not None:
                successor.woken.set()
