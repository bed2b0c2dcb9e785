"""`mekong.wsgi.trust_forwarded_proto`: which peers may say the original scheme."""

from __future__ import annotations

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
def test_warm_up_builds_the_urlconf_imports_the_package_and_freezes(monkeypatch):
    import gc
    import sys

    import django.urls

    from mekong import wsgi

    assert gc.get_freeze_count() == 0
    # A module no URL pattern leads to (a CLI's, imported inside a function): gone, and the
    # URLconf not built, as in a fresh worker.
    lazy = "mekong.ledger.cli"
    monkeypatch.delitem(sys.modules, lazy, raising=False)
    django.urls.clear_url_caches()
    try:
        wsgi.warm_up()
        assert gc.get_freeze_count() > 50_000  # the modules, URL patterns and schemas
        assert lazy in sys.modules
        assert "url_patterns" in vars(django.urls.get_resolver())  # built, cached
    finally:
        gc.unfreeze()


def test_the_warm_up_walks_no_tests_migrations_or_entry_points():
    import pkgutil

    import mekong
    from mekong.wsgi import _COLD

    walked = [
        m.name
        for m in pkgutil.walk_packages(mekong.__path__, "mekong.")
        if _COLD.isdisjoint(m.name.split("."))
    ]
    assert "mekong.payments.paying" in walked
    assert "mekong.customs.documents.schemas" in walked
    for name in walked:
        assert ".tests" not in name
        assert ".migrations" not in name
        assert not name.endswith(("__main__", "conftest", "settings_test", "asgi", "wsgi"))


@pytest.mark.parametrize(("raw", "on"), [(None, True), ("on", True), ("off", False), ("0", False)])
def test_the_warm_up_can_be_turned_off(monkeypatch, raw, on):
    from mekong.wsgi import _warm_up_enabled

    if raw is None:
        monkeypatch.delenv("MEKONG_WARM_UP", raising=False)
    else:
        monkeypatch.setenv("MEKONG_WARM_UP", raw)
    assert _warm_up_enabled() is on
