"""Make transfer history append-only in the database; add PostgreSQL's transfer sequence.

``seq`` orders transfers in the order they were applied to each account. PostgreSQL allocates
it from a sequence (concurrent batches on other accounts need no coordination); SQLite takes
MAX(seq) + 1 under its single write lock, so it needs no sequence.
"""

from typing import Any

from django.db import migrations

from mekong.core.db.append_only import InstallAppendOnly


def _create_sequence(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS ledger_transfer_seq AS bigint")


def _drop_sequence(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS ledger_transfer_seq")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        InstallAppendOnly("ledger_transfer"),
        InstallAppendOnly("ledger_pendingresolution"),
        migrations.RunPython(_create_sequence, _drop_sequence),
    ]
