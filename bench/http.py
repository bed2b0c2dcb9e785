"""Foundation HTTP benchmark: /api/v1/health and the home page under the production server.

`mekong serve` (granian; ``MEKONG_SERVER=gunicorn`` for the other server) with 2 workers (4
threads each) on loopback, a freshly seeded SQLite database, load from wrk (2 threads, 16
connections). The raw baseline is a framework-free WSGI app under the same server and
settings, measured in the same run. Usage: `.venv/bin/python bench/http.py
[--seconds N]`. These figures are the baseline every module's HTTP benchmark compares with.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the standard library's `http` package: drop the script directory from
# the import path before anything imports `http.client`, and import from the repository root.
_here = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _here]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse  # noqa: E402

from bench._harness import platform_server, print_table, raw_wsgi_server, run_wrk  # noqa: E402
from mekong.cli import default_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    with raw_wsgi_server() as raw:
        baseline = run_wrk(
            "raw WSGI (baseline)", f"{raw}/", seconds=args.seconds, connections=args.connections
        )
    with platform_server() as url:
        results = [
            run_wrk(
                "GET /api/v1/health",
                f"{url}/api/v1/health",
                seconds=args.seconds,
                connections=args.connections,
            ),
            run_wrk(
                "GET /en/ (home page)",
                f"{url}/en/",
                seconds=args.seconds,
                connections=args.connections,
            ),
            run_wrk(
                "GET /th/ (home page, Thai)",
                f"{url}/th/",
                seconds=args.seconds,
                connections=args.connections,
            ),
        ]
    print(
        f"{default_server()} 2 workers × 4 threads, "
        f"wrk -t2 -c{args.connections} -d{args.seconds}s, SQLite"
    )
    print_table([baseline, *results], baseline)


if __name__ == "__main__":
    main()
