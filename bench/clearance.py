"""Clearance benchmark: lodging-to-release latency of green-lane declarations, duty engine speed.

Usage: ``.venv/bin/python -m bench.clearance [--declarations N] [--duty-calls M]``
(defaults 200 declarations, 100,000 duty calculations) on a fresh SQLite file in a temporary
directory, or with ``--postgres`` on a scratch PostgreSQL database created and dropped on
the server of ``--pg-url`` (default ``postgres://postgres@127.0.0.1:5432/postgres``).

1. Latency, through the service layer on a migrated scratch database: a Thai issuing authority
   signs and anchors an invoice, a packing list and a Form D once (customs facade); then each
   round a Vietnamese importer lodges a declaration referencing the three (every lodging
   verifies them again through ``verify_stored``, assesses duty, screens the parties through
   the threat-intelligence facade and assigns the lane) and a Vietnamese officer releases it at
   once. Reported: p50/p99 of lodging, of release and of lodging-to-release (the two back to
   back), next to the peer inside lodging that dominates it: verifying the three documents
   alone through the facade.
2. Duty: ``duty.assess`` for a one-line and a ten-line declaration against a raw baseline
   that does only the arithmetic a hand-written calculator would do (a dict lookup of the
   8-digit rate, integer duty and VAT), so the ratio is the price of the engine's prefix
   lookup, regime decision with reasons, currency conversion, de minimis and Decimal rounding.

Timings are wall-clock on a shared machine: compare the ratios, not the absolute figures.
No timing is asserted anywhere (docs/benchmarks.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/http.py shadows the standard library's `http` package: drop the script directory
# from the import path before Django imports `http.cookies`.
_here = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _here]

import argparse  # noqa: E402
import contextlib  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from datetime import date  # noqa: E402
from typing import Any  # noqa: E402

from bench._harness import setup_django  # noqa: E402


@contextlib.contextmanager
def scratch_postgres(admin_url: str) -> Iterator[str]:
    """Create a UTF-8 scratch database on the server of ``admin_url``; drop it afterwards."""
    import psycopg

    name = f"mekong_bench_clearance_{os.getpid()}"
    admin = psycopg.connect(admin_url, autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(
        f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' "
        "TEMPLATE template0"
    )
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        from django.db import connections

        connections.close_all()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 and p99 in milliseconds."""
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, max(0, int(len(ordered) * 0.99) - 1))]
    return {"p50": statistics.median(ordered) * 1e3, "p99": p99 * 1e3}


def run_latency(rounds: int) -> dict[str, Any]:
    """Lodge and release ``rounds`` green-lane declarations; time each step."""
    from mekong.customs import facade
    from mekong.customs.clearance import services
    from mekong.customs.clearance.tests.factories import make_corridor, rice_declaration

    corridor = make_corridor()
    data = rice_declaration(corridor.document_ids)
    trader, officer = corridor.trader, corridor.officer_actor
    ids = [doc.id for doc in corridor.documents.values()]
    lodging: list[float] = []
    release: list[float] = []
    total: list[float] = []
    verify: list[float] = []
    lanes: dict[str, int] = {}
    for _ in range(rounds):
        t0 = time.perf_counter()
        for doc_id in ids:
            facade.verify_stored(doc_id)
        verify.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        d = services.declaration_lodge(actor=trader, data=data, idempotency_key=uuid.uuid4())
        t1 = time.perf_counter()
        services.declaration_release(actor=officer, declaration_id=d.pk)
        t2 = time.perf_counter()
        lanes[d.lane] = lanes.get(d.lane, 0) + 1
        lodging.append(t1 - t0)
        release.append(t2 - t1)
        total.append(t2 - t0)
    return {
        "lanes": lanes,
        "verify": percentiles(verify),
        "lodge": percentiles(lodging),
        "release": percentiles(release),
        "total": percentiles(total),
    }


def rate(fn: Callable[[], object], calls: int) -> float:
    """Calls per second of ``fn`` (one warm-up call first)."""
    fn()
    t0 = time.perf_counter()
    for _ in range(calls):
        fn()
    return calls / (time.perf_counter() - t0)


def run_duty(calls: int) -> list[tuple[str, float, float]]:
    """(label, engine calls/s, raw baseline calls/s) for 1- and 10-line declarations."""
    from mekong.customs.clearance import duty

    schedule = duty.load_schedule("VN")
    codes = ["10063040", "22030091", "61091010", "84713020", "87032362",
             "02071100", "40012210", "17019910", "85171300", "01051190"]  # fmt: skip
    raw_rates = {code: (int(schedule.lines[code].mfn), int(schedule.lines[code].atiga or 0))
                 for code in codes}  # fmt: skip
    on = date(2026, 12, 4)
    out = []
    for n in (1, 10):
        lines = [duty.LineIn(codes[i], 1_000_000 + i, "TH", True, True) for i in range(n)]
        raw_lines = [(codes[i], 1_000_000 + i) for i in range(n)]

        def engine(lines: list[duty.LineIn] = lines) -> object:
            return duty.assess(schedule=schedule, lines=lines, currency="USD", on=on)

        def raw(raw_lines: list[tuple[str, int]] = raw_lines) -> object:
            duty_total = vat_total = 0
            for code, value in raw_lines:
                national = value * 26300 // 100
                _mfn, atiga = raw_rates[code]
                line_duty = national * atiga // 100
                duty_total += line_duty
                vat_total += (national + line_duty) // 10
            return duty_total, vat_total

        out.append((f"duty assessment, {n} line{'s' if n > 1 else ''}",
                    rate(engine, calls // n), rate(raw, calls // n)))  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declarations", type=int, default=200)
    parser.add_argument("--duty-calls", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true", help="run on a scratch PostgreSQL db")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    if args.declarations < 2 or args.duty_calls < 10:
        parser.error("need --declarations >= 2 and --duty-calls >= 10")
    with contextlib.ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="mekong-bench-clearance-"))
        url = stack.enter_context(scratch_postgres(args.pg_url)) if args.postgres else None
        setup_django(Path(tmp), url)
        from django.db import connection

        latency = run_latency(args.declarations)
        vendor = connection.vendor
        duty_rows = run_duty(args.duty_calls)

    print(f"clearance on {vendor}: {args.declarations} declarations, lanes {latency['lanes']}")
    print(f"{'step (service layer)':<44} {'p50 ms':>9} {'p99 ms':>9}")
    for label, key in (
        ("verify 3 documents (facade), peer", "verify"),
        ("lodge (verify 3 docs, duty, screening, lane)", "lodge"),
        ("release", "release"),
        ("lodging to release", "total"),
    ):
        print(f"{label:<44} {latency[key]['p50']:>9.2f} {latency[key]['p99']:>9.2f}")
    share = latency["verify"]["p50"] / latency["lodge"]["p50"]
    print(f"document verification is {share:.0%} of the median lodging")
    print()
    print(f"{'duty engine':<30} {'engine/s':>12} {'raw dict/s':>12} {'raw ÷ engine':>13}")
    for label, engine, raw in duty_rows:
        print(f"{label:<30} {engine:>12,.0f} {raw:>12,.0f} {raw / engine:>12.1f}×")


if __name__ == "__main__":
    main()
