"""Domain events: written to the outbox in the caller's transaction, delivered after commit,
each handler applied at most once per event."""

import contextlib
from dataclasses import dataclass

import pytest
from django.db import IntegrityError, transaction

from mekong.core.events import (
    DomainEvent,
    capture_events,
    dispatch_one,
    dispatch_pending,
    event,
    publish,
    publish_many,
    subscribe,
    subscribe_batch,
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


@event
@dataclass(frozen=True, kw_only=True)
class BoxPacked(DomainEvent):
    name = "tests.box_packed"
    box: str


#: Each call of the batch handler: the boxes it was given.
packed_calls: list[list[str]] = []
#: Boxes the batch handler fails on (while in this set).
bad_boxes: set[str] = set()


@subscribe_batch(BoxPacked)
def record_boxes(events):
    boxes = [evt.box for evt in events]
    if bad_boxes.intersection(boxes):
        raise RuntimeError(f"cannot pack {sorted(bad_boxes.intersection(boxes))}")
    for box in boxes:
        AuditEntry.objects.create(action="test.box", object_id=box)
    packed_calls.append(boxes)


@pytest.fixture(autouse=True)
def _reset():
    received.clear()
    failures["remaining"] = 0
    packed_calls.clear()
    bad_boxes.clear()


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


@event
@dataclass(frozen=True, kw_only=True)
class NobodyListens(DomainEvent):
    name = "tests.nobody_listens"


@pytest.mark.django_db(transaction=True)
def test_events_of_one_transaction_are_delivered_by_one_hook_in_order():
    from django.db import connection

    with transaction.atomic():
        for n in range(5):
            publish(ParcelShipped(parcel=f"B{n}"))
        assert (
            len(connection.run_on_commit) == 1
        )  # one after-commit delivery for the whole transaction
    assert received == [f"B{n}" for n in range(5)]
    assert OutboxEvent.objects.filter(dispatched_at=None).count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_event_rolled_back_with_its_savepoint_is_not_delivered_but_the_others_are():
    with transaction.atomic():
        publish(ParcelShipped(parcel="kept-1"))
        with contextlib.suppress(ZeroDivisionError), transaction.atomic():
            publish(ParcelShipped(parcel="undone"))
            raise ZeroDivisionError
        publish(ParcelShipped(parcel="kept-2"))
    assert received == ["kept-1", "kept-2"]


@pytest.mark.django_db(transaction=True)
def test_first_event_in_a_rolled_back_savepoint_does_not_lose_later_ones():
    # The batch's hook is registered inside the savepoint and dropped with it; the event
    # published after the rollback must start a new batch.
    with transaction.atomic():
        with contextlib.suppress(ZeroDivisionError), transaction.atomic():
            publish(ParcelShipped(parcel="undone"))
            raise ZeroDivisionError
        publish(ParcelShipped(parcel="after"))
    assert received == ["after"]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_does_not_swallow_the_next_ones_events():
    with contextlib.suppress(ZeroDivisionError), transaction.atomic():
        publish(ParcelShipped(parcel="lost"))
        raise ZeroDivisionError
    with transaction.atomic():
        publish(ParcelShipped(parcel="next"))
    assert received == ["next"]


@pytest.mark.django_db(transaction=True)
def test_an_event_without_subscribers_is_recorded_as_dispatched():
    with transaction.atomic():
        publish(NobodyListens())
    row = OutboxEvent.objects.get(name="tests.nobody_listens")
    assert row.dispatched_at is not None
    assert dispatch_pending() == 0  # nothing left to deliver


@pytest.mark.django_db(transaction=True)
def test_publish_outside_a_transaction_delivers_at_once():
    publish(ParcelShipped(parcel="autocommit"))
    assert received == ["autocommit"]


@pytest.mark.django_db(transaction=True)
def test_publish_many_records_every_event_and_delivers_after_commit():
    with transaction.atomic(), capture_events() as seen:
        publish_many([ParcelShipped(parcel="M1"), NobodyListens(), ParcelShipped(parcel="M2")])
        assert received == []
    assert received == ["M1", "M2"]
    assert len(seen) == 3
    assert OutboxEvent.objects.count() == 3
    assert OutboxEvent.objects.filter(dispatched_at=None).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_batch_handler_gets_a_transactions_events_in_one_call_in_order():
    with transaction.atomic():
        publish_many([BoxPacked(box="B1"), ParcelShipped(parcel="P9"), BoxPacked(box="B2")])
        publish(BoxPacked(box="B3"))
        assert packed_calls == []
    assert packed_calls == [["B1", "B2", "B3"]]
    assert received == ["P9"]
    handled = HandledEvent.objects.filter(handler__endswith="record_boxes")
    assert handled.count() == 3
    assert OutboxEvent.objects.filter(dispatched_at=None).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_batch_handler_failing_on_one_event_still_delivers_the_others_once():
    bad_boxes.add("B5")
    with transaction.atomic():
        publish_many([BoxPacked(box="B4"), BoxPacked(box="B5"), BoxPacked(box="B6")])
    # The whole batch rolled back, then each event went alone: only B5 is left.
    assert packed_calls == [["B4"], ["B6"]]
    waiting = OutboxEvent.objects.get(dispatched_at=None)
    assert waiting.payload == {"box": "B5"}
    assert "cannot pack ['B5']" in waiting.last_error
    bad_boxes.clear()
    assert dispatch_pending() == 1
    assert packed_calls == [["B4"], ["B6"], ["B5"]]
    boxes = AuditEntry.objects.filter(action="test.box").values_list("object_id", flat=True)
    assert sorted(boxes) == ["B4", "B5", "B6"]


@pytest.mark.django_db(transaction=True)
def test_redelivery_never_applies_a_batch_handler_twice():
    with transaction.atomic():
        publish_many([BoxPacked(box="B7"), BoxPacked(box="B8")])
    # A crash after the handler ran but before the rows were marked, and one event whose
    # publisher crashed before dispatching it: the redelivery batch mixes both.
    OutboxEvent.objects.update(dispatched_at=None)
    new = BoxPacked(box="B9")
    OutboxEvent.objects.create(
        id=new.event_id, name=new.name, payload=new.to_payload(), created_at=new.occurred_at
    )
    assert dispatch_pending() == 3
    assert packed_calls == [["B7", "B8"], ["B9"]]
    assert AuditEntry.objects.filter(action="test.box").count() == 3


@event
@dataclass(frozen=True, kw_only=True)
class LabelPrinted(DomainEvent):
    name = "tests.label_printed"
    label: str


label_bugs = {"remaining": 0}


@subscribe(LabelPrinted)
def record_label(evt: LabelPrinted) -> None:
    AuditEntry.objects.create(action="test.label", object_id=evt.label)
    if label_bugs["remaining"] > 0:
        label_bugs["remaining"] -= 1
        raise IntegrityError("a handler's own constraint violation")


@pytest.mark.django_db(transaction=True)
def test_an_integrity_error_from_the_handler_is_a_failure_not_handled():
    # Only the HandledEvent insert's IntegrityError means "already handled"; a handler's own
    # must not mark the event handled with its work rolled back.
    label_bugs["remaining"] = 1
    with transaction.atomic():
        publish(LabelPrinted(label="L1"))
    row = OutboxEvent.objects.get(name="tests.label_printed")
    assert row.dispatched_at is None
    assert "constraint violation" in row.last_error
    assert not HandledEvent.objects.filter(event_id=row.id).exists()
    assert dispatch_pending() == 1
    assert list(
        AuditEntry.objects.filter(action="test.label").values_list("object_id", flat=True)
    ) == ["L1"]


@dataclass(frozen=True)
class _Leg:
    account: int
    tags: list[str]


def test_the_payload_is_what_asdict_gives_without_id_and_time_and_shares_nothing():
    import dataclasses
    import uuid
    from datetime import UTC, datetime
    from decimal import Decimal
    from typing import NamedTuple

    class Pair(NamedTuple):
        left: int
        right: str

    @dataclass(frozen=True, kw_only=True)
    class Everything(DomainEvent):
        name = "tests.everything"
        text: str
        count: int
        ratio: float
        flag: bool
        nothing: None
        ids: list[str]
        pair: tuple[int, ...]
        named: Pair
        nested: dict[str, list[int]]
        leg: _Leg
        legs: list[_Leg]
        when: datetime
        key: uuid.UUID
        amount: Decimal

    evt = Everything(
        text="ສົມສັກ", count=3, ratio=0.5, flag=True, nothing=None, ids=["a", "b"], pair=(1, 2),
        named=Pair(1, "x"), nested={"k": [1]}, leg=_Leg(7, ["fee"]), legs=[_Leg(8, [])],
        when=datetime(2026, 12, 6, tzinfo=UTC), key=uuid.UUID(int=5), amount=Decimal("1.50"),
    )  # fmt: skip
    expected = dataclasses.asdict(evt)
    del expected["event_id"], expected["occurred_at"]
    payload = evt.to_payload()
    assert payload == expected
    assert {k: type(v) for k, v in payload.items()} == {k: type(v) for k, v in expected.items()}
    payload["ids"].append("c")
    payload["nested"]["k"].append(2)
    payload["leg"]["tags"].append("x")
    assert (evt.ids, evt.nested, evt.leg.tags) == (["a", "b"], {"k": [1]}, ["fee"])
