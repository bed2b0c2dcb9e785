"""Bulk writes of object versions for ingest: one multi-row INSERT per chunk, not the ORM.

Why not ``bulk_create``: on SQLite Django caps a batch at 999 bound parameters (55 rows of a
``StixObject``) and prepares every value through the field machinery; together that was half of
the time of a TAXII POST. Here the rows are plain tuples, adapted with the backend's own
``adapt_*`` operations (so they are stored exactly as the ORM would store them), and inserted in
chunks of ``CHUNK`` rows with ``RETURNING id`` (SQLite ≥ 3.35 and PostgreSQL), which the
indicator values and recipients need.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

from mekong.threatintel.models import Collection, IndicatorValue, StixObject

#: Rows per INSERT: 19 columns x 500 rows stays below SQLite's 32,766 bound parameters (and
#: PostgreSQL's 65,535).
CHUNK = 500

#: Columns written by `insert_objects`, in the order of the tuples it receives.
OBJECT_COLUMNS: tuple[str, ...] = (
    "collection_id", "stix_id", "type", "spec_version", "created", "modified", "version",
    "version_at", "date_added", "revoked", "raw", "tlp", "marking_refs", "created_by_ref",
    "source_organisation_id", "valid_from", "valid_until", "confidence",
)  # fmt: skip
_DATETIMES = frozenset(
    {"created", "modified", "version_at", "date_added", "valid_from", "valid_until"}
)
_JSON = frozenset({"raw", "marking_refs"})


def _columns(model: Any, names: Sequence[str]) -> list[str]:
    """Database column names of ``model``'s concrete fields (attnames like ``obj_id`` too)."""
    by_name = {}
    for field in model._meta.concrete_fields:
        by_name[field.name] = by_name[field.attname] = str(field.column)
    return [by_name[name] for name in names]


def _adapter(column: str) -> Any:
    ops = connection.ops
    if column in _DATETIMES:
        return ops.adapt_datetimefield_value
    if column in _JSON:
        return lambda value: ops.adapt_json_value(value, None)
    if column == "collection_id":  # a UUID: a hex string on SQLite, uuid on PostgreSQL
        field = Collection._meta.pk
        assert field is not None
        cache: dict[Any, Any] = {}  # one collection per POST: adapt its id once
        return lambda value: (
            cache.get(value) or cache.setdefault(value, field.get_db_prep_save(value, connection))
        )
    return None


def _insert(
    table: str, columns: Sequence[str], rows: list[tuple[Any, ...]], *, returning: bool
) -> list[int]:
    quote = connection.ops.quote_name
    # Table and column names come from model metadata, never from input; values are bound.
    head = f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) VALUES "  # noqa: S608
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            sql = head + ", ".join([one] * len(chunk))
            if returning:
                sql += " RETURNING " + quote("id")
            cursor.execute(sql, [value for row in chunk for value in row])
            if returning:
                # Both backends return the rows of a multi-row VALUES insert in order (Django's
                # own bulk_create relies on the same guarantee).
                ids.extend(int(r[0]) for r in cursor.fetchall())
    return ids


def insert_objects(rows: list[dict[str, Any]]) -> list[int]:
    """Insert object versions given as column dicts; return their primary keys in order."""
    adapters = [(_adapter(c), c) for c in OBJECT_COLUMNS]
    tuples = [
        tuple(adapt(row[c]) if adapt is not None and row[c] is not None else row[c]
              for adapt, c in adapters)
        for row in rows
    ]  # fmt: skip
    columns = _columns(StixObject, OBJECT_COLUMNS)
    return _insert(StixObject._meta.db_table, columns, tuples, returning=True)


def insert_values(rows: list[tuple[int, str, str]]) -> None:
    """Insert ``(object pk, kind, value)`` indicator lookup rows."""
    columns = _columns(IndicatorValue, ("obj", "kind", "value"))
    _insert(IndicatorValue._meta.db_table, columns, rows, returning=False)


def insert_recipients(rows: list[tuple[int, int]]) -> None:
    """Insert ``(object pk, organisation pk)`` recipient links (AMBER+STRICT and RED)."""
    through = StixObject.recipients.through
    columns = _columns(through, ("stixobject", "organisation"))
    _insert(through._meta.db_table, columns, rows, returning=False)
