"""WSGI entry point, ``mekong.wsgi:application``, served by granian (``mekong serve``) or
gunicorn (``mekong serve --server gunicorn``).

Behind a TLS-terminating proxy the app sees plain HTTP, and the proxy tells the original
scheme in ``X-Forwarded-Proto``. gunicorn believes that header from the addresses in
``FORWARDED_ALLOW_IPS``; granian does not read it at all, so with ``HTTPS=true`` every
request would be redirected to https again. `trust_forwarded_proto` reads it here, for either
server, from the same addresses only: from anyone else, a claimed https would skip the
redirect to https and mark plain-HTTP requests secure.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

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


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
application = trust_forwarded_proto(
    get_wsgi_application(), os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
)
