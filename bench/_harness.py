"""Shared pieces of the benchmarks: set up the platform on a scratch database, start the
production server, drive load with wrk.

Benchmarks never assert timings; they print a table with ratios against a baseline measured
in the same run, because this machine is noisy (docs/benchmarks.md).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


#: Optional port range for the servers benchmarks start, e.g. ``8460-8469`` (when several
#: people share a machine, each gets a range); unset: any free port.
PORTS_ENV = "MEKONG_BENCH_PORTS"


def free_port() -> int:
    """A free loopback port, inside ``$MEKONG_BENCH_PORTS`` (``low-high``) when set."""
    spec = os.environ.get(PORTS_ENV, "")
    if not spec:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])
    low, _, high = spec.partition("-")
    for port in range(int(low), int(high or low) + 1):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    sys.exit(f"no free port in {PORTS_ENV}={spec}")


def ensure_wrk() -> str:
    """Return the wrk binary, installing Debian's package when root and missing."""
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0:
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "wrk"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-qq"], check=False, stdout=subprocess.DEVNULL)
            subprocess.run(
                ["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL
            )
        path = shutil.which("wrk")
        if path:
            return path
    sys.exit("wrk is needed for HTTP benchmarks: apt-get install wrk")


def wait_until_up(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status < 500:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not come up")


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(value: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", value)
    if not m:
        return float("nan")
    return float(m.group(1)) * _UNITS[m.group(2)]


def run_wrk(
    name: str,
    url: str,
    *,
    seconds: int,
    connections: int,
    headers: dict[str, str] | None = None,
    script: str | None = None,
) -> Result:
    """Run wrk against ``url`` on loopback and parse throughput and latency percentiles."""
    cmd = [ensure_wrk(), "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for k, v in (headers or {}).items():
        cmd += ["-H", f"{k}: {v}"]
    if script:
        cmd += ["-s", script]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(x) for x in m.groups())
    return Result(name, rps, p50, p99, errors)


@contextlib.contextmanager
def platform_server(
    *,
    workers: int = 2,
    seed: bool = True,
    env: dict[str, str] | None = None,
    prepare: list[list[str]] | None = None,
) -> Iterator[str]:
    """Start `mekong serve` (granian, or the server ``MEKONG_SERVER`` names) on a free loopback
    port over a fresh demo database.

    ``prepare``: extra commands run after seeding, with the server's environment (e.g. a
    script that adds benchmark data to its database).
    """
    with tempfile.TemporaryDirectory(prefix="mekong-bench-") as tmp:
        base_env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
        }
        base_env.update(
            {
                "MEKONG_VAR_DIR": str(Path(tmp) / "var"),
                "SECRET_KEY": "bench-secret-key",
                "DEBUG": "false",
                "LOG_LEVEL": "WARNING",
            }
        )
        base_env.update(env or {})
        mekong = [PYTHON, "-m", "mekong.cli"]
        subprocess.run([*mekong, "migrate", "-v", "0"], env=base_env, check=True)
        if seed:
            subprocess.run(
                [*mekong, "seed-demo"], env=base_env, check=True, stdout=subprocess.DEVNULL
            )
        for cmd in prepare or []:
            subprocess.run(cmd, env=base_env, check=True, cwd=str(REPO))
        port = free_port()
        proc = subprocess.Popen(
            [*mekong, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
            env=base_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            # Booting Django in two workers takes seconds, minutes on a machine busy with
            # other suites: a benchmark would rather wait than fail.
            wait_until_up(f"{url}/api/v1/health", timeout=300)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


@contextlib.contextmanager
def raw_wsgi_server(*, workers: int = 2) -> Iterator[str]:
    """The raw baseline: a minimal WSGI app under the same server and settings as `mekong
    serve` (``MEKONG_SERVER``, granian by default)."""
    from mekong.cli import default_server, server_argv

    port = free_port()
    proc = subprocess.Popen(
        server_argv(
            default_server(),
            app="bench._raw_app:application",
            bind=f"127.0.0.1:{port}",
            workers=workers,
            threads=4,
        ),
        cwd=str(REPO),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def print_table(results: list[Result], baseline: Result) -> None:
    print(f"{'target':<34} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7} {'vs raw':>8}")
    for r in results:
        ratio = r.rps / baseline.rps if baseline.rps else float("nan")
        row = f"{r.name:<34} {r.rps:>10.0f} {r.p50_ms:>9.2f} {r.p99_ms:>9.2f} {r.errors:>7}"
        print(f"{row} {ratio:>7.2f}x")


def setup_django(tmp: Path, database_url: str | None) -> None:
    """Configure the platform in this process on a fresh database in ``tmp`` and migrate it.

    A throwaway log key and customs key secret, no witnesses unless the benchmark adds some.
    """
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
            "MEKONG_CUSTOMS_KEY_SECRET": "bench-customs-secret-0123456789abcdef",
        }
    )
    from mekong.trustlog.note import NoteSigner

    os.environ["TRUSTLOG_SIGNER_KEY"] = NoteSigner.generate("bench.example/log").encode_skey()
    os.environ.pop("TRUSTLOG_ORIGIN", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
