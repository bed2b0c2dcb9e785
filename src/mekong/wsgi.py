"""WSGI entry point, ``mekong.wsgi:application``, served by granian (``mekong serve``) or
gunicorn (``mekong serve --server gunicorn``).

Behind a TLS-terminating proxy the app sees plain HTTP, and the proxy tells the original
scheme in ``X-Forwarded-Proto``. gunicorn believes that header from the addresses in
``FORWARDED_ALLOW_IPS``; granian does not read it at all, so with ``HTTPS=true`` every
request would be redirected to https again. `trust_forwarded_proto` reads it here, for either
server, from the same addresses only: from anyone else, a claimed https would skip the
redirect to https and mark plain-HTTP requests secure.

`warm_up` readies each worker before its first request (below).
"""

from __future__ import annotations

import gc
import importlib
import ipaddress
import logging
import os
import pkgutil
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

from mekong.cli import forwarded_allow_ips
from mekong.core.switches import switched_on

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def trust_forwarded_proto(app: WsgiApp, allowed: str) -> WsgiApp:
    """``app``, taking ``wsgi.url_scheme`` from ``X-Forwarded-Proto`` (``http`` or ``https``)
    when the peer is in ``allowed``: comma-separated addresses or networks, or ``*`` for any
    peer (a proxy on a Unix socket); gunicorn's ``FORWARDED_ALLOW_IPS`` format and default."""
    entries = [e.strip() for e in allowed.split(",") if e.strip()]
    anyone = "*" in entries
    networks = []
    for entry in entries:
        if entry != "*":
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                raise ValueError(f"FORWARDED_ALLOW_IPS: {entry!r} is not an address") from None

    def is_trusted(peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:  # no address (a Unix socket): only "*" trusts it
            return False
        return any(address in net for net in networks)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        forwarded = environ.get("HTTP_X_FORWARDED_PROTO")
        if forwarded and (anyone or is_trusted(environ.get("REMOTE_ADDR") or "")):
            proto = forwarded.split(",")[0].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
        return app(environ, start_response)

    return application


#: Names of packages and modules `warm_up` neither imports nor walks into: tests, migrations,
#: entry points that run something when imported, and the settings and server entry points.
_COLD = frozenset(
    {"tests", "migrations", "conftest", "__main__", "settings", "settings_test", "asgi", "wsgi"}
)


def warm_up() -> None:
    """Ready this worker before its first request: build the URLconf, import the rest of
    the ``mekong`` package, then collect and `gc.freeze` everything that exists by then.

    Why, both measured under the payments load (docs/benchmarks.md, 2026-12-07):

    - Django builds the URLconf (every view, every ninja operation and its schemas) on the
      first request, and views import more inside functions. Each fresh worker answered its
      first requests in 0.4–1.1 s, while its other threads waited: the load's p99.9.
    - A worker then holds ~165,000 long-lived objects, and CPython's full collection walks
      all of them holding the GIL, so every thread of the process stops: 40–107 ms per full
      pass, a few times a minute. Frozen objects are left out of later passes (one pass of
      5.6 ms in a measured run). Refcounting still frees them; only their reference cycles,
      if they become garbage, are never collected.

    Costs ~1 s of each worker's start-up. Still cold after it: each thread's database
    connection, templates, translation catalogues and the per-language reverse tables.
    """
    import django.urls

    import mekong

    django.urls.get_resolver().url_patterns  # noqa: B018 - the property builds the URLconf
    import_tree(mekong.__path__, "mekong.")
    gc.collect()
    gc.freeze()


def import_tree(path: Iterable[str], prefix: str) -> None:
    """Import every module and package under ``path`` (a package's ``__path__``, names
    starting with ``prefix``), except the `_COLD` names and what is inside them. A module or
    package that fails to import is logged (``warm-up: NAME did not import``) and skipped, with
    what is inside it: the warm-up must not stop the worker, and the request that needs the
    module fails as it would have without the warm-up."""
    for info in pkgutil.iter_modules(path, prefix):
        if info.name.rpartition(".")[2] in _COLD:
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception:
            log.warning("warm-up: %s did not import", info.name, exc_info=True)
            continue
        if info.ispkg:
            import_tree(module.__path__, f"{info.name}.")


def _warm_up_enabled() -> bool:
    """``MEKONG_WARM_UP`` (on unless ``off`` or ``0``): off to measure without it."""
    return switched_on("MEKONG_WARM_UP")


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
application = trust_forwarded_proto(get_wsgi_application(), forwarded_allow_ips())
if _warm_up_enabled():
    warm_up()
