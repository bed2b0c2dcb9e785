"""``mekong ledger …``: operate the ledger from the shell.

``mekong ledger expire`` releases timed-out pending transfers (what the periodic task does);
``mekong ledger check`` recomputes every balance from the history and exits 1 on any violation.
Handlers import Django lazily: building the ``mekong`` parser must stay cheap.
"""

from __future__ import annotations

import argparse
import os
import sys


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
    import django

    django.setup()


def cmd_expire(args: argparse.Namespace) -> int:
    """Expire pending transfers whose timeout has passed."""
    _django()
    from mekong.ledger.services import pending_expire

    expired = pending_expire()
    print(f"{len(expired)} pending transfers expired")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Check the ledger's invariants; exit 1 and list the violations if any."""
    _django()
    from mekong.ledger.selectors import invariants_check

    problems = invariants_check()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print("ledger invariants hold")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``ledger`` command to the main ``mekong`` CLI."""
    parser = subparsers.add_parser("ledger", help="expire pending transfers, check invariants")
    sub = parser.add_subparsers(dest="ledger_command", required=True)
    p = sub.add_parser("expire", help="release pending transfers whose timeout has passed")
    p.set_defaults(func=cmd_expire)
    p = sub.add_parser("check", help="recompute balances from history; exit 1 on a violation")
    p.set_defaults(func=cmd_check)
