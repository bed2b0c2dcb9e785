"""TAXII 2.1 benchmark: our server vs medallion (OASIS reference, memory backend), same data.

Measures, over HTTP on loopback with one sequential client:
- ingest: objects added per second by POSTing envelopes of ``--batch`` indicators until
  ``--objects`` are stored (the status must report every object as a success);
- paging: latency p50/p95 of GET objects pages of ``--page`` objects (``limit`` + ``next``)
  at the full store size, and the same through ``added_after`` at random points.

medallion is installed only into its own virtual environment (``--medallion-venv``, default
``$MEDALLION_VENV``), never into the project's:
``python3 -m venv /tmp/medallion && /tmp/medallion/bin/pip install medallion==3.0.0``.
Ours runs with the production server (gunicorn via ``mekong serve``) on a fresh SQLite
database (or ``--database-url``). Prints a table with ratios; asserts nothing about timings.
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
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from bench._harness import free_port

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


class Client:
    def __init__(self, base: str, auth: str) -> None:
        self.base = base
        self.auth = auth

    def call(self, path: str, body: Any = None) -> tuple[Any, dict[str, str], float]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method="POST" if data else "GET")
        req.add_header("Accept", TAXII)
        req.add_header("Authorization", self.auth)
        if data:
            req.add_header("Content-Type", TAXII)
        start = time.perf_counter()
        with urllib.request.urlopen(req, timeout=600) as response:
            payload = json.loads(response.read() or b"{}")
            elapsed = time.perf_counter() - start
            return payload, dict(response.headers.items()), elapsed


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


def start_ours(tmp: Path, database_url: str | None) -> tuple[subprocess.Popen[bytes], str, str]:
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "bench-only", "MEKONG_VAR_DIR": str(tmp),
           "DATABASE_URL": database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"}  # fmt: skip
    subprocess.run([str(MEKONG), "manage", "migrate", "--verbosity", "0"], env=env, check=True)
    seeded = subprocess.run(
        [str(MEKONG), "manage", "shell", "-c", SEED], env=env, check=True, capture_output=True
    ).stdout.decode()
    token = next(line[6:] for line in seeded.splitlines() if line.startswith("TOKEN="))
    port = free_port()
    proc = subprocess.Popen(
        [str(MEKONG), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/taxii2/trustgroup1/collections/{COLLECTION}/"
    wait_up(f"http://127.0.0.1:{port}/taxii2/", proc)
    # An API token, not Basic: Basic runs the password hash (argon2) on every request.
    return proc, base, f"Token {token}"


def start_medallion(tmp: Path, venv: Path, page: int) -> tuple[subprocess.Popen[bytes], str, str]:
    port = free_port()
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
                    "filename": str(tmp / "data.json")},
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


def measure(
    base: str, auth: str, objects: list[dict[str, Any]], batch: int, page: int, samples: int
) -> dict[str, float]:
    client = Client(base, auth)
    start = time.perf_counter()
    for i in range(0, len(objects), batch):
        status, _, _ = client.call("objects/", {"objects": objects[i : i + batch]})
        if status.get("success_count") != len(objects[i : i + batch]):
            sys.exit(f"ingest failed at {i}: {json.dumps(status)[:300]}")
    ingest = len(objects) / (time.perf_counter() - start)
    walk: list[float] = []
    path = f"objects/?limit={page}"
    for _ in range(samples):
        body, _, elapsed = client.call(path)
        walk.append(elapsed)
        if not body.get("more") or not body.get("next"):
            break
        path = f"objects/?limit={page}&next={urllib.request.quote(body['next'])}"
    # Random starting points through added_after: the cost of reaching deep into the store.
    _, headers, _ = client.call("objects/?limit=1")
    first = headers.get("X-TAXII-Date-Added-First", "")
    manifest_times = []
    rng = random.Random(7)
    offsets = sorted(rng.sample(range(len(objects)), k=min(samples, len(objects))))
    probe = f"manifest/?limit={page}"
    dates: list[str] = []
    body, _, _ = client.call(probe)
    dates += [r["date_added"] for r in body.get("objects", [])]
    deep: list[float] = []
    for offset in offsets[: max(1, samples // 4)]:
        stamp = dates[min(offset, len(dates) - 1)] if dates else first
        _, _, elapsed = client.call(f"objects/?limit={page}&added_after={stamp}")
        deep.append(elapsed)
    del manifest_times
    q = statistics.quantiles
    return {
        "ingest_per_s": ingest,
        "page_p50_ms": statistics.median(walk) * 1000,
        "page_p95_ms": q(walk, n=20)[18] * 1000 if len(walk) >= 20 else max(walk) * 1000,
        "added_after_p50_ms": statistics.median(deep) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--page", type=int, default=100)
    parser.add_argument("--samples", type=int, default=200, help="pages timed per server")
    parser.add_argument("--medallion-venv", default=os.environ.get("MEDALLION_VENV", ""))
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    objects = make_objects(args.objects)
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp_ours:
        proc, base, auth = start_ours(Path(tmp_ours), args.database_url)
        try:
            results["mekong"] = measure(base, auth, objects, args.batch, args.page, args.samples)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    if args.medallion_venv:
        with tempfile.TemporaryDirectory() as tmp_med:
            proc, base, auth = start_medallion(Path(tmp_med), Path(args.medallion_venv), args.page)
            try:
                results["medallion"] = measure(
                    base, auth, objects, args.batch, args.page, args.samples
                )
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    print(f"TAXII 2.1, {args.objects} objects, batches of {args.batch}, pages of {args.page}")
    print(f"{'metric':<22}" + "".join(f"{name:>14}" for name in results) + f"{'ratio':>10}")
    for metric in ("ingest_per_s", "page_p50_ms", "page_p95_ms", "added_after_p50_ms"):
        row = [results[n][metric] for n in results]
        ratio = ""
        if len(row) == 2 and row[0] and row[1]:
            better = row[0] / row[1] if metric == "ingest_per_s" else row[1] / row[0]
            ratio = f"{better:9.2f}x"
        print(f"{metric:<22}" + "".join(f"{v:14.1f}" for v in row) + f"{ratio:>10}")


if __name__ == "__main__":
    main()
