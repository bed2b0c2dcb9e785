"""Watchlist screening: the names of one payment (payer and payee) against watchlists of
growing size, next to the plain difflib loop over the same keys in the same run.

Every payment compares its two names with every listed spelling. The baseline is what a
straightforward implementation does per pair: a ``SequenceMatcher`` with difflib's own cheap
bounds (``real_quick_ratio``, ``quick_ratio``) before the ratio, on the same search keys.
`mekong.payments.namematch.NameIndex` (what screening uses: built once per watchlist version)
must give the same hits (checked here too); the time to build it is shown apart. The listed
names are drawn from a small pool of romanised Thai, Vietnamese, Burmese, Lao, Khmer and other
name parts, so near spellings are common (the hard case for the bounds). No database: the
watchlist is passed in. Usage:
``.venv/bin/python -m bench.screening [--sizes 100,1000,5000,20000]``.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from difflib import SequenceMatcher

PARTS = [
    "Aung",
    "Kyaw",
    "Htet",
    "Somchai",
    "Jaidee",
    "Nguyen",
    "Van",
    "Thi",
    "Minh",
    "Tran",
    "Sok",
    "Dara",
    "Bounmy",
    "Khamphone",
    "Souvanna",
    "Vannak",
    "Chanthy",
    "Phirun",
    "Maria",
    "Jose",
    "Ahmed",
    "Ali",
    "Ivan",
    "Petrov",
    "Chen",
    "Wei",
    "Li",
    "Na",
]
PAYMENT = ["Nguyen Van An", "Somchai Jaidee"]


def _name(rng: random.Random) -> str:
    return " ".join(
        rng.choice(PARTS) + rng.choice(("", "a", "o", "an")) for _ in range(rng.randint(2, 4))
    )


def _baseline(names: list[str], entries: list, threshold: float) -> list[tuple[int, str]]:
    """Per pair: SequenceMatcher, difflib's bounds, then the ratio (both key forms)."""
    from mekong.payments import namematch

    hits = []
    for pk, _reason, listed in entries:
        for name in names:
            key = namematch._keys(name)
            best = 0.0
            for other in listed:
                for x, y in ((key[0].text, other[0].text), (key[1].text, other[1].text)):
                    if not x or not y:
                        continue
                    m = SequenceMatcher(None, x, y)
                    if m.real_quick_ratio() < threshold or m.quick_ratio() < threshold:
                        continue
                    best = max(best, m.ratio())
            if best >= threshold:
                hits.append((pk, name))
    return hits


def _rate(fn, seconds: float = 1.0) -> float:
    """Calls of ``fn`` per second over about ``seconds`` (at least 3 calls)."""
    n = 0
    start = time.perf_counter()
    while n < 3 or time.perf_counter() - start < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000,20000")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key")
    import django

    django.setup()
    from mekong.payments import namematch

    print("Watchlist screening of one payment (2 names), one process")
    print(f"{'listed entries (2 spellings each)':<36} {'difflib loop':>14} {'NameIndex':>12} "
          f"{'speed-up':>9} {'hits':>5} {'index built in':>15}")  # fmt: skip
    for size in (int(s) for s in args.sizes.split(",")):
        rng = random.Random(size)
        named = [(i, "bench", [_name(rng), _name(rng)]) for i in range(size)]
        keyed = [(i, r, [namematch._name_key(n) for n in listed]) for i, r, listed in named]
        started = time.perf_counter()
        index = namematch.NameIndex(named)
        built = time.perf_counter() - started
        ours = [(h.entry_id, h.name) for h in index.hits(PAYMENT)]
        theirs = _baseline(PAYMENT, keyed, namematch.NAME_THRESHOLD)
        assert ours == theirs
        base = _rate(lambda e=keyed: _baseline(PAYMENT, e, namematch.NAME_THRESHOLD))
        mine = _rate(lambda i=index: i.hits(PAYMENT))
        print(f"{size:<36} {1000 / base:>11.2f} ms {1000 / mine:>9.2f} ms "
              f"{mine / base:>8.1f}x {len(ours):>5} {built * 1000:>12.0f} ms")  # fmt: skip
    print("\nms per payment; one run each: compare the ratios, not the absolute figures.")


if __name__ == "__main__":
    main()
