"""What each wallet spent, per local day, against its KYC limits (`WalletSpend`).

A day is the calendar day of the wallet's country (its PSP's country: Yangon's day for a
Myanmar wallet, Bangkok's for a Thai one), so a limit resets at the wallet holder's midnight,
not at 07:00 in Bangkok as a UTC day would; the month is made of those days.

A limit check needs a wallet's total of today and of this month. Summing the month's payments
made every check grow with the wallet's activity (a payroll or merchant wallet with thousands
of payments a month read all of them, inside the writer lock); the daily totals kept here are
at most 31 rows a wallet-month. They change in the transaction that decides a payment (`add`
with the payments of a batch) and when a reviewer rejects a held payment (`add` with a negative
total); `rebuild` recomputes them from the payments (the migration that introduced them), and
`rebuild_live` does it while payments run (``mekong payments spend-rebuild``: a repair after
payments were edited by hand).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from django.db import connection, transaction

from mekong.core.countries import COUNTRIES
from mekong.core.db.rows import placeholders, prep, table
from mekong.payments import writer
from mekong.payments.models import Payment, PaymentStatus, WalletSpend

#: The statuses whose payments count against a wallet's limits: money that left the wallet or
#: is reserved for a reviewer. A refund gives money back but does not lower the spend (as
#: card limits work: a refund does not reopen a day's limit).
COUNTED = (PaymentStatus.COMPLETED, PaymentStatus.HELD, PaymentStatus.REFUNDED)


def _zone(country: str) -> tzinfo:
    known = COUNTRIES.get(country)
    return known.tz if known is not None else UTC


def day_of(when: datetime, country: str) -> date:
    """The day a payment made at ``when`` from a wallet of ``country`` counts on: the calendar
    day there (UTC for a country the platform does not know)."""
    return when.astimezone(_zone(country)).date()


def spent(wallets: Sequence[tuple[int, str]], *, now: datetime) -> dict[int, tuple[int, int]]:
    """Per (wallet id, country) that spent anything: (this month's total, today's total), in
    the wallet's local days. Days after ``now`` count too (a clock moved back must not reopen a
    limit). One query per distinct local date among the wallets: one, except in the half hour
    when it is already tomorrow in Bangkok but not yet in Yangon."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for wallet_id, country in wallets:
        by_day[day_of(now, country)].append(wallet_id)
    out: dict[int, tuple[int, int]] = {}
    with connection.cursor() as cursor:
        for today, ids in by_day.items():
            cursor.execute(
                "SELECT s.wallet_id, SUM(s.total), "  # noqa: S608
                "SUM(CASE WHEN s.day >= %s THEN s.total ELSE 0 END) "
                f"FROM {table(WalletSpend)} s WHERE s.wallet_id IN ({placeholders(len(ids))}) "
                "AND s.day >= %s GROUP BY s.wallet_id",
                [
                    prep(WalletSpend, "day", today),
                    *ids,
                    prep(WalletSpend, "day", today.replace(day=1)),
                ],
            )
            out.update({int(w): (int(m or 0), int(d or 0)) for w, m, d in cursor.fetchall()})
    return out


def add(amounts: Iterable[tuple[int, str, datetime, int]]) -> None:
    """Add (wallet id, wallet's country, payment time, amount) to the wallets' daily totals,
    in the caller's transaction: one upsert for all (amounts of the same wallet and day are
    summed first, as PostgreSQL refuses to update one row twice in one statement)."""
    totals: dict[tuple[int, date], int] = defaultdict(int)
    for wallet_id, country, when, amount in amounts:
        totals[(wallet_id, day_of(when, country))] += amount
    if not totals:
        return
    name = table(WalletSpend)
    params: list[Any] = []
    for (wallet_id, day), amount in sorted(totals.items()):  # sorted: a fixed lock order
        params += [wallet_id, prep(WalletSpend, "day", day), amount]
    values = ", ".join(["(%s, %s, %s)"] * len(totals))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {name} (wallet_id, day, total) VALUES {values} "  # noqa: S608
            f"ON CONFLICT (wallet_id, day) DO UPDATE SET total = {name}.total + excluded.total",
            params,
        )


def rebuild(payment_model: Any, spend_model: Any) -> int:
    """Recompute every daily total from the payments (the models are parameters so a migration
    can pass its historical ones); the number of (wallet, day) rows written."""
    totals: dict[tuple[int, date], int] = defaultdict(int)
    counted = payment_model.objects.filter(
        status__in=[str(s) for s in COUNTED], refund_of__isnull=True
    ).values_list("wallet_id", "wallet__participant__country", "created_at", "quote__total_debit")
    for wallet_id, country, created_at, debit in counted.iterator(chunk_size=2000):
        totals[(wallet_id, day_of(created_at, country))] += debit
    spend_model.objects.all().delete()
    spend_model.objects.bulk_create(
        [spend_model(wallet_id=w, day=d, total=t) for (w, d), t in sorted(totals.items())],
        batch_size=1000,
    )
    return len(totals)


def rebuild_live() -> int:
    """`rebuild` while payments may be running: it holds the writer lock (SQLite) or locks the
    totals against concurrent payments (PostgreSQL: a payment's update of its total waits for
    this transaction, then adds its own payment, which the recount could not see yet)."""
    with writer.serial(), transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table(WalletSpend)} IN EXCLUSIVE MODE")
        return rebuild(Payment, WalletSpend)
