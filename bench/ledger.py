"""Ledger write throughput: `transfers_create` against a raw-SQL baseline, SQLite and PostgreSQL.

For each database, in a scratch database migrated by this script, in the same run:

- *single*: one transfer per call, one transaction (and one commit) each;
- *batch*: 1,000 transfers per call, one transaction each.

The raw baseline writes the same transfer rows (``seq`` allocated the same way) into the same
table (same indexes, triggers and CHECK constraints) and applies the same balance deltas (one
per touched account) with the fastest plain SQL we know for each database — SQLite: prepared
statements run with ``executemany``; PostgreSQL: one ``INSERT … SELECT FROM unnest`` and one
``UPDATE … FROM unnest`` with array parameters; the service uses the same forms — on the DB-API
connection underneath Django's, so the durability settings are the same by construction
(SQLite: WAL, ``synchronous=NORMAL``, ``BEGIN IMMEDIATE``; PostgreSQL: default
``synchronous_commit``). It skips everything the service adds: validation, idempotency lookups,
row locks, the audit entry and the outbox event with its after-commit dispatch. Service and
baseline take turns chunk by chunk. The ratio column is raw ÷ service (how many times faster
the baseline is).

Workload: 1,000 no-overdraft THB accounts funded once, transfers between random pairs (a batch
of 1,000 touches ~860 accounts). Usage: ``.venv/bin/python bench/ledger.py [--quick]``
(PostgreSQL at 127.0.0.1:5432, user postgres, trust auth; ``--pg-url`` to change; a scratch
database is created and dropped). Timings are wall-clock; this machine is shared, so compare
the ratios, not the absolute figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds a module named `http`: keep the script directory off the import path so that
# the standard library's `http` (which Django imports) is found.
_here = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _here]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
ACCOUNTS = 1_000
BATCH = 1_000


def _transfers(rng: random.Random, accounts: list[int], start: int, count: int) -> list[Any]:
    from mekong.ledger.contracts import TransferIn

    out = []
    for n in range(start, start + count):
        debit, credit = rng.sample(accounts, 2)
        out.append(
            TransferIn(
                id=uuid.UUID(int=(5 << 100) + n),
                debit_account_id=debit,
                credit_account_id=credit,
                amount=rng.randint(1, 100),
                currency="THB",
                code=1,
            )
        )
    return out


class RawWriter:
    """The baseline: the same rows and balance deltas through the bare DB-API driver."""

    def __init__(self, vendor: str, conn: Any) -> None:
        # The DB-API connection under Django's: same pragmas (WAL, synchronous=NORMAL) or
        # server settings, same page cache; used in autocommit mode with explicit BEGIN
        # (IMMEDIATE on SQLite, as Django's transaction_mode) and COMMIT.
        self.vendor = vendor
        self.conn = conn
        self.mark = "?" if vendor == "sqlite" else "%s"
        m = self.mark
        self.insert = (
            "INSERT INTO ledger_transfer (id, seq, debit_account_id, credit_account_id, amount, "
            "currency, code, pending_id, is_pending, post_pending, void_pending, linked, "
            f"timeout, user_data, timestamp, expires_at) VALUES ({', '.join([m] * 16)})"
        )
        self.update = (
            f"UPDATE ledger_account SET debits_posted = debits_posted + {m}, "
            f"credits_posted = credits_posted + {m} WHERE id = {m}"
        )
        self.insert_unnest = (
            "INSERT INTO ledger_transfer (id, seq, debit_account_id, credit_account_id, amount, "
            "currency, code, pending_id, is_pending, post_pending, void_pending, linked, "
            "timeout, user_data, timestamp, expires_at) SELECT * FROM unnest(%s::uuid[], "
            "%s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[], %s::varchar(3)[], "
            "%s::integer[], %s::uuid[], %s::boolean[], %s::boolean[], %s::boolean[], "
            "%s::boolean[], %s::integer[], %s::varchar(128)[], %s::timestamptz[], "
            "%s::timestamptz[])"
        )
        self.update_unnest = (
            "UPDATE ledger_account SET debits_posted = debits_posted + d.dpo, "
            "credits_posted = credits_posted + d.cpo FROM unnest(%s::bigint[], %s::bigint[], "
            "%s::bigint[]) AS d(dpo, cpo, id) WHERE ledger_account.id = d.id"
        )

    def write(self, batch: list[Any]) -> None:
        now = datetime.now(tz=UTC)
        ts: Any = now.strftime("%Y-%m-%d %H:%M:%S.%f") if self.vendor == "sqlite" else now
        # pending_id, flags (pending, post, void, linked), timeout, user_data, timestamp, expiry
        tail = (None, False, False, False, False, 0, "", ts, None)
        deltas: dict[int, list[int]] = {}
        for t in batch:
            deltas.setdefault(t.debit_account_id, [0, 0])[0] += t.amount
            deltas.setdefault(t.credit_account_id, [0, 0])[1] += t.amount
        updates = [(d, c, account) for account, (d, c) in sorted(deltas.items())]
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE" if self.vendor == "sqlite" else "BEGIN")
        # `seq` is part of the row: allocate it as the service does (same table, same order).
        if self.vendor == "sqlite":
            base = cur.execute("SELECT COALESCE(MAX(seq), 0) FROM ledger_transfer").fetchone()[0]
            seqs = range(base + 1, base + 1 + len(batch))
        else:
            cur.execute(
                "SELECT nextval('ledger_transfer_seq') FROM generate_series(1, %s)", [len(batch)]
            )
            seqs = [r[0] for r in cur.fetchall()]  # type: ignore[assignment]
        rows = [
            (
                t.id.hex if self.vendor == "sqlite" else t.id,
                seq,
                t.debit_account_id,
                t.credit_account_id,
                t.amount,
                "THB",
                1,
                *tail,
            )
            for t, seq in zip(batch, seqs, strict=True)
        ]
        if self.vendor == "sqlite":
            cur.executemany(self.insert, rows)
            cur.executemany(self.update, updates)
        else:
            # The fastest plain SQL for PostgreSQL: one statement per table, arrays as params.
            cur.execute(self.insert_unnest, [list(c) for c in zip(*rows, strict=True)])
            cur.execute(self.update_unnest, [list(c) for c in zip(*updates, strict=True)])
        cur.execute("COMMIT")


def run_one(vendor: str, database_url: str, quick: bool) -> dict[str, Any]:
    """Measure one database in this process (Django configured for ``database_url``)."""
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "mekong.settings",
            "SECRET_KEY": "bench-only-secret",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from mekong.identity.services import organisation_create
    from mekong.ledger.models import Transfer
    from mekong.ledger.selectors import invariants_check
    from mekong.ledger.services import account_create, transfers_create

    call_command("migrate", verbosity=0, interactive=False)
    org = organisation_create(name="Bench PSP", kind="psp", country="TH")
    funding = account_create(organisation_id=org.pk, currency="THB", code=1, name="funding")
    accounts = [
        account_create(
            organisation_id=org.pk,
            currency="THB",
            code=2,
            name=f"wallet {i}",
            debits_must_not_exceed_credits=True,
        ).pk
        for i in range(ACCOUNTS)
    ]
    from mekong.ledger.contracts import TransferIn

    funding_batch = [
        TransferIn(
            id=uuid.UUID(int=(4 << 100) + i),
            debit_account_id=funding.pk,
            credit_account_id=a,
            amount=10**12,
            currency="THB",
            code=1,
        )
        for i, a in enumerate(accounts)
    ]
    assert all(r.code == "ok" for r in transfers_create(funding_batch))

    rng = random.Random(7)
    singles = 300 if quick else (2_000 if vendor == "sqlite" else 1_000)
    batches = 5 if quick else (40 if vendor == "sqlite" else 20)
    next_id = 0

    def take(count: int) -> list[Any]:
        nonlocal next_id
        out = _transfers(rng, accounts, next_id, count)
        next_id += count
        return out

    results: dict[str, Any] = {"vendor": vendor}
    connection.ensure_connection()
    raw = RawWriter(vendor, connection.connection)

    def service(batch: list[Any]) -> None:
        assert all(r.code == "ok" for r in transfers_create(batch))

    # Service and baseline take turns, chunk by chunk, in alternating order, so that both see
    # the same table sizes, caches and WAL state (running one after the other favours
    # whichever runs first on the smaller tables).
    spent = {"service_single": 0.0, "raw_single": 0.0, "service_batch": 0.0, "raw_batch": 0.0}
    chunk = 100
    for n in range(singles // chunk):
        pairs = [("service_single", service), ("raw_single", raw.write)]
        for key, write in pairs if n % 2 == 0 else pairs[::-1]:
            work = take(chunk)
            t0 = time.perf_counter()
            for t in work:
                write([t])
            spent[key] += time.perf_counter() - t0
    for n in range(batches):
        pairs = [("service_batch", service), ("raw_batch", raw.write)]
        for key, write in pairs if n % 2 == 0 else pairs[::-1]:
            work = take(BATCH)
            t0 = time.perf_counter()
            write(work)
            spent[key] += time.perf_counter() - t0
    single_count = singles // chunk * chunk
    for key, seconds in spent.items():
        results[key] = (single_count if "single" in key else batches * BATCH) / seconds

    results["rows"] = Transfer.objects.count()
    results["problems"] = invariants_check()
    results["singles"], results["batches"] = single_count, batches
    return results


def _child(vendor: str, pg_url: str, quick: bool) -> dict[str, Any]:
    """Run one database's measurement in a fresh interpreter (Django settings are global)."""
    if vendor == "sqlite":
        with tempfile.TemporaryDirectory(prefix="mekong-bench-ledger-") as tmp:
            path = Path(tmp) / "bench.sqlite3"
            return _spawn(vendor, f"sqlite:///{path}", quick)
    import psycopg

    name = f"mekong_bench_ledger_{os.getpid()}"
    admin = psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(
        f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' "
        "TEMPLATE template0"
    )
    try:
        url = pg_url.rsplit("/", 1)[0] + f"/{name}"
        return _spawn(vendor, url, quick)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _spawn(vendor: str, url: str, quick: bool) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", vendor, "--url", url]
    out = subprocess.run(
        [*args, *(["--quick"] if quick else [])],
        check=False,
        capture_output=True,
        text=True,
        cwd=str(REPO),
    )
    if out.returncode:
        sys.exit(f"{vendor} run failed:\n{out.stderr}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _print(rows: list[dict[str, Any]]) -> None:
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    print(f"{'database':<11} {'mode':<28} {'service tx/s':>13} {'raw SQL tx/s':>13} {'raw/svc':>8}")
    for r in rows:
        for mode, label in (
            ("single", "single (1 per transaction)"),
            ("batch", f"batch of {BATCH:,}"),
        ):
            svc, raw = r[f"service_{mode}"], r[f"raw_{mode}"]
            print(
                f"{names[r['vendor']]:<11} {label:<28} {svc:>13,.0f} {raw:>13,.0f} "
                f"{raw / svc:>7.2f}x"
            )
    for r in rows:
        state = "hold" if not r["problems"] else f"BROKEN: {r['problems'][:3]}"
        print(
            f"{names[r['vendor']]}: {r['singles']:,} single + {r['batches']} batches per side, "
            f"{r['rows']:,} transfer rows in the end; invariants {state}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer transfers (smoke run)")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(REPO / "src"))
        print(json.dumps(run_one(args.child, args.url, args.quick)))
        return
    vendors = [args.only] if args.only else ["sqlite", "postgresql"]
    rows = [_child(v, args.pg_url, args.quick) for v in vendors]
    load = os.getloadavg()[0]
    print(
        f"Ledger throughput, {datetime.now(tz=UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} CPUs, load average {load:.1f}"
    )
    _print(rows)


if __name__ == "__main__":
    main()
