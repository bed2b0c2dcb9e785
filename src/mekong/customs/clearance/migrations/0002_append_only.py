"""Database triggers that make the declaration history append-only."""

from __future__ import annotations

from django.db import migrations

from mekong.core.db.append_only import InstallAppendOnly


class Migration(migrations.Migration):
    dependencies = [("clearance", "0001_initial")]

    operations = [InstallAppendOnly("clearance_declarationevent")]
