"""Models of the shared kernel: the transactional outbox and the append-only audit log."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models

from mekong.core import clock
from mekong.core.db import append_only


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete a row of an append-only table."""


class AppendOnlyModel(models.Model):
    """A model whose rows are written once and never changed or deleted.

    The ORM paths are refused here; database triggers (`mekong.core.db.append_only`) refuse
    raw UPDATE and DELETE too, so the guarantee holds for code that bypasses the model.
    """

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


class OutboxEvent(models.Model):
    """A domain event written in the same transaction as the change that caused it.

    After commit the event is dispatched to its handlers; the worker re-dispatches anything
    whose ``dispatched_at`` is still empty (a crash between commit and dispatch loses nothing).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120, db_index=True)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=clock.now, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["dispatched_at", "created_at"], name="outbox_pending")]

    def __str__(self) -> str:
        return f"{self.name} {self.id}"


class HandledEvent(models.Model):
    """Marks that one handler has processed one event: the idempotency key of handlers.

    Inserted in the same transaction as the handler's own writes; the unique constraint makes a
    concurrent second delivery roll back instead of applying twice.
    """

    handler = models.CharField(max_length=200)
    event_id = models.UUIDField()
    handled_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["handler", "event_id"], name="handled_once")]

    def __str__(self) -> str:
        return f"{self.handler} ← {self.event_id}"


class AuditEntry(AppendOnlyModel):
    """One state change, recorded by the service that made it, in the same transaction.

    Append-only (model and database triggers). ``actor_user_id`` / ``organisation_id`` are ids,
    not foreign keys, so the log outlives the rows it talks about.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=clock.now, db_index=True)
    action = models.CharField(max_length=120, db_index=True)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    object_type = models.CharField(max_length=80, blank=True, default="")
    object_id = models.CharField(max_length=80, blank=True, default="")
    data = models.JSONField(default=dict)

    class Meta:
        db_table = append_only.register("core_auditentry")
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type}:{self.object_id}"
