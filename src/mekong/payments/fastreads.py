"""The reads of the payment path (quote, pay) in precomposed SQL (`mekong.core.db.rows`).

Every payment runs each of these once or more; through the ORM each cost 0.3-0.7 ms of CPU in
building and compiling the query, several times the statement itself. The statements say
exactly what the ORM queries they replace said (the tests of `paying` and the API run through
them on SQLite and PostgreSQL). Everything else in the module keeps the ORM.
"""

from __future__ import annotations

import functools
import itertools
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import cast

from django.db import connection

from mekong.core.db.rows import Rows, columns, placeholders, prep, table
from mekong.payments.models import (
    Participant,
    ParticipantKind,
    Payment,
    Position,
    ProxyEntry,
    Quote,
    Wallet,
    WatchlistEntry,
    WatchlistVersion,
    WebhookEndpoint,
)

_WALLET_PSP = Rows(Wallet, Participant)
_QUOTE_ENDS = Rows(Quote, Wallet, Participant, Wallet, Participant, Participant)
_WALLET = Rows(Wallet)
_PAYMENT = Rows(Payment)
_ENDPOINT = Rows(WebhookEndpoint)
_WATCHLIST = Rows(WatchlistEntry)
_RECEIPT_PARTS = Rows(Payment, Quote, Participant, Participant, Participant)
#: Largest id a row can have (64-bit keys); a larger number would overflow the driver.
_ID_MAX = 2**63 - 1


def _for_update(of: str) -> str:
    """Row locks where the backend has them; SQLite's writer lock (`writer.serial`) covers
    the whole transaction instead."""
    return f" FOR UPDATE OF {of}" if connection.features.has_select_for_update_of else ""


def _uuids(model: type[Quote] | type[Payment], ids: Sequence[uuid.UUID]) -> list[object]:
    return [prep(model, "id", i) for i in ids]


@functools.cache
def _wallet_psp_sql() -> str:
    return (
        f"SELECT {columns(Wallet, 'w')}, {columns(Participant, 'p')} "  # noqa: S608
        f"FROM {table(Wallet)} w JOIN {table(Participant)} p ON p.id = w.participant_id "
    )


def wallet_of_organisation(wallet_id: int, organisation_id: int, *, sandbox: bool) -> Wallet | None:
    """The wallet ``wallet_id`` (its PSP read with it) if a PSP of ``organisation_id`` in the
    ``sandbox`` mode holds it."""
    if not 0 < wallet_id <= _ID_MAX:  # an API caller's number; no row has it
        return None
    found = _WALLET_PSP.fetch(
        _wallet_psp_sql() + "WHERE w.id = %s AND p.organisation_id = %s AND p.sandbox = %s",
        [wallet_id, organisation_id, sandbox],
    )
    return _wallet(found)


def wallet_of_proxy(kind: str, key: str, *, sandbox: bool) -> Wallet | None:
    """The wallet (its PSP read with it) that the directory entry (kind, normalised value)
    names in the ``sandbox`` mode."""
    found = _WALLET_PSP.fetch(
        _wallet_psp_sql()
        + f"JOIN {table(ProxyEntry)} e ON e.wallet_id = w.id "
        + "WHERE e.kind = %s AND e.value = %s AND e.sandbox = %s",
        [kind, key, sandbox],
    )
    return _wallet(found)


def _wallet(found: list[tuple[Wallet, Participant]]) -> Wallet | None:
    if not found:
        return None
    wallet, psp = found[0]
    wallet.participant = psp
    return wallet


@functools.cache
def _quote_ends_sql() -> str:
    return (
        f"SELECT {columns(Quote, 'q')}, {columns(Wallet, 'w')}, {columns(Participant, 'wp')}, "  # noqa: S608
        f"{columns(Wallet, 'y')}, {columns(Participant, 'yp')}, {columns(Participant, 'x')} "
        f"FROM {table(Quote)} q "
        f"JOIN {table(Wallet)} w ON w.id = q.wallet_id "
        f"JOIN {table(Participant)} wp ON wp.id = w.participant_id "
        f"JOIN {table(Wallet)} y ON y.id = q.payee_wallet_id "
        f"JOIN {table(Participant)} yp ON yp.id = y.participant_id "
        f"LEFT JOIN {table(Participant)} x ON x.id = q.fx_provider_id "
    )


def quote_with_ends(quote_id: uuid.UUID) -> Quote | None:
    """The payable (not refund) quote ``quote_id`` with both wallets, their PSPs and the FX
    provider, without a lock: what a payment request is prepared from before its batch."""
    for quote, wallet, psp, payee, payee_psp, provider in _QUOTE_ENDS.fetch(
        _quote_ends_sql() + "WHERE q.id = %s AND q.is_refund = %s",
        [prep(Quote, "id", quote_id), False],
    ):
        wallet.participant = psp
        payee.participant = payee_psp
        quote.wallet = wallet
        quote.payee_wallet = payee
        quote.fx_provider = provider
        return cast(Quote, quote)
    return None


def quotes_unused_locked(ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, bool]:
    """Whether each existing quote of ``ids`` is still unused, row-locked in wallet order (like
    every payment batch). The rest of a quote never changes once created."""
    stored = {prep(Quote, "id", i): i for i in ids}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT q.id, q.used_at IS NULL FROM {table(Quote)} q "  # noqa: S608
            f"WHERE q.id IN ({placeholders(len(stored))}) ORDER BY q.wallet_id" + _for_update("q"),
            list(stored),
        )
        return {stored[key]: bool(unused) for key, unused in cursor.fetchall()}


def quotes_mark_used(ids: Sequence[uuid.UUID], when: datetime) -> None:
    """Set ``used_at`` of the quotes ``ids``."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(Quote)} SET used_at = %s "  # noqa: S608
            f"WHERE id IN ({placeholders(len(ids))})",
            [prep(Quote, "used_at", when), *[prep(Quote, "id", i) for i in ids]],
        )


def wallets_locked(ids: Sequence[int]) -> list[Wallet]:
    """The wallets ``ids``, row-locked in id order."""
    return [
        w
        for (w,) in _WALLET.fetch(
            f"SELECT {columns(Wallet, 'w')} FROM {table(Wallet)} w "  # noqa: S608
            f"WHERE w.id IN ({placeholders(len(ids))}) ORDER BY w.id" + _for_update("w"),
            list(ids),
        )
    ]


def payments_by_key(wallet_ids: Sequence[int], keys: Sequence[str]) -> list[Payment]:
    """Payments of these wallets under any of these idempotency keys."""
    return [
        p
        for (p,) in _PAYMENT.fetch(
            f"SELECT {columns(Payment, 'p')} FROM {table(Payment)} p "  # noqa: S608
            f"WHERE p.wallet_id IN ({placeholders(len(wallet_ids))}) "
            f"AND p.idempotency_key IN ({placeholders(len(keys))})",
            [*wallet_ids, *keys],
        )
    ]


def positions(
    participant_ids: Sequence[int], currencies: Sequence[str]
) -> list[tuple[int, str, bool, str, str, int]]:
    """(participant id, participant kind, sandbox, currency, position kind, ledger account)
    of the positions in ``currencies`` of these participants and of every hub."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.participant_id, p.kind, p.sandbox, s.currency, s.kind, "  # noqa: S608
            f"s.ledger_account_id FROM {table(Position)} s "
            f"JOIN {table(Participant)} p ON p.id = s.participant_id "
            f"WHERE (s.participant_id IN ({placeholders(len(participant_ids))}) OR p.kind = %s) "
            f"AND s.currency IN ({placeholders(len(currencies))})",
            [*participant_ids, ParticipantKind.HUB.value, *currencies],
        )
        return [(int(a), b, bool(c), d, e, int(f)) for a, b, c, d, e, f in cursor.fetchall()]


def proxies_of(wallet_ids: Sequence[int]) -> list[tuple[int, str, str]]:
    """(wallet id, kind, value) of every directory entry of these wallets."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.wallet_id, e.kind, e.value FROM {table(ProxyEntry)} e "  # noqa: S608
            f"WHERE e.wallet_id IN ({placeholders(len(wallet_ids))})",
            list(wallet_ids),
        )
        return [(int(w), k, v) for w, k, v in cursor.fetchall()]


def active_watchlist() -> list[tuple[int, list[object], str]]:
    """(id, names, reason) of every active watchlist entry."""
    return [
        (e.pk, e.names, e.reason)
        for (e,) in _WATCHLIST.fetch(
            f"SELECT {columns(WatchlistEntry, 'e')} FROM {table(WatchlistEntry)} e "  # noqa: S608
            "WHERE e.active = %s",
            [True],
        )
    ]


def watchlist_version() -> str | None:
    """The watchlist's current `WatchlistVersion` token (None while the row is missing)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table(WatchlistVersion)} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else None


def endpoints_of(participant_ids: Sequence[int]) -> list[WebhookEndpoint]:
    """The active webhook endpoints of these participants."""
    return [
        e
        for (e,) in _ENDPOINT.fetch(
            f"SELECT {columns(WebhookEndpoint, 'e')} FROM {table(WebhookEndpoint)} e "  # noqa: S608
            f"WHERE e.participant_id IN ({placeholders(len(participant_ids))}) AND e.active = %s",
            [*participant_ids, True],
        )
    ]


def awaiting_receipt(statuses: Sequence[str], *, limit: int) -> list[Payment]:
    """Up to ``limit`` payments in ``statuses`` without a receipt, oldest completion first,
    each with what its receipt names (quote, FX provider, both PSPs)."""
    out = []
    for payment, quote, sender, receiver, provider in _RECEIPT_PARTS.fetch(
        f"SELECT {columns(Payment, 'p')}, {columns(Quote, 'q')}, "  # noqa: S608
        f"{columns(Participant, 's')}, {columns(Participant, 'r')}, {columns(Participant, 'x')} "
        f"FROM {table(Payment)} p JOIN {table(Quote)} q ON q.id = p.quote_id "
        f"JOIN {table(Participant)} s ON s.id = p.sender_participant_id "
        f"JOIN {table(Participant)} r ON r.id = p.receiver_participant_id "
        f"LEFT JOIN {table(Participant)} x ON x.id = q.fx_provider_id "
        f"WHERE p.receipt_index IS NULL AND p.status IN ({placeholders(len(statuses))}) "
        "ORDER BY p.completed_at LIMIT %s",
        [*map(str, statuses), limit],
    ):
        quote.fx_provider = provider
        payment.quote = quote
        payment.sender_participant = sender
        payment.receiver_participant = receiver
        out.append(payment)
    return out


def receipt_indexes(ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int | None]:
    """Each payment's stored receipt index (None: not anchored yet)."""
    stored = {prep(Payment, "id", i): i for i in ids}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.id, p.receipt_index FROM {table(Payment)} p "  # noqa: S608
            f"WHERE p.id IN ({placeholders(len(stored))})",
            list(stored),
        )
        return {stored[key]: None if i is None else int(i) for key, i in cursor.fetchall()}


def receipts_set(indexes: dict[uuid.UUID, int]) -> None:
    """Give each payment its receipt's log index in one UPDATE, unless it already has one (a
    payment anchored meanwhile by another path keeps the index it got first)."""
    if not indexes:
        return
    ids = [prep(Payment, "id", pk) for pk in indexes]
    cases = " ".join(["WHEN %s THEN CAST(%s AS BIGINT)"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(Payment)} SET receipt_index = CASE id {cases} END "  # noqa: S608
            f"WHERE id IN ({placeholders(len(ids))}) AND receipt_index IS NULL",
            [*itertools.chain(*zip(ids, indexes.values(), strict=True)), *ids],
        )
