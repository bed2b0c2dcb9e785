"""Marketplace HTTP benchmark: the product page and the search page under the production server,
next to the foundation's /api/v1/health and the raw WSGI baseline, in the same run.

`mekong serve` (granian by default) 2 workers × 4 threads on loopback over a fresh SQLite
database with the demo seed (35 products in six languages), plus ``--products N`` synthetic
products made like bench/search.py's; load from wrk (2 threads, 16 connections). The search
page renders 20 cards with prices in the visitor's currency and the facets (country, category,
stock, price range), which count every match. Usage: ``.venv/bin/python -m bench.marketplace_http
[--seconds N] [--products N]``; set ``MEKONG_BENCH_PORTS=8460-8469`` to keep servers in a
port range. Benchmarks never assert timings (docs/benchmarks.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/http.py shadows the standard library's `http` package: drop the script directory from
# the import path, and import from the repository root.
_here = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _here]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse  # noqa: E402
import os  # noqa: E402
import urllib.parse  # noqa: E402

from bench._harness import (  # noqa: E402
    PYTHON,
    REPO,
    Result,
    platform_server,
    raw_wsgi_server,
    run_wrk,
)
from mekong.cli import default_server  # noqa: E402

PRODUCT = "la-bolaven-arabica"
"""A demo product (Lao coffee, translated into all six languages)."""

SEARCHES = [
    ("en", "coffee"),
    ("vi", "ca phe"),
    ("th", "ข้าวหอม"),
]


def _add_products(n: int) -> None:
    """Child mode: add ``n`` synthetic products to the server's database (its environment)."""
    sys.path.insert(0, str(REPO / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
    import django

    django.setup()
    from bench.search import add_products

    add_products(n)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--products", type=int, default=0, help="synthetic products to add")
    parser.add_argument("--add-products", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.add_products is not None:
        _add_products(args.add_products)
        return

    def wrk(name: str, url: str) -> Result:
        return run_wrk(name, url, seconds=args.seconds, connections=args.connections)

    with raw_wsgi_server() as raw:
        baseline = wrk("raw WSGI (baseline)", f"{raw}/")
    prepare = (
        [[PYTHON, "-m", "bench.marketplace_http", "--add-products", str(args.products)]]
        if args.products
        else []
    )
    with platform_server(prepare=prepare) as url:
        health = wrk("GET /api/v1/health", f"{url}/api/v1/health")
        results = [
            health,
            wrk("GET product page (en)", f"{url}/en/marketplace/products/{PRODUCT}/"),
            wrk("GET product page (th)", f"{url}/th/marketplace/products/{PRODUCT}/"),
        ]
        for lang, query in SEARCHES:
            q = urllib.parse.quote(query)
            results.append(
                wrk(f"GET search page ({lang}) q={query}", f"{url}/{lang}/marketplace/?q={q}")
            )
    catalogue = 35 + args.products
    print(
        f"{default_server()} 2 workers × 4 threads, "
        f"wrk -t2 -c{args.connections} -d{args.seconds}s, "
        f"SQLite, {catalogue:,} products; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'target':<38} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>9} {'errors':>7} "
        f"{'vs raw':>7} {'vs health':>10}"
    )
    for r in [baseline, *results]:
        print(
            f"{r.name:<38} {r.rps:>8.0f} {r.p50_ms:>8.2f} {r.p99_ms:>9.2f} {r.errors:>7} "
            f"{r.rps / baseline.rps:>6.2f}x {r.rps / health.rps:>9.2f}x"
        )


if __name__ == "__main__":
    main()
