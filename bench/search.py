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

- *tantivy*: the same translations (title and plain-text description, one document each) in a
  tantivy index (the Rust search library's Python binding, MIT) with its ``default`` tokenizer
  (splits at every character that is not alphanumeric, lowercases), the query parsed with every
  term required (``conjunction_by_default``), top 20 documents and the exact count. tantivy is
  not a project dependency: it is installed only into ``bench/.venv-tantivy`` (gitignored,
  created on first run from the package registry) and runs in its own process on data this
  script exports from the first database it builds (``--no-tantivy`` skips it).

Recall on the relevance set: the share of expected products that each method matches at all
(the naive scan misses Vietnamese typed without tones, Zawgyi, ໜ/ຫນ and case; tantivy's
tokenizer keeps a run of Thai, Lao, Khmer or Burmese letters as one token, cut only at marks
Unicode does not class as alphanumeric, such as Thai tone marks, the Khmer coeng and the Burmese
asat: "กาแฟดอยช้างคั่วกลาง" indexes as กาแฟดอยช / างคั / วกลาง, so ดอย or กาแฟ finds nothing).
Usage: ``.venv/bin/python -m bench.search [--products N] [--only sqlite] [--no-tantivy]``.
Timings are wall-clock on a shared machine: compare within a run.
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
TANTIVY_VENV = REPO / "bench" / ".venv-tantivy"
TANTIVY_VERSION = "0.27.0"

# Runs inside the tantivy environment: reads the documents and the queries, prints JSON.
TANTIVY_SCRIPT = r"""
import json, statistics, sys, tempfile, time
import tantivy

docs_file, spec_file = sys.argv[1:3]
spec = json.load(open(spec_file, encoding="utf-8"))
sb = tantivy.SchemaBuilder()
sb.add_unsigned_field("product_id", stored=True, indexed=True, fast=True)
sb.add_text_field("title")  # tokenizer "default"
sb.add_text_field("description")
schema = sb.build()
tmp = tempfile.TemporaryDirectory(prefix="mekong-bench-tantivy-")
index = tantivy.Index(schema, path=tmp.name)  # on disk, memory-mapped, as a server would
t0 = time.perf_counter()
writer = index.writer(heap_size=200_000_000, num_threads=1)
with open(docs_file, encoding="utf-8") as f:
    for line in f:
        pid, title, description = json.loads(line)
        doc = tantivy.Document()
        doc.add_unsigned("product_id", pid)
        doc.add_text("title", title)
        doc.add_text("description", description)
        writer.add_document(doc)
writer.commit()
writer.wait_merging_threads()
index.reload()
build_s = time.perf_counter() - t0
searcher = index.searcher()
fields = ["title", "description"]

def parse(q):
    return index.parse_query_lenient(q, fields, conjunction_by_default=True)[0]

def search(q):
    return searcher.search(parse(q), limit=20, count=True)

latency = {}
for row, queries in spec["rows"].items():
    samples = []
    for q in queries:
        search(q)  # warm
        for _ in range(spec["repeat"]):
            t = time.perf_counter()
            search(q)
            samples.append((time.perf_counter() - t) * 1000)
    latency[row] = samples
recall = {}
for script, query, expected_ids in spec["cases"]:
    both = tantivy.Query.boolean_query([
        (tantivy.Occur.Must, parse(query)),
        (tantivy.Occur.Must, tantivy.Query.term_set_query(schema, "product_id", expected_ids)),
    ])
    hits = searcher.search(both, limit=2 * len(expected_ids) + 10, count=False).hits
    found = {searcher.doc(addr)["product_id"][0] for _score, addr in hits}
    recall[script] = recall.get(script, 0) + len(found & set(expected_ids))
print(json.dumps({"build_s": build_s, "latency": latency, "recall": recall,
                  "docs": searcher.num_docs}))
"""

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


def ensure_tantivy() -> Path:
    """Create bench/.venv-tantivy with tantivy pinned (only there), return its python."""
    python = TANTIVY_VENV / "bin" / "python"
    probe = [str(python), "-c", "import tantivy"]
    if python.exists() and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return python
    print(f"creating {TANTIVY_VENV} with tantivy {TANTIVY_VERSION} (benchmark only)")
    subprocess.run([sys.executable, "-m", "venv", str(TANTIVY_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         f"tantivy=={TANTIVY_VERSION}"],
        check=True,
    )  # fmt: skip
    return python


def run_tantivy(python: Path, cases: list[tuple[str, str, list[int]]]) -> dict[str, Any]:
    """Export every translation of the current database and measure tantivy on it."""
    from mekong.marketplace.models import ProductTranslation
    from mekong.marketplace.richtext import description_text

    with tempfile.TemporaryDirectory(prefix="mekong-bench-tantivy-data-") as tmp:
        docs, spec = Path(tmp) / "docs.jsonl", Path(tmp) / "spec.json"
        with docs.open("w", encoding="utf-8") as f:
            rows = ProductTranslation.objects.values_list("product_id", "title", "description")
            for pid, title, description in rows.iterator(chunk_size=5_000):
                f.write(json.dumps([pid, title, description_text(description)]) + "\n")
        spec.write_text(
            json.dumps(
                {
                    "repeat": REPEAT,
                    "rows": {
                        f"{script} {length}": queries
                        for script, (short, long) in QUERIES.items()
                        for length, queries in (("1-2", short), ("3+", long))
                    },
                    "cases": cases,
                }
            ),
            encoding="utf-8",
        )
        out = subprocess.run(
            [str(python), "-c", TANTIVY_SCRIPT, str(docs), str(spec)],
            check=False,
            capture_output=True,
            text=True,
        )
    if out.returncode:
        sys.exit(f"tantivy run failed:\n{out.stderr}")
    result = dict(json.loads(out.stdout.strip().splitlines()[-1]))
    result["latency"] = {k: _percentiles(v) for k, v in result["latency"].items()}
    return result


def run_one(
    vendor: str, database_url: str, products: int, tantivy_python: str = ""
) -> dict[str, Any]:
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
    tantivy = None
    if tantivy_python:
        from mekong.marketplace.models import Product

        ids = dict(Product.objects.values_list("slug", "pk"))
        cases = [(script, query, [ids[s] for s in expected]) for script, query, expected in CASES]
        tantivy = run_tantivy(Path(tantivy_python), cases)
    return {
        "vendor": vendor,
        "build_s": build_s,
        "latency": {k: {m: _percentiles(v) for m, v in d.items()} for k, d in latency.items()},
        "recall": recall,
        "tantivy": tantivy,
    }


def _child(vendor: str, pg_url: str, products: int, tantivy: str) -> dict[str, Any] | None:
    if vendor == "sqlite":
        with tempfile.TemporaryDirectory(prefix="mekong-bench-search-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            return _spawn(vendor, url, products, tantivy)
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
        return _spawn(vendor, pg_url.rsplit("/", 1)[0] + f"/{name}", products, tantivy)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _spawn(vendor: str, url: str, products: int, tantivy: str) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", vendor, "--url", url, "--products", str(products)]
    if tantivy:
        args += ["--tantivy-python", tantivy]
    out = subprocess.run(args, check=False, capture_output=True, text=True, cwd=str(REPO))
    if out.returncode:
        sys.exit(f"{vendor} run failed:\n{out.stderr}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _print(rows: list[dict[str, Any]]) -> None:
    head = f"{'database':<11} {'script, query length':<22} {'search p50/p95/p99 ms':>24}"
    print(f"{head} {'naive LIKE p50/p95/p99 ms':>27} {'p95 LIKE/search':>16}")
    for r in rows:
        for key, d in r["latency"].items():
            s, b = d["search"], d["naive"]
            print(
                f"{NAMES[r['vendor']]:<11} {key:<22} {s[0]:>8.1f}{s[1]:>8.1f}{s[2]:>8.1f} "
                f"{b[0]:>9.1f}{b[1]:>9.1f}{b[2]:>9.1f} {b[1] / s[1]:>15.2f}x"
            )
    tantivy = next((r["tantivy"] for r in rows if r.get("tantivy")), None)
    if tantivy:
        print(
            f"\ntantivy {TANTIVY_VERSION} (default tokenizer, {tantivy['docs']:,} documents, "
            f"indexed in {tantivy['build_s']:.1f} s), p50/p95/p99 ms:"
        )
        for key, t in tantivy["latency"].items():
            print(f"{'tantivy':<11} {key:<22} {t[0]:>8.2f}{t[1]:>8.2f}{t[2]:>8.2f}")
    # One p95 table with every method side by side (ms).
    cols = [(f"ours {NAMES[r['vendor']]}", r, "search") for r in rows]
    cols += [(f"LIKE {NAMES[r['vendor']]}", r, "naive") for r in rows]
    print("\np95 ms | " + " | ".join(c[0] for c in cols) + (" | tantivy" if tantivy else ""))
    for key in rows[0]["latency"] if rows else []:
        cells = [f"{r['latency'][key][m][1]:.1f}" for _n, r, m in cols]
        if tantivy:
            cells.append(f"{tantivy['latency'][key][1]:.2f}")
        print(f"{key} | " + " | ".join(cells))
    names = [f"ours {NAMES[r['vendor']]}" for r in rows] + [
        f"LIKE {NAMES[r['vendor']]}" for r in rows
    ]
    print("\nrecall | " + " | ".join(names) + (" | tantivy" if tantivy else ""))
    for script in sorted(rows[0]["recall"]) if rows else []:
        total = rows[0]["recall"][script][2]
        cells = [f"{r['recall'][script][0] / total:.0%}" for r in rows]
        cells += [f"{r['recall'][script][1] / total:.0%}" for r in rows]
        if tantivy:
            cells.append(f"{tantivy['recall'].get(script, 0) / total:.0%}")
        print(f"{script} ({total}) | " + " | ".join(cells))
    for r in rows:
        print(f"{NAMES[r['vendor']]}: data built in {r['build_s']:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--no-tantivy", action="store_true", help="skip the tantivy peer")
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--tantivy-python", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(REPO / "src"))
        result = run_one(args.child, args.url, args.products, args.tantivy_python)
        print(json.dumps(result))
        return
    vendors = [args.only] if args.only else ["sqlite", "postgresql"]
    # tantivy runs once, on the data of the first database (both get the same products).
    tantivy = "" if args.no_tantivy else str(ensure_tantivy())
    rows = []
    for v in vendors:
        if row := _child(v, args.pg_url, args.products, tantivy):
            rows.append(row)
            tantivy = ""
    print(
        f"Marketplace search, {args.products:,} synthetic products + the relevance catalogue, "
        f"{datetime.now(tz=UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    _print(rows)


if __name__ == "__main__":
    main()
