"""Background tasks of the marketplace (django-tasks; run by ``mekong worker``)."""

from __future__ import annotations

from django_tasks import task

from mekong.marketplace.ordering import release_due


@task()
def release_due_task() -> int:
    """Release escrow of orders whose release window has passed; return how many.

    Idempotent and safe to run concurrently (each order is re-checked under its row lock).
    Enqueue it periodically (e.g. hourly from cron: ``mekong marketplace release-due`` does
    the same inline).
    """
    return len(release_due())
