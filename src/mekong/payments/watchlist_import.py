"""Bulk import of screening watchlist entries (a sanctions or fraud list) from CSV.

A compliance officer gets a list as a spreadsheet: one row per person or company, its
spellings in several scripts. The file needs a ``names`` column (spellings separated by
``|``) and may have a ``reason`` column (the list and its reference, e.g. ``UN SC
QDi.430``). All or nothing: a file with one bad row is refused with the row's line number
and nothing is written. Importing the same file again adds nothing: a row whose set of
spellings (as screening compares them: `mekong.core.text.search_key`) equals an entry's is
counted as already listed, or, if that entry was deactivated, as deactivated.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from mekong.core.audit import audit_record
from mekong.core.text import normalize_text, search_key
from mekong.payments.models import WatchlistEntry

#: The reason column's width in the database.
REASON_MAX = WatchlistEntry._meta.get_field("reason").max_length or 200
#: Longest spelling accepted: far above any real name, short enough to keep screening fast.
NAME_MAX = 200
#: Largest file accepted, in rows: the consolidated lists have tens of thousands.
ROWS_MAX = 200_000


class ImportRefused(ValueError):
    """The file cannot be imported as it is; nothing was written. The message names the
    line (counted as a spreadsheet counts them: the header is line 1)."""


@dataclass(frozen=True, slots=True)
class ListedName:
    """One row of the file: its spellings (normalised, duplicates dropped) and reason."""

    names: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    added: int
    already_listed: int
    #: Rows matching an entry an officer deactivated: not added again (the officer decided).
    deactivated: int = 0


def parse_csv(data: bytes, *, default_reason: str = "") -> list[ListedName]:
    """The rows of a CSV file (UTF-8, with or without a byte-order mark, as spreadsheets
    export it). Raises `ImportRefused`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(f"the file is not UTF-8 (byte {error.start})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    default = normalize_text(default_reason)
    if len(default) > REASON_MAX:
        raise ImportRefused(f"--reason is longer than {REASON_MAX} characters")
    rows: list[ListedName] = []
    try:
        columns = _columns(reader.fieldnames or [])
        for row in reader:
            line = reader.line_num
            if None in row:  # DictReader's key for the fields beyond the header's
                raise ImportRefused(
                    f"line {line}: more fields than the header has columns "
                    "(a comma inside a name needs the name in double quotes)"
                )
            if len(rows) >= ROWS_MAX:
                raise ImportRefused(f"line {line}: more than {ROWS_MAX} rows")
            rows.append(_row(row, columns, line, default))
    except csv.Error as error:
        # The reader counts the lines it finished: the broken row starts on the next one.
        raise ImportRefused(f"line {reader.line_num + 1}: {error}") from None
    return rows


def _columns(header: Sequence[str]) -> dict[str, str]:
    """The header's ``names`` and ``reason`` columns (name as written, by folded name); other
    columns are ignored."""
    columns: dict[str, str] = {}
    for column in header:
        key = (column or "").strip().lower()
        if key in ("names", "reason"):
            if key in columns:
                raise ImportRefused(f"line 1: two '{key}' columns")
            columns[key] = column
    if "names" not in columns:
        raise ImportRefused("line 1: no 'names' column (spellings separated by '|')")
    return columns


def _row(row: dict[str, str], columns: dict[str, str], line: int, default: str) -> ListedName:
    names: list[str] = []
    for spelling in (row.get(columns["names"]) or "").split("|"):
        name = normalize_text(spelling)
        if len(name) > NAME_MAX:
            raise ImportRefused(f"line {line}: a name longer than {NAME_MAX} characters")
        if name and name not in names:
            names.append(name)
    if not any(search_key(n) for n in names):
        raise ImportRefused(f"line {line}: no name")
    given = row.get(columns["reason"]) if "reason" in columns else None
    reason = normalize_text(given or "") or default
    if len(reason) > REASON_MAX:
        raise ImportRefused(f"line {line}: a reason longer than {REASON_MAX} characters")
    return ListedName(tuple(names), reason)


def _spellings(names: list[str] | tuple[str, ...]) -> frozenset[str]:
    return frozenset(k for k in (search_key(n) for n in names) if k)


def watchlist_import(rows: list[ListedName], *, dry_run: bool = False) -> ImportResult:
    """Add the rows not on the watchlist yet, in one transaction (with one audit entry); with
    ``dry_run``, only count them. A row matching a deactivated entry is not added again:
    deactivating is an officer's decision (a false match, a name delisted) that a re-import
    of the same list must not undo; it is counted so that the officer sees it."""
    with transaction.atomic():
        listed: dict[frozenset[str], bool] = {}
        for entry in WatchlistEntry.objects.only("names", "active"):
            spellings = _spellings(entry.names)
            listed[spellings] = listed.get(spellings, False) or entry.active
        new: list[WatchlistEntry] = []
        deactivated = 0
        for row in rows:
            spellings = _spellings(row.names)
            if spellings in listed:
                deactivated += not listed[spellings]
                continue
            listed[spellings] = True
            new.append(WatchlistEntry(names=list(row.names), reason=row.reason))
        result = ImportResult(
            added=len(new),
            already_listed=len(rows) - len(new) - deactivated,
            deactivated=deactivated,
        )
        if not dry_run and new:
            WatchlistEntry.objects.bulk_create(new, batch_size=500)
            audit_record(
                action="payments.watchlist_imported",
                object_type="watchlist",
                data={
                    "added": result.added,
                    "already_listed": result.already_listed,
                    "deactivated": result.deactivated,
                },
            )
    return result
