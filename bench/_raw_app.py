"""The raw-baseline WSGI app for HTTP benchmarks: a fixed JSON body, no framework."""

from collections.abc import Callable, Iterable
from typing import Any

BODY = b'{"status":"ok"}'


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]
    )
    return [BODY]
