"""The ``mekong`` command line: run, serve and operate the platform.

Core commands live here; each module adds its own subcommands through a ``cli.py`` exposing
``register(subparsers)`` (see `MODULE_CLIS`). Bad arguments exit 2 with one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import threading
from collections.abc import Sequence
from importlib import import_module
from pathlib import Path
from typing import Any, NoReturn

#: Modules that may contribute subcommands, in help order. A module without cli.py is skipped.
MODULE_CLIS = ("ledger", "trustlog", "payments", "marketplace", "customs", "threatintel", "kpi")

DEMO_HOST = "127.0.0.1"
DEMO_PORT = 8000


class CliError(Exception):
    """A user-facing failure: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (``mekong: error: ...``) and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (try --help)\n")


def _django() -> None:
    """Configure Django once, for commands that need the database or settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
    import django

    django.setup()


def _var_dir() -> Path:
    path = Path(os.environ.get("MEKONG_VAR_DIR", "var")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def _ensure_local_secret() -> None:
    """For the embedded demo: keep a generated secret in var/ so sessions survive restarts."""
    if os.environ.get("SECRET_KEY"):
        return
    key_file = _var_dir() / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    os.environ["SECRET_KEY"] = key_file.read_text().strip()


# --- core commands ----------------------------------------------------------------------------
def cmd_migrate(args: argparse.Namespace) -> int:
    """Apply database migrations."""
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=args.verbosity)
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    """Load demo data for all five countries (idempotent)."""
    _django()
    from mekong.demo import seed_all

    report = seed_all()
    for line in report:
        print(line)
    return 0


def cmd_createadmin(args: argparse.Namespace) -> int:
    """Create a platform operator (Django admin access)."""
    _django()
    from mekong.core.errors import DomainError
    from mekong.identity.services import user_create

    password = args.password or os.environ.get("MEKONG_ADMIN_PASSWORD", "")
    if not password:
        import getpass

        password = getpass.getpass("Password: ")
    if len(password) < 8:
        raise CliError("the password must have at least 8 characters")
    try:
        user_create(email=args.email, password=password, is_operator=True)
    except DomainError as exc:
        raise CliError(exc.detail) from None
    print(f"operator {args.email} created")
    return 0


#: The production servers `mekong serve` runs (docs/adr/0014-granian-server.md): granian by
#: default, gunicorn on request (``--server`` or ``MEKONG_SERVER``).
SERVERS = ("granian", "gunicorn")


def default_server() -> str:
    """The server `mekong serve` runs without ``--server``: ``MEKONG_SERVER``, else granian
    (the benchmarks name and start theirs with it too).

    Raises:
        CliError: ``MEKONG_SERVER`` names none of `SERVERS`.
    """
    server = os.environ.get("MEKONG_SERVER") or SERVERS[0]
    if server not in SERVERS:
        raise CliError(f"MEKONG_SERVER {server!r}: expected one of {', '.join(SERVERS)}")
    return server


def forwarded_allow_ips() -> str:
    """``FORWARDED_ALLOW_IPS``, the proxies whose ``X-Forwarded-Proto`` is believed, with
    gunicorn's default (``127.0.0.1``): gunicorn's command line and `mekong.wsgi` read it."""
    return os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def _bind(bind: str) -> tuple[str, str]:
    """``HOST:PORT`` (``[::1]:8000`` for IPv6) or ``unix:PATH`` as (host or "unix", port or path).

    Raises:
        CliError: not one of those forms.
    """
    if bind.startswith("unix:") and len(bind) > len("unix:"):
        return "unix", bind[len("unix:") :]
    host, sep, port = bind.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise CliError(f"--bind {bind!r}: expected HOST:PORT or unix:PATH")
    return host.removeprefix("[").removesuffix("]"), port


def server_argv(
    server: str, *, app: str, bind: str, workers: int, threads: int, access_log: bool = False
) -> list[str]:
    """The command line that serves the WSGI ``app`` ("module:attribute") with ``server``
    (one of `SERVERS`), as `mekong serve` runs it; the benchmarks start their raw baselines
    with it too, so both sides of a ratio run under the same server settings.

    Raises:
        CliError: ``server`` is not one of `SERVERS`, or ``bind`` is not ``HOST:PORT`` or
            ``unix:PATH``.
    """
    if server not in SERVERS:
        raise CliError(f"server {server!r}: expected one of {', '.join(SERVERS)}")
    build = _granian_argv if server == "granian" else _gunicorn_argv
    return build(app=app, bind=bind, workers=workers, threads=threads, access_log=access_log)


def _granian_argv(
    *, app: str, bind: str, workers: int, threads: int, access_log: bool
) -> list[str]:
    host, port = _bind(bind)
    where = ["--uds", port] if host == "unix" else ["--host", host, "--port", port]
    argv = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        *where,
        "--workers",
        str(workers),
        # The Django app runs in this many threads per worker; the sockets and the HTTP
        # parsing are granian's own (Rust) threads, outside the GIL.
        "--blocking-threads",
        str(threads),
        "--http",
        "1",
        "--no-ws",
        # gunicorn's master replaces a worker that dies; granian does it when asked.
        "--respawn-failed-workers",
        "--workers-kill-timeout",
        "20",
    ]
    if access_log:
        argv.append("--access-log")
    return [*argv, app]


def _gunicorn_argv(
    *, app: str, bind: str, workers: int, threads: int, access_log: bool
) -> list[str]:
    _bind(bind)
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--timeout",
        "60",
        "--graceful-timeout",
        "20",
        "--forwarded-allow-ips",
        forwarded_allow_ips(),
    ]
    if access_log:
        argv += ["--access-logfile", "-"]
    return argv


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve with the production server (granian, or gunicorn with ``--server gunicorn``);
    replaces this process."""
    # WhiteNoise looks for STATIC_ROOT at start-up; without collectstatic, files come from the
    # package (finders), and an empty folder keeps it from warning in every worker.
    (_var_dir() / "static").mkdir(exist_ok=True)
    workers = args.workers or int(os.environ.get("MEKONG_WORKERS", "0") or 0)
    if workers <= 0:
        workers = (os.cpu_count() or 1) * 2 + 1
    if args.threads < 1:
        raise CliError(f"--threads {args.threads}: must be at least 1")
    server = args.server or default_server()
    argv = server_argv(
        server, app="mekong.wsgi:application", bind=args.bind, workers=workers,
        threads=args.threads, access_log=args.access_log,
    )  # fmt: skip
    sys.stdout.flush()
    os.execv(sys.executable, argv)  # noqa: S606 - fixed argv, no shell


def cmd_demo(args: argparse.Namespace) -> int:
    """Migrate the embedded database, load demo data and serve on 127.0.0.1:8000."""
    _ensure_local_secret()
    os.environ.setdefault("DEBUG", "false")
    _django()
    from django.core.management import call_command

    from mekong.demo import DEMO_PASSWORD, demo_logins, seed_all

    call_command("migrate", interactive=False, verbosity=0)
    for line in seed_all():
        print(line)
    url = f"http://{args.host}:{args.port}/"
    print()
    print(f"Mekong Digital Economy Platform demo: {url}")
    print(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, what in demo_logins():
        print(f"  {email:<42} {what}")
    print("Press Ctrl+C to stop.")
    if args.no_serve:
        return 0
    serve_args = argparse.Namespace(
        bind=f"{args.host}:{args.port}",
        workers=args.workers,
        threads=4,
        access_log=False,
        server=None,
    )
    return cmd_serve(serve_args)


def cmd_worker(args: argparse.Namespace) -> int:
    """Run background tasks and redeliver undelivered domain events until stopped."""
    _django()
    from django.core.management import call_command

    from mekong.core.events import dispatch_pending

    stop = threading.Event()

    def outbox_loop() -> None:
        from django.db import close_old_connections

        while not stop.wait(args.outbox_interval):
            close_old_connections()
            try:
                dispatch_pending()
            except Exception:  # keep the worker alive; the error is logged by the logger
                import logging

                logging.getLogger("mekong.worker").exception("outbox dispatch failed")

    thread = threading.Thread(target=outbox_loop, name="outbox", daemon=True)
    thread.start()
    try:
        call_command("db_worker", interval=args.interval, batch=args.batch)
    finally:
        stop.set()
    return 0


def cmd_openapi(args: argparse.Namespace) -> int:
    """Print the OpenAPI schema, write it to a file, or check a file for drift."""
    _django()
    from mekong.api import api

    text = json.dumps(api.get_openapi_schema(), indent=2, sort_keys=True, ensure_ascii=False)
    text += "\n"
    if args.check:
        path = Path(args.check)
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(
                f"{path} is out of date: run 'mekong openapi -o {path}' and commit it",
                file=sys.stderr,
            )
            return 1
        print(f"{path} matches the API")
        return 0
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    """Run a Django management command (``mekong manage makemigrations``)."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mekong manage", *args.args])
    return 0


# --- parser -----------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """Build the full parser, including every installed module's subcommands."""
    parser = _Parser(
        prog="mekong",
        description="Mekong Digital Economy Platform: run, serve and operate the platform.",
    )
    from mekong import __version__

    parser.add_argument("--version", action="version", version=f"mekong {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("demo", help="migrate, load demo data and serve on 127.0.0.1:8000")
    p.add_argument("--host", default=DEMO_HOST)
    p.add_argument("--port", type=int, default=DEMO_PORT)
    p.add_argument("--workers", type=int, default=2, help="server worker processes (default 2)")
    p.add_argument("--no-serve", action="store_true", help="prepare everything, do not serve")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="serve with the production server (granian)")
    p.add_argument("--bind", default=os.environ.get("MEKONG_BIND", "127.0.0.1:8000"))
    p.add_argument("--workers", type=int, default=0, help="default: $MEKONG_WORKERS or 2×CPU+1")
    p.add_argument("--threads", type=int, default=int(os.environ.get("MEKONG_THREADS", "4")))
    p.add_argument("--access-log", action="store_true", help="log every request to stdout")
    p.add_argument(
        "--server", choices=SERVERS, default=None, help="default: $MEKONG_SERVER or granian"
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("migrate", help="apply database migrations")
    p.add_argument("-v", "--verbosity", type=int, default=1, choices=[0, 1, 2, 3])
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("seed-demo", help="load demo data for all five countries (idempotent)")
    p.set_defaults(func=cmd_seed_demo)

    p = sub.add_parser("worker", help="run background tasks and redeliver pending events")
    p.add_argument("--interval", type=float, default=1.0, help="task poll interval in seconds")
    p.add_argument("--batch", action="store_true", help="exit when the queue is empty")
    p.add_argument("--outbox-interval", type=float, default=5.0)
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("createadmin", help="create a platform operator")
    p.add_argument("--email", required=True)
    p.add_argument("--password", help="default: $MEKONG_ADMIN_PASSWORD, else asked")
    p.set_defaults(func=cmd_createadmin)

    p = sub.add_parser("openapi", help="print, write or check the OpenAPI schema")
    group = p.add_mutually_exclusive_group()
    group.add_argument("-o", "--output", help="write to this file")
    group.add_argument("--check", metavar="FILE", help="exit 1 if FILE differs from the API")
    p.set_defaults(func=cmd_openapi)

    p = sub.add_parser("manage", help="run a Django management command", add_help=False)
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)

    for name in MODULE_CLIS:
        try:
            module: Any = import_module(f"mekong.{name}.cli")
        except ModuleNotFoundError as exc:
            if exc.name in {f"mekong.{name}", f"mekong.{name}.cli"}:
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mekong`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from django.core.exceptions import ImproperlyConfigured

    try:
        result: int = args.func(args)
    except CliError as exc:
        print(f"mekong: error: {exc}", file=sys.stderr)
        return 2
    except ImproperlyConfigured as exc:
        print(f"mekong: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())
