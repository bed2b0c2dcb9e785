"""TAXII 2.1 benchmark: our server vs medallion (OASIS reference, memory backend), same data.

Measures, over HTTP on loopback with one sequential client:
- ingest: objects added per second by POSTing envelopes of ``--batch`` indicators until
  ``--objects`` are stored (the status must report every object as a success);
- paging: latency p50/p95 of GET objects pages of ``--page`` objects (``limit`` + ``next``)
  at the full store size, and the p50 of first pages through ``added_after`` at random depths.

A request that takes longer than ``--timeout`` seconds ends that server's measurements and
prints as "> budget": medallion's memory backend compares every stored object with every
manifest entry on a first GET (quadratic; 137 s at 5,000 objects on this machine), so at the
default 100,000 objects it cannot answer one page in any practical time.

Runtime of a default run (100,000 objects): 2-3 minutes for ours; medallion's ingest is
quadratic too (its duplicate check scans the whole collection for every posted object), about
5 minutes of CPU in-process; over HTTP a whole default run took 15 minutes on the shared 2-core
machine at load 2-7 and 59 minutes at load ~15, then one GET that times out.
``--objects 10000`` compares in a few minutes; without ``--medallion-venv`` only ours runs.

medallion is installed only into its own virtual environment (``--medallion-venv``, default
``$MEDALLION_VENV``), never into the project's:
``python3 -m venv /tmp/medallion && /tmp/medallion/bin/pip install medallion==3.0.0``.
Ours runs with the production server (``mekong serve``: granian by default, 2 workers) on a fresh
SQLite database (or ``--database-url``) on port ``--port`` (8470), medallion on the next one.
Prints a table with ratios; asserts nothing about timings.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

TAXII = "application/taxii+json;version=2.1"
MEKONG = Path(sys.executable).with_name("mekong")
COLLECTION = "365fed99-08fa-fdcd-a1b3-fb247eb41d01"
USER, PASSWORD = "bench@example.org", "bench-password-0"
NS = uuid.UUID("0f6c3a8e-8e1b-4a49-8d4e-4f3a1c2b9d77")

SEED = f"""
import uuid
from mekong.identity.services import organisation_create, user_create, membership_grant
from mekong.threatintel import services
from mekong.identity.selectors import actor_for_user
from mekong.identity.services import token_issue
org = organisation_create(name="Bench CERT", kind="cert", country="LA")
user = user_create(email="{USER}", password="{PASSWORD}")
membership_grant(user=user, organisation=org, role="admin")
_, secret = token_issue(actor=actor_for_user(user, organisation_id=org.pk),
                        organisation_id=org.pk, name="bench", role="member")
print("TOKEN=" + secret)
group = services.sharing_group_create(name="Bench", slug="bench", member_ids=[org.pk])
root = services.api_root_create(slug="trustgroup1", title="Bench", is_default=True,
                                max_content_length=50_000_000)
services.collection_create(api_root=root, title="Bench", sharing_group=group,
                           collection_id=uuid.UUID("{COLLECTION}"))
"""


def make_objects(count: int) -> list[dict[str, Any]]:
    """Deterministic, valid TLP:GREEN indicators with distinct IPv4 patterns."""
    out = []
    for i in range(count):
        ip = f"198.{18 + (i >> 16) % 2}.{(i >> 8) & 255}.{i & 255}"
        stamp = f"2026-01-01T00:00:{i % 60:02d}.{i % 1000:03d}Z"
        out.append({
            "type": "indicator", "spec_version": "2.1",
            "id": f"indicator--{uuid.uuid5(NS, str(i))}", "created": stamp, "modified": stamp,
            "name": f"bench {i}", "pattern": f"[ipv4-addr:value = '{ip}']",
            "pattern_type": "stix", "valid_from": stamp,
            "object_marking_refs": ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"],
        })  # fmt: skip
    return out


class Timeout(Exception):
    """A request that did not answer within the per-request budget."""


class Client:
    def __init__(self, base: str, auth: str, timeout: float) -> None:
        self.base = base
        self.auth = auth
        self.timeout = timeout

    def call(self, path: str, body: Any = None) -> tuple[Any, dict[str, str], float]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method="POST" if data else "GET")
        req.add_header("Accept", TAXII)
        req.add_header("Authorization", self.auth)
        if data:
            req.add_header("Content-Type", TAXII)
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as response:
                payload = json.loads(response.read() or b"{}")
                elapsed = time.perf_counter() - start
                return payload, dict(response.headers.items()), elapsed
        except TimeoutError as error:
            raise Timeout(path) from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise Timeout(path) from error
            raise


def wait_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server exited early: {url}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # 401 means it is up
        except OSError:
            time.sleep(0.2)
    sys.exit(f"server did not start: {url}")


def start_ours(
    tmp: Path, database_url: str | None, port: int
) -> tuple[subprocess.Popen[bytes], str, str]:
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "bench-only", "MEKONG_VAR_DIR": str(tmp),
           "DATABASE_URL": database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"}  # fmt: skip
    subprocess.run([str(MEKONG), "manage", "migrate", "--verbosity", "0"], env=env, check=True)
    seeded = subprocess.run(
        [str(MEKONG), "manage", "shell", "-c", SEED], env=env, check=True, capture_output=True
    ).stdout.decode()
    token = next(line[6:] for line in seeded.splitlines() if line.startswith("TOKEN="))
    proc = subprocess.Popen(
        [str(MEKONG), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/taxii2/trustgroup1/collections/{COLLECTION}/"
    wait_up(f"http://127.0.0.1:{port}/taxii2/", proc)
    # An API token, not Basic: Basic runs the password hash (argon2) on every request.
    return proc, base, f"Token {token}"


def start_medallion(
    tmp: Path, venv: Path, page: int, port: int
) -> tuple[subprocess.Popen[bytes], str, str]:
    data = {
        "/discovery": {"title": "bench", "default": f"http://127.0.0.1:{port}/trustgroup1/",
                       "api_roots": [f"http://127.0.0.1:{port}/trustgroup1/"]},
        "trustgroup1": {
            "information": {"title": "bench", "versions": [TAXII],
                            "max_content_length": 50_000_000},
            "status": [],
            "collections": [{"id": COLLECTION, "title": "bench", "can_read": True,
                             "can_write": True, "media_types": [TAXII],
                             "objects": [], "manifest": []}],
        },
    }  # fmt: skip
    (tmp / "data.json").write_text(json.dumps(data))
    config = {
        "backend": {"module": "medallion.backends.memory_backend", "module_class": "MemoryBackend",
                    "filename": str(tmp / "data.json"),
                    # Its default 30 s would expire ``next`` sessions in the middle of the walk.
                    "session_timeout": 3600},
        "users": {USER: PASSWORD},
        "taxii": {"max_page_size": page},
    }  # fmt: skip
    (tmp / "config.json").write_text(json.dumps(config))
    proc = subprocess.Popen(
        [str(venv / "bin" / "medallion"), "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "ERROR", str(tmp / "config.json")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_up(f"http://127.0.0.1:{port}/taxii2/", proc)
    basic = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    return proc, f"http://127.0.0.1:{port}/trustgroup1/collections/{COLLECTION}/", basic


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def measure(
    client: Client, objects: list[dict[str, Any]], batch: int, page: int, samples: int
) -> dict[str, float | None]:
    """Ingest everything, then time pages. ``None``: the server did not answer in time."""
    out: dict[str, float | None] = dict.fromkeys(METRICS)
    # Both servers stamp date_added at (or after) receipt; the client's clock before each POST
    # is therefore an ``added_after`` that starts inside the store at that batch.
    marks: list[str] = []
    for _ in range(4):  # warm both server workers (imports, connections) before timing
        client.call(f"objects/?limit={page}")
    start = time.perf_counter()
    for i in range(0, len(objects), batch):
        marks.append(_stamp(datetime.now(UTC)))
        status, _, _ = client.call("objects/", {"objects": objects[i : i + batch]})
        if status.get("success_count") != len(objects[i : i + batch]):
            sys.exit(f"ingest failed at {i}: {json.dumps(status)[:300]}")
    out["ingest_per_s"] = len(objects) / (time.perf_counter() - start)
    try:
        # Walk the store from the start, ``samples`` pages through ``next``.
        walk: list[float] = []
        path = f"objects/?limit={page}"
        for _ in range(samples):
            body, _, elapsed = client.call(path)
            walk.append(elapsed)
            if len(body.get("objects", [])) != min(page, len(objects)):
                sys.exit(f"short page: {len(body.get('objects', []))} objects")
            if not body.get("more") or not body.get("next"):
                break
            path = f"objects/?limit={page}&next={urllib.parse.quote(body['next'])}"
        out["page_p50_ms"] = statistics.median(walk) * 1000
        out["page_p95_ms"] = (
            statistics.quantiles(walk, n=20)[18] * 1000 if len(walk) >= 20 else max(walk) * 1000
        )
        # First pages starting at random depths of the store.
        rng = random.Random(7)
        deep: list[float] = []
        for mark in rng.choices(marks, k=max(1, samples // 4)):
            body, _, elapsed = client.call(f"objects/?limit={page}&added_after={mark}")
            if not body.get("objects"):
                sys.exit("added_after returned nothing")
            deep.append(elapsed)
        out["added_after_p50_ms"] = statistics.median(deep) * 1000
    except Timeout:
        pass  # the rows left at None print as "> budget"
    return out


METRICS = ("ingest_per_s", "page_p50_ms", "page_p95_ms", "added_after_p50_ms")


def _cell(value: float | None, budget_ms: float) -> str:
    return f"{value:14.1f}" if value is not None else f"{'> ' + format(budget_ms, '.0f'):>14}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100_000, help="store size (default 100k)")
    parser.add_argument("--batch", type=int, default=1000, help="objects per POST")
    parser.add_argument("--page", type=int, default=100, help="objects per GET page")
    parser.add_argument("--samples", type=int, default=200, help="pages timed per server")
    parser.add_argument("--medallion-venv", default=os.environ.get("MEDALLION_VENV", ""))
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--port", type=int, default=8470, help="ours; medallion gets port+1")
    parser.add_argument(
        "--timeout", type=float, default=120, help="seconds one request may take (then '> N')"
    )
    args = parser.parse_args()
    objects = make_objects(args.objects)
    results: dict[str, dict[str, float | None]] = {}
    with tempfile.TemporaryDirectory() as tmp_ours:
        proc, base, auth = start_ours(Path(tmp_ours), args.database_url, args.port)
        try:
            client = Client(base, auth, args.timeout)
            results["mekong"] = measure(client, objects, args.batch, args.page, args.samples)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    if args.medallion_venv:
        with tempfile.TemporaryDirectory() as tmp_med:
            proc, base, auth = start_medallion(
                Path(tmp_med), Path(args.medallion_venv), args.page, args.port + 1
            )
            try:
                client = Client(base, auth, args.timeout)
                results["medallion"] = measure(client, objects, args.batch, args.page, args.samples)
            finally:
                proc.kill()  # it may still be computing a timed-out request
                proc.wait(timeout=30)
    budget_ms = args.timeout * 1000
    print(f"TAXII 2.1, {args.objects} objects, batches of {args.batch}, pages of {args.page}")
    print(f"{'metric':<22}" + "".join(f"{name:>14}" for name in results) + f"{'ratio':>12}")
    for metric in METRICS:
        row = [results[n][metric] for n in results]
        ratio = ""
        ours, theirs = [*row, None][:2] if row else (None, None)
        if len(row) == 2 and ours:
            if theirs is None:  # medallion did not answer within the budget
                ratio = f"> {budget_ms / ours:.0f}x"
            else:
                better = ours / theirs if metric == "ingest_per_s" else theirs / ours
                ratio = f"{better:.2f}x"
        print(f"{metric:<22}" + "".join(_cell(v, budget_ms) for v in row) + f"{ratio:>12}")
    print("ratio: how many times better mekong is (higher ingest, lower latency)")


if __name__ == "__main__":
    main()
