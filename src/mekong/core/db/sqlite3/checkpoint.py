"""WAL checkpoints off the write path: a background thread per process and database file.

In WAL mode SQLite appends each commit to the ``-wal`` file and, by default, the writer whose
commit takes the log past 1,000 pages copies the log back into the database file and syncs
it (an automatic checkpoint) before its commit returns. That writer is holding the write lock
every other writer is waiting for, so one commit in every few dozen took 15–60 ms instead of
a few: the payments hub's p99. Here the automatic checkpoint is pushed back to
`FALLBACK_PAGES` (a safety net if this thread cannot keep up) and a daemon thread runs
``PRAGMA wal_checkpoint(PASSIVE)`` every `INTERVAL_S` on a connection of its own. A passive
checkpoint copies what no reader still needs and never waits for, or blocks, readers and
writers: the copying and syncing happen beside the writers, not inside their lock. Over HTTP
(bench/payments_load.py, alternated with the commit before) payments went from 204–211/s to
218–221/s; docs/benchmarks.md.

In-memory databases have no log and get no thread. A forked child (a server worker) starts its
own on its first connection; two processes checkpointing one file take turns (a passive
checkpoint that finds another running simply reports busy).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger(__name__)

#: Log pages after which a committing writer checkpoints by itself (SQLite's default: 1,000).
FALLBACK_PAGES = 10_000
#: Pause between checkpoints while commits keep adding to the log.
INTERVAL_S = 0.5
#: Pause after a checkpoint that found nothing to copy.
IDLE_INTERVAL_S = 2.0
#: At most one warning per this many seconds for a checkpoint that keeps failing.
_WARN_EVERY_S = 60.0


class Checkpointer:
    """Runs passive checkpoints of one database file from a daemon thread of this process."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.pid = os.getpid()
        self.rounds = 0  # checkpoints run (tests, diagnostics)
        self._thread = threading.Thread(
            target=self._run, name=f"sqlite-checkpoint {Path(path).name}", daemon=True
        )
        self._thread.start()

    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        # mode=rw: never create a database file that was removed meanwhile. Quoted: ``?``,
        # ``#`` and ``%`` in a path mean something in an SQLite URI.
        uri = f"file:{quote(self.path)}?mode=rw"
        warned_at = -_WARN_EVERY_S
        while True:
            if not Path(self.path).exists():
                # The database is gone (a test's temporary file): an open connection would
                # go on checkpointing the unlinked file, and a new one must not recreate it.
                if conn is not None:
                    conn.close()
                return
            try:
                if conn is None:
                    conn = sqlite3.connect(uri, uri=True, isolation_level=None)
                # (busy, pages in the log, pages copied): only whether there was a log counts.
                _busy, frames, _copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                self.rounds += 1
            except sqlite3.Error as exc:
                if conn is not None:
                    conn.close()
                    conn = None
                if time.monotonic() - warned_at >= _WARN_EVERY_S:  # not twice a second
                    warned_at = time.monotonic()
                    log.warning("WAL checkpoint of %s failed: %s", self.path, exc)
                frames = 0
            time.sleep(INTERVAL_S if frames > 0 else IDLE_INTERVAL_S)


_lock = threading.Lock()
_running: dict[str, Checkpointer] = {}


def ensure(conn: sqlite3.Connection, path: str) -> Checkpointer | None:
    """Set a new connection's automatic checkpoint to the fallback and make sure this process
    checkpoints ``path`` in the background; None for a database not in WAL mode."""
    (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
    if str(mode).lower() != "wal":
        return None
    conn.execute(f"PRAGMA wal_autocheckpoint = {FALLBACK_PAGES}")
    key = str(Path(path).resolve())
    with _lock:
        current = _running.get(key)
        if current is None or current.pid != os.getpid() or not current.alive():
            current = _running[key] = Checkpointer(key)
    return current
