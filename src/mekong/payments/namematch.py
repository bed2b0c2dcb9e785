"""Fuzzy name matching for screening: difflib's ratio of search keys, and an index of listed
names that finds, among thousands of spellings, the few worth comparing. Pure: no Django.

A name matches a listed spelling when difflib's ratio of their search keys (case, diacritics,
Zawgyi and spacing folded; see `mekong.core.text.search_key`), whole or with the words sorted,
reaches the threshold. `NameIndex.hits` gives exactly what comparing with every spelling gives
(the tests check it against that loop); it only skips, all at once, the spellings that
difflib's own cheap upper bounds rule out.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from mekong.core.text import search_key

#: Similarity (difflib ratio of search keys) from which a name counts as a watchlist match.
NAME_THRESHOLD = 0.88


@dataclass(frozen=True, slots=True)
class _Form:
    """One form of a name's search key and what difflib's cheap upper bounds need of it."""

    text: str
    counts: dict[str, int]  # how often each character occurs
    mask: int  # a bit per character (hashed to 64 bits; distinct characters may share one)


def _form(text: str) -> _Form:
    counts = Counter(text)
    mask = 0
    for char in counts:
        mask |= 1 << (ord(char) & 63)
    return _Form(text, dict(counts), mask)


#: A name's search key, whole and with its words sorted (see `_keys`).
NameKey = tuple[_Form, _Form]


def _name_key(name: str) -> NameKey:
    key = search_key(name)
    ordered = " ".join(sorted(key.split()))
    whole = _form(key)
    return whole, (whole if ordered == key else _form(ordered))


@functools.lru_cache(maxsize=8192)
def _keys(name: str) -> NameKey:
    """A name's search key, whole and with its words sorted (cached: the wallets' holders
    recur in payment after payment; listed names are keyed once, by their `NameIndex`)."""
    return _name_key(name)


def name_similarity(a: str, b: str) -> float:
    """How alike two names are (0-1): the better of the whole keys and the sorted words."""
    return _similarity(_keys(a), _keys(b))


def _bound(x: _Form, y: _Form, floor: float) -> bool:
    """Whether difflib's ratio of ``x`` and ``y`` may reach ``floor``: the same two upper
    bounds as ``real_quick_ratio`` (lengths) and ``quick_ratio`` (common characters), with a
    cheaper one in between (characters that only one side has), computed without building a
    `SequenceMatcher`, which costs more than all three."""
    total = len(x.text) + len(y.text)
    if 2.0 * min(len(x.text), len(y.text)) / total < floor:
        return False
    # Each character present on one side only is at least one unmatched character.
    if 2.0 * ((total - (x.mask ^ y.mask).bit_count()) // 2) / total < floor:
        return False
    small, large = (x.counts, y.counts) if len(x.counts) <= len(y.counts) else (y.counts, x.counts)
    matches = sum(min(n, large.get(char, 0)) for char, n in small.items())
    return 2.0 * matches / total >= floor


def _similarity(a: NameKey, b: NameKey, floor: float = 0.0) -> float:
    """The better difflib ratio of the two key forms; a ratio that cannot reach ``floor`` (by
    difflib's exact upper bounds, which are far cheaper) may be reported as 0."""
    if not a[0].text or not b[0].text:
        return 0.0
    best = 0.0
    for i, (x, y) in enumerate(((a[0], b[0]), (a[1], b[1]))):
        if i and x is a[0] and y is b[0]:
            break  # both names are their own sorted form: the same pair again
        if floor and not _bound(x, y, floor):
            continue
        best = max(best, SequenceMatcher(None, x.text, y.text).ratio())
    return best


@functools.lru_cache(maxsize=1024)
def _most_one_sided(total: int, floor: float) -> int:
    """The most characters present on one side only that `_bound`'s second test lets through
    for two keys of ``total`` characters together (-1: none; the test is monotone in it)."""
    for d in range(total, -1, -1):
        if 2.0 * ((total - d) // 2) / total >= floor:
            return d
    return -1


def _bitset(positions: Iterable[int], size: int) -> int:
    """An int with the given bits set, built in one pass (OR-ing bits into a growing int
    copies it each time)."""
    buffer = bytearray((size + 7) // 8)
    for i in positions:
        buffer[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buffer, "little")


def _at_least(slices: list[int], t: int) -> int:
    """The bits whose counter, held bit-sliced in ``slices`` (bit k of every counter in
    ``slices[k]``), is at least ``t`` (t >= 1)."""
    if t >= 1 << len(slices):
        return 0
    greater, equal = 0, -1
    for k in range(len(slices) - 1, -1, -1):
        if t >> k & 1:
            equal &= slices[k]
        else:
            greater |= equal & slices[k]
            equal &= ~slices[k]
    return greater | equal


@dataclass(frozen=True, slots=True)
class Hit:
    """A name like one of an entry's spellings: the entry's id and reason, the name, the
    best ratio over the entry's spellings."""

    entry_id: int
    reason: str
    name: str
    score: float


class NameIndex:
    """Listed entries' spellings, indexed for screening many names against them.

    Comparing a name with every spelling costs ~1.5 µs a spelling in `_bound` alone: ~34 ms a
    payment for 5,000 entries of two spellings. Nearly every spelling fails the first two of
    `_bound`'s tests (lengths; characters on one side only), and both depend only on the
    lengths and the 64-bit character masks. So the index keeps, for each mask bit, the set of
    spellings having it as one big int (bit i: spelling i), and per (length, mask size) the
    set of spellings of that shape. A query adds up, bit-sliced, the query's mask bits each
    spelling has (a dozen big-int additions, 64 spellings per machine word), which with the
    shapes gives both tests for every spelling at once. The few spellings left go through
    `_similarity` as before: the hits are exactly those of the full loop.

    Built once per watchlist version (`mekong.payments.screening`); immutable after.
    """

    def __init__(self, entries: Iterable[tuple[int, str, Sequence[object]]]) -> None:
        """``entries``: (id, reason, names); names that are not strings or fold to nothing
        are ignored (they could match nothing)."""
        self._entries: list[tuple[int, str]] = []
        self._spellings: list[tuple[int, NameKey]] = []  # (entry position, keys)
        for entry_id, reason, names in entries:
            for name in names:
                if isinstance(name, str) and (key := _name_key(name))[0].text:
                    self._spellings.append((len(self._entries), key))
            self._entries.append((entry_id, reason))
        size = len(self._spellings)
        by_bit: list[list[int]] = [[] for _ in range(64)]
        shapes: dict[tuple[int, int], list[int]] = {}
        for i, (_, (whole, _sorted)) in enumerate(self._spellings):
            mask = whole.mask
            while mask:
                low = mask & -mask
                by_bit[low.bit_length() - 1].append(i)
                mask ^= low
            shapes.setdefault((len(whole.text), whole.mask.bit_count()), []).append(i)
        self._by_bit = [_bitset(positions, size) for positions in by_bit]
        self._shapes = {shape: _bitset(found, size) for shape, found in shapes.items()}

    def __len__(self) -> int:
        """The number of spellings indexed."""
        return len(self._spellings)

    def _candidates(self, query: _Form, floor: float) -> int:
        """The spellings that pass `_bound`'s length and one-sided-character tests against
        ``query``, as a bitset."""
        # shared[k]: bit k of the number of the query's mask bits that each spelling has.
        shared: list[int] = []
        mask = query.mask
        while mask:
            low = mask & -mask
            mask ^= low
            carry = self._by_bit[low.bit_length() - 1]
            k = 0
            while carry:
                if k == len(shared):
                    shared.append(carry)
                    break
                carry, shared[k] = shared[k] & carry, shared[k] ^ carry
                k += 1
        length, bits = len(query.text), query.mask.bit_count()
        needing: dict[int, int] = {}  # least shared bits -> spellings of the shapes needing it
        for (other_length, other_bits), members in self._shapes.items():
            total = length + other_length
            if 2.0 * min(length, other_length) / total < floor:
                continue
            one_sided = _most_one_sided(total, floor)
            if one_sided < 0:
                continue
            # one-sided bits = bits + other_bits - 2 * shared
            least = max(0, -(-(bits + other_bits - one_sided) // 2))
            if least <= min(bits, other_bits):
                needing[least] = needing.get(least, 0) | members
        found = 0
        for least, members in needing.items():
            found |= members if least == 0 else members & _at_least(shared, least)
        return found

    def hits(self, names: Sequence[str], floor: float = NAME_THRESHOLD) -> list[Hit]:
        """Entries with a spelling like one of ``names`` (ratio >= ``floor``), in entry order
        and, within an entry, in the order of ``names``."""
        if not 0.0 < floor <= 1.0:  # at 0 every pair would be a hit, which the bounds skip
            raise ValueError(f"floor must be in (0, 1], not {floor}")
        best: dict[tuple[int, int], float] = {}
        for n, name in enumerate(names):
            key = _keys(name)
            if not key[0].text:
                continue
            found = self._candidates(key[0], floor)
            while found:
                low = found & -found
                found ^= low
                position, listed = self._spellings[low.bit_length() - 1]
                score = _similarity(key, listed, floor)
                if score >= floor and score > best.get((position, n), 0.0):
                    best[(position, n)] = score
        return [
            Hit(*self._entries[position], names[n], score)
            for (position, n), score in sorted(best.items())
        ]
