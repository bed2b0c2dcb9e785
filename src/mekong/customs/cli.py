"""``mekong docs ...``: verify trade documents offline and export the trust list.

``docs verify FILE --trust-list TRUST.json`` reads no database: the trust list (from
``mekong docs trust-list`` or ``GET /api/v1/customs/trust-list``) carries the authorities'
keys, revocations, and the log's key and witnesses. Without ``--trust-list`` it uses this
platform's (reading its database). Exit status: 0 valid, 1 invalid (failing checks listed),
2 unreadable input (one line on stderr).

`register` also lets the clearance app add its commands (``mekong.customs.clearance.cli``
with a ``register(subparsers)``), since the ``mekong`` command loads one cli per module.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from importlib import import_module
from pathlib import Path
from typing import Any

from mekong.customs.documents.verify import CHECK_NAMES


class _Fail(Exception):
    """Bad input: one line on stderr, exit 2."""


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
    import django

    django.setup()


def _read_json(path: str, what: str) -> Any:
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise _Fail(f"cannot read {path}: {exc.strerror}") from None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise _Fail(f"{path} is not a JSON {what}") from None


def _verify(args: argparse.Namespace) -> int:
    document = _read_json(args.file, "document file")
    if not isinstance(document, dict):
        raise _Fail(f"{args.file} is not a document file")
    related = []
    for path in args.related or []:
        other = _read_json(path, "document file")
        if isinstance(other, dict) and isinstance(other.get("data"), dict):
            related.append(other["data"])
    _django()
    from mekong.customs import anchoring

    if args.trust_list:
        trust = _read_json(args.trust_list, "trust list")
        if not isinstance(trust, dict):
            raise _Fail(f"{args.trust_list} is not a trust list")
        if "anchor" not in trust:
            print(
                f"mekong: warning: {args.trust_list} carries no anchor in the log; "
                "trust it only as far as where you got it",
                file=sys.stderr,
            )
    else:
        from mekong.customs.trust_list import published_trust_list

        trust = published_trust_list()
    log = trust.get("log") if isinstance(trust.get("log"), dict) else {}
    log_key = args.log_key or log.get("key")
    witnesses = args.witness_key if args.witness_key is not None else log.get("witness_keys", [])
    if not isinstance(log_key, str) or not isinstance(witnesses, list):
        raise _Fail("no log key: pass --log-key or a trust list with log.key")
    if args.quorum is not None and args.quorum < 0:
        raise _Fail("--quorum must be 0 or more")
    from mekong.customs.documents.verify import verify_document

    checker = anchoring.receipt_checker(log_key, [str(w) for w in witnesses], args.quorum)
    try:
        result = verify_document(document, trust, checker, related)
    except ValueError as exc:  # trustlog's KeyFormatError: the reader's keys, not the file
        raise _Fail(f"bad log or witness key: {exc}") from None
    for check in result.checks:
        status = "ok  " if check.ok else "FAIL"
        reason = "" if check.ok else f": {check.reason}"
        detail = f" ({check.detail})" if check.detail else ""
        print(f"{status} {check.name}{reason}{detail}")
    what = f"{result.doc_type or '?'} {result.document_id or '?'}"
    if result.valid:
        print(f"document valid: {what}, hash {result.document_hash}")
        return 0
    print(f"document INVALID: {what}; failed: {', '.join(c.name for c in result.failed)}")
    return 1


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify a document file: exit 0 valid, 1 invalid, 2 unreadable."""
    try:
        return _verify(args)
    except _Fail as exc:
        print(f"mekong: error: {exc}", file=sys.stderr)
        return 2


def cmd_trust_list(args: argparse.Namespace) -> int:
    """Print or write the trust list (authorities, keys, revocations, log keys)."""
    _django()
    from mekong.customs.trust_list import published_trust_list

    text = json.dumps(published_trust_list(), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"mekong: error: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
            return 2
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_key_rotate(args: argparse.Namespace) -> int:
    """Give the authority of a country a new key; its current keys stop signing now."""
    _django()
    from mekong.customs import services
    from mekong.customs.models import IssuingAuthority

    authorities = list(IssuingAuthority.objects.filter(country=args.country.upper()))
    if args.name:
        authorities = [a for a in authorities if a.name == args.name]
    if len(authorities) != 1:
        found = "no" if not authorities else "several"
        print(
            f"mekong: error: {found} issuing authority for {args.country} (use --name)",
            file=sys.stderr,
        )
        return 2
    key = services.authority_key_add(authority=authorities[0], rotate=True)
    print(f"{authorities[0]}: new key {key.key_id} valid from {key.valid_from.isoformat()}")
    return 0


def cmd_key_revoke(args: argparse.Namespace) -> int:
    """Revoke an authority key: documents it signed from ``--at`` (default now) fail."""
    _django()
    from mekong.customs import services
    from mekong.customs.documents.canonical import parse_time
    from mekong.customs.models import AuthorityKey

    key = AuthorityKey.objects.select_related("authority").filter(key_id=args.key_id).first()
    if key is None:
        print(f"mekong: error: no key {args.key_id}", file=sys.stderr)
        return 2
    at = parse_time(args.at) if args.at else None
    if args.at and at is None:
        print(f"mekong: error: --at {args.at!r} is not an RFC 3339 time", file=sys.stderr)
        return 2
    services.authority_key_revoke(key=key, at=at)
    print(f"key {key.key_id} of {key.authority} revoked from {key.revoked_at}")
    return 0


def register(subparsers: Any) -> None:
    """Add the ``docs`` command (and the clearance app's commands, if it has any)."""
    docs = subparsers.add_parser("docs", help="trade documents: verify offline, trust list")
    sub = docs.add_subparsers(dest="docs_command", metavar="SUBCOMMAND")
    sub.required = True

    p = sub.add_parser("verify", help="verify a document file (offline with --trust-list)")
    p.add_argument("file", metavar="FILE", help="document JSON file, or - for standard input")
    p.add_argument("--trust-list", metavar="F", help="trust list JSON (default: this platform's)")
    p.add_argument("--log-key", help="the log's verifier key (default: from the trust list)")
    p.add_argument(
        "--witness-key", action="append", metavar="VKEY", help="trusted witness key (repeat)"
    )
    p.add_argument("--quorum", type=int, help="cosignatures required (default: a majority)")
    p.add_argument(
        "--with",
        dest="related",
        action="append",
        metavar="FILE",
        help="a related document file (the invoice a Form D names), for consistency checks",
    )
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("trust-list", help="export the trust list as JSON")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    p.set_defaults(func=cmd_trust_list)

    p = sub.add_parser("key-rotate", help="new signing key for a country's issuing authority")
    p.add_argument("country", help="ISO 3166 alpha-2 code, e.g. TH")
    p.add_argument("--name", help="the authority's name, if the country has several")
    p.set_defaults(func=cmd_key_rotate)

    p = sub.add_parser("key-revoke", help="revoke an issuing authority's key")
    p.add_argument("key_id", metavar="KEY_ID")
    p.add_argument("--at", help="RFC 3339 time from which it is revoked (default: now)")
    p.set_defaults(func=cmd_key_revoke)

    docs.epilog = "checks: " + ", ".join(CHECK_NAMES)
    try:
        clearance: Any = import_module("mekong.customs.clearance.cli")
    except ModuleNotFoundError as exc:
        if exc.name != "mekong.customs.clearance.cli":
            raise
    else:
        clearance.register(subparsers)
