"""``mekong qr ...``: decode, encode, draw and read payment QR codes from the shell;
``mekong payments ...``: the hub's directory, rates and settlement report.

`register` plugs the ``qr`` command into the main ``mekong`` CLI; ``python -m
mekong.payments.qr`` offers the same subcommands on their own. No Django: the handlers use only
the pure codec in `mekong.payments.qr`.

Exit status: 0 on success; 2 with one line ``error: tag <ID>: <reason>`` on stderr when a
payload is refused (argparse also exits 2 on bad arguments).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from typing import IO

from mekong.payments.qr import SCHEMES, QrError, decode, encode
from mekong.payments.qr.image import QrImageError, read, render

#: CLI option (dest) -> payee field, for ``qr encode``.
_PAYEE_OPTIONS = {
    "proxy_type": "proxy_type",
    "proxy_value": "proxy_value",
    "biller_id": "biller_id",
    "bill_ref": "reference_1",
    "bill_ref2": "reference_2",
    "bill_ref3": "reference_3",
    "bank_bin": "bank_bin",
    "account": "account",
    "service": "service",
    "merchant_id": "merchant_id",
    "terminal_id": "terminal_id",
    "bakong_account": "bakong_account_id",
    "account_info": "account_information",
    "acquiring_bank": "acquiring_bank",
    "created_at_ms": "creation_timestamp",
    "expires_at_ms": "expiration_timestamp",
    "iin": "iin",
    "payment_type": "payment_type",
    "receiver_id": "receiver_id",
    "account_tag": "account_tag",
    "guid": "guid",
}
#: CLI option (dest) -> tag 62 field.
_ADDITIONAL_OPTIONS = {
    "bill_number": "bill_number",
    "mobile_number": "mobile_number",
    "store_label": "store_label",
    "loyalty_number": "loyalty_number",
    "reference_label": "reference_label",
    "customer_label": "customer_label",
    "terminal_label": "terminal_label",
    "purpose": "purpose_of_transaction",
}
_LANGUAGE_OPTIONS = {
    "language": "language_preference",
    "alt_name": "merchant_name",
    "alt_city": "merchant_city",
}


def _write(stream: IO[str], text: str) -> None:
    """Write one line as UTF-8 whatever the locale (names may be Khmer or Myanmar)."""
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        buffer.write((text + "\n").encode("utf-8"))
        buffer.flush()
    else:
        stream.write(text + "\n")


def _fail(message: object) -> int:
    _write(sys.stderr, f"error: {message}")
    return 2


def _json(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def cmd_decode(args: argparse.Namespace) -> int:
    """Print the decoded payload as one JSON object."""
    try:
        decoded = decode(args.payload, lenient=args.lenient)
    except QrError as exc:
        return _fail(exc)
    _write(sys.stdout, _json(decoded.to_dict()))
    return 0


def _picked(args: argparse.Namespace, options: dict[str, str]) -> dict[str, str]:
    return {
        field: getattr(args, dest)
        for dest, field in options.items()
        if getattr(args, dest) is not None
    }


def cmd_encode(args: argparse.Namespace) -> int:
    """Print a payload built from the options."""
    payee = _picked(args, _PAYEE_OPTIONS)
    if args.expires_in is not None:
        now_ms = int(time.time() * 1000)
        payee.setdefault("creation_timestamp", str(now_ms))
        payee["expiration_timestamp"] = str(now_ms + int(args.expires_in * 1000))
    try:
        payload = encode(
            args.scheme,
            payee=payee,
            amount=args.amount,
            currency=args.currency,
            dynamic=args.dynamic,
            merchant_name=args.merchant_name,
            merchant_city=args.merchant_city,
            mcc=args.mcc,
            country=args.country,
            postal_code=args.postal_code,
            additional_data=_picked(args, _ADDITIONAL_OPTIONS),
            language=_picked(args, _LANGUAGE_OPTIONS),
        )
    except QrError as exc:
        return _fail(exc)
    _write(sys.stdout, payload)
    return 0


def cmd_image(args: argparse.Namespace) -> int:
    """Check the payload, then draw it into an SVG or PNG file."""
    try:
        decode(args.payload, lenient=args.lenient)
        path = render(args.payload, args.output)
    except (QrError, QrImageError) as exc:
        return _fail(exc)
    _write(sys.stdout, str(path))
    return 0


def cmd_read(args: argparse.Namespace) -> int:
    """Print one JSON object per QR code found in the image; exit 2 if none decodes."""
    try:
        texts = read(args.file)
    except QrImageError as exc:
        return _fail(exc)
    if not texts:
        return _fail(f"{args.file}: no QR code found")
    status = 0
    for text in texts:
        try:
            decoded = decode(text, lenient=args.lenient)
        except QrError as exc:
            status = _fail(exc)
            continue
        _write(sys.stdout, _json(decoded.to_dict()))
    return status


def add_qr_commands(parser: argparse.ArgumentParser) -> None:
    """Add the ``decode``, ``encode``, ``image`` and ``read`` subcommands to `parser`."""
    sub = parser.add_subparsers(dest="qr_command", metavar="COMMAND", required=True)

    p = sub.add_parser("decode", help="decode and validate a payload, print JSON")
    p.add_argument("payload", help="the text of the QR code")
    p.add_argument(
        "--lenient",
        action="store_true",
        help="accept known quirks (lower-case CRC, CRC without 6304, alphabetic "
        "currency) and list them in 'warnings'",
    )
    p.set_defaults(func=cmd_decode)

    p = sub.add_parser("encode", help="build a payload for a scheme, print it")
    p.add_argument("--scheme", required=True, choices=SCHEMES)
    p.add_argument("--amount", help="amount, e.g. 30.00 (makes the code dynamic)")
    p.add_argument("--currency", help="ISO 4217 code (default: the scheme's)")
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--dynamic", action="store_true", default=None, help="point of initiation 12")
    kind.add_argument(
        "--static", dest="dynamic", action="store_false", help="point of initiation 11"
    )
    p.add_argument("--merchant-name")
    p.add_argument("--merchant-city")
    p.add_argument("--mcc", help="merchant category code, 4 digits")
    p.add_argument("--country", help="ISO 3166-1 alpha-2 (default: the scheme's)")
    p.add_argument("--postal-code")
    g = p.add_argument_group("PromptPay (promptpay, promptpay_bill)")
    g.add_argument(
        "--proxy-type", choices=("mobile", "national_id", "tax_id", "ewallet", "bank_account")
    )
    g.add_argument("--proxy-value", help="e.g. 081-222-3333 (normalised to 0066812223333)")
    g.add_argument("--biller-id")
    g.add_argument("--bill-ref", help="reference 1")
    g.add_argument("--bill-ref2", help="reference 2")
    g.add_argument("--bill-ref3", help="reference 3 (written to 62/07)")
    g = p.add_argument_group("VietQR and VNPAY-QR (vietqr, vnpayqr)")
    g.add_argument("--bank-bin", help="NAPAS BIN, 6 digits")
    g.add_argument("--account", help="account or card number (emvco: account sub-tag 01)")
    g.add_argument("--service", choices=("QRIBFTTA", "QRIBFTTC", "QRPUSH"))
    g.add_argument("--merchant-id", help="VNPAY, KHQR or MMQR merchant ID")
    g = p.add_argument_group("KHQR (khqr)")
    g.add_argument("--bakong-account", help="Bakong account ID, name@bank")
    g.add_argument("--account-info", help="individual account information (29/01)")
    g.add_argument("--acquiring-bank")
    g.add_argument(
        "--expires-in",
        type=float,
        metavar="SECONDS",
        help="dynamic KHQR: expiry from now (writes tag 99)",
    )
    g.add_argument("--created-at-ms", help="99/00, epoch milliseconds")
    g.add_argument("--expires-at-ms", help="99/01, epoch milliseconds")
    g = p.add_argument_group("Lao QR (laoqr) and MMQR (mmqr)")
    g.add_argument("--iin", help="LAPNet member IIN, 8 digits")
    g.add_argument("--payment-type", help="001 personal, 002 merchant")
    g.add_argument("--receiver-id")
    g.add_argument("--terminal-id", help="MMQR terminal ID (default 000000)")
    g = p.add_argument_group("generic EMVCo (emvco)")
    g.add_argument("--account-tag", help="merchant account ID 02-51 (default 26)")
    g.add_argument("--guid", help="globally unique identifier, sub-tag 00")
    g = p.add_argument_group("additional data (62) and language template (64)")
    g.add_argument("--bill-number")
    g.add_argument("--mobile-number")
    g.add_argument("--store-label")
    g.add_argument("--loyalty-number")
    g.add_argument("--reference-label")
    g.add_argument("--customer-label")
    g.add_argument("--terminal-label")
    g.add_argument("--purpose", help="purpose of transaction (62/08)")
    g.add_argument("--language", help="64/00, e.g. KM or MY")
    g.add_argument("--alt-name", help="64/01, merchant name in that language")
    g.add_argument("--alt-city", help="64/02")
    p.set_defaults(func=cmd_encode)

    p = sub.add_parser("image", help="check a payload and draw it as .svg or .png")
    p.add_argument("payload")
    p.add_argument("-o", "--output", required=True, help="FILE.svg or FILE.png")
    p.add_argument("--lenient", action="store_true", help="accept known quirks")
    p.set_defaults(func=cmd_image)

    p = sub.add_parser("read", help="read QR codes from a photo or screenshot, print JSON")
    p.add_argument("file", help="an image file (PNG, JPEG...)")
    p.add_argument("--lenient", action="store_true", help="accept known quirks")
    p.set_defaults(func=cmd_read)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``qr`` command to the main ``mekong`` CLI."""
    parser = subparsers.add_parser(
        "qr",
        help="decode, encode, draw and read payment QR codes",
        description="EMVCo merchant-presented QR codes: PromptPay, VietQR, VNPAY-QR, KHQR, "
        "Lao QR, MMQR and generic EMVCo.",
    )
    add_qr_commands(parser)
    register_hub(subparsers)


# --- the hub (Django) ------------------------------------------------------------------------
def _django() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
    import django

    django.setup()


def cmd_resolve(args: argparse.Namespace) -> int:
    """Print the payee of an alias or a QR code as JSON (masked name)."""
    _django()
    from mekong.core.errors import DomainError
    from mekong.payments import facade

    try:
        if args.kind == "qr":
            payee, amount, currency = facade.resolve_qr(args.value)
        else:
            payee, amount, currency = facade.resolve_proxy(args.kind, args.value), None, None
    except DomainError as exc:
        return _fail(f"{exc.code}: {exc.detail}")
    out = {
        "participant": payee.participant_name,
        "country": payee.country,
        "currency": payee.currency,
        "display_name": payee.display_name,
        "amount": amount,
        "amount_currency": currency,
    }
    _write(sys.stdout, _json(out))
    return 0


def cmd_rate(args: argparse.Namespace) -> int:
    """Print the indicative (mid) rate of a pair."""
    _django()
    from mekong.payments import facade

    rate = facade.indicative_rate(args.source, args.destination)
    if rate is None:
        return _fail(f"currency_not_supported: no rate for {args.source}/{args.destination}")
    _write(sys.stdout, f"1 {args.source.upper()} = {rate} {args.destination.upper()}")
    return 0


def _when(text: str) -> datetime:

    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def cmd_settlement(args: argparse.Namespace) -> int:
    """Print the multilateral net positions of a period as CSV."""
    import csv

    try:
        since, until = _when(args.since), _when(args.until)
    except ValueError as exc:
        return _fail(f"invalid date: {exc}")
    _django()
    from mekong.payments import facade

    if until <= since:
        return _fail("invalid_period: --until must be after --since")
    writer = csv.writer(sys.stdout)
    writer.writerow(["participant", "currency", "paid_in", "paid_out", "net", "payments"])
    for row in facade.settlement_report(since=since, until=until):
        writer.writerow(
            [row.participant_name, row.currency, row.paid_in, row.paid_out, row.net, row.payments]
        )
    return 0


def cmd_anchor(args: argparse.Namespace) -> int:
    """Anchor receipts of completed payments that have none yet (deferred mode)."""
    _django()
    from mekong.payments.receipts import drain

    _write(sys.stdout, f"{drain(limit=args.limit)} receipts anchored")
    return 0


def cmd_spend_rebuild(args: argparse.Namespace) -> int:
    """Recompute the wallets' daily spend totals (the limits' basis) from their payments."""
    _django()
    from mekong.payments.spending import rebuild_live

    rows = rebuild_live()
    _write(sys.stdout, f"{rows} daily spend {'total' if rows == 1 else 'totals'} rebuilt")
    return 0


def cmd_webhooks_deliver(args: argparse.Namespace) -> int:
    """Send due webhook deliveries: one round with ``--once``, else every ``--interval`` s."""
    import time

    if args.interval <= 0 or args.limit <= 0:
        return _fail("--interval and --limit must be positive")
    _django()
    from mekong.payments.webhooks import deliver_due

    while True:
        delivered, failed = deliver_due(limit=args.limit)
        if args.once:
            _write(sys.stdout, f"{delivered} webhooks delivered, {failed} to retry or failed")
            return 0
        if delivered + failed < args.limit:
            time.sleep(args.interval)


def cmd_watchlist_import(args: argparse.Namespace) -> int:
    """Add a sanctions or fraud list's entries (CSV) to the screening watchlist."""
    try:
        with open(args.file, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return _fail(f"cannot read {args.file}: {error.strerror}")
    _django()
    from mekong.payments.watchlist_import import ImportRefused, parse_csv, watchlist_import

    try:
        rows = parse_csv(data, default_reason=args.reason)
    except ImportRefused as error:
        return _fail(f"{args.file}: {error}; nothing imported")
    result = watchlist_import(rows, dry_run=args.dry_run)
    done = "would be added (dry run: nothing written)" if args.dry_run else "added"
    summary = f"{result.added} entries {done}, {result.already_listed} already listed"
    if result.deactivated:
        summary += f", {result.deactivated} deactivated in the watchlist (not added again)"
    _write(sys.stdout, summary)
    return 0


def register_hub(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``payments`` command (directory, rates, settlement)."""
    parser = subparsers.add_parser("payments", help="payments hub: payees, rates, settlement")
    sub = parser.add_subparsers(dest="payments_command", metavar="COMMAND", required=True)
    p = sub.add_parser("resolve", help="look up a payee by alias or QR code (masked name)")
    p.add_argument(
        "kind", choices=("phone", "national_id", "business_id", "wallet_id", "qr_merchant", "qr")
    )
    p.add_argument("value")
    p.set_defaults(func=cmd_resolve)
    p = sub.add_parser("rate", help="indicative mid rate of a currency pair")
    p.add_argument("source")
    p.add_argument("destination")
    p.set_defaults(func=cmd_rate)
    p = sub.add_parser("settlement", help="multilateral net positions of a period, as CSV")
    p.add_argument("--since", required=True, help="ISO date or datetime (UTC if no zone)")
    p.add_argument("--until", required=True, help="ISO date or datetime, exclusive")
    p.set_defaults(func=cmd_settlement)
    p = sub.add_parser(
        "anchor", help="anchor missing payment receipts (PAYMENTS_RECEIPTS=deferred)"
    )
    p.add_argument("--limit", type=int, default=1000)
    p.set_defaults(func=cmd_anchor)
    p = sub.add_parser(
        "spend-rebuild", help="recompute the wallets' daily spend totals from their payments"
    )
    p.set_defaults(func=cmd_spend_rebuild)
    p = sub.add_parser("webhooks-deliver", help="send due payment status webhooks")
    p.add_argument("--once", action="store_true", help="one round, then exit")
    p.add_argument("--limit", type=int, default=100, help="deliveries per round")
    p.add_argument("--interval", type=float, default=2.0, help="seconds between idle rounds")
    p.set_defaults(func=cmd_webhooks_deliver)
    p = sub.add_parser(
        "watchlist-import",
        help="add a sanctions list's names to the screening watchlist (CSV: names, reason)",
    )
    p.add_argument("file", help="CSV with a 'names' column (spellings separated by '|')")
    p.add_argument("--reason", default="", help="reason for rows that give none")
    p.add_argument("--dry-run", action="store_true", help="count, write nothing")
    p.set_defaults(func=cmd_watchlist_import)


def build_parser(prog: str = "python -m mekong.payments.qr") -> argparse.ArgumentParser:
    """A stand-alone parser with the ``qr`` subcommands at the top level."""
    parser = argparse.ArgumentParser(prog=prog, description="Payment QR codec.")
    add_qr_commands(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the stand-alone ``qr`` CLI; return the exit status."""
    args = build_parser().parse_args(argv)
    status: int = args.func(args)
    return status
