"""Make the audit log append-only in the database itself (triggers on SQLite and PostgreSQL)."""

from django.db import migrations

from mekong.core.db.append_only import InstallAppendOnly


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [InstallAppendOnly("core_auditentry")]
