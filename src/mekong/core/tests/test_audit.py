"""The audit log is append-only, in the ORM and in the database itself."""

import pytest
from django.db import DatabaseError, connection, transaction

from mekong.core.audit import audit_record
from mekong.core.models import AppendOnlyError, AuditEntry


@pytest.mark.django_db
def test_audit_record_is_written():
    entry = audit_record(action="thing.done", actor_user_id=7, object_type="thing", object_id=3)
    assert AuditEntry.objects.get(pk=entry.pk).object_id == "3"


@pytest.mark.django_db
def test_orm_cannot_change_or_delete_an_entry():
    entry = audit_record(action="thing.done")
    entry.action = "thing.undone"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


@pytest.mark.django_db
def test_database_refuses_raw_update_and_delete():
    entry = audit_record(action="thing.done")
    table = AuditEntry._meta.db_table
    for sql in (
        f"UPDATE {table} SET action = 'x' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "thing.done"


@pytest.mark.django_db
def test_queryset_update_is_refused_too():
    audit_record(action="thing.done")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.update(action="rewritten")


@pytest.mark.django_db
def test_audit_record_many_appends_every_entry_with_one_insert(django_assert_num_queries):
    from mekong.core.audit import audit_record_many

    with django_assert_num_queries(1):
        audit_record_many(
            [
                {"action": "t.one", "organisation_id": 7, "object_id": 1, "data": {"a": 1}},
                {"action": "t.two", "object_type": "x"},
            ]
        )
    one, two = AuditEntry.objects.filter(action__startswith="t.").order_by("id")
    assert (one.action, one.organisation_id, one.object_id, one.data) == ("t.one", 7, "1", {"a": 1})
    assert (two.object_type, two.object_id, two.data) == ("x", "", {})
