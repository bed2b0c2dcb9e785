"""The in-memory half of `transfers_create`: apply a batch to locked balances.

No database access here: `services` reads and locks what a batch needs, hands it over as
`BatchState`, and writes back the rows staged here. Keeping the rules in plain Python makes
them fast (a batch of 1,000 costs no query per item) and easy to read next to
docs/modules/ledger.md, which lists the result codes in the order these checks run.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from mekong.core.currencies import CURRENCIES
from mekong.ledger.contracts import ID_MAX, TransferIn, TransferResultCode
from mekong.ledger.models import AMOUNT_MAX, CODE_MAX, USER_DATA_MAX, ResolutionStatus

#: Largest pending timeout in seconds (the column is a 32-bit integer).
TIMEOUT_MAX = 2**31 - 1

_C = TransferResultCode
_OK_OR_EXISTS = frozenset({_C.OK, _C.EXISTS})


@dataclass(slots=True)
class Balances:
    """A locked account's totals during a batch; ``start`` keeps them as read, for deltas.

    ``debits_capped``/``credits_capped`` are the account's ``debits_must_not_exceed_credits``
    and ``credits_must_not_exceed_debits`` flags; ``dp, dpo, cp, cpo`` its debits pending,
    debits posted, credits pending and credits posted.
    """

    currency: str
    debits_capped: bool
    credits_capped: bool
    dp: int
    dpo: int
    cp: int
    cpo: int
    start: tuple[int, int, int, int]


@dataclass(slots=True)
class Row:
    """A transfer as stored (read back, or staged by this batch)."""

    id: uuid.UUID
    debit: int
    credit: int
    amount: int
    currency: str
    code: int
    pending_id: uuid.UUID | None
    is_pending: bool
    post: bool
    void: bool
    linked: bool
    timeout: int
    user_data: str
    expires_at: datetime | None


ROW_FIELDS = (
    "id",
    "debit_account_id",
    "credit_account_id",
    "amount",
    "currency",
    "code",
    "pending_id",
    "is_pending",
    "post_pending",
    "void_pending",
    "linked",
    "timeout",
    "user_data",
    "expires_at",
)


def static_check(t: TransferIn, last: bool) -> TransferResultCode | None:
    """Checks that need no database, in the documented order; None when all pass."""
    if t.linked and last:
        return _C.LINKED_EVENT_CHAIN_OPEN
    id_int = t.id.int
    if id_int == 0:
        return _C.ID_MUST_NOT_BE_ZERO
    if id_int == ID_MAX:
        return _C.ID_MUST_NOT_BE_INT_MAX
    if t.pending + t.post_pending + t.void_pending > 1:
        return _C.FLAGS_ARE_MUTUALLY_EXCLUSIVE
    resolving = t.post_pending or t.void_pending
    if resolving:
        if t.pending_id is None or t.pending_id.int == 0:
            return _C.PENDING_ID_MUST_NOT_BE_ZERO
        if t.pending_id == t.id:
            return _C.PENDING_ID_MUST_BE_DIFFERENT
    elif t.pending_id is not None:
        return _C.PENDING_ID_MUST_BE_ZERO
    if t.timeout:
        if not t.pending:
            return _C.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER
        if not 0 < t.timeout <= TIMEOUT_MAX:
            return _C.OVERFLOWS_TIMEOUT
    amount = t.amount
    if amount is not None and amount < 0:
        return _C.AMOUNT_MUST_NOT_BE_NEGATIVE
    if amount == 0 or (amount is None and not resolving):
        return _C.AMOUNT_MUST_NOT_BE_ZERO
    if t.debit_account_id is not None and t.debit_account_id == t.credit_account_id:
        return _C.ACCOUNTS_MUST_BE_DIFFERENT
    if t.code == 0:
        if not resolving:
            return _C.CODE_MUST_NOT_BE_ZERO
    elif not 0 < t.code <= CODE_MAX:
        return _C.CODE_OUT_OF_RANGE
    if t.currency is None:
        if not resolving:
            return _C.INVALID_CURRENCY
    elif t.currency not in CURRENCIES:
        return _C.INVALID_CURRENCY
    if len(t.user_data) > USER_DATA_MAX:
        return _C.USER_DATA_TOO_LONG
    return None


def same_fields(t: TransferIn, row: Row) -> bool:
    """True when ``t`` repeats the stored ``row`` (idempotent retry).

    Posts and voids may leave accounts, amount, currency, code and user data to be inherited
    from the pending transfer; a field left out is not compared.
    """
    if (
        t.pending != row.is_pending
        or t.post_pending != row.post
        or t.void_pending != row.void
        or t.linked != row.linked
        or t.timeout != row.timeout
        or t.pending_id != row.pending_id
    ):
        return False
    if t.post_pending or t.void_pending:
        return (
            (t.debit_account_id is None or t.debit_account_id == row.debit)
            and (t.credit_account_id is None or t.credit_account_id == row.credit)
            and (t.amount is None or t.amount == row.amount)
            and (t.currency is None or t.currency == row.currency)
            and (t.code == 0 or t.code == row.code)
            and (not t.user_data or t.user_data == row.user_data)
        )
    return (
        t.debit_account_id == row.debit
        and t.credit_account_id == row.credit
        and t.amount == row.amount
        and t.currency == row.currency
        and t.code == row.code
        and t.user_data == row.user_data
    )


class BatchState:
    """One batch applied to locked balances: staged rows, staged resolutions, chain undo."""

    def __init__(
        self,
        accounts: dict[int, Balances],
        existing: dict[uuid.UUID, Row],
        pendings: dict[uuid.UUID, Row],
        resolved: dict[uuid.UUID, str],
        now: datetime,
    ) -> None:
        self.accounts = accounts
        self.existing = existing
        self.pendings = pendings
        self.resolved = resolved
        self.now = now
        self.staged: dict[uuid.UUID, Row] = {}
        self.rows: list[Row] = []
        #: pending id -> (status, resolving transfer id, amount posted), staged by this batch.
        self.resolutions: dict[uuid.UUID, tuple[str, uuid.UUID, int]] = {}
        #: While a linked chain runs: the balances as they were before the chain touched them.
        self.saved: dict[int, tuple[int, int, int, int]] | None = None

    # -- chains -------------------------------------------------------------------------------
    def chain_begin(self) -> int:
        """Start recording undo information; return the mark to roll back to."""
        self.saved = {}
        return len(self.rows)

    def chain_rollback(self, mark: int) -> None:
        """Undo everything the open chain did: balances, staged rows, staged resolutions."""
        assert self.saved is not None
        for account_id, (dp, dpo, cp, cpo) in self.saved.items():
            acct = self.accounts[account_id]
            acct.dp, acct.dpo, acct.cp, acct.cpo = dp, dpo, cp, cpo
        for row in self.rows[mark:]:
            del self.staged[row.id]
            if row.pending_id is not None:
                self.resolutions.pop(row.pending_id, None)
        del self.rows[mark:]
        self.saved = None

    def chain_end(self) -> None:
        """The chain closed successfully: keep its effects, stop recording."""
        self.saved = None

    def _touch(self, account_id: int, acct: Balances) -> None:
        if self.saved is not None and account_id not in self.saved:
            self.saved[account_id] = (acct.dp, acct.dpo, acct.cp, acct.cpo)

    # -- items --------------------------------------------------------------------------------
    def apply(self, t: TransferIn) -> TransferResultCode:
        """Apply one statically valid item; return its result code."""
        row = self.staged.get(t.id)
        if row is None and self.existing:  # usually empty: only retries find stored rows
            row = self.existing.get(t.id)
        if row is not None:
            return _C.EXISTS if same_fields(t, row) else _C.EXISTS_WITH_DIFFERENT_FIELDS
        if t.post_pending or t.void_pending:
            return self._resolve(t)
        debit_id, credit_id, amount = t.debit_account_id, t.credit_account_id, t.amount
        dr = None if debit_id is None else self.accounts.get(debit_id)
        cr = None if credit_id is None else self.accounts.get(credit_id)
        if dr is None or cr is None or debit_id is None or credit_id is None:
            return _C.ACCOUNT_NOT_FOUND
        if dr.currency != cr.currency or t.currency != dr.currency:
            return _C.CURRENCY_MISMATCH
        if amount is None:  # pragma: no cover - refused by the static check
            return _C.AMOUNT_MUST_NOT_BE_ZERO
        if dr.dp + dr.dpo + amount > AMOUNT_MAX:
            return _C.OVERFLOWS_DEBITS
        if cr.cp + cr.cpo + amount > AMOUNT_MAX:
            return _C.OVERFLOWS_CREDITS
        if dr.debits_capped and dr.dp + dr.dpo + amount > dr.cpo:
            return _C.EXCEEDS_CREDITS
        if cr.credits_capped and cr.cp + cr.cpo + amount > cr.dpo:
            return _C.EXCEEDS_DEBITS
        self._touch(debit_id, dr)
        self._touch(credit_id, cr)
        expires_at = None
        if t.pending:
            dr.dp += amount
            cr.cp += amount
            if t.timeout:
                expires_at = self.now + timedelta(seconds=t.timeout)
        else:
            dr.dpo += amount
            cr.cpo += amount
        self._stage(
            Row(
                t.id,
                debit_id,
                credit_id,
                amount,
                dr.currency,
                t.code,
                None,
                t.pending,
                False,
                False,
                t.linked,
                t.timeout,
                t.user_data,
                expires_at,
            )
        )
        return _C.OK

    def _resolve(self, t: TransferIn) -> TransferResultCode:
        pending_id = t.pending_id
        p = (
            None
            if pending_id is None
            else self.staged.get(pending_id) or self.pendings.get(pending_id)
        )
        if p is None or pending_id is None:
            return _C.PENDING_TRANSFER_NOT_FOUND
        if not p.is_pending:
            return _C.PENDING_TRANSFER_NOT_PENDING
        if t.debit_account_id is not None and t.debit_account_id != p.debit:
            return _C.PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT
        if t.credit_account_id is not None and t.credit_account_id != p.credit:
            return _C.PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT
        if t.currency is not None and t.currency != p.currency:
            return _C.PENDING_TRANSFER_HAS_DIFFERENT_CURRENCY
        if t.code and t.code != p.code:
            return _C.PENDING_TRANSFER_HAS_DIFFERENT_CODE
        if t.amount is not None:
            if t.post_pending and t.amount > p.amount:
                return _C.EXCEEDS_PENDING_TRANSFER_AMOUNT
            if t.void_pending and t.amount != p.amount:
                return _C.PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT
        staged = self.resolutions.get(pending_id)
        status = staged[0] if staged is not None else self.resolved.get(pending_id)
        if status == ResolutionStatus.POSTED:
            return _C.PENDING_TRANSFER_ALREADY_POSTED
        if status == ResolutionStatus.VOIDED:
            return _C.PENDING_TRANSFER_ALREADY_VOIDED
        if status == ResolutionStatus.EXPIRED:
            return _C.PENDING_TRANSFER_EXPIRED
        if p.expires_at is not None and p.expires_at <= self.now:
            return _C.PENDING_TRANSFER_EXPIRED
        dr = self.accounts[p.debit]
        cr = self.accounts[p.credit]
        self._touch(p.debit, dr)
        self._touch(p.credit, cr)
        # Releasing the reservation and posting at most the reserved amount cannot raise any
        # total above what the pending transfer already held, so no limit or overflow check.
        dr.dp -= p.amount
        cr.cp -= p.amount
        if t.post_pending:
            amount = p.amount if t.amount is None else t.amount
            dr.dpo += amount
            cr.cpo += amount
            self.resolutions[pending_id] = (ResolutionStatus.POSTED, t.id, amount)
        else:
            amount = p.amount
            self.resolutions[pending_id] = (ResolutionStatus.VOIDED, t.id, 0)
        self._stage(
            Row(
                t.id,
                p.debit,
                p.credit,
                amount,
                p.currency,
                t.code or p.code,
                pending_id,
                False,
                t.post_pending,
                t.void_pending,
                t.linked,
                0,
                t.user_data or p.user_data,
                None,
            )
        )
        return _C.OK

    def _stage(self, row: Row) -> None:
        self.staged[row.id] = row
        self.rows.append(row)


def apply_all(
    batch: Sequence[TransferIn], static: list[TransferResultCode | None], state: BatchState
) -> list[TransferResultCode]:
    """Apply a batch item by item, rolling back a linked chain when one of its items fails."""
    results: list[TransferResultCode] = []
    chain_start = -1  # index of the first item of the open chain, or -1
    chain_broken = False
    mark = 0
    for i, t in enumerate(batch):
        if chain_start < 0 and t.linked:
            chain_start, chain_broken = i, False
            mark = state.chain_begin()
        code: TransferResultCode
        if chain_start >= 0 and chain_broken:
            code = _C.LINKED_EVENT_FAILED
        else:
            code = static[i] or state.apply(t)
            if chain_start >= 0 and code not in _OK_OR_EXISTS:
                chain_broken = True
                state.chain_rollback(mark)
                for j in range(chain_start, i):
                    if results[j] is _C.OK:
                        results[j] = _C.LINKED_EVENT_FAILED
        results.append(code)
        if chain_start >= 0 and not t.linked:
            chain_start = -1
            state.chain_end()
    return results
