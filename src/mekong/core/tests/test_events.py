"""Domain events: written to the outbox in the caller's transaction, delivered after commit,
each handler applied at most once per event."""

from dataclasses import dataclass

import pytest
from django.db import transaction

from mekong.core.events import (
    DomainEvent,
    capture_events,
    dispatch_one,
    dispatch_pending,
    event,
    publish,
    subscribe,
)
from mekong.core.models import AuditEntry, HandledEvent, OutboxEvent

received: list[str] = []
failures = {"remaining": 0}


@event
@dataclass(frozen=True, kw_only=True)
class ParcelShipped(DomainEvent):
    name = "tests.parcel_shipped"
    parcel: str


@subscribe(ParcelShipped)
def record_parcel(evt: ParcelShipped) -> None:
    # A handler's writes share a transaction with its HandledEvent row.
    AuditEntry.objects.create(action="test.parcel", object_id=evt.parcel)
    received.append(evt.parcel)


@subscribe(ParcelShipped)
def flaky_handler(evt: ParcelShipped) -> None:
    if failures["remaining"] > 0:
        failures["remaining"] -= 1
        raise RuntimeError("downstream unavailable")


@pytest.fixture(autouse=True)
def _reset():
    received.clear()
    failures["remaining"] = 0


@pytest.mark.django_db(transaction=True)
def test_event_is_delivered_after_commit_and_marked_dispatched():
    with transaction.atomic():
        publish(ParcelShipped(parcel="P1"))
        # Not yet: handlers run only once the transaction has committed.
        assert received == []
    assert received == ["P1"]
    row = OutboxEvent.objects.get()
    assert row.dispatched_at is not None
    assert HandledEvent.objects.filter(event_id=row.id).count() == 2


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_publishes_nothing():
    def failing_use_case():
        with transaction.atomic():
            publish(ParcelShipped(parcel="P2"))
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        failing_use_case()
    assert received == []
    assert OutboxEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_redelivery_never_applies_a_handler_twice():
    with transaction.atomic():
        publish(ParcelShipped(parcel="P3"))
    row = OutboxEvent.objects.get()
    # Simulate a crash after the handlers ran but before the outbox row was marked.
    OutboxEvent.objects.filter(id=row.id).update(dispatched_at=None)
    assert dispatch_one(row.id) is True
    assert received == ["P3"]
    assert AuditEntry.objects.filter(action="test.parcel").count() == 1


@pytest.mark.django_db(transaction=True)
def test_failed_handler_is_retried_by_dispatch_pending_without_repeating_others():
    failures["remaining"] = 1
    with transaction.atomic():
        publish(ParcelShipped(parcel="P4"))
    row = OutboxEvent.objects.get()
    assert row.dispatched_at is None
    assert "downstream unavailable" in row.last_error
    assert dispatch_pending() == 1
    row = OutboxEvent.objects.get(pk=row.pk)  # a fresh object: the retry marked it dispatched
    assert row.dispatched_at is not None
    assert row.attempts == 2
    assert received == ["P4"]  # the healthy handler ran once only


@pytest.mark.django_db
def test_capture_events_sees_published_events():
    with capture_events() as events:
        publish(ParcelShipped(parcel="P5"))
    assert [e.parcel for e in events] == ["P5"]  # type: ignore[attr-defined]


def test_unregistered_event_type_is_refused():
    @dataclass(frozen=True, kw_only=True)
    class Unregistered(DomainEvent):
        name = "tests.unregistered"

    with pytest.raises(TypeError, match="not registered"):
        publish(Unregistered())


def test_two_event_types_cannot_share_a_name():
    with pytest.raises(TypeError, match="already used"):

        @event
        @dataclass(frozen=True, kw_only=True)
        class Duplicate(DomainEvent):
            name = "tests.parcel_shipped"
