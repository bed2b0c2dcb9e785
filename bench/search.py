"""Marketplace search latency and recall: our search next to a naive LIKE scan, per database.

For each database (SQLite, and PostgreSQL when reachable), in a scratch database migrated by
this script: the 35-product catalogue of the relevance set plus N synthetic products (default
100,000, ``--products``) in six languages, written the way Thai, Lao, Khmer and Burmese are
written (no spaces between words), each with a source-language and an English translation.
Then, per script and query length (1–2 code points: the short-query path; ≥ 3: the trigram
index), p50/p95/p99 latency of

- *search*: ``search_products`` (ranked top 20 and the total count, no facets; the count stops
  at ``search.COUNT_CAP`` = 1,000 products and says so, see the module docstring);
- *naive*: ``SELECT DISTINCT product_id ... WHERE title LIKE '%q%' OR description LIKE '%q%'``
  on the stored (unfolded) translations, the baseline a first version would write.

Recall on the relevance set: the share of expected products that each method matches at all
(the naive scan misses Vietnamese typed without tones, Zawgyi, ໜ/ຫນ and case).
Usage: ``.venv/bin/python bench/search.py [--products N] [--only sqlite]``. Timings are
wall-clock on a shared machine: compare within a run. tantivy is not measured yet.
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
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
REPEAT = 15

# Words per language; th/lo/km/my titles are glued together without spaces.
WORDS: dict[str, list[str]] = {
    "th": [
        "กาแฟ",
        "ดอย",
        "ช้าง",
        "คั่ว",
        "กลาง",
        "ผ้า",
        "ไหม",
        "ทอ",
        "มือ",
        "ข้าว",
        "หอม",
        "มะลิ",
        "ชา",
        "เขียว",
        "พริกไทย",
        "น้ำปลา",
        "ไม้ไผ่",
        "สาน",
        "เมล็ด",
        "อาราบิก้า",
        "เชียงราย",
        "สุรินทร์",
        "ขาว",
        "ดำ",
        "แท้",
    ],
    "lo": [
        "ກາເຟ",
        "ພູພຽງ",
        "ບໍລະເວນ",
        "ປາກຊ່ອງ",
        "ເຂົ້າໜຽວ",
        "ຜ້າ",
        "ໄໝ",
        "ລາວ",
        "ຊາ",
        "ໄມ້ໄຜ່",
        "ສານ",
        "ເມັດ",
        "ຄົ່ວ",
        "ແຂວງ",
        "ຕ່ຳມື",
    ],
    "km": [
        "ម្រេច",
        "ខ្មៅ",
        "កំពត",
        "អង្ករ",
        "ផ្កាម្លិះ",
        "ក្រមា",
        "សូត្រ",
        "ស្ករ",
        "ត្នោត",
        "កាហ្វេ",
        "ប្រាក់",
        "ក្រហម",
        "ធម្មជាតិ",
    ],
    "my": ["ရှမ်း", "လက်ဖက်", "ကော်ဖီ", "ပိုး", "ပုဆိုး", "ဆန်", "သနပ်ခါး", "ယွန်းထည်", "စေ့", "ခြောက်", "သုပ်", "မွှေး"],
    "vi": [
        "cà",
        "phê",
        "rang",
        "xay",
        "Đắk",
        "Lắk",
        "Đà",
        "Lạt",
        "tiêu",
        "đen",
        "gạo",
        "thơm",
        "lụa",
        "tơ",
        "tằm",
        "nón",
        "lá",
        "nước",
        "mắm",
        "trà",
        "hạt",
    ],
    "en": [
        "coffee",
        "arabica",
        "robusta",
        "pepper",
        "black",
        "red",
        "rice",
        "jasmine",
        "silk",
        "scarf",
        "tea",
        "basket",
        "bamboo",
        "hand-woven",
        "roasted",
        "organic",
    ],
}
GLUED = {"th", "lo", "km", "my"}

# script → (short queries of 1–2 code points, queries of ≥ 3)
QUERIES: dict[str, tuple[list[str], list[str]]] = {
    "Thai": (["ชา", "ไห"], ["ดอยช้าง", "ไหม", "ข้าวหอม"]),
    "Lao": (["ໄໝ", "ຊາ"], ["ກາເຟ", "ປາກຊ່ອງ", "ເຂົ້າຫນຽວ"]),
    "Khmer": (["ពត", "ស្"], ["កំពត", "សូត្រ", "ផ្កាម្លិះ"]),
    "Burmese": (["ဆန", "ပိ"], ["ကော်ဖီ", "ပိုး", "လက်ဖက်"]),
    "Vietnamese": (["ca", "lá"], ["ca phe", "tơ tằm", "dak lak"]),
    "English": (["te", "ri"], ["coffee", "silk scarf", "arabica"]),
}


def _title(rng: random.Random, lang: str) -> str:
    words = rng.sample(WORDS[lang], rng.randint(3, 6))
    return ("" if lang in GLUED else " ").join(words)


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return qs[49], qs[94], qs[98]


def _build(n: int) -> None:
    from mekong.identity.services import organisation_create
    from mekong.marketplace.catalogue import SELLERS
    from mekong.marketplace.demo import load_catalogue

    org_ids = {
        slug: organisation_create(name=slug, kind="sme", country=c).pk
        for slug, (c, _v) in SELLERS.items()
    }
    load_catalogue(org_ids)
    add_products(n)


def add_products(n: int) -> None:
    """Add ``n`` synthetic products (``bench-<i>``) to the existing sellers, with search rows."""
    from mekong.core.countries import country
    from mekong.core.text import exact_key, normalize_text, search_key
    from mekong.marketplace.models import Product, ProductTranslation, SearchEntry, Seller

    sellers = list(Seller.objects.all())
    lang_of = {"TH": "th", "LA": "lo", "KH": "km", "MM": "my", "VN": "vi"}
    rng = random.Random(5)
    chunk = 5_000
    for start in range(0, n, chunk):
        products, texts = [], []
        for i in range(start, min(n, start + chunk)):
            seller = rng.choice(sellers)
            lang = lang_of[seller.country]
            products.append(
                Product(
                    seller=seller,
                    slug=f"bench-{i}",
                    category="coffee",
                    hs_code="0901",
                    price_minor=rng.randint(100, 10_000_000),
                    currency=country(seller.country).currency,
                    stock=rng.randint(0, 5),
                    origin_country=seller.country,
                    source_language=lang,
                )
            )
            texts.append(
                {
                    lang: (_title(rng, lang), _title(rng, lang)),
                    "en": (_title(rng, "en"), _title(rng, "en")),
                }
            )
        Product.objects.bulk_create(products)
        created = Product.objects.filter(slug__in=[p.slug for p in products]).in_bulk(
            field_name="slug"
        )
        rows = [
            ProductTranslation(
                product=created[p.slug],
                language=lang,
                title=normalize_text(title),
                description=normalize_text(desc, multiline=True),
            )
            for p, t in zip(products, texts, strict=True)
            for lang, (title, desc) in t.items()
        ]
        ProductTranslation.objects.bulk_create(rows)
        saved = ProductTranslation.objects.filter(product__in=list(created.values()))
        SearchEntry.objects.bulk_create(
            [
                SearchEntry(
                    translation=tr,
                    product_id=tr.product_id,
                    title_folded=search_key(tr.title),
                    description_folded=search_key(tr.description),
                    title_exact=exact_key(tr.title),
                    description_exact=exact_key(tr.description),
                )
                for tr in saved
            ]
        )


def run_one(vendor: str, database_url: str, products: int) -> dict[str, Any]:
    """Build the data and measure one database in this process."""
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

    from mekong.marketplace.search import matching_entries, query_terms, search_products
    from mekong.marketplace.tests.relevance import CASES

    call_command("migrate", verbosity=0, interactive=False)
    t0 = time.perf_counter()
    _build(products)
    build_s = time.perf_counter() - t0
    if vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    mark = "?" if vendor == "sqlite" else "%s"
    naive_sql = (
        "SELECT DISTINCT product_id FROM marketplace_producttranslation "
        f"WHERE title LIKE {mark} OR description LIKE {mark}"
    )

    def naive(q: str) -> list[int]:
        with connection.cursor() as cur:
            cur.execute(naive_sql, [f"%{q}%", f"%{q}%"])
            return [r[0] for r in cur.fetchall()]

    latency: dict[str, dict[str, list[float]]] = {}
    for script, (short, long) in QUERIES.items():
        for length, queries in (("1-2", short), ("3+", long)):
            ours, base = [], []
            for q in queries:
                search_products(q, with_facets=False)  # warm the caches
                for _ in range(REPEAT):
                    t = time.perf_counter()
                    search_products(q, with_facets=False)
                    ours.append((time.perf_counter() - t) * 1000)
                    t = time.perf_counter()
                    naive(q)
                    base.append((time.perf_counter() - t) * 1000)
            latency[f"{script} {length}"] = {"search": ours, "naive": base}
    recall: dict[str, list[int]] = {}
    for script, query, expected in CASES:
        _f, _e, terms = query_terms(query)
        found = set(
            matching_entries(terms)
            .filter(product__slug__in=expected)
            .values_list("product__slug", flat=True)
        )
        from mekong.marketplace.models import Product

        found_naive = set(
            Product.objects.filter(pk__in=naive(query), slug__in=expected).values_list(
                "slug", flat=True
            )
        )
        r = recall.setdefault(script, [0, 0, 0])
        r[0] += len(found)
        r[1] += len(found_naive)
        r[2] += len(expected)
    return {
        "vendor": vendor,
        "build_s": build_s,
        "latency": {k: {m: _percentiles(v) for m, v in d.items()} for k, d in latency.items()},
        "recall": recall,
    }


def _child(vendor: str, pg_url: str, products: int) -> dict[str, Any] | None:
    if vendor == "sqlite":
        with tempfile.TemporaryDirectory(prefix="mekong-bench-search-") as tmp:
            return _spawn(vendor, f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", products)
    import psycopg

    name = f"mekong_bench_search_{os.getpid()}"
    try:
        admin = psycopg.connect(pg_url.rsplit("/", 1)[0] + "/postgres", autocommit=True)
    except psycopg.OperationalError:
        print("PostgreSQL not reachable: skipped", file=sys.stderr)
        return None
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(
        f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' "
        "TEMPLATE template0"
    )
    try:
        return _spawn(vendor, pg_url.rsplit("/", 1)[0] + f"/{name}", products)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _spawn(vendor: str, url: str, products: int) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", vendor, "--url", url, "--products", str(products)]
    out = subprocess.run(args, check=False, capture_output=True, text=True, cwd=str(REPO))
    if out.returncode:
        sys.exit(f"{vendor} run failed:\n{out.stderr}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _print(rows: list[dict[str, Any]]) -> None:
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    head = f"{'database':<11} {'script, query length':<22} {'search p50/p95/p99 ms':>24}"
    print(f"{head} {'naive LIKE p50/p95/p99 ms':>27} {'p95 LIKE/search':>16}")
    for r in rows:
        for key, d in r["latency"].items():
            s, b = d["search"], d["naive"]
            print(
                f"{names[r['vendor']]:<11} {key:<22} {s[0]:>8.1f}{s[1]:>8.1f}{s[2]:>8.1f} "
                f"{b[0]:>9.1f}{b[1]:>9.1f}{b[2]:>9.1f} {b[1] / s[1]:>15.2f}x"
            )
    print(f"\n{'database':<11} {'relevance set':<18} {'search recall':>14} {'naive recall':>13}")
    for r in rows:
        for script, (ours, base, total) in sorted(r["recall"].items()):
            print(
                f"{names[r['vendor']]:<11} {script:<18} {ours / total:>14.0%} {base / total:>13.0%}"
            )
        print(f"{names[r['vendor']]}: data built in {r['build_s']:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(REPO / "src"))
        print(json.dumps(run_one(args.child, args.url, args.products)))
        return
    vendors = [args.only] if args.only else ["sqlite", "postgresql"]
    rows = [row for v in vendors if (row := _child(v, args.pg_url, args.products))]
    print(
        f"Marketplace search, {args.products:,} synthetic products + the relevance catalogue, "
        f"{datetime.now(tz=UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    _print(rows)


if __name__ == "__main__":
    main()
