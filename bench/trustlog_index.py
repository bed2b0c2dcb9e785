"""Lookup-index merges on the append path: the longest write transaction, capped or not.

Usage: `.venv/bin/python -m bench.trustlog_index [--entries N] [--database-url URL]`
(default 1,048,576 entries, a fresh SQLite file).

The payments hub appends its receipts inside each payment batch, and a batch that completes a
bundle (256 entries) adds a run to the leaf-hash lookup index in that transaction
(`bundles.key_run_add`), under the writer lock every other payment waits on. This script
replays that growth one bundle at a time (random leaf hashes; the index does not read the
bundles themselves) twice, on two fresh databases:

- **uncapped**, the binary counter as it was: every merge inside the append's transaction
  (``MERGE_CAP`` set beyond the log's size);
- **capped**, as now: appends merge up to ``MERGE_CAP`` and `services.lookup_index_compact`
  does the rest after each append, one step (~``COMPACT_STEP_BYTES``) per transaction, as
  the payments' background loop does.

It prints the append-path transaction time (median, p99, max: what a payment batch holds the
writer lock for), the longest compaction step (what a payment queued behind a step waits),
the total time, the number of runs left and a lookup check. No timing is asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

_here = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _here]

import argparse  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BUNDLE = 256


def _child(
    mode: str, entries: int, database_url: str | None, tmp: Path, step_bytes: int | None
) -> None:
    """One mode on one fresh database; prints a tab-separated result line."""
    from bench.trustlog import setup_django

    setup_django(tmp, database_url)
    from django.db import transaction

    from mekong.trustlog import bundles, services

    if mode == "uncapped":
        bundles.MERGE_CAP = 1 << 62
    if step_bytes:
        bundles.COMPACT_STEP_BYTES = step_bytes
    rng = random.Random(7)
    appends: list[float] = []
    steps: list[float] = []
    probes: list[tuple[bytes, int]] = []
    started = time.perf_counter()
    for b in range(entries // BUNDLE):
        tile = rng.randbytes(32 * BUNDLE)
        if b % 97 == 0:
            probes.append((tile[32 * 5 : 32 * 6], b * BUNDLE + 5))
        t0 = time.perf_counter()
        with transaction.atomic():
            services._lock_head()
            bundles.key_run_add(b * BUNDLE, tile)
        appends.append(time.perf_counter() - t0)
        if mode == "capped":
            while bundles.key_compact_due():
                t0 = time.perf_counter()
                with transaction.atomic():
                    services._lock_head()
                    bundles.key_compact_step()
                steps.append(time.perf_counter() - t0)
    total = time.perf_counter() - started
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM trustlog_leafkeyrun")
        runs = cursor.fetchone()[0]
    found = all(bundles.key_find(h) == [i] for h, i in probes)
    appends.sort()
    steps.sort()
    print(
        "\t".join(
            map(
                str,
                [
                    mode,
                    statistics.median(appends) * 1e3,
                    appends[int(len(appends) * 0.99)] * 1e3,
                    appends[-1] * 1e3,
                    len(steps),
                    steps[int(len(steps) * 0.5)] * 1e3 if steps else 0.0,
                    steps[int(len(steps) * 0.99)] * 1e3 if steps else 0.0,
                    max(steps, default=0.0) * 1e3,
                    total,
                    runs,
                    found,
                ],
            )
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1 << 20)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--step-bytes", type=int, default=None, help="COMPACT_STEP_BYTES (default: the code's)"
    )
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--tmp", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.entries, args.database_url, Path(args.tmp), args.step_bytes)
        return
    rows = []
    for mode in ("uncapped", "capped"):
        with tempfile.TemporaryDirectory(prefix="mekong-bench-index-") as tmp:
            cmd = [sys.executable, "-m", "bench.trustlog_index", "--child", mode, "--tmp", tmp]
            cmd += ["--entries", str(args.entries)]
            if args.step_bytes:
                cmd += ["--step-bytes", str(args.step_bytes)]
            if args.database_url:
                cmd += ["--database-url", args.database_url]
            out = subprocess.run(cmd, cwd=REPO, check=True, capture_output=True, text=True)
            rows.append(out.stdout.strip().splitlines()[-1].split("\t"))
    print(f"lookup index grown one bundle at a time to {args.entries:,} entries")
    print(
        "| mode | append txn p50 ms | p99 ms | max ms | compaction steps | step p50 ms"
        " | step p99 ms | step max ms | total s | runs left | lookups ok |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for mode, p50, p99, top, n, s50, s99, smax, total, runs, ok in rows:
        print(
            f"| {mode} | {float(p50):.2f} | {float(p99):.1f} | {float(top):.0f} | {n}"
            f" | {float(s50):.1f} | {float(s99):.1f} | {float(smax):.1f} | {float(total):.1f}"
            f" | {runs} | {ok} |"
        )
    base, new = (float(r[3]) for r in rows)
    print(f"longest append transaction: capped is {base / new:.0f}x shorter")


if __name__ == "__main__":
    main()
