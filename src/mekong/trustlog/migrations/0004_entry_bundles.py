"""Store complete groups of 256 entries as one bundle row, with a run-based leaf-hash index.

docs/adr/0009-trustlog-entry-bundles.md. Existing entries below ``256 * (size // 256)`` are
moved into bundles (leaf bytes and leaf hashes unchanged, so every root and proof is the same)
and indexed as one lookup run; the rest stay edge rows. Edge rows lose their DELETE trigger
(they are deleted when their bundle is written) and keep the UPDATE one. Reversible: going
back unpacks the bundles into rows, restores the triggers and stores the level-4/5 subtree
hashes the old code reads (0004 on stores them from level 6).
"""

import hashlib
import struct
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

import mekong.trustlog.models
from django.db import migrations, models

from mekong.core.db.append_only import InstallAppendOnly, create_sql, drop_sql

_TABLE = "trustlog_logentry"
_N = 256
_HEADER = struct.Struct(f">{_N + 1}I")
_CHUNK = 64  # bundles per round trip


def _update_only_trigger(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {_TABLE}_append_only_u BEFORE UPDATE ON {_TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{_TABLE} rows are never updated'); END",
        ]
    if vendor == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {_TABLE}_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{_TABLE} rows are never updated'; END; $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {_TABLE}_append_only BEFORE UPDATE ON {_TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION {_TABLE}_append_only()",
        ]
    return []


def _edge_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for sql in drop_sql(vendor, _TABLE) + _update_only_trigger(vendor):
        schema_editor.execute(sql)


def _full_triggers(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for sql in drop_sql(vendor, _TABLE) + create_sql(vendor, _TABLE):
        schema_editor.execute(sql)


def _size(cursor: Any) -> int:
    cursor.execute("SELECT size FROM trustlog_loghead WHERE id = 1")
    row = cursor.fetchone()
    return int(row[0]) if row else 0


def _pack(apps: Any, schema_editor: Any) -> None:
    """Move entries ``0 .. 256 * (size // 256) - 1`` into bundles and index them as one run."""
    with schema_editor.connection.cursor() as cursor:
        bundled = _size(cursor) // _N
        all_rows: list[tuple[Any, ...]] = []
        for first in range(0, bundled, _CHUNK):
            last = min(bundled, first + _CHUNK)
            cursor.execute(
                f"SELECT idx, leaf, leaf_hash FROM {_TABLE} WHERE idx >= %s AND idx < %s"
                " ORDER BY idx",
                [first * _N, last * _N],
            )
            rows = [(int(i), bytes(leaf), bytes(h)) for i, leaf, h in cursor.fetchall()]
            if [i for i, _, _ in rows] != list(range(first * _N, last * _N)):
                raise RuntimeError("trustlog entries are missing: run `mekong log audit`")
            bundles = []
            for k in range(first, last):
                part = rows[(k - first) * _N : (k - first + 1) * _N]
                leaves = [leaf for _, leaf, _ in part]
                blob = _HEADER.pack(*accumulate(map(len, leaves), initial=0)) + b"".join(leaves)
                bundles.append((k, blob, b"".join(h for _, _, h in part)))
            cursor.executemany(
                "INSERT INTO trustlog_entrybundle (id, leaves, hashes) VALUES (%s, %s, %s)",
                bundles,
            )
            all_rows += [(i, h) for i, _, h in rows]
            cursor.execute(
                f"DELETE FROM {_TABLE} WHERE idx >= %s AND idx < %s", [first * _N, last * _N]
            )
        if not all_rows:
            return
        groups: dict[int, list[bytes]] = {}
        for i, h in all_rows:
            groups.setdefault(int.from_bytes(h[:2], "big") >> 6, []).append(
                h[:8] + i.to_bytes(8, "big")
            )
        cursor.executemany(
            "INSERT INTO trustlog_leafkeybucket (run, bucket, records) VALUES (%s, %s, %s)",
            [(0, b, b"".join(sorted(g))) for b, g in groups.items()],
        )
        cursor.execute(
            "INSERT INTO trustlog_leafkeyrun (start, stop) VALUES (%s, %s)", [0, bundled * _N]
        )


def _unpack(apps: Any, schema_editor: Any) -> None:
    """Turn every bundle back into one row per entry (kind and timestamp from the leaf)."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, leaves, hashes FROM trustlog_entrybundle ORDER BY id")
        for k, blob, tile in cursor.fetchall():
            blob, tile = bytes(blob), bytes(tile)
            offsets = _HEADER.unpack_from(blob)
            rows = []
            for j in range(_N):
                leaf = blob[_HEADER.size + offsets[j] : _HEADER.size + offsets[j + 1]]
                stamp = int.from_bytes(leaf[9:17], "big")
                kind = leaf[18 : 18 + leaf[17]].decode("ascii")
                when = connection.ops.adapt_datetimefield_value(
                    epoch + timedelta(microseconds=stamp)
                )
                rows.append((int(k) * _N + j, kind, when, leaf, tile[32 * j : 32 * j + 32]))
            with connection.cursor() as writer:
                writer.executemany(
                    f"INSERT INTO {_TABLE} (idx, kind, timestamp, leaf, leaf_hash)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    rows,
                )
        cursor.execute("DELETE FROM trustlog_entrybundle")
        cursor.execute("DELETE FROM trustlog_leafkeybucket")
        cursor.execute("DELETE FROM trustlog_leafkeyrun")
    _low_levels_restore(connection)


_RESTORE_CHUNK = 1 << 16  # entries per round trip; a multiple of 32


def _low_levels_restore(connection: Any) -> None:
    """Store the level-4 and level-5 subtree hashes the 0003-era code reads.

    From 0004 on, subtree hashes are stored from level 6; those of levels 4-5 written before
    it stay, those of entries appended since are missing. They are recomputed here from the
    entries' leaf hashes (RFC 9162: ``SHA-256(0x01 || left || right)``) and inserted where
    absent.
    """
    with connection.cursor() as cursor:
        size = _size(cursor)
        for first in range(0, size - size % 16, _RESTORE_CHUNK):
            last = min(size - size % 16, first + _RESTORE_CHUNK)
            cursor.execute(
                f"SELECT idx, leaf_hash FROM {_TABLE} WHERE idx >= %s AND idx < %s"
                " ORDER BY idx",
                [first, last],
            )
            rows = cursor.fetchall()
            if [int(i) for i, _ in rows] != list(range(first, last)):
                raise RuntimeError("trustlog entries are missing: run `mekong log audit`")
            level = [bytes(h) for _, h in rows]
            nodes = []
            for lv in range(1, 6):
                level = [
                    hashlib.sha256(b"\x01" + level[j] + level[j + 1]).digest()
                    for j in range(0, len(level) - 1, 2)
                ]
                if lv >= 4:
                    step = 1 << lv
                    nodes += [
                        (2 * (first + n * step) + step - 1, lv, (first >> lv) + n, h)
                        for n, h in enumerate(level)
                    ]
            cursor.executemany(
                "INSERT INTO trustlog_subtreehash (id, level, idx, hash) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT DO NOTHING",
                nodes,
            )


class Migration(migrations.Migration):

    dependencies = [
        ('trustlog', '0003_leaf_key_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='EntryBundle',
            fields=[
                ('id', mekong.trustlog.models.RowIdField(primary_key=True, serialize=False)),
                ('leaves', models.BinaryField()),
                ('hashes', models.BinaryField()),
            ],
            options={
                'db_table': 'trustlog_entrybundle',
            },
        ),
        migrations.CreateModel(
            name='LeafKeyRun',
            fields=[
                ('start', models.BigIntegerField(primary_key=True, serialize=False)),
                ('stop', models.BigIntegerField()),
            ],
            options={
                'db_table': 'trustlog_leafkeyrun',
            },
        ),
        migrations.CreateModel(
            name='LeafKeyBucket',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('run', models.BigIntegerField()),
                ('bucket', models.IntegerField()),
                ('records', models.BinaryField()),
            ],
            options={
                'db_table': 'trustlog_leafkeybucket',
                'constraints': [models.UniqueConstraint(fields=('run', 'bucket'), name='trustlog_leafkey_run_bucket')],
            },
        ),
        migrations.RunPython(_edge_triggers, _full_triggers),
        migrations.RunPython(_pack, _unpack),
        InstallAppendOnly("trustlog_entrybundle"),
    ]
