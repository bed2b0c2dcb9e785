"""The substring index behind search, per database vendor.

SQLite: an FTS5 ``trigram`` table over the folded columns of ``marketplace_searchentry``
(external content, kept in step by triggers). PostgreSQL: the ``pg_trgm`` extension and GIN
``gin_trgm_ops`` indexes on the same columns (the database needs a UTF-8 ``LC_CTYPE``, which
``mekong.core.db.postgresql`` sets; in the C locale pg_trgm extracts no Thai trigrams).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE marketplace_search_fts USING fts5("
    "title_folded, description_folded, content='marketplace_searchentry', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER marketplace_search_ai AFTER INSERT ON marketplace_searchentry BEGIN "
    "INSERT INTO marketplace_search_fts(rowid, title_folded, description_folded) "
    "VALUES (new.id, new.title_folded, new.description_folded); END",
    "CREATE TRIGGER marketplace_search_ad AFTER DELETE ON marketplace_searchentry BEGIN "
    "INSERT INTO marketplace_search_fts(marketplace_search_fts, rowid, title_folded, "
    "description_folded) VALUES ('delete', old.id, old.title_folded, old.description_folded); "
    "END",
    "CREATE TRIGGER marketplace_search_au AFTER UPDATE ON marketplace_searchentry BEGIN "
    "INSERT INTO marketplace_search_fts(marketplace_search_fts, rowid, title_folded, "
    "description_folded) VALUES ('delete', old.id, old.title_folded, old.description_folded); "
    "INSERT INTO marketplace_search_fts(rowid, title_folded, description_folded) "
    "VALUES (new.id, new.title_folded, new.description_folded); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS marketplace_search_au",
    "DROP TRIGGER IF EXISTS marketplace_search_ad",
    "DROP TRIGGER IF EXISTS marketplace_search_ai",
    "DROP TABLE IF EXISTS marketplace_search_fts",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS mkt_search_title_trgm ON marketplace_searchentry "
    "USING gin (title_folded gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS mkt_search_desc_trgm ON marketplace_searchentry "
    "USING gin (description_folded gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS mkt_search_desc_trgm",
    "DROP INDEX IF EXISTS mkt_search_title_trgm",
]


def _run(schema_editor: Any, sqlite: list[str], postgres: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    statements = sqlite if vendor == "sqlite" else postgres if vendor == "postgresql" else []
    for sql in statements:
        schema_editor.execute(sql)


def forward(apps: Any, schema_editor: Any) -> None:
    """Create the vendor's substring index."""
    _run(schema_editor, SQLITE_FORWARD, POSTGRES_FORWARD)


def backward(apps: Any, schema_editor: Any) -> None:
    """Drop it (the extension stays: other apps may use it)."""
    _run(schema_editor, SQLITE_BACKWARD, POSTGRES_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
