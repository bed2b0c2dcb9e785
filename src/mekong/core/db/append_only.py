"""Append-only tables: database triggers that refuse UPDATE and DELETE.

Models keep their own ORM guard (`AppendOnlyModel`); the triggers make the guarantee hold for
raw SQL too. A table is registered here from its models module and installed by a migration
operation (`InstallAppendOnly`). Django's ``flush`` (which wipes a database on purpose, e.g.
between transactional tests) drops and re-creates the triggers around its DELETEs; PostgreSQL
flushes with TRUNCATE, which row triggers do not see.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TABLES: set[str] = set()


def register(table: str) -> str:
    """Declare ``table`` append-only (call from the models module)."""
    TABLES.add(table)
    return table


def create_sql(vendor: str, table: str) -> list[str]:
    """Statements that install the triggers for ``table`` on ``vendor``."""
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_append_only_u BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_append_only_d BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        ]
    if vendor == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql",
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
        ]
    return []


def drop_sql(vendor: str, table: str) -> list[str]:
    """Statements that remove the triggers of ``table``."""
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only_u",
            f"DROP TRIGGER IF EXISTS {table}_append_only_d",
        ]
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_append_only()",
        ]
    return []


class InstallAppendOnly(migrations.RunPython):
    """Migration operation installing the append-only triggers on one table."""

    def __init__(self, table: str) -> None:
        def forward(apps: Any, schema_editor: Any) -> None:
            for sql in create_sql(schema_editor.connection.vendor, table):
                schema_editor.execute(sql)

        def backward(apps: Any, schema_editor: Any) -> None:
            for sql in drop_sql(schema_editor.connection.vendor, table):
                schema_editor.execute(sql)

        super().__init__(forward, backward)
