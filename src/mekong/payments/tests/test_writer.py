"""The SQLite writer queue across worker processes: an flock next to the database file."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.db import connection, transaction

from mekong.core.db import writer_gate
from mekong.payments import writer
from mekong.payments.errors import HubBusy

pytestmark = [pytest.mark.django_db(transaction=True)]

# Another process trying the lock without waiting: exit 0 if it got it, 1 if it is held.
_PROBE = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    sys.exit(1)
"""


def _other_process_gets(path: str) -> bool:
    return subprocess.run([sys.executable, "-c", _PROBE, path], check=False).returncode == 0


@pytest.fixture
def on_file(monkeypatch, tmp_path):
    """The writer queue's view of a file database (the tests' own is in memory)."""
    if connection.vendor != "sqlite":
        pytest.skip("the writer queue is SQLite's")
    name = str(tmp_path / "hub.sqlite3")
    monkeypatch.setitem(connection.settings_dict, "NAME", name)
    monkeypatch.setattr(writer, "_files", {})
    return f"{name}.writer-lock"


def test_a_serial_section_holds_the_lock_other_processes_take(on_file):
    with writer.serial():
        assert not _other_process_gets(on_file)
    assert _other_process_gets(on_file)


def test_a_section_waits_for_another_process_and_gives_up_busy(monkeypatch, on_file):
    monkeypatch.setattr(writer, "LOCK_TIMEOUT_S", 0.3)
    holder = subprocess.Popen(
        [sys.executable, "-c", _PROBE + "\nprint('held', flush=True)\nsys.stdin.read()", on_file],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(HubBusy), writer.serial():
            pytest.fail("entered while another process held the lock")
        assert not writer._lock.locked()  # the in-process queue was let go too
    finally:
        holder.communicate("")  # its stdin closes: it exits and its lock goes with it
    entered = []
    with writer.serial():
        entered.append(True)
    assert entered == [True]


def test_an_in_memory_database_takes_no_file_lock(monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("the writer queue is SQLite's")
    monkeypatch.setattr(writer, "_files", {})
    with writer.serial():
        assert writer._files == {}


def test_a_lock_file_that_cannot_be_made_leaves_the_in_process_queue(monkeypatch, tmp_path, caplog):
    if connection.vendor != "sqlite":
        pytest.skip("the writer queue is SQLite's")
    missing = tmp_path / "no-such-dir" / "hub.sqlite3"
    monkeypatch.setitem(connection.settings_dict, "NAME", str(missing))
    monkeypatch.setattr(writer, "_files", {})
    for _ in range(2):  # warned once, then remembered
        with writer.serial():
            assert writer._lock.locked()
    assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1
    assert "no SQLite writer lock file" in caplog.records[0].message


def test_a_forked_child_opens_its_own_lock_file(monkeypatch, on_file):
    # flock belongs to the open file: a child sharing its parent's would share its lock.
    parent = writer._lock_file()
    monkeypatch.setattr(writer.os, "getpid", lambda: -12345)
    child = writer._lock_file()
    assert parent is not None
    assert child is not None
    assert child != parent


def test_the_holding_thread_re_enters_without_waiting_and_keeps_the_lock(on_file):
    # A group commit leader holds the lock as its gate, and the batch it runs enters again.
    with writer.serial():
        with writer.serial():
            assert not _other_process_gets(on_file)
        assert not _other_process_gets(on_file)  # the inner exit let nothing go
        assert writer._lock.locked()
    assert _other_process_gets(on_file)
    assert not writer._lock.locked()


def test_the_holder_marks_the_gate_for_its_process(on_file):
    assert not writer_gate.writer_busy()
    with writer.serial():
        assert writer_gate.writer_busy()
        with writer.serial():  # re-entered by the holder: still marked, once
            assert writer_gate.writer_busy()
        assert writer_gate.writer_busy()
    assert not writer_gate.writer_busy()


def test_the_gate_is_marked_only_where_serial_takes_the_lock():
    # Inside a caller's transaction serial takes nothing (and on PostgreSQL never does).
    with transaction.atomic(), writer.serial():
        assert not writer_gate.writer_busy()
    with writer.serial():
        assert writer_gate.writer_busy() is (connection.vendor == "sqlite")
