"""`mekong serve` for real: each production server started as an operator would start it, on
a loopback port over a migrated SQLite file, answering a JSON API call, a static file, a form
post with its CSRF token, and the HTTPS redirect behind a trusted and an untrusted proxy; and
what a worker has done before its first request (`mekong.wsgi.warm_up`)."""

from __future__ import annotations

import contextlib
import http.client
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from mekong.cli import SERVERS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        MEKONG_VAR_DIR=str(db.parent / "var"),
        SECRET_KEY="serve-test-secret-key-not-for-production",
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        TRUSTLOG_WITNESSES="",
        MEKONG_WARM_UP="on",  # as in production (the test process turns it off for itself)
        LOG_LEVEL="INFO",  # so that a warm-up warning would show
        **extra,
    )
    return env


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("serve") / "serve.sqlite3"
    subprocess.run(
        [sys.executable, "-m", "mekong.cli", "migrate", "-v", "0"],
        env=_env(db), check=True, timeout=120,
    )  # fmt: skip
    return db


@contextlib.contextmanager
def _serve(db: Path, server: str, **extra: str) -> Iterator[int]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mekong.cli", "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "2", "--server", server],
        env=_env(db, **extra), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    pytest.fail(f"{server} did not start: {proc.communicate()[1][-2000:]}")
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        try:
            _out, errors = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            _out, errors = proc.communicate()
    # Every module of the package imported in the worker's warm-up (mekong.wsgi.warm_up).
    assert "warm-up:" not in errors, errors[-2000:]


def _get(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


@pytest.mark.parametrize("server", SERVERS)
def test_serves_api_static_files_and_forms(database: Path, server: str) -> None:
    with _serve(database, server) as port:
        status, headers, body = _get(port, "/api/v1/health")
        assert status == 200, body
        assert headers["content-type"].startswith("application/json")
        assert b'"status":"ok"' in body.replace(b" ", b"")

        status, headers, body = _get(port, "/static/css/site.css")
        assert status == 200
        assert headers["content-type"].startswith("text/css")
        assert len(body) == int(headers["content-length"]) > 100

        # A form post: the CSRF cookie and token round-trip, the body is read and the
        # form answers (wrong password: the page again, with its error; not 403).
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"http://127.0.0.1:{port}/login/", timeout=30) as r:
            url, page = r.geturl(), r.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:500]
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token[1], "username": "nobody@example.org",
             "password": "not-the-password"}
        ).encode()  # fmt: skip
        request = urllib.request.Request(url, data=form, headers={"Referer": url})
        with opener.open(request, timeout=30) as r:
            assert r.status == 200
            assert 'name="password"' in r.read().decode()

        # The same post as multipart/form-data with a 300 KB file part (as "Pay a QR" uploads
        # a photo): the body streams through the server's wsgi.input into Django's parser.
        boundary = "mekong-serve-test-boundary"
        fields = {"csrfmiddlewaretoken": token[1], "username": "nobody@example.org",
                  "password": "not-the-password"}  # fmt: skip
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="qr.png"'
            "\r\nContent-Type: image/png\r\n\r\n".encode()
            + os.urandom(300_000)
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            url, data=b"".join(parts),
            headers={"Referer": url, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        )  # fmt: skip
        with opener.open(request, timeout=30) as r:
            assert r.status == 200
            page = r.read().decode()
        assert 'name="password"' in page
        assert "nobody@example.org" in page  # the username field came back from the multipart


@pytest.mark.parametrize("server", SERVERS)
def test_https_redirect_believes_only_the_trusted_proxy(database: Path, server: str) -> None:
    with _serve(database, server, HTTPS="true") as port:
        status, headers, _ = _get(port, "/api/v1/health")
        assert status == 301
        assert headers["location"].startswith("https://")
        https = {"X-Forwarded-Proto": "https"}
        status, headers, _ = _get(port, "/api/v1/health", https)
        assert status == 200  # from 127.0.0.1, the default trusted proxy
        assert "strict-transport-security" in headers
    with _serve(database, server, HTTPS="true", FORWARDED_ALLOW_IPS="10.1.2.3") as port:
        status, _, _ = _get(port, "/api/v1/health", https)
        assert status == 301  # the claim of an untrusted peer is ignored


def test_a_worker_imports_the_package_but_no_tests_or_migrations(tmp_path: Path) -> None:
    # What a worker does on start: import mekong.wsgi with the warm-up on, in a fresh interpreter.
    probe = (
        "import gc, json, sys\n"
        "import mekong.wsgi\n"
        "names = [n for n in sys.modules if n.startswith('mekong.')]\n"
        "print(json.dumps({'frozen': gc.get_freeze_count(), 'names': names}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=_env(tmp_path / "db.sqlite3"), capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "warm-up:" not in done.stderr, done.stderr[-2000:]
    seen = json.loads(done.stdout.splitlines()[-1])
    names = set(seen["names"])
    assert seen["frozen"] > 50_000
    # No URL leads to these; only the warm-up imports them.
    assert "mekong.ledger.cli" in names
    cold = [
        n for n in names if {"tests", "migrations", "settings_test", "conftest"} & set(n.split("."))
    ]
    assert cold == []
