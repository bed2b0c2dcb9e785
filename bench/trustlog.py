"""Verifiable log benchmark: batched appends into the database, then root, inclusion and
consistency proof latency at the final size, side by side with pymerkle 7's SqliteTree.

Usage: `.venv/bin/python -m bench.trustlog [--entries N] [--batch B] [--queries Q] [--rounds R]`
(default 1,000,000 entries in batches of 100,000; 1,000 random proofs of each kind; with
``--rounds R``, R more append-only rounds, mekong and pymerkle alternating, on SQLite).

Both logs live in SQLite files in one temporary directory and receive the same leaves: the
platform appends ``(kind, payload)`` through `services.entries_append` (leaf encoding, hashing,
subtree hashes, one transaction per batch); pymerkle gets the identical leaf bytes through
``append_entries`` with the same batch size, so their roots must be equal (checked). pymerkle
is GPL-3.0: it is installed only into ``bench/.venv-pymerkle`` (gitignored), created on first
run, never into the project's environment, and runs in its own process. Latencies are medians
of warm calls (the first call is reported separately). No timing is asserted (docs/benchmarks.md).

Appends leave the leaf-hash lookup index behind (docs/adr/0009-trustlog-entry-bundles.md); the
script times the deferred update separately and prints a row with it added to the appends.
pymerkle runs with SQLite's defaults (an fsync per commit, more durable than the platform's WAL
with ``synchronous=NORMAL``); a second pymerkle run with the platform's settings is shown too.

Then, on the same log, receipts: ``facade.anchor`` (one entry, one checkpoint, one receipt per
call) against ``facade.anchor_many`` in batches of 1, 16 and 200 (one append, one checkpoint,
a receipt per entry), each row anchoring ``--anchors`` receipts (at least five batches), with
``--witnesses W`` witnesses served from threads of this process on ports 8600+ (default none,
like the payments benchmark). ``--anchors 0`` skips this part.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/http.py shadows the standard library's `http` package: drop the script directory
# from the import path before Django imports `http.cookies`.
_here = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _here]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PYMERKLE_VENV = REPO / "bench" / ".venv-pymerkle"
PYMERKLE_VERSION = "7.0.0"

# Runs inside the pymerkle environment: reads the leaves, measures, prints JSON.
PYMERKLE_SCRIPT = r"""
import json, random, statistics, struct, sys, time
from pymerkle import SqliteTree

leaves_file, db_file, batch, queries, seed, durability = sys.argv[1:7]
batch, queries = int(batch), int(queries)
data = open(leaves_file, "rb").read()
leaves, pos = [], 0
while pos < len(data):
    (n,) = struct.unpack_from(">I", data, pos)
    leaves.append(data[pos + 4 : pos + 4 + n])
    pos += 4 + n
tree = SqliteTree(db_file)
if durability == "wal":
    # The platform's settings (WAL, synchronous=NORMAL) instead of SQLite's defaults
    # (rollback journal, synchronous=FULL), which pymerkle keeps.
    tree.con.execute("PRAGMA journal_mode=WAL")
    tree.con.execute("PRAGMA synchronous=NORMAL")
t0 = time.perf_counter()
for i in range(0, len(leaves), batch):
    tree.append_entries(leaves[i : i + batch], chunksize=batch)
append_s = time.perf_counter() - t0
size = tree.get_size()
rng = random.Random(int(seed))
if not queries:
    print(json.dumps({"append_s": append_s, "size": size}))
    sys.exit(0)

def timed(fn, args):
    first = None
    out = []
    for a in args:
        t = time.perf_counter()
        fn(*a)
        dt = time.perf_counter() - t
        if first is None:
            first = dt
        else:
            out.append(dt)
    return {"first_ms": first * 1e3, "median_ms": statistics.median(out) * 1e3,
            "p99_ms": sorted(out)[int(len(out) * 0.99) - 1] * 1e3}

t = time.perf_counter()
root = tree.get_root(size)
root_cold = time.perf_counter() - t
result = {
    "append_s": append_s,
    "size": size,
    "root_hex": root.hex(),
    "root_cold_ms": root_cold * 1e3,
    "root": timed(tree.get_root, [(size,)] * 200),
    # pymerkle indices are 1-based.
    "inclusion": timed(tree.prove_inclusion,
                       [(rng.randrange(size) + 1, size) for _ in range(queries)]),
    "consistency": timed(tree.prove_consistency,
                         [(rng.randrange(1, size), size) for _ in range(queries)]),
}
print(json.dumps(result))
"""


def timed(fn: Callable[..., object], args: list[tuple[Any, ...]]) -> dict[str, float]:
    """Call ``fn`` once per argument tuple: first-call time, then median and p99 of the rest."""
    first: float | None = None
    out: list[float] = []
    for a in args:
        t = time.perf_counter()
        fn(*a)
        dt = time.perf_counter() - t
        if first is None:
            first = dt
        else:
            out.append(dt)
    assert first is not None
    return {
        "first_ms": first * 1e3,
        "median_ms": statistics.median(out) * 1e3,
        "p99_ms": sorted(out)[max(0, int(len(out) * 0.99) - 1)] * 1e3,
    }


def ensure_pymerkle() -> Path:
    """Create bench/.venv-pymerkle with pymerkle pinned (only there), return its python."""
    python = PYMERKLE_VENV / "bin" / "python"
    probe = [str(python), "-c", "import pymerkle, sys; sys.exit(pymerkle.__version__ != '7.0.0')"]
    if python.exists() and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return python
    print(f"creating {PYMERKLE_VENV} with pymerkle {PYMERKLE_VERSION} (GPL, benchmark only)")
    subprocess.run([sys.executable, "-m", "venv", str(PYMERKLE_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         f"pymerkle=={PYMERKLE_VERSION}"],
        check=True,
    )  # fmt: skip
    return python


def setup_django(tmp: Path, database_url: str | None) -> None:
    """Configure the platform on a fresh database in ``tmp`` and migrate it."""
    sys.path.insert(0, str(REPO / "src"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "mekong.settings",
            "MEKONG_VAR_DIR": str(tmp),
            "SECRET_KEY": "bench-secret-key",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": database_url or f"sqlite:///{tmp / 'mekong.sqlite3'}",
            "TRUSTLOG_WITNESSES": "",
        }
    )
    from mekong.trustlog.note import NoteSigner

    os.environ["TRUSTLOG_SIGNER_KEY"] = NoteSigner.generate("bench.example/log").encode_skey()
    os.environ.pop("TRUSTLOG_ORIGIN", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def run_platform(
    entries: int,
    batch: int,
    queries: int,
    seed: int,
    leaves_file: Path,
    full_hash_index: bool = False,
) -> dict[str, Any]:
    """Append ``entries`` in batches, export the leaf bytes, time roots and proofs."""
    from django.db import connection

    from mekong.trustlog import selectors, services

    if full_hash_index:
        # The schema before migration 0003: the whole 32-byte hash indexed (for A/B runs).
        with connection.cursor() as c:
            c.execute("DROP INDEX trustlog_leaf_key")
            c.execute("CREATE INDEX trustlog_leaf_hash_full ON trustlog_logentry (leaf_hash)")
    payloads = [b"payment %010d amount=%d THB" % (i, (i * 7919) % 100000) for i in range(entries)]
    t0 = time.perf_counter()
    for i in range(0, entries, batch):
        services.entries_append(items=[("bench.payment", p) for p in payloads[i : i + batch]])
    append_s = time.perf_counter() - t0

    from mekong.trustlog.bundles import bundle_leaves

    with leaves_file.open("wb") as f, connection.cursor() as c:
        # Complete bundles of 256 entries, then the edge rows (docs/adr/0009).
        c.execute("SELECT leaves FROM trustlog_entrybundle ORDER BY id")
        for (blob,) in c.fetchall():
            for raw in bundle_leaves(bytes(blob)):
                f.write(struct.pack(">I", len(raw)) + raw)
        c.execute("SELECT leaf FROM trustlog_logentry ORDER BY idx")
        for (leaf,) in c.fetchall():
            raw = bytes(leaf)
            f.write(struct.pack(">I", len(raw)) + raw)

    from mekong.trustlog import services as _services

    size = selectors.log_size()
    rng = random.Random(seed)
    # Appends leave the leaf-hash lookup index behind (docs/adr/0009); this is the work they
    # deferred, done as one update (after a checkpoint in production).
    t = time.perf_counter()
    _services.lookup_index_update()
    index_s = time.perf_counter() - t
    probes = [selectors.entry_get(rng.randrange(size)).leaf_hash for _ in range(queries)]
    t = time.perf_counter()
    root = selectors.root_at(size)
    root_cold = time.perf_counter() - t
    inclusion = [(rng.randrange(size), size) for _ in range(queries)]
    consistency = [(rng.randrange(1, size), size) for _ in range(queries)]
    return {
        "append_s": append_s,
        "index_s": index_s,
        "lookup": timed(selectors.entry_find, [(h,) for h in probes]),
        "size": size,
        "root_hex": root.hex(),
        "root_cold_ms": root_cold * 1e3,
        "root": timed(selectors.root_at, [(size,)] * 200),
        "inclusion": timed(selectors.inclusion_proof_at, inclusion),
        "consistency": timed(selectors.consistency_proof_between, consistency),
    }


#: Ports of the witnesses the anchoring rows use (``--witnesses``).
WITNESS_BASE_PORT = 8600
#: Batch sizes of the ``anchor_many`` rows.
ANCHOR_BATCHES = (1, 16, 200)


def _receipt_payload(i: int) -> bytes:
    """About the size of a payment summary (docs/modules/payments.md)."""
    return (
        b'{"completed_at":"2026-12-05T05:00:00.000000+00:00","destination":{"amount":%d,'
        b'"currency":"LAK"},"fee":{"amount":1500,"currency":"VND"},"fx_provider":"FXP1",'
        b'"ledger_transfers":["%032x","%032x"],"payment_id":"%032x","rate":"0.8734",'
        b'"receiver_psp":"LA-BCEL","refund_of":null,"sandbox":false,"sender_psp":"VN-VCB",'
        b'"source":{"amount":200000,"currency":"VND"},"status":"completed"}'
    ) % (i * 7919 % 1000000, 2 * i, 2 * i + 1, i)


def run_anchors(per_row: int, witness_count: int, tmp: Path) -> list[tuple[str, int, int, float]]:
    """Time ``anchor`` and ``anchor_many`` on the log as it is.

    Returns ``(label, batch size, calls, seconds)`` rows, each anchoring about ``per_row``
    receipts. Every receipt is verified afterwards (untimed), so that a fast but broken path
    cannot pass unnoticed.
    """
    import contextlib

    from mekong.trustlog import config, facade
    from mekong.trustlog.note import CosignatureSigner, VerifierKey
    from mekong.trustlog.witness import Witness, WitnessState, running

    rows: list[tuple[str, int, int, float]] = []
    with contextlib.ExitStack() as stack:
        entries = []
        log_vkey = config.log_config().verifier_key
        for i in range(witness_count):
            port = WITNESS_BASE_PORT + i
            signer = CosignatureSigner.generate(f"w{i}.witness.bench")
            state = WitnessState(tmp / f"w{i}.json")
            stack.callback(state.close)
            witness = Witness(signer, [VerifierKey.parse(log_vkey)], state)
            stack.enter_context(running(witness, "127.0.0.1", port))
            entries.append(f"{signer.verifier.encode()}=http://127.0.0.1:{port}")
        os.environ["TRUSTLOG_WITNESSES"] = ",".join(entries)
        config.clear_cache()
        keys = facade.witness_keys()
        made: list[Any] = [facade.anchor("bench.receipt", b"warm-up")]  # first checkpoint
        n = 0

        def items(count: int) -> list[tuple[str, bytes]]:
            nonlocal n
            n += count
            return [("bench.receipt", _receipt_payload(i)) for i in range(n - count, n)]

        singles = items(per_row)
        t = time.perf_counter()
        made += [facade.anchor(kind, payload) for kind, payload in singles]
        rows.append(("anchor", 1, per_row, time.perf_counter() - t))
        for size in ANCHOR_BATCHES:
            calls = max(5, per_row // size)
            batches = [items(size) for _ in range(calls)]
            t = time.perf_counter()
            for batch in batches:
                made += facade.anchor_many(batch)
            rows.append((f"anchor_many, batches of {size}", size, calls, time.perf_counter() - t))
        bad = [
            r.entry.index
            for r in made
            if not facade.verify_receipt(r, log_vkey, keys, len(keys)).valid
        ]
        if bad:
            raise SystemExit(f"receipts that do not verify: {bad[:5]}")
        os.environ["TRUSTLOG_WITNESSES"] = ""
        config.clear_cache()
    return rows


def append_only(entries: int, batch: int) -> float:
    """Child process of ``--rounds``: append into a fresh database, return the seconds taken."""
    from mekong.trustlog import services

    payloads = [b"payment %010d amount=%d THB" % (i, (i * 7919) % 100000) for i in range(entries)]
    t0 = time.perf_counter()
    for i in range(0, entries, batch):
        services.entries_append(items=[("bench.payment", p) for p in payloads[i : i + batch]])
    return time.perf_counter() - t0


def alternate_appends(
    args: argparse.Namespace, python: Path, leaves_file: Path, tmp: Path
) -> list[tuple[float, float]]:
    """Append rates (mekong, pymerkle), each in a fresh SQLite file and process, alternating,
    so that both see the same machine load as nearly as a shared machine allows."""
    rates = []
    for r in range(args.rounds):
        ours = subprocess.run(
            [sys.executable, "-m", "bench.trustlog", "--child-append", "--entries",
             str(args.entries), "--batch", str(args.batch)],
            capture_output=True, text=True, check=True, cwd=REPO,
        )  # fmt: skip
        theirs = subprocess.run(
            [str(python), "-c", PYMERKLE_SCRIPT, str(leaves_file), str(tmp / f"pm-{r}.db"),
             str(args.batch), "0", str(args.seed), "default"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        rates.append(
            (
                args.entries / float(ours.stdout.strip().splitlines()[-1]),
                args.entries / json.loads(theirs.stdout)["append_s"],
            )
        )
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--no-pymerkle", action="store_true", help="skip the comparison")
    parser.add_argument(
        "--full-hash-index",
        action="store_true",
        help="index the whole leaf hash instead of its 8-byte prefix (the old schema)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=0,
        help="afterwards, time appends N more times, mekong and pymerkle alternating",
    )
    parser.add_argument(
        "--anchors",
        type=int,
        default=400,
        help="receipts per anchoring row (anchor vs anchor_many; 0: skip them)",
    )
    parser.add_argument(
        "--witnesses",
        type=int,
        default=0,
        choices=range(10),
        help="witnesses (threads of this process) for the anchoring rows",
    )
    parser.add_argument("--child-append", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rounds and args.database_url:
        parser.error("--rounds runs on fresh SQLite files only")
    if args.child_append:
        with tempfile.TemporaryDirectory(prefix="mekong-bench-trustlog-") as tmp_name:
            setup_django(Path(tmp_name), args.database_url)
            print(append_only(args.entries, args.batch))
        return
    if args.entries < 2 or args.batch < 1 or args.queries < 2:
        parser.error("need --entries >= 2, --batch >= 1, --queries >= 2")

    with tempfile.TemporaryDirectory(prefix="mekong-bench-trustlog-") as tmp_name:
        tmp = Path(tmp_name)
        setup_django(tmp, args.database_url)
        leaves_file = tmp / "leaves.bin"
        ours = run_platform(
            args.entries, args.batch, args.queries, args.seed, leaves_file, args.full_hash_index
        )
        theirs: dict[str, Any] | None = None
        theirs_wal: dict[str, Any] | None = None
        rounds: list[tuple[float, float]] = []
        if not args.no_pymerkle:
            python = ensure_pymerkle()

            def pymerkle(db: str, queries: int, durability: str) -> dict[str, Any]:
                done = subprocess.run(
                    [str(python), "-c", PYMERKLE_SCRIPT, str(leaves_file), str(tmp / db),
                     str(args.batch), str(queries), str(args.seed), durability],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                result: dict[str, Any] = json.loads(done.stdout)
                return result

            theirs = pymerkle("pymerkle.db", args.queries, "default")
            theirs_wal = pymerkle("pymerkle-wal.db", 0, "wal")
            if args.rounds:
                rounds = alternate_appends(args, python, leaves_file, tmp)
        anchors = run_anchors(args.anchors, args.witnesses, tmp) if args.anchors > 0 else []
        from django.db import connection

        vendor = connection.vendor

    n = ours["size"]
    print(
        f"trustlog vs pymerkle {PYMERKLE_VERSION} SqliteTree: {n:,} entries, batches of "
        f"{args.batch:,}, {args.queries:,} random proofs each; mekong on {vendor}"
    )
    if theirs is not None:
        same = "equal" if theirs["root_hex"] == ours["root_hex"] else "DIFFERENT"
        print(f"roots at size {n:,}: {same} ({ours['root_hex'][:16]}…)")
    rows: list[tuple[str, float, float | None, bool]] = [
        # (label, ours, theirs, higher is better)
        ("append, entries/s (batched)", n / ours["append_s"],
         theirs and theirs["size"] / theirs["append_s"], True),
        ("  same, pymerkle in WAL/NORMAL", n / ours["append_s"],
         theirs_wal and theirs_wal["size"] / theirs_wal["append_s"], True),
        ("  append + lookup index, /s", n / (ours["append_s"] + ours["index_s"]),
         theirs and theirs["size"] / theirs["append_s"], True),
        ("root, first call, ms", ours["root_cold_ms"], theirs and theirs["root_cold_ms"], False),
        ("root, median ms", ours["root"]["median_ms"],
         theirs and theirs["root"]["median_ms"], False),
        ("inclusion proof, median ms", ours["inclusion"]["median_ms"],
         theirs and theirs["inclusion"]["median_ms"], False),
        ("inclusion proof, p99 ms", ours["inclusion"]["p99_ms"],
         theirs and theirs["inclusion"]["p99_ms"], False),
        ("consistency proof, median ms", ours["consistency"]["median_ms"],
         theirs and theirs["consistency"]["median_ms"], False),
        ("consistency proof, p99 ms", ours["consistency"]["p99_ms"],
         theirs and theirs["consistency"]["p99_ms"], False),
        ("lookup by leaf hash, median ms", ours["lookup"]["median_ms"], None, False),
    ]  # fmt: skip
    print(f"{'operation':<32} {'mekong':>12} {'pymerkle':>12} {'advantage':>10}")
    for label, mine, other, higher_better in rows:
        if other is None:
            print(f"{label:<32} {mine:>12,.3f} {'-':>12} {'-':>10}")
            continue
        ratio = (mine / other) if higher_better else (other / mine)
        print(f"{label:<32} {mine:>12,.3f} {other:>12,.3f} {ratio:>9.2f}x")
    print("advantage = how many times better mekong is (>1: mekong ahead)")
    if rounds:
        print(f"appends alone, {len(rounds)} rounds alternating (fresh database and process each):")
        for i, (mine, other) in enumerate(rounds, 1):
            ratio = mine / other
            print(f"  round {i}: mekong {mine:,.0f}/s, pymerkle {other:,.0f}/s, {ratio:.2f}x")
        med_ratio = statistics.median(m / o for m, o in rounds)
        print(f"  median ratio {med_ratio:.2f}x")
    print(
        f"lookup index update after the appends (deferred from them): {ours['index_s']:.3f} s;"
        " pymerkle has no lookup by leaf hash."
    )
    print(
        "pymerkle's SqliteTree runs with SQLite's defaults (rollback journal, synchronous=FULL:"
        " an fsync per commit); mekong with the platform's WAL and synchronous=NORMAL. The"
        " 'WAL/NORMAL' row reruns pymerkle's appends with mekong's settings."
    )
    if anchors:
        print()
        print(
            f"receipts on the same log ({vendor}, {args.witnesses} witnesses over loopback HTTP):"
            " anchor = one entry + one checkpoint per call; anchor_many = one append + one"
            " checkpoint per batch"
        )
        print(f"{'operation':<32} {'receipts/s':>12} {'ms/call':>10} {'vs anchor':>10}")
        base = anchors[0][1] * anchors[0][2] / anchors[0][3]
        for label, size, calls, seconds in anchors:
            per_s = calls * size / seconds
            ms = seconds / calls * 1e3
            print(f"{label:<32} {per_s:>12,.1f} {ms:>10.2f} {per_s / base:>9.2f}x")


if __name__ == "__main__":
    main()
