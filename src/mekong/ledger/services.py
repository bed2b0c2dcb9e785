"""Write use cases of the ledger: open accounts, apply transfer batches, expire pending transfers.

How a batch is applied (docs/adr/0007-ledger-semantics.md):

1. Check each item on its own (ids, flags, amounts, codes) — no database.
2. Read the pending transfers that posts and voids refer to (immutable rows), then lock every
   account the batch touches, in ascending id order (PostgreSQL ``FOR NO KEY UPDATE``; SQLite
   already holds the write lock from ``BEGIN IMMEDIATE``). Only then read which ids exist and
   which pending transfers are resolved, so that those reads cannot be stale.
3. Apply the items in order to an in-memory copy of the locked balances. A linked chain keeps
   an undo record, so a failing item rolls its whole chain back before the next item runs.
4. Write everything at once: the transfer rows, the resolution rows and one balance delta per
   touched account (PostgreSQL: one statement per table with array parameters; SQLite:
   prepared statements), one audit entry, one outbox event.

One database transaction per batch: a crash leaves the batch wholly applied or wholly absent.
"""

from __future__ import annotations

import itertools
import operator
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction

from mekong.core import clock
from mekong.core.audit import audit_record, audit_record_many
from mekong.core.currencies import CURRENCIES
from mekong.core.events import publish
from mekong.core.text import normalize_text
from mekong.identity.contracts import Actor
from mekong.identity.models import Organisation
from mekong.ledger.contracts import (
    TransferIn,
    TransferResult,
    TransferResultCode,
)
from mekong.ledger.engine import (
    ROW_FIELDS,
    Balances,
    BatchState,
    Row,
    apply_all,
    static_check,
)
from mekong.ledger.errors import AccountExists, BatchTooLarge, InvalidAccount, NotAManager
from mekong.ledger.events import AccountCreated, PendingTransfersExpired, TransfersCommitted
from mekong.ledger.models import (
    AMOUNT_MAX,
    CODE_MAX,
    USER_DATA_MAX,
    Account,
    PendingResolution,
    ResolutionStatus,
    Transfer,
)

#: Largest batch, as TigerBeetle's (8,190 transfers per request).
BATCH_MAX = 8190
#: How often a batch is re-run after losing an insert race on a transfer id (PostgreSQL).
_RETRIES = 3


# --- accounts -------------------------------------------------------------------------------
def account_create(
    *,
    organisation_id: int,
    currency: str,
    code: int,
    name: str = "",
    external_id: uuid.UUID | None = None,
    debits_must_not_exceed_credits: bool = False,
    credits_must_not_exceed_debits: bool = False,
    user_data: str = "",
    actor: Actor | None = None,
) -> Account:
    """Open an account for an organisation; idempotent on ``external_id``.

    With an ``actor`` (the API) the actor must own or administer ``organisation_id``; without
    one (another module through the facade) the caller is trusted.

    Invariants: currency, code, owner and flags never change afterwards. Retrying with the same
    ``external_id`` and the same fields returns the existing account and writes nothing.
    Writes a ``ledger.account_created`` audit entry and publishes `AccountCreated` when it
    creates the account.

    Raises:
        NotAManager: the actor does not manage the organisation.
        InvalidAccount: unknown currency or organisation, code outside 1-65535, both flags set,
            text too long.
        AccountExists: ``external_id`` is taken by an account with other fields.
    """
    if actor is not None and (actor.organisation_id != organisation_id or not actor.can_manage):
        raise NotAManager()
    name = normalize_text(name)
    errors: list[dict[str, str]] = []
    if currency not in CURRENCIES:
        errors.append({"field": "currency", "code": "invalid_choice"})
    if isinstance(code, bool) or not 1 <= code <= CODE_MAX:
        errors.append({"field": "code", "code": "out_of_range"})
    if debits_must_not_exceed_credits and credits_must_not_exceed_debits:
        errors.append({"field": "flags", "code": "flags_are_mutually_exclusive"})
    if len(name) > 200:
        errors.append({"field": "name", "code": "too_long"})
    if len(user_data) > USER_DATA_MAX:
        errors.append({"field": "user_data", "code": "too_long"})
    if not Organisation.objects.filter(pk=organisation_id).exists():
        errors.append({"field": "organisation_id", "code": "not_found"})
    if errors:
        raise InvalidAccount(extra={"errors": errors})
    fields = {
        "organisation_id": organisation_id,
        "currency": currency,
        "code": code,
        "name": name,
        "debits_must_not_exceed_credits": debits_must_not_exceed_credits,
        "credits_must_not_exceed_debits": credits_must_not_exceed_debits,
        "user_data": user_data,
    }
    key = external_id or uuid.uuid4()
    existing = Account.objects.filter(external_id=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                account = Account.objects.create(external_id=key, **fields)
                audit_record(
                    action="ledger.account_created",
                    actor_user_id=actor.user_id if actor else None,
                    organisation_id=organisation_id,
                    object_type="ledger_account",
                    object_id=account.pk,
                    data={"currency": currency, "code": code, "external_id": str(key)},
                )
                publish(
                    AccountCreated(
                        account_id=account.pk, organisation_id=organisation_id, currency=currency
                    )
                )
            return account
        except IntegrityError:
            # A concurrent creation with the same external id won; compare with it below.
            existing = Account.objects.filter(external_id=key).first()
            if existing is None:
                raise
    if any(getattr(existing, f) != v for f, v in fields.items()):
        raise AccountExists(params={"external_id": str(key)})
    return existing


# The reads and writes below run once per batch with up to thousands of parameters. They are
# plain SQL because building the same queries through the ORM cost more than running them (a
# batch of 1,000 spent half its time compiling two `__in` lookups). Inserts take their column
# names from the models; every statement runs in the tests on both databases.
def _marks(count: int) -> str:
    return ", ".join(["%s"] * count)


def _rows_by_id(ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Row]:
    """Stored transfers among ``ids`` (usually none: only retries and posts find rows)."""
    conv = _db_uuid()
    wanted = [conv(i) for i in ids]
    if not wanted:
        return {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array parameter: a list of thousands of parameters is slow to parse.
            cursor.execute("SELECT id FROM ledger_transfer WHERE id = ANY(%s::uuid[])", [wanted])
        else:
            cursor.execute(
                f"SELECT id FROM ledger_transfer WHERE id IN ({_marks(len(wanted))})",  # noqa: S608
                wanted,
            )
        found = [r[0] for r in cursor.fetchall()]
    if not found:
        return {}
    # Typed rows (UUIDs, aware datetimes) through the ORM, for the few ids that exist.
    return {
        values[0]: Row(*values)
        for values in Transfer.objects.filter(pk__in=found).values_list(*ROW_FIELDS)
    }


_LOCK_SQL = (
    "SELECT id, currency, debits_must_not_exceed_credits, credits_must_not_exceed_debits, "
    "debits_pending, debits_posted, credits_pending, credits_posted FROM ledger_account "
    "WHERE {where} ORDER BY id"
)


def _lock_accounts(ids: Iterable[int | None]) -> dict[int, Balances]:
    """Read and lock the accounts in ascending id order (a fixed order cannot deadlock).

    Ids that cannot be a stored account (None, out of the 64-bit range) are skipped: they are
    simply not found.
    """
    wanted = sorted(
        {i for i in ids if type(i) is int and 0 < i <= AMOUNT_MAX}  # not bool
    )
    if not wanted:
        return {}
    params: list[Any]
    if connection.vendor == "postgresql":
        # NO KEY UPDATE: we change balances, never the key, so inserts elsewhere of transfers
        # that reference the account (their foreign key takes KEY SHARE) are not blocked.
        # PostgreSQL locks the rows in the ORDER BY order.
        sql = _LOCK_SQL.format(where="id = ANY(%s::bigint[])") + " FOR NO KEY UPDATE"
        params = [wanted]
    else:
        # SQLite has no row locks: BEGIN IMMEDIATE already made this transaction the only writer.
        sql = _LOCK_SQL.format(where=f"id IN ({_marks(len(wanted))})")
        params = wanted
    found: dict[int, Balances] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, cur, debits_capped, credits_capped, dp, dpo, cp, cpo in cursor.fetchall():
            found[pk] = Balances(
                cur, bool(debits_capped), bool(credits_capped), dp, dpo, cp, cpo, (dp, dpo, cp, cpo)
            )
    return found


def _run(
    batch: Sequence[TransferIn], static: list[TransferResultCode | None]
) -> tuple[list[TransferResultCode], BatchState]:
    """Steps 2 and 3 of the module docstring: read, lock, apply in memory."""
    pending_ids = {
        t.pending_id
        for t, code in zip(batch, static, strict=True)
        if code is None and t.pending_id is not None and (t.post_pending or t.void_pending)
    }
    pendings = _rows_by_id(pending_ids)
    account_ids: list[int | None] = []
    for t in batch:
        account_ids.append(t.debit_account_id)
        account_ids.append(t.credit_account_id)
    for p in pendings.values():
        account_ids.append(p.debit)
        account_ids.append(p.credit)
    accounts = _lock_accounts(account_ids)
    # Read after locking: a transaction that wrote one of these ids or resolved one of these
    # pending transfers on the same accounts has committed by now, and we see it.
    now = clock.now()
    existing = _rows_by_id({t.id for t in batch})
    # Most batches post nothing pending: skip the query (building it costs more than it finds).
    resolved: dict[uuid.UUID, str] = (
        dict(PendingResolution.objects.filter(pk__in=list(pendings)).values_list("pk", "status"))
        if pendings
        else {}
    )
    state = BatchState(accounts, existing, pendings, resolved, now)

    return apply_all(batch, static, state), state


def _allocate_seq(count: int) -> list[int]:
    """``count`` increasing sequence numbers, allocated while the accounts are locked."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval('ledger_transfer_seq') FROM generate_series(1, %s)", [count]
            )
            return [r[0] for r in cursor.fetchall()]
        # SQLite: this transaction holds the database's write lock, so MAX cannot move.
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM ledger_transfer")
        base = int(cursor.fetchone()[0])
        return list(range(base + 1, base + count + 1))


def _insert_rows(
    cursor: Any, model: Any, names: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """INSERT ``rows`` the fastest way each database offers.

    PostgreSQL: one ``INSERT … SELECT FROM unnest(array, …)`` with one array parameter per
    column — a statement per row, or one statement with thousands of parameters, costs more in
    parsing and round trips than the insert itself (3× slower in bench/ledger.py). SQLite (in
    process, no round trips): one prepared statement run per row (``executemany``), which
    measured slightly faster than multi-row VALUES.
    """
    qn = connection.ops.quote_name
    fields = [model._meta.get_field(n) for n in names]
    columns = ", ".join(qn(f.column) for f in fields)
    table = qn(model._meta.db_table)
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays})",  # noqa: S608
            [list(column) for column in zip(*rows, strict=True)],
        )
    else:
        marks = ", ".join(["%s"] * len(names))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608


_BALANCE_SET = (
    "SET debits_pending = debits_pending + {dp}, debits_posted = debits_posted + {dpo}, "
    "credits_pending = credits_pending + {cp}, credits_posted = credits_posted + {cpo}"
)


def _update_balances(cursor: Any, deltas: list[tuple[int, int, int, int, int]]) -> None:
    """Add deltas ``(debits_pending, debits_posted, credits_pending, credits_posted, id)``.

    The rows are already locked by this transaction, so the order of the updates does not
    matter. PostgreSQL: one ``UPDATE … FROM unnest(…)`` for all accounts; SQLite: one prepared
    UPDATE per account (see `_insert_rows`).
    """
    if not deltas:
        return
    if connection.vendor == "postgresql":
        set_clause = _BALANCE_SET.format(dp="d.dp", dpo="d.dpo", cp="d.cp", cpo="d.cpo")
        cursor.execute(
            f"UPDATE ledger_account {set_clause} FROM unnest(%s::bigint[], %s::bigint[], "
            "%s::bigint[], %s::bigint[], %s::bigint[]) AS d(dp, dpo, cp, cpo, id) "
            "WHERE ledger_account.id = d.id",
            [list(column) for column in zip(*deltas, strict=True)],
        )
    else:
        set_clause = _BALANCE_SET.format(dp="%s", dpo="%s", cp="%s", cpo="%s")
        cursor.executemany(f"UPDATE ledger_account {set_clause} WHERE id = %s", deltas)


_TRANSFER_INSERT = (
    "id",
    "seq",
    "debit_account",
    "credit_account",
    "amount",
    "currency",
    "code",
    "pending",
    "is_pending",
    "post_pending",
    "void_pending",
    "linked",
    "timeout",
    "user_data",
    "timestamp",
    "expires_at",
)
_RESOLUTION_INSERT = ("pending", "status", "resolved_by", "amount_posted", "timestamp")


def _db_uuid() -> Callable[[uuid.UUID], Any]:
    # Django stores UUIDs natively on PostgreSQL and as 32 hex digits on SQLite.
    if connection.features.has_native_uuid_field:
        return lambda value: value
    return operator.attrgetter("hex")


def _write(state: BatchState) -> list[int]:
    """Step 4: persist the staged rows and balance deltas; return the touched account ids."""
    conv = _db_uuid()
    adapt = connection.ops.adapt_datetimefield_value
    timestamp = adapt(state.now)
    seqs = _allocate_seq(len(state.rows))
    transfer_params = [
        (
            conv(r.id),
            seq,
            r.debit,
            r.credit,
            r.amount,
            r.currency,
            r.code,
            None if r.pending_id is None else conv(r.pending_id),
            r.is_pending,
            r.post,
            r.void,
            r.linked,
            r.timeout,
            r.user_data,
            timestamp,
            None if r.expires_at is None else adapt(r.expires_at),
        )
        for r, seq in zip(state.rows, seqs, strict=True)
    ]
    resolution_params = [
        (conv(pending_id), status, conv(by), posted, timestamp)
        for pending_id, (status, by, posted) in state.resolutions.items()
    ]
    touched: list[int] = []
    balance_params = []
    for account_id, a in state.accounts.items():
        dp0, dpo0, cp0, cpo0 = a.start
        if (a.dp, a.dpo, a.cp, a.cpo) != a.start:
            touched.append(account_id)
            balance_params.append((a.dp - dp0, a.dpo - dpo0, a.cp - cp0, a.cpo - cpo0, account_id))
    with connection.cursor() as cursor:
        _insert_rows(cursor, Transfer, _TRANSFER_INSERT, transfer_params)
        if resolution_params:
            _insert_rows(cursor, PendingResolution, _RESOLUTION_INSERT, resolution_params)
        _update_balances(cursor, balance_params)
    return touched


def _lost_id_race(exc: IntegrityError) -> bool:
    """True when ``exc`` is a duplicate transfer id (the only integrity error we retry)."""
    diag = getattr(exc.__cause__, "diag", None)  # psycopg's error details
    return getattr(diag, "constraint_name", None) == f"{Transfer._meta.db_table}_pkey"


def transfers_create(batch: Sequence[TransferIn]) -> list[TransferResult]:
    """Apply a batch of transfers; return one result per item, in order.

    Items are independent unless ``linked``: a linked chain (items up to and including the
    first one without ``linked``) is applied all-or-nothing; when one of its items fails, the
    others that would have succeeded report ``linked_event_failed`` (items that already existed
    still report ``exists``). Retrying an id with the same fields returns ``exists`` and moves
    nothing; an ``exists`` inside a chain does not break it, so a retried chain answers
    ``exists`` throughout. Result codes: `TransferResultCode`, documented in
    docs/modules/ledger.md.

    Invariants and locks: one transaction for the whole batch; the accounts involved are locked
    in ascending id order before anything is read that could change; balances change in the
    same transaction as the rows; per currency, debits equal credits (posted and pending) before
    and after; no flagged account goes beyond its limit (also CHECK constraints). Publishes
    `TransfersCommitted` (ids only, delivered after commit) and writes one
    ``ledger.transfers_created`` audit entry when at least one transfer was applied.

    Raises:
        BatchTooLarge: more than `BATCH_MAX` items.
    """
    if len(batch) > BATCH_MAX:
        raise BatchTooLarge(params={"max": BATCH_MAX}, extra={"max": BATCH_MAX})
    if not batch:
        return []
    last = len(batch) - 1
    static = [static_check(t, i == last) for i, t in enumerate(batch)]
    for attempt in itertools.count(1):
        try:
            with transaction.atomic():
                codes, state = _run(batch, static)
                if state.rows:
                    touched = _write(state)
                    applied = [str(r.id) for r in state.rows]
                    audit_record_many(  # precomposed insert: this runs in every payment
                        [
                            {
                                "action": "ledger.transfers_created",
                                "object_type": "ledger_transfer_batch",
                                "object_id": applied[0],
                                "data": {"items": len(batch), "applied": len(applied)},
                            }
                        ]
                    )
                    publish(TransfersCommitted(transfer_ids=applied, account_ids=sorted(touched)))
            break
        except IntegrityError as exc:
            # PostgreSQL only: a concurrent batch on other accounts inserted one of our ids
            # first (our account locks do not serialise us with it). Run again: it now exists.
            # Any other integrity error (a CHECK on the balances, say) is a bug: raise it.
            if not _lost_id_race(exc) or attempt >= _RETRIES:
                raise
    return [TransferResult(i, t.id, c) for i, (t, c) in enumerate(zip(batch, codes, strict=True))]


# --- expiry -------------------------------------------------------------------------------
def pending_expire(*, now: datetime | None = None, limit: int = 1000) -> list[uuid.UUID]:
    """Expire pending transfers whose timeout has passed; release what they reserved.

    Works in transactions of up to ``limit`` pending transfers until none is left; returns the
    ids expired. Safe to run concurrently with itself and with `transfers_create`: the accounts
    are locked in ascending id order and the resolution is re-read under the lock, so a pending
    transfer posted or voided meanwhile is left alone (and the resolution's primary key refuses
    a second resolution anyway).

    Invariants: per-currency pending totals stay balanced. Publishes `PendingTransfersExpired`
    (ids only) and writes a ``ledger.pending_expired`` audit entry per transaction that expired
    something.
    """
    at = clock.ensure_aware_utc(now) if now is not None else clock.now()
    expired: list[uuid.UUID] = []
    while True:
        with transaction.atomic():
            candidates = list(
                Transfer.objects.filter(
                    is_pending=True, expires_at__lte=at, resolution__isnull=True
                )
                .order_by("expires_at", "seq")
                .values_list("id", "debit_account_id", "credit_account_id", "amount")[:limit]
            )
            if not candidates:
                break
            accounts = _lock_accounts([c[1] for c in candidates] + [c[2] for c in candidates])
            already = set(
                PendingResolution.objects.filter(pk__in=[c[0] for c in candidates]).values_list(
                    "pk", flat=True
                )
            )
            conv = _db_uuid()
            timestamp = connection.ops.adapt_datetimefield_value(at)
            rows = []
            batch_ids = []
            for pending_id, debit, credit, amount in candidates:
                if pending_id in already:
                    continue
                accounts[debit].dp -= amount
                accounts[credit].cp -= amount
                rows.append((conv(pending_id), ResolutionStatus.EXPIRED.value, None, 0, timestamp))
                batch_ids.append(pending_id)
            if batch_ids:
                params = []
                for account_id, a in accounts.items():
                    dp0, _dpo0, cp0, _cpo0 = a.start
                    if a.dp != dp0 or a.cp != cp0:
                        params.append((a.dp - dp0, 0, a.cp - cp0, 0, account_id))
                with connection.cursor() as cursor:
                    _insert_rows(cursor, PendingResolution, _RESOLUTION_INSERT, rows)
                    _update_balances(cursor, params)
                audit_record(
                    action="ledger.pending_expired",
                    object_type="ledger_transfer_batch",
                    object_id=str(batch_ids[0]),
                    data={"expired": len(batch_ids)},
                )
                publish(PendingTransfersExpired(transfer_ids=[str(i) for i in batch_ids]))
                expired.extend(batch_ids)
        if len(candidates) < limit:
            break
    return expired
