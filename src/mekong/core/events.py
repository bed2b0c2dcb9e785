"""Domain events with a transactional outbox, dispatched after commit to idempotent handlers.

"Call down, publish up" (docs/adr/0002): a module tells higher or peer modules that something
happened by publishing an event. `publish` writes an `OutboxEvent` row in the caller's
transaction and schedules dispatch for after commit. Each handler runs in its own transaction
together with a `HandledEvent` row keyed on (handler, event id), so a redelivery is a no-op.
No Django model signals are used for business logic (docs/adr/0003).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from django.db import IntegrityError, transaction

from mekong.core import clock

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
        """Serialise the event's own fields (not id/time, which are outbox columns)."""
        data = dataclasses.asdict(self)
        data.pop("event_id")
        data.pop("occurred_at")
        return data


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Any], None]


@dataclass(frozen=True)
class _Subscription:
    key: str
    func: Handler


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
        key = f"{func.__module__}.{func.__qualname__}"
        subs = _SUBSCRIBERS.setdefault(event_type.name, [])
        if all(s.key != key for s in subs):
            subs.append(_Subscription(key, func))
        return func

    return decorator


def publish(evt: DomainEvent) -> None:
    """Record ``evt`` in the outbox now and dispatch it after the transaction commits.

    Call inside the service's ``transaction.atomic`` block: if the transaction rolls back, the
    event was never published.
    """
    from mekong.core.models import OutboxEvent

    if type(evt).name not in _EVENT_TYPES:
        raise TypeError(f"{type(evt).__name__} is not registered with @event")
    row = OutboxEvent.objects.create(
        id=evt.event_id, name=evt.name, payload=evt.to_payload(), created_at=evt.occurred_at
    )
    for captured in _capture_stack:
        captured.append(evt)
    outbox_id = row.id
    transaction.on_commit(lambda: dispatch_one(outbox_id))


def _rebuild(name: str, event_id: uuid.UUID, occurred_at: datetime, payload: Any) -> DomainEvent:
    cls = _EVENT_TYPES[name]
    return cls(event_id=event_id, occurred_at=occurred_at, **payload)


def dispatch_one(outbox_id: uuid.UUID) -> bool:
    """Deliver one outbox event to every handler that has not handled it yet.

    Returns True when every handler has now handled the event. A failing handler is logged and
    retried on the next `dispatch_pending` run; it does not stop the other handlers.
    """
    from mekong.core.models import HandledEvent, OutboxEvent

    row = OutboxEvent.objects.filter(id=outbox_id).first()
    if row is None or row.dispatched_at is not None:
        return True
    if row.name not in _EVENT_TYPES:
        # The publishing module is not installed in this process: leave it for one that is.
        return False
    evt = _rebuild(row.name, row.id, row.created_at, row.payload)
    ok = True
    errors: list[str] = []
    for sub in _SUBSCRIBERS.get(row.name, []):
        try:
            with transaction.atomic():
                if HandledEvent.objects.filter(handler=sub.key, event_id=row.id).exists():
                    continue
                sub.func(evt)
                HandledEvent.objects.create(handler=sub.key, event_id=row.id)
        except IntegrityError:
            # Another dispatcher handled it concurrently; its transaction won, ours rolled back.
            continue
        except Exception as exc:  # a handler bug must not block other handlers or the caller
            ok = False
            errors.append(f"{sub.key}: {type(exc).__name__}: {exc}")
            logger.exception("event handler %s failed for %s", sub.key, row.id)
    updates: dict[str, Any] = {"attempts": row.attempts + 1}
    if ok:
        updates["dispatched_at"] = clock.now()
        updates["last_error"] = ""
    else:
        updates["last_error"] = "\n".join(errors)[:4000]
    OutboxEvent.objects.filter(id=row.id).update(**updates)
    return ok


def dispatch_pending(*, limit: int = 500) -> int:
    """Dispatch events left undelivered (after a crash or a failed handler); return the count."""
    from mekong.core.models import OutboxEvent

    ids = list(
        OutboxEvent.objects.filter(dispatched_at__isnull=True)
        .order_by("created_at")
        .values_list("id", flat=True)[:limit]
    )
    return sum(1 for outbox_id in ids if dispatch_one(outbox_id))


@contextlib.contextmanager
def capture_events() -> Iterator[list[DomainEvent]]:
    """Collect the events published inside the block (tests; after Zulip's capture helper)."""
    captured: list[DomainEvent] = []
    _capture_stack.append(captured)
    try:
        yield captured
    finally:
        _capture_stack.remove(captured)
