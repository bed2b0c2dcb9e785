"""Watchlist name matching: the cheap upper bounds and the index only skip what could not
match; the screening index follows every change of the watchlist, however it is written (the
database triggers of migrations 0006 and 0007: a later migration that rebuilds the table on SQLite
drops them, and these tests fail)."""

from __future__ import annotations

import threading
from difflib import SequenceMatcher

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from mekong.payments import fastreads, namematch, screening
from mekong.payments.models import WatchlistEntry, WatchlistVersion

# A small alphabet (Latin, Vietnamese, Thai, Lao, spaces) so that near matches are common.
names = st.text(alphabet="anhguyễnsomchaiສົມສັກสมชาย ", min_size=0, max_size=24)


@given(names, names, st.floats(min_value=0.01, max_value=1.0))
def test_the_cheap_bounds_skip_exactly_what_difflibs_own_bounds_skip(
    a: str, b: str, floor: float
) -> None:
    for x, y in zip(namematch._keys(a), namematch._keys(b), strict=True):
        if not x.text or not y.text:
            continue
        matcher = SequenceMatcher(None, x.text, y.text)
        expected = matcher.real_quick_ratio() >= floor and matcher.quick_ratio() >= floor
        assert namematch._bound(x, y, floor) == expected


@given(names, names)
def test_pruned_similarity_decides_like_the_full_ratio(a: str, b: str) -> None:
    ka, kb = namematch._keys(a), namematch._keys(b)
    full = namematch._similarity(ka, kb)
    pruned = namematch._similarity(ka, kb, namematch.NAME_THRESHOLD)
    assert (pruned >= namematch.NAME_THRESHOLD) == (full >= namematch.NAME_THRESHOLD)
    if full >= namematch.NAME_THRESHOLD:
        assert pruned == full  # the reported score is the same


def _every_spelling(
    entries: list[tuple[int, str, list[str]]], queries: list[str], floor: float
) -> list[tuple[int, str, str, float]]:
    """The index's oracle: each name against each spelling, full ratios, no bounds."""
    found = []
    for entry_id, reason, listed in entries:
        for query in queries:
            best = max(
                (namematch.name_similarity(query, spelling) for spelling in listed), default=0.0
            )
            if best >= floor:
                found.append((entry_id, reason, query, best))
    return found


def _near(name: str) -> str:
    middle = len(name) // 2
    return name[:middle] + name[middle + 1 :]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(names, min_size=0, max_size=3), min_size=0, max_size=40),
    st.lists(names, min_size=1, max_size=3),
    st.sampled_from([namematch.NAME_THRESHOLD, 0.5, 0.75, 0.95, 1.0]),
)
def test_the_index_finds_exactly_what_comparing_every_spelling_finds(
    listed: list[list[str]], queries: list[str], floor: float
) -> None:
    # Each entry also lists a near spelling of a query (one character dropped, some cut
    # short), so that most examples have hits and near misses (~90 %; reversing the query,
    # as this did first, gave hits in ~10 %).
    entries = [
        (100 + i, f"reason {i}", [*spellings, _near(queries[i % len(queries)])[: 20 - i % 5]])
        for i, spellings in enumerate(listed)
    ]
    index = namematch.NameIndex(entries)
    got = [(h.entry_id, h.reason, h.name, h.score) for h in index.hits(queries, floor)]
    assert got == _every_spelling(entries, queries, floor)


def test_the_index_finds_names_across_word_order_diacritics_and_scripts() -> None:
    index = namematch.NameIndex(
        [
            (1, "sanctioned", ["Aung Kyaw Htet", "အောင်ကျော်ထက်"]),
            (2, "fraud", ["Nguyễn Văn An"]),
            (3, "inactive elsewhere", [None, 7, ""]),  # not names: ignored
        ]
    )
    hits = index.hits(["An Nguyen Van", "အောင်ကျော်ထက်", "Somchai Jaidee"])
    assert [(h.entry_id, h.name) for h in hits] == [(1, "အောင်ကျော်ထက်"), (2, "An Nguyen Van")]
    assert len(index) == 3
    assert namematch.NameIndex([]).hits(["Anyone"]) == []


def test_near_spellings_across_word_order_still_match() -> None:
    assert namematch.name_similarity("Nguyen Van An", "An Nguyễn Van") >= namematch.NAME_THRESHOLD
    assert namematch.name_similarity("Somchai Jaidee", "Anan Boonmee") < namematch.NAME_THRESHOLD


def _listed(name: str) -> list[str]:
    return [h["indicator_id"] for h in screening.watchlist_hits([name])]


@pytest.mark.django_db
def test_the_screening_index_follows_every_change_of_the_watchlist() -> None:
    assert _listed("Nguyen Van Scam") == []
    entry = WatchlistEntry.objects.create(names=["Nguyen Van Scam"], reason="fraud ring")
    assert _listed("Nguyen Van Scam") == [f"watchlist:{entry.pk}"]  # added

    entry.names = ["Tran Thi Fraud"]
    entry.save()  # edited
    assert _listed("Nguyen Van Scam") == []
    assert _listed("Tran Thi Fraud") == [f"watchlist:{entry.pk}"]

    entry.active = False
    entry.save(update_fields=["active"])  # deactivated, one field only
    assert _listed("Tran Thi Fraud") == []
    WatchlistEntry.objects.filter(pk=entry.pk).update(active=True)  # no save() at all
    assert _listed("Tran Thi Fraud") == [f"watchlist:{entry.pk}"]
    with connection.cursor() as cursor:  # nor the ORM
        cursor.execute(
            f"UPDATE {WatchlistEntry._meta.db_table} SET reason = %s WHERE id = %s",
            ["renamed", entry.pk],
        )
    assert [h["name"] for h in screening.watchlist_hits(["Tran Thi Fraud"])] == ["renamed"]

    other = WatchlistEntry.objects.create(names=["Somchai Fraud"], reason="second")
    entry.delete()  # deleted, with another added: the row count alone stays the same
    assert _listed("Tran Thi Fraud") == []
    assert _listed("Somchai Fraud") == [f"watchlist:{other.pk}"]


@pytest.mark.django_db
def test_a_change_rolled_back_leaves_no_version_a_later_change_could_repeat() -> None:
    WatchlistEntry.objects.create(names=["Nguyen Van Scam"], reason="kept")
    before = fastreads.watchlist_version()
    with transaction.atomic():
        sid = transaction.savepoint()
        WatchlistEntry.objects.create(names=["Tran Thi Fraud"], reason="rolled back")
        assert _listed("Tran Thi Fraud")  # this transaction sees its own change
        transaction.savepoint_rollback(sid)
    assert fastreads.watchlist_version() == before
    assert _listed("Tran Thi Fraud") == []  # the index built on the rolled-back change is gone
    WatchlistEntry.objects.create(names=["Somchai Fraud"], reason="later")
    assert fastreads.watchlist_version() not in (before, None)
    assert _listed("Somchai Fraud")


@pytest.mark.django_db
def test_an_unchanged_watchlist_is_not_read_again(
    django_assert_num_queries: object,
) -> None:
    WatchlistEntry.objects.create(names=["Nguyen Van Scam"], reason="fraud ring")
    assert _listed("Nguyen Van Scam")
    with django_assert_num_queries(1):  # type: ignore[operator]
        assert _listed("Nguyen Van Scam")  # the version check only


@pytest.mark.django_db
def test_loading_a_fixture_never_brings_an_old_version_back(tmp_path) -> None:
    first = WatchlistEntry.objects.create(names=["Nguyen Van Scam"], reason="one")
    assert _listed("Nguyen Van Scam") == [f"watchlist:{first.pk}"]  # indexed under token T1
    fixture = tmp_path / "watchlist.json"
    call_command(
        "dumpdata", "payments.WatchlistEntry", "payments.WatchlistVersion", output=str(fixture)
    )
    second = WatchlistEntry.objects.create(names=["Tran Thi Fraud"], reason="two")
    call_command("loaddata", str(fixture), verbosity=0)  # the first entry, and token T1
    assert _listed("Tran Thi Fraud") == [f"watchlist:{second.pk}"]


@pytest.mark.django_db
def test_an_index_built_while_the_version_row_is_missing_is_not_kept(monkeypatch) -> None:
    def flush() -> None:  # what a flush on SQLite may do: the entries first, then the version
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {WatchlistEntry._meta.db_table}")
            cursor.execute(f"DELETE FROM {WatchlistVersion._meta.db_table}")

    flush()
    assert fastreads.watchlist_version() is None
    read_entries = fastreads.active_watchlist

    def racing():  # type: ignore[no-untyped-def]
        # Another process adds an entry after the version was read, before the entries are.
        WatchlistEntry.objects.create(names=["Tran Thi Fraud"], reason="racer")
        return read_entries()

    monkeypatch.setattr(fastreads, "active_watchlist", racing)
    assert _listed("Tran Thi Fraud")
    monkeypatch.setattr(fastreads, "active_watchlist", read_entries)
    flush()  # no entries and no version row again
    assert _listed("Tran Thi Fraud") == []


def _screen_and_close() -> None:
    _listed("x")
    connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_thread_that_waited_for_another_ones_build_uses_it(monkeypatch) -> None:
    WatchlistEntry.objects.create(names=["Nguyen Van Scam"], reason="one")
    builds: list[int] = []
    read_entries = fastreads.active_watchlist

    def counted():  # type: ignore[no-untyped-def]
        builds.append(1)
        return read_entries()

    monkeypatch.setattr(fastreads, "active_watchlist", counted)
    lock = screening._building

    class Interleaved:
        """Thread A has read the version; before it takes the lock, a change commits and
        thread B screens (and builds)."""

        done = False

        def __enter__(self) -> None:
            if not Interleaved.done and threading.current_thread().name == "A":
                Interleaved.done = True
                WatchlistEntry.objects.create(names=["Tran Thi Fraud"], reason="two")
                b = threading.Thread(target=_screen_and_close, name="B")
                b.start()
                b.join()
            lock.acquire()

        def __exit__(self, *exc: object) -> None:
            lock.release()

    monkeypatch.setattr(screening, "_building", Interleaved())
    a = threading.Thread(target=_screen_and_close, name="A")
    a.start()
    a.join()
    assert _listed("Tran Thi Fraud")  # the current version, already indexed
    assert len(builds) == 1  # B's; A read the version again under the lock and used it
