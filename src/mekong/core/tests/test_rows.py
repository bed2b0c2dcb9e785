"""Precomposed reads (`mekong.core.db.rows`) give back what the ORM gives, on both backends."""

import uuid
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError
from django.forms.models import model_to_dict

from mekong.core.db import rows
from mekong.core.db.rows import Rows, columns, insert, placeholders, prep, table
from mekong.core.models import AuditEntry, HandledEvent, OutboxEvent


def _fields(obj: object) -> dict[str, object]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_rows_hydrate_every_field_type_like_the_orm():
    # UUID key, JSON, aware datetimes (one NULL), integers and text: each needs the backend's
    # own converter on SQLite (text and integers underneath) and some on PostgreSQL.
    event = OutboxEvent.objects.create(
        name="payments.completed",
        payload={"amount": 12_500, "names": ["ສົມສັກ", "Nguyễn"], "nested": {"ok": True}},
        created_at=datetime(2026, 12, 5, 7, 30, 1, 250_000, tzinfo=UTC),
        attempts=3,
        last_error="it's <b>quoted</b>",
    )
    sql = f"SELECT {columns(OutboxEvent, 'o')} FROM {table(OutboxEvent)} o WHERE o.id = %s"
    ((got,),) = Rows(OutboxEvent).fetch(sql, [prep(OutboxEvent, "id", event.pk)])
    expected = OutboxEvent.objects.get(pk=event.pk)
    assert _fields(got) == _fields(expected)
    assert isinstance(got.pk, uuid.UUID)
    assert got.dispatched_at is None
    assert got.created_at.tzinfo is not None
    assert not got._state.adding
    assert got._state.db == "default"
    assert model_to_dict(got) == model_to_dict(expected)


@pytest.mark.django_db
def test_a_left_join_that_finds_nothing_gives_none():
    kept = OutboxEvent.objects.create(name="a", payload={})
    alone = OutboxEvent.objects.create(name="b", payload={})
    handled = HandledEvent.objects.create(handler="h", event_id=kept.pk)
    sql = (
        f"SELECT {columns(OutboxEvent, 'o')}, {columns(HandledEvent, 'h')} "
        f"FROM {table(OutboxEvent)} o LEFT JOIN {table(HandledEvent)} h ON h.event_id = o.id "
        "ORDER BY o.name"
    )
    rows = Rows(OutboxEvent, HandledEvent).fetch(sql)
    assert [(o.pk, h.pk if h else None) for o, h in rows] == [
        (kept.pk, handled.pk),
        (alone.pk, None),
    ]


@pytest.mark.django_db
def test_an_empty_in_list_matches_nothing():
    OutboxEvent.objects.create(name="a", payload={})
    sql = f"SELECT {columns(OutboxEvent, 'o')} FROM {table(OutboxEvent)} o WHERE o.id IN "
    assert Rows(OutboxEvent).fetch(sql + f"({placeholders(0)})") == []
    ids = [prep(OutboxEvent, "id", e.pk) for e in OutboxEvent.objects.all()]
    assert len(Rows(OutboxEvent).fetch(sql + f"({placeholders(len(ids))})", ids)) == 1


@pytest.mark.django_db
def test_insert_stores_what_save_would():
    events = [
        OutboxEvent(name=f"e{n}", payload={"n": n, "text": "ຂາຍກາເຟ"}, attempts=n)
        for n in range(rows.INSERT_CHUNK + 3)  # more than one statement
    ]
    insert(events)
    assert all(not e._state.adding for e in events)
    stored = {e.pk: e for e in OutboxEvent.objects.all()}
    assert len(stored) == len(events)
    for event in events:
        assert _fields(stored[event.pk]) == _fields(event)
    entry = AuditEntry(action="thing.done", organisation_id=7, data={"a": [1, 2]})
    insert([entry])  # the auto key is the database's
    (got,) = AuditEntry.objects.filter(action="thing.done")
    assert (got.organisation_id, got.data, got.at) == (7, {"a": [1, 2]}, entry.at)
    # The same model with its key given: another plan (the key is a column this time), and
    # the first one still leaves it out afterwards.
    insert([AuditEntry(id=got.pk + 100, action="thing.keyed")])
    insert([AuditEntry(action="thing.unkeyed")])
    keyed = AuditEntry.objects.get(action="thing.keyed")
    assert keyed.pk == got.pk + 100
    assert AuditEntry.objects.get(action="thing.unkeyed").pk not in (got.pk, keyed.pk)


@pytest.mark.django_db
def test_insert_prepares_values_of_other_types_as_save_does():
    # Plain str/int/bool values skip the fields' preparation; anything else must still be
    # prepared exactly as save() prepares it.
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    odd = {
        "name": gettext_lazy("Payments"),  # a lazy string, not a str
        "last_error": mark_safe("<b>safe</b>"),  # a str subclass
        "attempts": True,  # a bool for an integer column
    }
    inserted = OutboxEvent(payload={}, **odd)  # type: ignore[arg-type]
    insert([inserted])
    saved = OutboxEvent(payload={}, **odd)  # type: ignore[arg-type]
    saved.save(force_insert=True)
    a = OutboxEvent.objects.get(pk=inserted.pk)
    b = OutboxEvent.objects.get(pk=saved.pk)
    assert (a.name, a.last_error, a.attempts) == (b.name, b.last_error, b.attempts)
    assert (type(a.name), a.name, a.attempts) == (str, "Payments", 1)
    # A foreign key's integer and an integer column's None go through as they are.
    entry = AuditEntry(action="x.y", organisation_id=None, actor_user_id=None, data={})
    insert([entry])
    assert AuditEntry.objects.get(action="x.y").organisation_id is None


@pytest.mark.django_db(transaction=True)
def test_insert_keeps_the_unique_constraints():
    event_id = uuid.uuid4()
    insert([HandledEvent(handler="h", event_id=event_id)])
    with pytest.raises(IntegrityError):
        insert([HandledEvent(handler="h", event_id=event_id)])
    assert HandledEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_model_with_init_receivers_is_hydrated_through_from_db(monkeypatch):
    # The fast path skips Model.__init__; a model someone listens to must still send it.
    from django.db.models import signals

    event = OutboxEvent.objects.create(name="watched", payload={"a": 1})
    seen: list[object] = []

    def receiver(sender: object, instance: object, **kwargs: object) -> None:
        seen.append(instance)

    monkeypatch.setattr(rows, "_plans", {})  # plans remember what they checked
    signals.post_init.connect(receiver, sender=OutboxEvent)
    try:
        sql = f"SELECT {columns(OutboxEvent, 'o')} FROM {table(OutboxEvent)} o WHERE o.id = %s"
        ((got,),) = Rows(OutboxEvent).fetch(sql, [prep(OutboxEvent, "id", event.pk)])
    finally:
        signals.post_init.disconnect(receiver, sender=OutboxEvent)
        rows._plans.clear()
    assert seen == [got]
    assert _fields(got) == _fields(OutboxEvent.objects.get(pk=event.pk))
    assert not got._state.adding


@pytest.mark.django_db
def test_a_prepared_insert_writes_nothing_until_it_runs():
    events = [OutboxEvent(name=f"p{n}", payload={"n": n}) for n in range(3)]
    store = rows.prepare_insert(events)
    assert not OutboxEvent.objects.filter(name__startswith="p").exists()
    assert all(e._state.adding for e in events)
    store()
    assert sorted(OutboxEvent.objects.values_list("name", flat=True)) == ["p0", "p1", "p2"]
    assert not any(e._state.adding for e in events)
    rows.prepare_insert([])()  # nothing to write


@pytest.mark.django_db(transaction=True)
def test_a_prepared_insert_runs_in_another_thread_on_that_threads_connection():
    # A group commit leader runs the inserts its followers prepared (payments' quotes).
    import threading

    from django.db import connections

    events = [OutboxEvent(name=f"t{n}", payload={"n": n}) for n in range(2)]
    store = rows.prepare_insert(events)
    failed: list[BaseException] = []

    def lead() -> None:
        try:
            store()
        except BaseException as exc:
            failed.append(exc)
        finally:
            connections.close_all()

    leader = threading.Thread(target=lead)
    leader.start()
    leader.join(timeout=30)
    assert failed == []
    assert sorted(OutboxEvent.objects.values_list("name", flat=True)) == ["t0", "t1"]
