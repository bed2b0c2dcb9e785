"""``mekong taxii sync``: federate one local collection with a collection on another server.

Run it from cron or the task scheduler for a schedule; each run is incremental (watermarks) and
safe to repeat. Handlers import Django lazily: building the ``mekong`` parser must stay cheap.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def cmd_sync(args: argparse.Namespace) -> int:
    """Pull from and/or push to the remote collection; exit 2 on bad arguments."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
    import django

    django.setup()
    from mekong.identity.models import Organisation
    from mekong.threatintel.models import Collection
    from mekong.threatintel.sync import TaxiiPeer, sync

    collection = Collection.objects.filter(id=args.collection).first()
    peer_org = Organisation.objects.filter(slug=args.peer_organisation).first()
    if collection is None or peer_org is None:
        print("mekong: error: unknown --collection or --peer-organisation", file=sys.stderr)
        return 2
    token = os.environ.get("MEKONG_TAXII_PEER_TOKEN", "")
    password = os.environ.get("MEKONG_TAXII_PEER_PASSWORD", "")
    peer = TaxiiPeer(args.url, user=args.user or "", password=password, token=token)
    both = not (args.pull or args.push)
    result = sync(
        collection=collection,
        peer=peer,
        peer_organisation=peer_org,
        pull=args.pull or both,
        push=args.push or both,
    )
    print(
        f"pulled {result.pulled} ({result.pull_failures} refused), "
        f"pushed {result.pushed} ({result.push_failures} refused)"
    )
    return 0


def register(subparsers: Any) -> None:
    """Add ``mekong taxii …`` to the ``mekong`` command."""
    taxii = subparsers.add_parser("taxii", help="TAXII 2.1 federation")
    sub = taxii.add_subparsers(dest="taxii_command", required=True)
    p = sub.add_parser("sync", help="pull from and push to another TAXII 2.1 server")
    p.add_argument("--url", required=True, help="the remote collection URL (…/collections/<id>/)")
    p.add_argument("--collection", required=True, help="the local collection id")
    p.add_argument(
        "--peer-organisation", required=True, help="slug of the organisation standing for the peer"
    )
    p.add_argument("--user", help="HTTP Basic user (password in MEKONG_TAXII_PEER_PASSWORD)")
    p.add_argument("--pull", action="store_true", help="only pull")
    p.add_argument("--push", action="store_true", help="only push")
    p.set_defaults(func=cmd_sync)
