"""Domain events with a transactional outbox, dispatched after commit to idempotent handlers.

"Call down, publish up" (docs/adr/0002): a module tells higher or peer modules that something
happened by publishing an event. `publish` writes an `OutboxEvent` row in the caller's
transaction and schedules dispatch for after commit. Each handler runs in its own transaction
together with a `HandledEvent` row keyed on (handler, event id), so a redelivery is a no-op.
No Django model signals are used for business logic (docs/adr/0003).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from mekong.core import clock
from mekong.core.db.rows import Rows, columns, insert, placeholders, prep, table

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base class of domain events: frozen dataclasses with JSON-serialisable fields.

    Subclasses set the class variable ``name`` (``"<module>.<entity>_<past tense>"``) and are
    registered with `@event`. ``event_id`` and ``occurred_at`` are filled in automatically.
    """

    name: ClassVar[str] = ""
    event_id: uuid.UUID = dataclasses.field(default_factory=uuid.uuid4)
    occurred_at: datetime = dataclasses.field(default_factory=clock.now)

    def to_payload(self) -> dict[str, Any]:
        """Serialise the event's own fields (not id/time, which are outbox columns), each
        copied as `dataclasses.asdict` copies it."""
        # Not asdict(self) then pop: it deep-copied the id and the time only to drop them,
        # most of the ~30 µs an event cost (one per payment, in the batch's writer lock).
        return {
            f.name: _copied(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name not in _OUTBOX_COLUMNS
        }


_OUTBOX_COLUMNS = frozenset({"event_id", "occurred_at"})
_SCALARS = (str, int, float, bool, type(None))


def _copied(value: Any) -> Any:
    """``value`` as `dataclasses.asdict` would give it: scalars as they are, containers
    rebuilt, dataclasses as dicts, anything else deep-copied."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, list | tuple) and not hasattr(value, "_fields"):
        return type(value)(_copied(v) for v in value)
    if isinstance(value, dict):
        return type(value)((_copied(k), _copied(v)) for k, v in value.items())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return copy.deepcopy(value)


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Any], None]


@dataclass(frozen=True)
class _Subscription:
    key: str
    func: Handler
    batch: bool = False  # func takes the list of a dispatch's events (`subscribe_batch`)


_EVENT_TYPES: dict[str, type[DomainEvent]] = {}
_SUBSCRIBERS: dict[str, list[_Subscription]] = {}
_capture_stack: list[list[DomainEvent]] = []


def event(cls: type[E]) -> type[E]:
    """Class decorator registering an event type under its ``name``."""
    if not cls.name:
        raise TypeError(f"{cls.__name__} must set a class variable 'name'")
    existing = _EVENT_TYPES.get(cls.name)
    if existing is not None and existing is not cls:
        raise TypeError(f"event name {cls.name!r} is already used by {existing.__name__}")
    _EVENT_TYPES[cls.name] = cls
    return cls


def subscribe(event_type: type[E]) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    """Register a handler for ``event_type``; the handler's dotted name is its idempotency key.

    Subscriptions are made in the subscriber's ``handlers.py``, imported from its
    ``AppConfig.ready()``, and listed in docs/events.md.
    """

    def decorator(func: Callable[[E], None]) -> Callable[[E], None]:
        _register(event_type, func, batch=False)
        return func

    return decorator


def subscribe_batch(
    event_type: type[E],
) -> Callable[[Callable[[Sequence[E]], None]], Callable[[Sequence[E]], None]]:
    """Register a handler that takes every ``event_type`` event of one dispatch at once.

    For handlers that ignore most events (a marketplace handler of payment events: most
    payments are not orders): one query over the whole list instead of one per event. The
    handler gets the events in publication order, in one transaction with all their
    `HandledEvent` rows; if that fails (an event already handled, or the handler raised), each
    event is delivered again on its own, as a list of one, so one bad event holds back only
    itself. Same idempotency key and listing rules as `subscribe`.
    """

    def decorator(func: Callable[[Sequence[E]], None]) -> Callable[[Sequence[E]], None]:
        _register(event_type, func, batch=True)
        return func

    return decorator


def _register(event_type: type[DomainEvent], func: Handler, *, batch: bool) -> None:
    """Subscribe ``func`` under its dotted name (registering it again is a no-op)."""
    key = f"{func.__module__}.{func.__qualname__}"
    subs = _SUBSCRIBERS.setdefault(event_type.name, [])
    if all(s.key != key for s in subs):
        subs.append(_Subscription(key, func, batch=batch))


def publish(evt: DomainEvent) -> None:
    """Record ``evt`` in the outbox now and dispatch it after the transaction commits.

    Call inside the service's ``transaction.atomic`` block: if the transaction rolls back, the
    event was never published. An event nobody subscribes to is recorded as dispatched at once
    (it stays in the outbox as the history of what happened, with nothing left to deliver).
    Events of one transaction are delivered together after its commit (`dispatch_many`).
    """
    publish_many([evt])


def publish_many(events: Sequence[DomainEvent]) -> None:
    """`publish` for several events with one outbox insert (in publication order)."""
    from mekong.core.models import OutboxEvent

    for evt in events:
        if type(evt).name not in _EVENT_TYPES:
            raise TypeError(f"{type(evt).__name__} is not registered with @event")
    subscribed = [bool(_SUBSCRIBERS.get(evt.name)) for evt in events]
    insert(
        [
            OutboxEvent(
                id=evt.event_id,
                name=evt.name,
                payload=evt.to_payload(),
                created_at=evt.occurred_at,
                dispatched_at=None if sub else evt.occurred_at,
            )
            for evt, sub in zip(events, subscribed, strict=True)
        ]
    )
    for evt, sub in zip(events, subscribed, strict=True):
        for captured in _capture_stack:
            captured.append(evt)
        if sub:
            _after_commit(evt.event_id)


class _CommitBatch:
    """The outbox ids published in one transaction, dispatched by one after-commit hook."""

    def __init__(self) -> None:
        self.ids: list[uuid.UUID] = []

    def __call__(self) -> None:
        dispatch_many(self.ids)


def _after_commit(outbox_id: uuid.UUID) -> None:
    """Queue ``outbox_id`` for dispatch when the current transaction commits.

    The first event of a transaction registers one `_CommitBatch` hook; later ones join it
    while that hook is still pending on the connection. Django drops pending hooks when the
    transaction (or the savepoint that registered them) rolls back, so a batch whose hook is
    gone is never joined again. An id whose savepoint rolled back stays in a live batch, but
    its row rolled back with it and `dispatch_many` skips ids it cannot find.
    """
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        dispatch_many([outbox_id])  # autocommit: the row is already committed
        return
    pending = getattr(conn, "_mekong_event_batch", None)
    # run_on_commit holds (savepoint ids, callable, robust) for each pending hook.
    if pending is None or not any(hook[1] is pending for hook in conn.run_on_commit):
        pending = _CommitBatch()
        conn._mekong_event_batch = pending
        transaction.on_commit(pending)
    pending.ids.append(outbox_id)


def _rebuild(name: str, event_id: uuid.UUID, occurred_at: datetime, payload: Any) -> DomainEvent:
    cls = _EVENT_TYPES[name]
    return cls(event_id=event_id, occurred_at=occurred_at, **payload)


def dispatch_one(outbox_id: uuid.UUID) -> bool:
    """Deliver one outbox event to every handler that has not handled it yet; True when
    every handler has now handled it (see `dispatch_many`)."""
    return dispatch_many([outbox_id]) == 1


def dispatch_many(outbox_ids: list[uuid.UUID]) -> int:
    """Deliver outbox events, in publication order, to every handler that has not handled
    them yet; return how many are now fully handled (already dispatched ones count).

    Each handler call runs in its own transaction with its `HandledEvent` row, inserted first:
    a concurrent dispatcher of the same event waits on that row's unique key and then skips,
    so no handler applies an event twice. A failing handler is logged and retried by the next
    `dispatch_pending` run; it does not stop the other handlers or events. Batch handlers
    (`subscribe_batch`) run after the others, once for all the list's events of their type.
    The events read and the outbox update of the delivered events are one statement each.
    """
    from mekong.core.models import OutboxEvent

    if not outbox_ids:
        return 0
    ids = [prep(OutboxEvent, "id", i) for i in outbox_ids]
    rows = {
        row.id: row
        for (row,) in Rows(OutboxEvent).fetch(
            f"SELECT {columns(OutboxEvent, 'o')} FROM {table(OutboxEvent)} o "  # noqa: S608
            f"WHERE o.id IN ({placeholders(len(ids))})",
            ids,
        )
    }
    finished = 0
    todo: list[uuid.UUID] = []
    errors: dict[uuid.UUID, list[str]] = {}
    batches: dict[str, tuple[_Subscription, list[DomainEvent]]] = {}
    for outbox_id in dict.fromkeys(outbox_ids):
        row = rows.get(outbox_id)
        if row is None:
            continue  # rolled back with its savepoint, or never committed
        if row.dispatched_at is not None:
            finished += 1
            continue
        if row.name not in _EVENT_TYPES:
            # The publishing module is not installed in this process: leave it for one that is.
            continue
        evt = _rebuild(row.name, row.id, row.created_at, row.payload)
        todo.append(row.id)
        for sub in _SUBSCRIBERS.get(row.name, []):
            if sub.batch:
                batches.setdefault(sub.key, (sub, []))[1].append(evt)
                continue
            error = _deliver(sub, evt)
            if error:
                errors.setdefault(row.id, []).append(error)
    for sub, events in batches.values():
        for event_id, error in _deliver_batch(sub, events).items():
            errors.setdefault(event_id, []).append(error)
    for event_id, messages in errors.items():
        OutboxEvent.objects.filter(id=event_id).update(
            attempts=F("attempts") + 1, last_error="\n".join(messages)[:4000]
        )
    done = [event_id for event_id in todo if event_id not in errors]
    if done:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table(OutboxEvent)} SET attempts = attempts + 1, dispatched_at = %s, "  # noqa: S608
                f"last_error = '' WHERE id IN ({placeholders(len(done))})",
                [
                    prep(OutboxEvent, "dispatched_at", clock.now()),
                    *(prep(OutboxEvent, "id", i) for i in done),
                ],
            )
    return finished + len(done)


def _deliver(sub: _Subscription, evt: DomainEvent) -> str | None:
    """Run one handler on one event in a transaction with its `HandledEvent` row; the error
    text when it failed (logged), None when it ran or had run before."""
    from mekong.core.models import HandledEvent

    try:
        with transaction.atomic():
            try:
                # In a savepoint of its own: only this insert's IntegrityError means "handled";
                # one raised by the handler is a failure like any other, retried later.
                with transaction.atomic():
                    insert([HandledEvent(handler=sub.key, event_id=evt.event_id)])
            except IntegrityError:
                return None  # handled before, or by a concurrent dispatcher whose commit won
            sub.func([evt] if sub.batch else evt)
    except Exception as exc:  # a handler bug must not block other handlers or the caller
        logger.exception("event handler %s failed for %s", sub.key, evt.event_id)
        return f"{sub.key}: {type(exc).__name__}: {exc}"
    return None


def _deliver_batch(sub: _Subscription, events: list[DomainEvent]) -> dict[uuid.UUID, str]:
    """Run a batch handler on its events at once, falling back to one at a time (see
    `subscribe_batch`); the error text of each event that failed."""
    from mekong.core.models import HandledEvent

    if len(events) > 1:
        try:
            with transaction.atomic():
                insert([HandledEvent(handler=sub.key, event_id=evt.event_id) for evt in events])
                sub.func(events)
        except Exception:  # each event is retried alone just below
            logger.info("batch handler %s: delivering %d events one by one", sub.key, len(events))
        else:
            return {}
    failed = {evt.event_id: _deliver(sub, evt) for evt in events}
    return {event_id: error for event_id, error in failed.items() if error}


def dispatch_pending(*, limit: int = 500) -> int:
    """Dispatch events left undelivered (after a crash or a failed handler); return the count."""
    from mekong.core.models import OutboxEvent

    ids = list(
        OutboxEvent.objects.filter(dispatched_at__isnull=True)
        .order_by("created_at")
        .values_list("id", flat=True)[:limit]
    )
    return dispatch_many(ids)


@contextlib.contextmanager
def capture_events() -> Iterator[list[DomainEvent]]:
    """Collect the events published inside the block (tests; after Zulip's capture helper)."""
    captured: list[DomainEvent] = []
    _capture_stack.append(captured)
    try:
        yield captured
    finally:
        _capture_stack.remove(captured)
