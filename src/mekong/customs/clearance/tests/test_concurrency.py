"""Races on PostgreSQL: two officers deciding at once, two retries of the same lodging.

Threads open their own database connections; ``transaction=True`` commits the setup so they
see it. The row lock on the declaration and the unique (declarant, idempotency key) make each
race end with exactly one winner.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from mekong.core.errors import DomainError
from mekong.customs.clearance import services
from mekong.customs.clearance.models import Declaration, DeclarationEvent
from mekong.customs.clearance.tests.factories import lodge, rice_declaration

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 4


def _race(func: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(THREADS)
    results: list[Any] = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait()
        try:
            outcome: Any = func()
        except DomainError as error:
            outcome = error.code
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_officers_releasing_at_once_release_once(corridor):
    d = lodge(corridor)
    results = _race(
        lambda: services.declaration_release(actor=corridor.officer_actor, declaration_id=d.pk).pk
    )
    assert sorted(results, key=str) == sorted(
        [d.pk] + ["invalid_declaration_state"] * (THREADS - 1), key=str
    )
    assert DeclarationEvent.objects.filter(declaration=d, kind="released").count() == 1


def test_retries_of_one_lodging_create_one_declaration(corridor):
    key = uuid.uuid4()
    data = rice_declaration(corridor.document_ids)
    results = _race(
        lambda: services.declaration_lodge(actor=corridor.trader, data=data, idempotency_key=key).pk
    )
    assert len(set(results)) == 1
    assert Declaration.objects.count() == 1
