"""Demo ledger: a settlement account per payment service provider, funded by its central bank.

Each demo PSP (organisation type ``psp``) gets a settlement account in its national currency
that may not be overdrawn; the country's central bank (type ``regulator``) gets an issuance
account without a limit, and funds each settlement account once. Ids are derived from the
organisations' slugs, so a second run finds everything (``exists``) and changes nothing.
"""

from __future__ import annotations

import uuid

from mekong.core.countries import country
from mekong.core.currencies import currency
from mekong.identity import facade as identity
from mekong.ledger import services
from mekong.ledger.contracts import TransferIn
from mekong.ledger.models import Account

#: Namespace of the demo's deterministic ids.
DEMO_NAMESPACE = uuid.UUID("6f1c1f5e-3d0e-4c55-9d0a-6c6b1d1e7a01")
#: Account codes used by the demo (a deployment defines its own chart).
CODE_ISSUANCE = 100
CODE_SETTLEMENT = 200
#: Transfer code of the opening float.
CODE_FUNDING = 1
#: Opening float per PSP, in major units of its currency.
FLOAT_MAJOR = 10_000_000


def _key(*parts: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, ":".join(parts))


def seed() -> list[str]:
    """Open and fund the demo accounts; idempotent. Returns report lines."""
    opened = 0
    batch: list[TransferIn] = []
    regulators = {o.country: o for o in identity.organisations_by_kind("regulator")}
    for psp in identity.organisations_by_kind("psp"):
        cur = country(psp.country).currency
        bank = regulators.get(psp.country)
        if bank is None:
            continue
        issuance_key = _key(bank.slug, "issuance", cur)
        settlement_key = _key(psp.slug, "settlement", cur)
        before = Account.objects.filter(external_id__in=[issuance_key, settlement_key]).count()
        issuance = services.account_create(
            organisation_id=bank.id,
            currency=cur,
            code=CODE_ISSUANCE,
            name=f"{cur} issuance",
            external_id=issuance_key,
        )
        settlement = services.account_create(
            organisation_id=psp.id,
            currency=cur,
            code=CODE_SETTLEMENT,
            name=f"{cur} settlement",
            external_id=settlement_key,
            debits_must_not_exceed_credits=True,
        )
        opened += 2 - before
        batch.append(
            TransferIn(
                id=_key(psp.slug, "opening-float"),
                debit_account_id=issuance.pk,
                credit_account_id=settlement.pk,
                amount=FLOAT_MAJOR * 10 ** currency(cur).minor_units,
                currency=cur,
                code=CODE_FUNDING,
                user_data="demo opening float",
            )
        )
    results = services.transfers_create(batch) if batch else []
    applied = sum(1 for r in results if r.code == "ok")
    return [f"ledger: {opened} accounts opened, {applied} funding transfers applied"]
