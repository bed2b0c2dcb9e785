"""Background tasks of the ledger (django-tasks; run by ``mekong worker``)."""

from __future__ import annotations

from django_tasks import task

from mekong.ledger import services


@task()
def pending_expire_task() -> int:
    """Expire timed-out pending transfers, releasing what they reserved; return how many.

    Idempotent and safe to run concurrently (see `services.pending_expire`). Enqueue it
    periodically (e.g. every minute from cron: ``mekong ledger expire`` does the same inline).
    """
    return len(services.pending_expire())
