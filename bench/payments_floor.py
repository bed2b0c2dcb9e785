"""The raw floor of a payment: the bare statements no implementation of quote + pay can skip,
straight through the database driver — no Django, no HTTP, no business rules.

Per payment, two transactions from one client connection, as the API's two requests are:

* quote: read the token, the sender's wallet and the payee's alias; insert the quote;
* pay: read the token; lock the quote and the wallet; look for an earlier payment under the
  idempotency key; move five legs (one ``UPDATE … FROM`` over the accounts, one multi-row
  insert of the transfers); insert the payment; mark the quote used; one audit row and one
  outbox row.

That is 14 statements, against the hub's 24-28 per payment under load (screening, limits,
webhooks, events, receipts, FX, fees and pacs.008/pacs.002 are all left out here). Clients
are laid out as `bench.payments` lays out its HTTP clients (processes × threads, a connection
and a wallet per thread) on the same two cores, so `floor` is what the database and its
driver alone allow. Used by `bench.payments` next to the HTTP figures; runnable alone:
``.venv/bin/python -m bench.payments_floor --database postgres``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sqlite3
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

PG = {"host": "127.0.0.1", "user": "postgres"}

_TABLES = [
    "CREATE TABLE token (id integer PRIMARY KEY, digest text UNIQUE, org integer)",
    "CREATE TABLE wallet (id integer PRIMARY KEY, org integer, account bigint, alias text UNIQUE)",
    "CREATE TABLE account (id bigint PRIMARY KEY, debits bigint NOT NULL DEFAULT 0,"
    " credits bigint NOT NULL DEFAULT 0)",
    "CREATE TABLE quote (id text PRIMARY KEY, wallet_id integer, payee_id integer,"
    " amount bigint, dest bigint, expires_at text, used_at text)",
    "CREATE TABLE transfer (id text PRIMARY KEY, debit bigint, credit bigint, amount bigint)",
    "CREATE TABLE payment (id text PRIMARY KEY, wallet_id integer, quote_id text UNIQUE,"
    " key text, status text, UNIQUE (wallet_id, key))",
    "CREATE TABLE audit (id text PRIMARY KEY, action text, data text)",
    "CREATE TABLE outbox (id text PRIMARY KEY, name text, payload text)",
]
#: Accounts of the FX provider (two currencies) and the hub's fees, touched by every payment.
_HUB_ACCOUNTS = [900_001, 900_002, 900_003]


class _Db:
    """The two dialects' differences: placeholders, connection, transaction start."""

    def __init__(self, database: str, where: str) -> None:
        self.database, self.where = database, where

    def connect(self) -> Any:
        if self.database == "postgres":
            import psycopg

            return psycopg.connect(**PG, dbname=self.where, autocommit=True)
        conn = sqlite3.connect(self.where, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=20000")
        return conn

    def sql(self, text: str) -> str:
        return text.replace("?", "%s") if self.database == "postgres" else text

    def rollback(self, conn: Any) -> None:
        if self.database == "postgres":
            conn.rollback()
        elif conn.in_transaction:
            conn.execute("ROLLBACK")

    def begin(self, conn: Any, *, write: bool) -> None:
        if self.database == "postgres":
            conn.execute("BEGIN")
        else:  # a writer takes the lock up front, as the hub's SQLite writer queue does
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")


def _setup(db: _Db, wallets: int) -> None:
    conn = db.connect()
    for ddl in _TABLES:
        conn.execute(ddl)
    for acct in _HUB_ACCOUNTS:
        conn.execute(db.sql("INSERT INTO account (id) VALUES (?)"), (acct,))
    for i in range(wallets + 1):  # wallet 0 is the payee
        conn.execute(db.sql("INSERT INTO account (id) VALUES (?)"), (i + 1,))
        conn.execute(db.sql("INSERT INTO token VALUES (?, ?, 1)"), (i + 1, f"tok{i}"))
        conn.execute(db.sql("INSERT INTO wallet VALUES (?, 1, ?, ?)"), (i + 1, i + 1, f"W{i}"))
    conn.close()


def _payment(db: _Db, conn: Any, n: int) -> None:
    """One quote and one payment by wallet ``n`` (statements as in the module docstring)."""
    q = db.sql
    db.begin(conn, write=True)
    conn.execute(q("SELECT id, org FROM token WHERE digest = ?"), (f"tok{n}",)).fetchone()
    wallet = conn.execute(q("SELECT id, account FROM wallet WHERE id = ?"), (n + 1,)).fetchone()
    payee = conn.execute(q("SELECT id, account FROM wallet WHERE alias = ?"), ("W0",)).fetchone()
    quote_id = str(uuid.uuid4())
    conn.execute(
        q("INSERT INTO quote VALUES (?, ?, ?, 100000, 8000, '2099-01-01', NULL)"),
        (quote_id, wallet[0], payee[0]),
    )
    conn.execute("COMMIT")
    db.begin(conn, write=True)
    conn.execute(q("SELECT id, org FROM token WHERE digest = ?"), (f"tok{n}",)).fetchone()
    lock = " FOR UPDATE" if db.database == "postgres" else ""
    quote = conn.execute(q(f"SELECT * FROM quote WHERE id = ?{lock}"), (quote_id,)).fetchone()
    conn.execute(q(f"SELECT id FROM wallet WHERE id = ?{lock}"), (quote[1],)).fetchone()
    conn.execute(
        q("SELECT id FROM payment WHERE wallet_id = ? AND key = ?"), (quote[1], quote_id)
    ).fetchone()
    accounts = [wallet[1], *_HUB_ACCOUNTS, payee[1]]
    legs = [(a, b, 100) for a, b in zip(accounts, accounts[1:] + accounts[:1], strict=True)]
    values = ", ".join("(?, ?, ?)" for _ in legs)
    conn.execute(
        q(
            f"WITH v(id, d, c) AS (VALUES {values}) UPDATE account "
            "SET debits = debits + v.d, credits = credits + v.c FROM v WHERE account.id = v.id"
        ),
        [x for a, b, amt in legs for x in ((a, amt, 0) if a != b else (a, 0, 0))],
    )
    conn.execute(
        q("INSERT INTO transfer VALUES " + ", ".join("(?, ?, ?, ?)" for _ in legs)),
        [x for a, b, amt in legs for x in (str(uuid.uuid4()), a, b, amt)],
    )
    payment_id = str(uuid.uuid4())
    conn.execute(
        q("INSERT INTO payment VALUES (?, ?, ?, ?, 'completed')"),
        (payment_id, quote[1], quote_id, quote_id),
    )
    conn.execute(q("UPDATE quote SET used_at = 'now' WHERE id = ?"), (quote_id,))
    data = json.dumps({"payment": payment_id})
    conn.execute(
        q("INSERT INTO audit VALUES (?, 'payments.payment_completed', ?)"),
        (str(uuid.uuid4()), data),
    )
    conn.execute(
        q("INSERT INTO outbox VALUES (?, 'payments.payment_completed', ?)"),
        (str(uuid.uuid4()), data),
    )
    conn.execute("COMMIT")


def _client(db: _Db, wallets: list[int], seconds: float, out: Any) -> None:
    stop = time.perf_counter() + seconds
    results: list[float] = []
    lock = threading.Lock()

    def loop(n: int) -> None:
        conn = db.connect()
        local = []
        try:
            while time.perf_counter() < stop:
                t0 = time.perf_counter()
                _payment(db, conn, n)
                local.append(time.perf_counter() - t0)
        finally:  # a failed statement must not leave its transaction holding the locks
            db.rollback(conn)
            conn.close()
        with lock:
            results.extend(local)

    threads = [threading.Thread(target=loop, args=(n,)) for n in wallets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(results)


def floor(database: str, procs: int, threads: int, seconds: float) -> tuple[float, list[float]]:
    """Payments/s and latencies of the bare statements, in a scratch database of its own."""
    with tempfile.TemporaryDirectory(prefix="mekong-bench-floor-") as tmp:
        name = f"bench_floor_{uuid.uuid4().hex[:8]}"
        db = _Db(database, name if database == "postgres" else str(Path(tmp) / "floor.sqlite3"))
        if database == "postgres":
            _pg_admin(f"CREATE DATABASE {name}")
        try:
            _setup(db, procs * threads)
            ctx = multiprocessing.get_context("spawn")
            out = ctx.Queue()
            wallets = list(range(1, procs * threads + 1))
            ps = [
                ctx.Process(target=_client, args=(db, wallets[k::procs], seconds, out))
                for k in range(procs)
            ]
            for p in ps:
                p.start()
            lat = [x for _ in ps for x in out.get()]
            for p in ps:
                p.join()
        finally:
            if database == "postgres":
                _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return len(lat) / seconds, lat


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(**PG, dbname="postgres", autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--clients", default="2x8", help="client processes x threads")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    procs, threads = (int(x) for x in args.clients.split("x"))
    rate, lat = floor(args.database, procs, threads, args.seconds)
    lat.sort()
    p50, p99 = lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.99)] * 1000
    print(f"raw floor ({args.database}, {args.clients}): {rate:.0f} payments/s, "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
