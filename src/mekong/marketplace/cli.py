"""``mekong marketplace …``: operate the marketplace from the shell.

``mekong marketplace release-due`` pays sellers of shipped orders whose release window has
passed (what the periodic task does). Handlers import Django lazily: building the ``mekong``
parser must stay cheap.
"""

from __future__ import annotations

import argparse
import os


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
    import django

    django.setup()


def cmd_release_due(args: argparse.Namespace) -> int:
    """Release the escrow of every order whose release window has passed."""
    _django()
    from mekong.marketplace.ordering import release_due

    released = release_due()
    for number in released:
        print(number)
    print(f"{len(released)} orders released")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``marketplace`` command to the main ``mekong`` CLI."""
    parser = subparsers.add_parser("marketplace", help="release escrow whose window has passed")
    sub = parser.add_subparsers(dest="marketplace_command", required=True)
    p = sub.add_parser(
        "release-due", help="pay sellers of shipped orders whose release window has passed"
    )
    p.set_defaults(func=cmd_release_due)
