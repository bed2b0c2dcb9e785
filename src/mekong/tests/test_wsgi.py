"""`mekong.wsgi.trust_forwarded_proto`: which peers may say the original scheme."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from mekong.wsgi import trust_forwarded_proto


def _scheme(allowed: str, peer: str | None, forwarded: str | None) -> str:
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.update(environ)
        return [b""]

    environ: dict[str, Any] = {"wsgi.url_scheme": "http"}
    if peer is not None:
        environ["REMOTE_ADDR"] = peer
    if forwarded is not None:
        environ["HTTP_X_FORWARDED_PROTO"] = forwarded
    trust_forwarded_proto(app, allowed)(environ, lambda *a: None)
    return str(seen["wsgi.url_scheme"])


@pytest.mark.parametrize(
    ("allowed", "peer", "forwarded", "scheme"),
    [
        ("127.0.0.1", "127.0.0.1", "https", "https"),
        ("127.0.0.1", "127.0.0.1", "HTTPS", "https"),
        ("127.0.0.1", "127.0.0.1", "https, http", "https"),  # the first hop's, as proxies chain
        ("127.0.0.1", "127.0.0.1", None, "http"),
        ("127.0.0.1", "127.0.0.1", "ftp", "http"),  # not a scheme this app serves
        ("127.0.0.1", "127.0.0.1", "", "http"),
        ("127.0.0.1", "10.0.0.9", "https", "http"),  # an untrusted peer's claim
        ("127.0.0.1", None, "https", "http"),  # no peer address (a Unix socket)
        ("127.0.0.1", "not-an-address", "https", "http"),
        ("10.0.0.0/8, 192.168.1.7", "10.20.30.40", "https", "https"),
        ("10.0.0.0/8, 192.168.1.7", "192.168.1.7", "https", "https"),
        ("10.0.0.0/8, 192.168.1.7", "192.168.1.8", "https", "http"),
        ("::1", "::1", "https", "https"),
        ("*", None, "https", "https"),  # a proxy on a Unix socket
        ("*", "203.0.113.5", "https", "https"),
        ("", "127.0.0.1", "https", "http"),  # nobody trusted
    ],
)
def test_only_trusted_peers_set_the_scheme(allowed, peer, forwarded, scheme):
    assert _scheme(allowed, peer, forwarded) == scheme


def test_a_bad_allowed_entry_is_refused_at_start_up():
    with pytest.raises(ValueError, match=r"'10\.0\.0\.300' is not an address"):
        trust_forwarded_proto(lambda e, s: [b""], "127.0.0.1, 10.0.0.300")


# --- warm_up -----------------------------------------------------------------------------------
def test_warm_up_builds_the_urlconf_and_freezes():
    import gc

    import django.urls

    from mekong import wsgi

    assert gc.get_freeze_count() == 0
    django.urls.clear_url_caches()  # as in a fresh worker: not built yet
    try:
        wsgi.warm_up()
        assert gc.get_freeze_count() > 50_000  # the modules, URL patterns and schemas
        assert "url_patterns" in vars(django.urls.get_resolver())  # built, cached
    finally:
        gc.unfreeze()


def _package(root: Path, files: dict[str, str]) -> None:
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)


def test_import_tree_skips_cold_names_and_survives_broken_modules(tmp_path, monkeypatch, caplog):
    import sys

    from mekong.wsgi import import_tree

    pkg = f"warm_{uuid.uuid4().hex[:8]}"
    boom = "raise RuntimeError('must not be imported')\n"
    _package(
        tmp_path / pkg,
        {
            "__init__.py": "",
            "a.py": "",
            "sub/__init__.py": "",
            "sub/deep.py": "",
            "sub/migrations/__init__.py": boom,
            "tests/__init__.py": boom,
            "tests/test_x.py": boom,
            "__main__.py": boom,
            "settings.py": boom,
            "bad.py": "import no_such_module_anywhere\n",
            "broken/__init__.py": "raise ValueError('broken package')\n",
            "broken/child.py": "",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    root = importlib.import_module(pkg)
    try:
        with caplog.at_level("WARNING", logger="mekong.wsgi"):
            import_tree(root.__path__, f"{pkg}.")
        loaded = {name for name in sys.modules if name.startswith(pkg)}
        assert loaded == {pkg, f"{pkg}.a", f"{pkg}.sub", f"{pkg}.sub.deep"}
        warned = sorted(r.getMessage() for r in caplog.records)
        assert warned == [
            f"warm-up: {pkg}.bad did not import",
            f"warm-up: {pkg}.broken did not import",
        ]
    finally:
        for name in [n for n in sys.modules if n.startswith(pkg)]:
            del sys.modules[name]


@pytest.mark.parametrize(("raw", "on"), [(None, True), ("on", True), ("off", False), ("0", False)])
def test_the_warm_up_can_be_turned_off(monkeypatch, raw, on):
    from mekong.wsgi import _warm_up_enabled

    if raw is None:
        monkeypatch.delenv("MEKONG_WARM_UP", raising=False)
    else:
        monkeypatch.setenv("MEKONG_WARM_UP", raw)
    assert _warm_up_enabled() is on
