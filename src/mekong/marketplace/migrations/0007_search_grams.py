"""A 1- and 2-character index for short search terms on SQLite (the FTS5 trigram table of 0002
cannot serve a term shorter than three code points, so those scanned the table with ``instr``).

``marketplace_search_gram`` is a contentless FTS5 table with one token per distinct character
and pair of adjacent characters of each entry's folded title (column ``t``) and description
(``d``): the token is ``g`` + the hex of the UTF-8 bytes, so the ``ascii`` tokenizer keeps it
whole whatever the script. Pairs that contain a space are left out: query terms never do.
Triggers compute the tokens in SQL from a table of positions (``marketplace_search_pos``, 1 to
`MAX_CHARS`), so no Python hook is needed and the bench's bulk inserts are indexed too; text
past `MAX_CHARS` gets the token ``glong`` instead, and search checks such entries with
``instr`` (hex never spells "long"). The same expression removes a row's tokens on update and
delete (a contentless table needs the original values). PostgreSQL: nothing here (pg_trgm).
"""

# ruff: noqa: S608 - the SQL is assembled from constants (column names, MAX_CHARS), no input.
from __future__ import annotations

from typing import Any

from django.db import migrations

#: Characters of a title or description whose grams are indexed; see the module docstring.
MAX_CHARS = 20_000


def grams_sql(column: str) -> str:
    """The space-separated gram tokens of ``column`` (e.g. ``new.title_folded``), as SQL."""
    c = column
    return (
        "(SELECT coalesce(group_concat("
        f"CASE WHEN substr({c}, n, 1) = ' ' THEN NULL ELSE 'g' || hex(substr({c}, n, 1)) || "
        f"CASE WHEN n < length({c}) AND substr({c}, n + 1, 1) <> ' ' "
        f"THEN ' g' || hex(substr({c}, n, 2)) ELSE '' END END, ' '), '') "
        f"FROM marketplace_search_pos WHERE n <= length({c}))"
        f" || CASE WHEN length({c}) > {MAX_CHARS} THEN ' glong' ELSE '' END"
    )


def _insert(prefix: str) -> str:
    return (
        "INSERT INTO marketplace_search_gram(rowid, t, d) VALUES "
        f"({prefix}.id, {grams_sql(prefix + '.title_folded')}, "
        f"{grams_sql(prefix + '.description_folded')});"
    )


def _delete(prefix: str) -> str:
    return (
        "INSERT INTO marketplace_search_gram(marketplace_search_gram, rowid, t, d) VALUES "
        f"('delete', {prefix}.id, {grams_sql(prefix + '.title_folded')}, "
        f"{grams_sql(prefix + '.description_folded')});"
    )


SQLITE_FORWARD = [
    "CREATE TABLE marketplace_search_pos (n INTEGER PRIMARY KEY)",
    "INSERT INTO marketplace_search_pos(n) WITH RECURSIVE p(n) AS "
    f"(SELECT 1 UNION ALL SELECT n + 1 FROM p WHERE n < {MAX_CHARS}) SELECT n FROM p",
    # detail=column: only which rows (and column) hold a token; no positions are needed.
    "CREATE VIRTUAL TABLE marketplace_search_gram USING fts5("
    "t, d, content='', tokenize='ascii', detail='column', columnsize=0)",
    "INSERT INTO marketplace_search_gram(rowid, t, d) SELECT id, "
    f"{grams_sql('title_folded')}, {grams_sql('description_folded')} "
    "FROM marketplace_searchentry",
    "CREATE TRIGGER marketplace_search_gram_ai AFTER INSERT ON marketplace_searchentry BEGIN "
    f"{_insert('new')} END",
    "CREATE TRIGGER marketplace_search_gram_ad AFTER DELETE ON marketplace_searchentry BEGIN "
    f"{_delete('old')} END",
    "CREATE TRIGGER marketplace_search_gram_au AFTER UPDATE OF title_folded, "
    "description_folded ON marketplace_searchentry BEGIN "
    f"{_delete('old')} {_insert('new')} END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS marketplace_search_gram_au",
    "DROP TRIGGER IF EXISTS marketplace_search_gram_ad",
    "DROP TRIGGER IF EXISTS marketplace_search_gram_ai",
    "DROP TABLE IF EXISTS marketplace_search_gram",
    "DROP TABLE IF EXISTS marketplace_search_pos",
]


def forward(apps: Any, schema_editor: Any) -> None:
    """Create the gram index (SQLite only) and fill it from the existing entries."""
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)


def backward(apps: Any, schema_editor: Any) -> None:
    """Drop it."""
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0006_catalogue_images_variants_tiers")]

    operations = [migrations.RunPython(forward, backward)]
