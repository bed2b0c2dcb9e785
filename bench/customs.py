"""Customs documents benchmark: documents issued + anchored per second and verified per second
by the offline verifier, next to a bare Ed25519 sign / verify of the same bytes in the same run.

Usage: `.venv/bin/python -m bench.customs [--documents N] [--witnesses W] [--database-url URL]
[--declarations D]` (default 300 Form D documents, 3 witnesses served in this process on
127.0.0.1:8430+; then `bench.clearance` with D green-lane declarations, 0 skips it).

- baseline: Ed25519 sign and verify (``cryptography``) of each document's signed part;
- issue: `services.document_issue` end to end: schema validation, salting every field,
  JCS + SHA-256, signing with the decrypted authority key, anchoring in the trustlog (append,
  checkpoint, witness cosignatures over loopback HTTP), storing; one document at a time;
- verify offline: `documents.verify.verify_document` on each exported file with the trust
  list and a receipt checker built once (no database): six checks, including the receipt's
  log signature, inclusion proof and every witness cosignature;
- verify stored: `facade.verify_stored` (reads the document and the trust list, refreshes the
  receipt from the log, then the same offline verifier).

No timing is asserted anywhere (docs/benchmarks.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/http.py shadows the standard library's `http` package: drop the script directory
# from the import path before Django imports `http.cookies`.
_here = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _here]

import argparse  # noqa: E402
import contextlib  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

from bench._harness import setup_django  # noqa: E402

BASE_PORT = 8430


@contextlib.contextmanager
def witnesses(n: int, tmp: Path) -> Any:
    """Serve ``n`` witnesses from threads of this process and configure the log to use them."""
    from mekong.trustlog import config
    from mekong.trustlog.note import CosignatureSigner, VerifierKey
    from mekong.trustlog.witness import Witness, WitnessState, running

    log_vkey = config.log_config().verifier_key
    with contextlib.ExitStack() as stack:
        entries = []
        for i in range(n):
            signer = CosignatureSigner.generate(f"w{i}.witness.bench")
            state = WitnessState(tmp / f"w{i}.json")
            stack.callback(state.close)
            witness = Witness(signer, [VerifierKey.parse(log_vkey)], state)
            stack.enter_context(running(witness, "127.0.0.1", BASE_PORT + i))
            entries.append(f"{signer.verifier.encode()}=http://127.0.0.1:{BASE_PORT + i}")
        os.environ["TRUSTLOG_WITNESSES"] = ",".join(entries)
        config.clear_cache()
        yield


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--witnesses", type=int, default=3, choices=range(10))
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--declarations", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mekong-bench-customs-") as tmpdir:
        tmp = Path(tmpdir)
        setup_django(tmp, args.database_url)
        with witnesses(args.witnesses, tmp):
            run(args.documents, args.witnesses)
    if args.declarations:
        # Lodging-to-release latency of green-lane declarations lives in bench.clearance (its own
        # Django set-up and scratch database); run it here so one command answers the issue.
        print(flush=True)
        subprocess.run(
            [sys.executable, "-m", "bench.clearance", "--declarations", str(args.declarations)],
            check=True,
        )


def run(n: int, witness_count: int) -> None:
    from mekong.customs import anchoring, facade, selectors, services
    from mekong.customs.documents import signing
    from mekong.customs.documents.envelope import signed_bytes
    from mekong.customs.documents.verify import verify_document
    from mekong.customs.tests.factories import sample
    from mekong.identity.services import organisation_create

    authority_org = organisation_create(name="Bench DFT", kind="certificate_issuer", country="TH")
    services.authority_register(country="TH", name="Bench DFT", organisation_id=authority_org.pk)
    exporter = organisation_create(name="Bench Coffee", kind="sme", country="TH")
    data = sample("atiga_form_d")
    services.document_issue(  # warm-up: imports, schema compilation, first checkpoint
        organisation_id=exporter.pk, organisation_country="TH", doc_type="atiga_form_d",
        data=copy.deepcopy(data),
    )  # fmt: skip

    docs = []
    latencies = []
    t0 = time.perf_counter()
    for i in range(n):
        item = copy.deepcopy(data)
        item["reference_number"] = f"TH-FD-BENCH-{i:06d}"
        s = time.perf_counter()
        docs.append(
            services.document_issue(
                organisation_id=exporter.pk,
                organisation_country="TH",
                doc_type="atiga_form_d",
                data=item,
            )
        )
        latencies.append(time.perf_counter() - s)
    issue_s = time.perf_counter() - t0

    files = [selectors.document_file(d) for d in docs]
    trust = json.loads(json.dumps(selectors.trust_list()))
    files = json.loads(json.dumps(files))  # as a verifier reads them: plain JSON
    checker = anchoring.receipt_checker(trust["log"]["key"], trust["log"]["witness_keys"])
    t0 = time.perf_counter()
    results = [verify_document(f, trust, checker) for f in files]
    verify_s = time.perf_counter() - t0
    assert all(r.valid for r in results), [r.failed for r in results if not r.valid][:1]

    t0 = time.perf_counter()
    stored = [facade.verify_stored(d.pk) for d in docs[: max(1, n // 3)]]
    stored_s = time.perf_counter() - t0
    assert all(r.valid for r in stored)

    # Baseline: bare Ed25519 over the same signed parts, same key type, same library.
    key = signing.generate_private_key()
    public = signing.public_key_b64(key)
    messages = [signed_bytes(f) for f in files]
    t0 = time.perf_counter()
    sigs = [signing.sign(key, m) for m in messages]
    sign_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ok = [signing.verify_signature(public, m, s) for m, s in zip(messages, sigs, strict=True)]
    bare_verify_s = time.perf_counter() - t0
    assert all(ok)

    size = statistics.median(len(json.dumps(f)) for f in files)
    print(
        f"{n} Form D documents ({len(data['items'])} items, median file {size / 1024:.1f} KiB), "
        f"{witness_count} witnesses over loopback HTTP, SQLite"
    )
    issue_rate, sign_rate = rate(n, issue_s), rate(n, sign_s)
    verify_rate, bare_rate = rate(n, verify_s), rate(n, bare_verify_s)
    stored_rate = rate(len(stored), stored_s)
    rows = [
        ("bare Ed25519 sign (baseline)", sign_rate, 1.0),
        ("issue + anchor (end to end)", issue_rate, issue_rate / sign_rate),
        ("bare Ed25519 verify (baseline)", bare_rate, 1.0),
        ("verify offline (six checks, no database)", verify_rate, verify_rate / bare_rate),
        ("verify stored (database + same verifier)", stored_rate, stored_rate / bare_rate),
    ]
    print(f"{'operation':<44} {'docs/s':>12} {'vs bare Ed25519':>16}")
    for label, value, ratio in rows:
        print(f"{label:<44} {value:>12,.1f} {ratio:>15.5f}x")
    lat = sorted(latencies)
    print(
        f"issue latency: median {statistics.median(lat) * 1000:.1f} ms, "
        f"p95 {lat[int(len(lat) * 0.95) - 1] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
