"""Code that runs in separate OS processes for the race and crash tests.

Each process configures Django itself (``spawn`` start method: no state inherited from the test
process) and opens its own database connection to the database named by ``DATABASE_URL`` —
the test database on PostgreSQL, a scratch file on SQLite.
"""

from __future__ import annotations

import os
import random
import uuid
from typing import Any

#: Shared ids every race worker sends: same fields (must apply once, the others see exists) or
#: per-worker accounts (one worker wins, the others see exists_with_different_fields).
SHARED_SAME = 1 << 120
SHARED_CLASH = 2 << 120


def setup_django(database_url: str) -> None:
    """Configure Django in a fresh process against ``database_url``."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "mekong.settings_test"
    import django

    django.setup()


def race_worker(
    database_url: str, seed: int, accounts: dict[str, Any], rounds: int, barrier: Any
) -> dict[str, Any]:
    """Send random overdrawing batches at the shared accounts; report what was applied.

    Every tenth round the workers meet at ``barrier`` and send a transfer with one shared id
    at the same moment, so that the duplicate-id race really happens.
    """
    setup_django(database_url)
    from django.db import connections

    from mekong.ledger.contracts import TransferIn
    from mekong.ledger.services import transfers_create

    rng = random.Random(seed)
    wallets: list[int] = accounts["wallets"]
    capped: int = accounts["capped"]
    hub: int = accounts["hub"]
    applied: list[str] = []
    codes: dict[str, int] = {}
    counter = 0

    def new_id() -> uuid.UUID:
        nonlocal counter
        counter += 1
        return uuid.UUID(int=(seed << 64) + counter)

    pendings: list[uuid.UUID] = []
    for n in range(rounds):
        batch: list[TransferIn] = []
        for _ in range(rng.randint(1, 6)):
            kind = rng.random()
            debit, credit = rng.sample([*wallets, capped], 2)
            amount = rng.choice([1, 10, 100, 250, 600, 900])
            if kind < 0.15 and pendings:
                target = pendings.pop(rng.randrange(len(pendings)))
                post = rng.random() < 0.5
                batch.append(
                    TransferIn(
                        id=new_id(),
                        pending_id=target,
                        post_pending=post,
                        void_pending=not post,
                        amount=rng.choice([None, 1]) if post else None,
                    )
                )
            else:
                batch.append(
                    TransferIn(
                        id=new_id(),
                        debit_account_id=debit,
                        credit_account_id=credit,
                        amount=amount,
                        currency="THB",
                        code=1,
                        pending=kind < 0.35,
                        linked=rng.random() < 0.3,
                    )
                )
        if batch[-1].linked:
            batch[-1] = TransferIn(**{**_fields(batch[-1]), "linked": False})
        if n % 10 == 0:
            # Everybody sends the same transfer: exactly one application in total.
            batch.append(
                TransferIn(
                    id=uuid.UUID(int=SHARED_SAME + n),
                    debit_account_id=hub,
                    credit_account_id=capped,
                    amount=1,
                    currency="THB",
                    code=2,
                )
            )
        for t, r in zip(batch, transfers_create(batch), strict=True):
            codes[r.code] = codes.get(r.code, 0) + 1
            if r.code == "ok":
                applied.append(str(t.id))
                if t.pending:
                    pendings.append(t.id)
        if n % 10 == 5:
            # Same id, but each worker its own pair of accounts, alone in its batch: no lock
            # orders these batches, so they race on the id's unique index. One worker wins; the
            # others must end up with exists_with_different_fields, not an error.
            debit, credit = accounts["clash"][seed]
            barrier.wait(timeout=60)
            clash = TransferIn(
                id=uuid.UUID(int=SHARED_CLASH + n),
                debit_account_id=debit,
                credit_account_id=credit,
                amount=1,
                currency="THB",
                code=3,
            )
            [r] = transfers_create([clash])
            codes[r.code] = codes.get(r.code, 0) + 1
            if r.code == "ok":
                applied.append(str(clash.id))
    connections.close_all()
    return {"applied": applied, "codes": codes}


def _fields(t: Any) -> dict[str, Any]:
    return {name: getattr(t, name) for name in t.__slots__}


def crash_batch(k: int, accounts: dict[str, Any], size: int) -> list[Any]:
    """The linked batch number ``k``: ``size`` transfers that stand or fall together."""
    from mekong.ledger.contracts import TransferIn

    ring: list[int] = accounts["ring"]
    return [
        TransferIn(
            id=uuid.UUID(int=((k + 1) << 32) + i),
            debit_account_id=ring[i % len(ring)],
            credit_account_id=ring[(i + 1) % len(ring)],
            amount=1 + (k + i) % 7,
            currency="THB",
            code=1,
            linked=i < size - 1,
        )
        for i in range(size)
    ]


def crash_writer(database_url: str, accounts: dict[str, Any], size: int, progress: Any) -> None:
    """Write linked batches forever, announcing each one before sending it (killed by the test)."""
    setup_django(database_url)
    from mekong.ledger.services import transfers_create

    k = 0
    while True:
        batch = crash_batch(k, accounts, size)
        progress.send(k)  # "batch k is about to be sent": batches before k have committed
        results = transfers_create(batch)
        assert all(r.code == "ok" for r in results), results
        k += 1


def crash_setup(database_url: str, ring_size: int) -> dict[str, Any]:
    """Migrate a scratch database and open the accounts of the crash test (SQLite run)."""
    setup_django(database_url)
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0, interactive=False)
    accounts = crash_accounts(ring_size)
    connections.close_all()
    return accounts


def crash_accounts(ring_size: int) -> dict[str, Any]:
    """Open an organisation and a ring of THB accounts (in the current process's database)."""
    from mekong.identity.tests.factories import make_org
    from mekong.ledger.services import account_create

    org = make_org(kind="psp", country="TH")
    ring = [
        account_create(organisation_id=org.pk, currency="THB", code=1, name=f"ring {i}").pk
        for i in range(ring_size)
    ]
    return {"ring": ring}


def crash_check(
    database_url: str, accounts: dict[str, Any], size: int, upto: int
) -> dict[str, Any]:
    """After the kill: which batches are whole, partial or absent; and the invariants."""
    setup_django(database_url)
    from django.db import connections

    from mekong.ledger.models import Transfer
    from mekong.ledger.selectors import invariants_check

    stored = set(Transfer.objects.values_list("id", flat=True))
    whole: list[int] = []
    partial: list[int] = []
    absent: list[int] = []
    for k in range(upto + 1):
        ids = {t.id for t in crash_batch(k, accounts, size)}
        present = len(ids & stored)
        (whole if present == size else absent if present == 0 else partial).append(k)
    result = {
        "whole": whole,
        "partial": partial,
        "absent": absent,
        "rows": len(stored),
        "problems": invariants_check(),
    }
    connections.close_all()
    return result
