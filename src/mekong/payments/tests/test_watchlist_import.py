"""``mekong payments watchlist-import``: a sanctions list from CSV onto the screening
watchlist, all or nothing, idempotent; bad files exit 2 with one line and write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from mekong.core.models import AuditEntry
from mekong.payments import screening
from mekong.payments.models import WatchlistEntry
from mekong.payments.tests.test_cli_hub import _run
from mekong.payments.watchlist_import import ImportRefused, parse_csv

pytestmark = pytest.mark.django_db

# Illustrative rows, not a real list: spellings in Latin, Burmese, Thai and Khmer script.
LIST = (
    "\ufeffnames,reason\r\n"
    '"Aung Kyaw Myint | အောင်ကျော်မြင့်","Test list 2026 ref T-1"\r\n'
    '"Somchai Rattanakorn|สมชาย รัตนากร",\r\n'
    '"Sok Dara | សុខ ដារា","Test list 2026 ref T-3"\r\n'
)


def _file(tmp_path: Path, text: str, name: str = "list.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def test_a_list_is_imported_once_and_screening_then_finds_its_names(tmp_path, capsys):
    path = _file(tmp_path, LIST)
    status, out, err = _run(capsys, "watchlist-import", path, "--reason", "Test list 2026")
    assert (status, err) == (0, "")
    assert out.strip() == "3 entries added, 0 already listed"
    entries = {e.names[0]: e for e in WatchlistEntry.objects.all()}
    assert entries["Aung Kyaw Myint"].names == ["Aung Kyaw Myint", "အောင်ကျော်မြင့်"]
    assert entries["Aung Kyaw Myint"].reason == "Test list 2026 ref T-1"
    assert entries["Somchai Rattanakorn"].reason == "Test list 2026"  # the default
    assert AuditEntry.objects.filter(action="payments.watchlist_imported").count() == 1
    # Screening sees the new entries at once, in either script.
    assert screening.watchlist_hits(["အောင်ကျော်မြင့်"])
    assert screening.watchlist_hits(["SOMCHAI RATTANAKORN"])
    assert not screening.watchlist_hits(["Nguyen Van An"])
    # Again, and with a spelling differing only in case and accents: nothing added.
    again = LIST + '"SÓK DARA|សុខ ដារា",\r\n'
    status, out, _ = _run(capsys, "watchlist-import", _file(tmp_path, again, "again.csv"))
    assert (status, out.strip()) == (0, "0 entries added, 4 already listed")
    assert WatchlistEntry.objects.count() == 3
    # An entry an officer deactivated stays so: a re-import does not add it back.
    WatchlistEntry.objects.filter(names__0="Sok Dara").update(active=False)
    status, out, _ = _run(capsys, "watchlist-import", path)
    assert out.strip() == (
        "0 entries added, 2 already listed, 1 deactivated in the watchlist (not added again)"
    )
    assert WatchlistEntry.objects.count() == 3


def test_a_dry_run_counts_and_writes_nothing(tmp_path, capsys):
    status, out, _ = _run(capsys, "watchlist-import", _file(tmp_path, LIST), "--dry-run")
    assert status == 0
    assert out.strip() == "3 entries would be added (dry run: nothing written), 0 already listed"
    assert WatchlistEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("name,reason\nAung Kyaw Myint,x\n", "line 1: no 'names' column"),
        ('names\n"Aung Kyaw Myint"\n" | "\n', "line 3: no name"),
        ("names,reason\nAung," + "r" * 201 + "\n", "line 2: a reason longer than 200"),
        ("names\n" + "a" * 201 + "\n", "line 2: a name longer than 200"),
        (b"names\n\xff\xfe\n", "the file is not UTF-8"),
        ('names\n"unclosed\n', "line 2: unexpected end of data"),
        ('"names"x,reason\nAung,UN\n', "line 1: ',' expected after"),
        ("names,reason\nPetrov, Ivan|Pyotr,UN SC\n", "line 2: more fields than the header"),
        ("names,Names\nAung,Aung\n", "line 1: two 'names' columns"),
    ],
    ids=[
        "no-names-column",
        "empty-name",
        "long-reason",
        "long-name",
        "not-utf8",
        "bad-csv",
        "bad-header",
        "unquoted-comma",
        "two-names-columns",
    ],
)
def test_a_bad_file_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, content, reason):
    path = tmp_path / "bad.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    status, out, err = _run(capsys, "watchlist-import", str(path))
    assert (status, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("error: ")
    assert reason in err
    assert WatchlistEntry.objects.count() == 0  # the good rows before it were not written


def test_a_missing_file_exits_2(tmp_path, capsys):
    status, out, err = _run(capsys, "watchlist-import", str(tmp_path / "nowhere.csv"))
    assert (status, out) == (2, "")
    assert err.startswith("error: cannot read ")


def test_a_blank_header_column_is_not_the_reason():
    (row,) = parse_csv(b"names,\nIvan Petrov,internal note\n", default_reason="UN list")
    assert row.reason == "UN list"


def test_the_parser_keeps_each_rows_spellings_once_in_order():
    (row,) = parse_csv("names\nSok Dara|Sok  Dara|សុខ ដារា\n".encode())
    assert row.names == ("Sok Dara", "សុខ ដារា")  # the second is the first once normalised
    with pytest.raises(ImportRefused):
        parse_csv(b"")
