"""Make the log's entries, subtree hashes, checkpoints and cosignatures append-only in the
database itself (triggers on SQLite and PostgreSQL); only the LogHead counter changes."""

from django.db import migrations

from mekong.core.db.append_only import InstallAppendOnly


class Migration(migrations.Migration):
    dependencies = [("trustlog", "0001_initial")]

    operations = [
        InstallAppendOnly("trustlog_logentry"),
        InstallAppendOnly("trustlog_subtreehash"),
        InstallAppendOnly("trustlog_checkpoint"),
        InstallAppendOnly("trustlog_cosignature"),
    ]
