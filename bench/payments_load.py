"""Payments over HTTP, one line per run: rate, p50/p99/p99.9, the workers' CPU per payment and the
machine's idle share — for before/after comparisons and server shapes.

The same server and corridor as the HTTP part of `bench/payments.py` (a scratch database
seeded with the demo; 16 client threads, each paying from its own wallet; one payment =
``POST /quotes`` + ``POST /payments``), without its baselines. The client is
`bench/loadgen.c` unless ``--client python`` (2 processes × 8 threads, as bench/payments.py
without a C compiler): the C client leaves the two cores to the server, so the idle share below is
the server's own. It adds
what a comparison needs: the CPU the server's workers spent per payment (from
``/proc/<pid>/stat``) and how much of the two cores stayed idle (``/proc/stat``), and, with
``--py-spy DIR``, a py-spy raw profile of each worker (``--gil``: only the thread holding
the GIL) when py-spy is installed. To compare two commits, check the older one out in a
worktree and put its ``src`` first on ``PYTHONPATH``; alternate the runs, the machine is noisy:

    git worktree add /tmp/old <commit>
    PYTHONPATH=/tmp/old/src .venv/bin/python -m bench.payments_load --runs 2
    .venv/bin/python -m bench.payments_load --runs 2

Usage: ``.venv/bin/python -m bench.payments_load [--seconds 10] [--database sqlite]
[--server 2x8] [--http-server granian|gunicorn|granian,gunicorn] [--clients 16]
[--receipts inline] [--runs 1] [--client c|python] [--py-spy DIR]`` (Linux only).
``--http-server granian,gunicorn`` alternates the two servers in every run, over the same
database, with fresh wallets for each. The servers warm up as in production; set
``MEKONG_WARM_UP=off`` to measure without it (docs/adr/0015-worker-warm-up.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

_here = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _here]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402

from bench import payments as bp  # noqa: E402
from mekong.cli import SERVERS, default_server  # noqa: E402


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(p) for p in out.stdout.split()]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cores() -> list[int]:
    return [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]


def _server_pid(port: int) -> int:
    """The server's master process listening on ``port`` (the oldest process naming it:
    gunicorn's argv has ``127.0.0.1:PORT``, granian's ``--port PORT``)."""
    out = subprocess.run(
        ["pgrep", "-o", "-f", f"127.0.0.1:{port}( |$)|--port {port}( |$)"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.split()[0])


def run(env: dict[str, str], args: argparse.Namespace, jobs: list[dict[str, object]]) -> str:
    workers, threads = (int(x) for x in args.server.split("x"))
    with bp.server(env, workers=workers, threads=threads) as port:
        bp.drive(port, jobs[:2], "payment", 1, 1.0)  # warm the workers up
        pids = _children(_server_pid(port))
        before = {p: _cpu_seconds(p) for p in pids}
        spies = []
        spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        if args.py_spy and Path(spy).exists():
            Path(args.py_spy).mkdir(parents=True, exist_ok=True)
            for p in pids:
                out = f"{args.py_spy}/spy.{p}.txt"
                argv = [spy, "record", "-p", str(p), "-d", str(int(args.seconds)), "-r", "200",
                        "-f", "raw", "--gil", "--nonblocking", "-o", out]  # fmt: skip
                spies.append(
                    subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                )
        cores0 = _cores()
        rate, lat, errors, _ = bp.drive(port, jobs, "payment", 2, args.seconds, args.client)
        cores1 = _cores()
        used = sum(_cpu_seconds(p) - before[p] for p in pids)
        for s in spies:
            s.wait()
    delta = [b - a for a, b in zip(cores0, cores1, strict=True)]
    idle = (delta[3] + delta[4]) / max(sum(delta), 1)
    paid = max(rate * args.seconds, 1)
    return (
        f"{rate:6.0f}/s  p50 {bp._pct(lat, 0.5) * 1000:4.0f} ms  "
        f"p99 {bp._pct(lat, 0.99) * 1000:4.0f} ms  p99.9 {bp._pct(lat, 0.999) * 1000:4.0f} ms  "
        f"errors {errors}  "
        f"worker CPU {used / paid * 1000:5.2f} ms/payment  idle {idle:4.0%}  "
        f"load {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--server", default="2x8", help="server workers x threads")
    parser.add_argument(
        "--http-server", default="",
        help="what `mekong serve` runs: granian, gunicorn, or both alternated in each run "
        "(granian,gunicorn); default: $MEKONG_SERVER, else granian",
    )  # fmt: skip
    parser.add_argument("--receipts", choices=("inline", "deferred"), default="inline")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--clients", type=int, default=16,
        help="concurrent clients (closed loop, each paying from its own wallet)",
    )  # fmt: skip
    parser.add_argument(
        "--client", choices=("c", "python"), default="c",
        help="load generator: bench/loadgen.c (default) or 2 Python processes x 8 threads",
    )  # fmt: skip
    parser.add_argument("--py-spy", help="directory for py-spy raw profiles of the workers")
    args = parser.parse_args()
    servers = args.http_server.split(",") if args.http_server else [default_server()]
    unknown = set(servers) - set(SERVERS)
    if unknown:
        parser.error(f"--http-server: unknown {', '.join(sorted(unknown))}")
    import mekong

    print(
        f"mekong from {Path(mekong.__file__).parent}; {args.database}, "
        f"{','.join(servers)} {args.server}, "
        f"{args.clients} clients, "
        f"client {args.client}"
    )
    with bp.scratch_env(args.database) as env:
        env["PAYMENTS_RECEIPTS"] = args.receipts
        bp.setup_django(env)
        from django.db import connections

        for _ in range(args.runs):
            for name in servers:
                env["MEKONG_SERVER"] = name
                # Fresh wallets each run, of the full KYC tier: a standard wallet's daily
                # limit (USD 5,000) lasts ~1,250 payments, so a run of more than ~40 s at
                # 450/s was refused its limit ("limit exceeded", counted as errors); the
                # full tier's USD 50,000 lasts ten times as long. The checks are the same.
                jobs = bp.make_wallets(args.clients, kyc_tier=3)
                connections.close_all()
                label = f"{name:<9} " if len(servers) > 1 else ""
                print(label + run(env, args, jobs), flush=True)


if __name__ == "__main__":
    main()
