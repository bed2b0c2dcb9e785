"""``mekong clearance ...``: assess duty from the shipped tariff files; clearance statistics.

``clearance duty`` needs no database (the duty engine is pure): it prints the regime, rate,
duty and VAT of one line, with the reasons and whether the tariff row is published or
illustrative. ``clearance stats`` reads the database. Bad input exits 2 with one line on stderr.
Loaded by ``mekong.customs.cli.register`` (the ``mekong`` command loads one cli per module).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from mekong.core import clock
from mekong.core.currencies import CURRENCIES
from mekong.core.money import Money, MoneyError
from mekong.customs.clearance import duty, hscodes


class _Fail(Exception):
    """Bad input: one line on stderr, exit 2."""


def _assess(args: argparse.Namespace) -> dict[str, Any]:
    country = str(args.to).upper()
    if country not in duty.SCHEDULE_COUNTRIES:
        raise _Fail(
            f"no tariff schedule for {args.to!r} (have {', '.join(duty.SCHEDULE_COUNTRIES)})"
        )
    problem = hscodes.check_code(args.hs)
    if problem:
        raise _Fail(f"HS code {args.hs!r}: {problem.replace('_', ' ')}")
    currency = str(args.currency).upper()
    if currency not in CURRENCIES:
        raise _Fail(f"unknown currency {args.currency!r}")
    try:
        value = Money.from_decimal(Decimal(args.value), currency).minor
    except (InvalidOperation, MoneyError):
        raise _Fail(f"value {args.value!r} is not an amount of {currency}") from None
    try:
        on = date.fromisoformat(args.date) if args.date else clock.now().date()
    except ValueError:
        raise _Fail(f"date {args.date!r} is not YYYY-MM-DD") from None
    line = duty.LineIn(
        hs_code=args.hs,
        customs_value=value,
        origin=str(args.origin).upper(),
        atiga_claimed=args.atiga or args.form_d,
        form_d_valid=args.form_d,
    )
    try:
        result = duty.assess(
            schedule=duty.load_schedule(country), lines=[line], currency=currency, on=on
        )
    except duty.DutyError as error:
        raise _Fail(f"cannot assess: {error}") from None
    (a,) = result.lines
    return {
        "country": result.country,
        "currency": result.currency,
        "exchange_rate": str(result.exchange_rate),
        "customs_value": str(Money(a.customs_value, result.currency)),
        "tariff_line": a.tariff_line,
        "tariff_status": a.tariff_status,
        "regime": str(a.regime),
        "rate_percent": str(a.rate_percent),
        "duty": str(Money(a.duty, result.currency)),
        "vat_percent": str(a.vat_percent),
        "vat": str(Money(a.vat, result.currency)),
        "total": str(Money(result.total, result.currency)),
        "reasons": list(a.reasons),
        "de_minimis_exempts": sorted(result.de_minimis_exempts),
    }


def cmd_duty(args: argparse.Namespace) -> int:
    """Print the assessment of one line (``--json`` for machines)."""
    try:
        out = _assess(args)
    except _Fail as error:
        print(f"mekong clearance duty: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    width = max(len(k) for k in out)
    for key, value in out.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        print(f"{key:<{width}}  {shown}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    """Print lodged/released counts, lanes and the median clearance time as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
    import django

    django.setup()
    from mekong.customs.clearance import facade

    stats = facade.clearance_stats(args.country or "")
    print(json.dumps({"country": stats.country, "lodged": stats.lodged,
                      "released": stats.released, "lanes": stats.lanes,
                      "median_clearance_seconds": stats.median_clearance_seconds}))  # fmt: skip
    return 0


def register(subparsers: Any) -> None:
    """Add the ``clearance`` command."""
    clearance = subparsers.add_parser("clearance", help="customs clearance: duty, statistics")
    sub = clearance.add_subparsers(dest="clearance_command", metavar="SUBCOMMAND")
    sub.required = True
    p = sub.add_parser("duty", help="assess duty and VAT of one line (no database)")
    p.add_argument("--to", required=True, help="importing country, e.g. VN")
    p.add_argument("--hs", required=True, help="6-digit HS 2022 or 8-digit national line")
    p.add_argument("--value", required=True, help="customs value in major units, e.g. 20000.00")
    p.add_argument("--currency", required=True, help="ISO 4217 code of the value")
    p.add_argument("--origin", required=True, help="country of origin, e.g. TH")
    p.add_argument("--atiga", action="store_true", help="claim the ATIGA preference")
    p.add_argument("--form-d", action="store_true", help="a valid Form D covers the line")
    p.add_argument("--date", help="lodging date YYYY-MM-DD (default: today)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_duty)
    p = sub.add_parser("stats", help="lodged, released, lanes, median clearance time (JSON)")
    p.add_argument("--country", help="importing country (default: all)")
    p.set_defaults(func=cmd_stats)
