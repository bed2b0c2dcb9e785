"""On the test suite's shared-cache in-memory SQLite database, a statement that meets another
connection's table lock waits for it (as ``busy_timeout`` makes it wait on a file database)
instead of failing with "database table is locked"."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction

from mekong.core.db.sqlite3 import base

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's shared-cache table locks only"
)


@pytest.mark.django_db(transaction=True)
def test_a_read_of_a_table_another_thread_is_writing_waits_for_its_commit():
    assert connection.is_in_memory_db()  # the suite's database: the case this is for
    written, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            with transaction.atomic():
                Group.objects.create(name="written by the other thread")
                written.set()
                release.wait(10)
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)
            written.set()
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(10)
    # The other thread's transaction holds the write lock on the table now: release it a
    # little later, while this thread's read is waiting.
    threading.Timer(0.2, release.set).start()
    names = list(Group.objects.values_list("name", flat=True))
    thread.join()
    assert failures == []
    # It waited for the commit: it sees the row (a read that did not wait would have failed;
    # a read of uncommitted data would have seen it too, but this cache does not allow one).
    assert names == ["written by the other thread"]


def test_other_errors_are_not_waited_on(monkeypatch):
    calls: list[int] = []

    def fails() -> None:
        calls.append(1)
        raise sqlite3.OperationalError("no such table: nowhere")

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        base._waiting_for_table_locks(fails)
    assert calls == [1]


def test_a_lock_that_outlasts_the_wait_is_reported(monkeypatch):
    monkeypatch.setattr(base, "TABLE_LOCK_WAIT_S", 0.05)
    error = sqlite3.OperationalError("database table is locked: payments_quote")
    error.sqlite_errorcode = 262  # SQLITE_LOCKED_SHAREDCACHE
    calls: list[int] = []

    def locked() -> None:
        calls.append(1)
        raise error

    with pytest.raises(sqlite3.OperationalError, match="table is locked"):
        base._waiting_for_table_locks(locked)
    assert len(calls) > 1  # tried again before giving up
