"""``mekong log audit``: damage done to the stored log behind the application's back is named.

Each test disables the append-only trigger of one table with raw SQL, changes rows as an
attacker with database access would, restores the trigger, then runs the CLI command.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator

import pytest
from django.db import connection

from mekong.trustlog import services
from mekong.trustlog.integrity import log_audit
from mekong.trustlog.leaf import decode_leaf, encode_leaf
from mekong.trustlog.tests.conftest import run_cli

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def triggers_disabled(table: str) -> Iterator[None]:
    """Lift the append-only triggers of ``table`` for the block, then put them back as they
    were (edge rows have an UPDATE-only trigger, bundles the full pair)."""
    vendor = connection.vendor
    with connection.cursor() as c:
        if vendor == "postgresql":
            c.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
            saved: list[tuple[str, str]] = []
        else:
            c.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [table],
            )
            saved = list(c.fetchall())
            for name, _ in saved:
                c.execute(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        with connection.cursor() as c:
            if vendor == "postgresql":
                c.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
            else:
                for _, sql in saved:
                    c.execute(sql)


def _log(n: int = 12) -> None:
    """n entries, each anchored with its own checkpoint (as `facade.anchor` does)."""
    for i in range(n):
        services.entries_append(items=[("audit.test", b"record %d" % i)])
        services.checkpoint_publish()


def _leaf(index: int) -> bytes:
    with connection.cursor() as c:
        c.execute("SELECT leaf FROM trustlog_logentry WHERE idx = %s", [index])
        return bytes(c.fetchone()[0])


def _audit(capsys) -> tuple[int, str]:
    code = run_cli(["log", "audit"])
    return code, capsys.readouterr().out


def test_intact_log_passes(capsys):
    _log()

    code, out = _audit(capsys)

    assert code == 0
    assert "audited 12 of 12 entries and 12 checkpoints" in out
    assert "log intact" in out


def test_one_changed_byte_is_named_with_the_first_divergent_checkpoint(capsys):
    _log()
    leaf = bytearray(_leaf(5))
    leaf[-1] ^= 0x01  # the last byte of the payload

    with triggers_disabled("trustlog_logentry"), connection.cursor() as c:
        c.execute("UPDATE trustlog_logentry SET leaf = %s WHERE idx = 5", [bytes(leaf)])
    code, out = _audit(capsys)

    assert code == 1
    assert "entry 5: altered: its bytes do not hash to the stored leaf hash" in out
    assert "first divergent checkpoint: size 6" in out
    assert "entry 4" not in out
    assert "entry 6" not in out


def test_consistent_rewrite_is_caught_by_the_stored_tree_and_the_signatures(capsys):
    """The attacker rewrites the bytes AND the leaf hash: the row looks fine on its own."""
    _log(66)  # the stored subtrees start at 64 leaves
    old = decode_leaf(_leaf(9))
    forged = encode_leaf(9, old.timestamp_us, old.kind, b"record 9 (forged)")

    with triggers_disabled("trustlog_logentry"), connection.cursor() as c:
        c.execute(
            "UPDATE trustlog_logentry SET leaf = %s, leaf_hash = %s WHERE idx = 9",
            [forged, hashlib.sha256(b"\x00" + forged).digest()],
        )
    report = log_audit()

    assert not report.ok
    assert [(f.problem, f.index, f.end) for f in report.findings] == [
        ("subtree_mismatch", 0, 64),
        ("checkpoint_mismatch", 9, 10),
    ]
    assert report.first_divergent_checkpoint == 10


def test_reordered_entries_are_named(capsys):
    _log()
    a, b = _leaf(2), _leaf(7)

    with triggers_disabled("trustlog_logentry"), connection.cursor() as c:
        c.execute(
            "UPDATE trustlog_logentry SET leaf = %s, leaf_hash = %s WHERE idx = 2",
            [b, hashlib.sha256(b"\x00" + b).digest()],
        )
        c.execute(
            "UPDATE trustlog_logentry SET leaf = %s, leaf_hash = %s WHERE idx = 7",
            [a, hashlib.sha256(b"\x00" + a).digest()],
        )
    code, out = _audit(capsys)

    assert code == 1
    assert "entry 2: reordered: holds the entry of index 7" in out
    assert "entry 7: reordered: holds the entry of index 2" in out
    assert "first divergent checkpoint: size 3" in out


def test_missing_entry_is_named(capsys):
    _log()

    with triggers_disabled("trustlog_logentry"), connection.cursor() as c:
        c.execute("DELETE FROM trustlog_logentry WHERE idx = 11")
        c.execute("DELETE FROM trustlog_logentry WHERE idx = 3")
    code, out = _audit(capsys)

    assert code == 1
    assert "entry 3: missing: no row" in out
    assert "entry 11: missing: no row" in out
    assert "audited 10 of 12 entries" in out


def test_triggers_are_back_after_the_tamper_helper():
    _log(2)
    with triggers_disabled("trustlog_logentry"):
        pass

    with pytest.raises(Exception, match="never updated"), connection.cursor() as c:
        c.execute("UPDATE trustlog_logentry SET kind = 'x'")
