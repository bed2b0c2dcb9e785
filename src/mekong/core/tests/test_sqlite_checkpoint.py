"""WAL checkpoints run by a background thread, not by the committing writer."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from django.db import connection

from mekong.core.db.sqlite3 import checkpoint
from mekong.core.db.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's write-ahead log only"
)


def _wal_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def _eventually(check, timeout: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


def test_the_log_is_copied_back_by_the_background_thread_not_by_the_writer(tmp_path: Path):
    # A folder name with characters that mean something in an SQLite URI.
    path = tmp_path / "var #1 ?50%" / "db.sqlite3"
    path.parent.mkdir()
    writer = _wal_connection(path)
    runner = checkpoint.ensure(writer, str(path))
    assert runner is not None
    assert runner.alive()
    assert writer.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == checkpoint.FALLBACK_PAGES
    writer.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB)")
    empty = path.stat().st_size
    # ~2,400 pages: past SQLite's own automatic checkpoint (1,000), under the fallback.
    for _ in range(30):
        writer.execute("BEGIN IMMEDIATE")
        writer.executemany("INSERT INTO t (payload) VALUES (?)", [(b"x" * 3000,)] * 100)
        writer.execute("COMMIT")
    # Copied into the database file by the thread (the writers' own automatic checkpoint is
    # pushed back to the fallback, asserted above).
    assert _eventually(lambda: path.stat().st_size > empty + 8_000_000)
    writer.close()


@pytest.mark.django_db
def test_a_django_connection_to_a_file_database_starts_the_checkpointer(tmp_path: Path):
    path = tmp_path / "django.sqlite3"
    wrapper = DatabaseWrapper({**connection.settings_dict, "NAME": str(path)}, alias="cp")
    try:
        wrapper.ensure_connection()
        runner = checkpoint._running.get(str(path.resolve()))
        assert runner is not None
        assert runner.alive()
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            assert cursor.fetchone()[0] == checkpoint.FALLBACK_PAGES
        # A second connection of the same process shares the thread.
        other = DatabaseWrapper({**connection.settings_dict, "NAME": str(path)}, alias="cp2")
        other.ensure_connection()
        assert checkpoint._running[str(path.resolve())] is runner
        other.close()
    finally:
        wrapper.close()


@pytest.mark.django_db
def test_in_memory_and_rollback_journal_databases_get_no_thread(tmp_path: Path):
    connection.ensure_connection()  # the test database is in memory
    assert not any("memory" in key for key in checkpoint._running)
    plain = sqlite3.connect(tmp_path / "journal.sqlite3", isolation_level=None)
    assert checkpoint.ensure(plain, str(tmp_path / "journal.sqlite3")) is None
    plain.close()


def test_the_thread_stops_when_its_database_is_removed_and_does_not_recreate_it(
    tmp_path: Path, monkeypatch
):
    monkeypatch.setattr(checkpoint, "IDLE_INTERVAL_S", 0.05)
    path = tmp_path / "gone.sqlite3"
    writer = _wal_connection(path)
    runner = checkpoint.ensure(writer, str(path))
    assert runner is not None
    rounds = runner.rounds
    assert _eventually(lambda: runner.rounds > rounds)  # its connection is open
    writer.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    assert _eventually(lambda: not runner.alive())
    assert not path.exists()
