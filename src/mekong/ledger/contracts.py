"""Frozen dataclasses that cross the ledger's boundary (no ORM objects leave the module).

Amounts are integer minor units of the account's ISO 4217 currency. Transfer ids are 128-bit
client ids as `uuid.UUID`; `transfer_id` turns a decimal string or an integer into one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

#: TigerBeetle's u128 maximum: like zero, reserved and refused as a transfer id.
ID_MAX = 2**128 - 1


def transfer_id(value: uuid.UUID | int | str) -> uuid.UUID:
    """Return a transfer id from a UUID, a non-negative integer or its decimal/UUID string.

    Raises:
        ValueError: the value is not a 128-bit unsigned integer or a UUID.
    """
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, bool):
        raise ValueError("a transfer id is not a boolean")
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and text.isascii():
            value = int(text)
        else:
            return uuid.UUID(text)
    if not 0 <= value <= ID_MAX:
        raise ValueError("a transfer id is a 128-bit unsigned integer")
    return uuid.UUID(int=value)


class TransferResultCode(StrEnum):
    """Stable per-item results of `transfers_create`; clients switch on these values.

    After ``ok`` and ``linked_event_failed``, the order of this class is the order in which
    the checks run (the table in docs/modules/ledger.md).
    """

    OK = "ok"
    LINKED_EVENT_FAILED = "linked_event_failed"
    LINKED_EVENT_CHAIN_OPEN = "linked_event_chain_open"
    ID_MUST_NOT_BE_ZERO = "id_must_not_be_zero"
    ID_MUST_NOT_BE_INT_MAX = "id_must_not_be_int_max"
    FLAGS_ARE_MUTUALLY_EXCLUSIVE = "flags_are_mutually_exclusive"
    PENDING_ID_MUST_NOT_BE_ZERO = "pending_id_must_not_be_zero"
    PENDING_ID_MUST_BE_DIFFERENT = "pending_id_must_be_different"
    PENDING_ID_MUST_BE_ZERO = "pending_id_must_be_zero"
    TIMEOUT_RESERVED_FOR_PENDING_TRANSFER = "timeout_reserved_for_pending_transfer"
    OVERFLOWS_TIMEOUT = "overflows_timeout"
    AMOUNT_MUST_NOT_BE_NEGATIVE = "amount_must_not_be_negative"
    AMOUNT_MUST_NOT_BE_ZERO = "amount_must_not_be_zero"
    ACCOUNTS_MUST_BE_DIFFERENT = "accounts_must_be_different"
    CODE_MUST_NOT_BE_ZERO = "code_must_not_be_zero"
    CODE_OUT_OF_RANGE = "code_out_of_range"
    INVALID_CURRENCY = "invalid_currency"
    USER_DATA_TOO_LONG = "user_data_too_long"
    EXISTS = "exists"
    EXISTS_WITH_DIFFERENT_FIELDS = "exists_with_different_fields"
    ACCOUNT_NOT_FOUND = "account_not_found"
    CURRENCY_MISMATCH = "currency_mismatch"
    PENDING_TRANSFER_NOT_FOUND = "pending_transfer_not_found"
    PENDING_TRANSFER_NOT_PENDING = "pending_transfer_not_pending"
    PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT = "pending_transfer_has_different_debit_account"
    PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT = "pending_transfer_has_different_credit_account"
    PENDING_TRANSFER_HAS_DIFFERENT_CURRENCY = "pending_transfer_has_different_currency"
    PENDING_TRANSFER_HAS_DIFFERENT_CODE = "pending_transfer_has_different_code"
    EXCEEDS_PENDING_TRANSFER_AMOUNT = "exceeds_pending_transfer_amount"
    PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT = "pending_transfer_has_different_amount"
    PENDING_TRANSFER_ALREADY_POSTED = "pending_transfer_already_posted"
    PENDING_TRANSFER_ALREADY_VOIDED = "pending_transfer_already_voided"
    PENDING_TRANSFER_EXPIRED = "pending_transfer_expired"
    OVERFLOWS_DEBITS = "overflows_debits"
    OVERFLOWS_CREDITS = "overflows_credits"
    EXCEEDS_CREDITS = "exceeds_credits"
    EXCEEDS_DEBITS = "exceeds_debits"


@dataclass(frozen=True, slots=True, kw_only=True)
class TransferIn:
    """One transfer request, as TigerBeetle's ``Transfer`` with a currency instead of a ledger.

    Attributes:
        id: the client's unique 128-bit id (not 0, not 2**128-1). Retrying with the same fields
            returns ``exists`` and moves nothing.
        debit_account_id: the account debited. Required unless posting or voiding (then it is
            taken from the pending transfer; if given it must match).
        credit_account_id: the account credited; same rule.
        amount: minor units, > 0. For ``post_pending``: None posts the full pending amount, a
            smaller amount posts part and releases the rest. For ``void_pending``: None or the
            pending amount.
        currency: ISO 4217 code of both accounts. Optional when posting or voiding.
        code: business reason, 1-65535. 0 when posting or voiding means "the pending's code".
        pending_id: the pending transfer to post or void.
        pending: reserve the amount (two-phase, phase one).
        post_pending: post a pending transfer (phase two).
        void_pending: void a pending transfer (phase two).
        linked: chain with the next item: the chain commits all-or-nothing.
        timeout: seconds after which a pending transfer expires (0 = never); pending only.
        user_data: opaque reference for the caller (up to 128 characters). Empty when posting or
            voiding means "the pending's user data".
    """

    id: uuid.UUID
    debit_account_id: int | None = None
    credit_account_id: int | None = None
    amount: int | None = None
    currency: str | None = None
    code: int = 0
    pending_id: uuid.UUID | None = None
    pending: bool = False
    post_pending: bool = False
    void_pending: bool = False
    linked: bool = False
    timeout: int = 0
    user_data: str = ""


@dataclass(frozen=True, slots=True)
class TransferResult:
    """The result of one item of a `transfers_create` batch (same position as the item)."""

    index: int
    id: uuid.UUID
    code: TransferResultCode

    @property
    def succeeded(self) -> bool:
        """True when the transfer is in the ledger: applied now (``ok``) or before (``exists``)."""
        return self.code in (TransferResultCode.OK, TransferResultCode.EXISTS)


@dataclass(frozen=True, slots=True)
class BalanceInfo:
    """The four running totals of an account, in minor units of ``currency``.

    ``balance`` is credits posted minus debits posted (positive for an account the ledger owes,
    such as a customer's wallet); ``available`` also subtracts debits reserved by pending
    transfers.
    """

    account_id: int
    currency: str
    debits_pending: int
    debits_posted: int
    credits_pending: int
    credits_posted: int

    @property
    def balance(self) -> int:
        """Credits posted minus debits posted."""
        return self.credits_posted - self.debits_posted

    @property
    def available(self) -> int:
        """Credits posted minus debits posted and pending."""
        return self.credits_posted - self.debits_posted - self.debits_pending


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """Facts about an account, for other modules and the API."""

    id: int
    external_id: uuid.UUID
    organisation_id: int
    name: str
    currency: str
    code: int
    debits_must_not_exceed_credits: bool
    credits_must_not_exceed_debits: bool
    balances: BalanceInfo
    user_data: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TransferInfo:
    """A stored transfer; ``status`` is set for pending transfers only.

    ``status`` is ``pending``, ``posted``, ``voided`` or ``expired`` (expired also when the
    timeout has passed but the sweep has not yet released the reservation).
    """

    id: uuid.UUID
    debit_account_id: int
    credit_account_id: int
    amount: int
    currency: str
    code: int
    pending_id: uuid.UUID | None
    pending: bool
    post_pending: bool
    void_pending: bool
    linked: bool
    timeout: int
    user_data: str
    timestamp: datetime
    expires_at: datetime | None
    status: str | None = None
    amount_posted: int | None = None


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One posting on a statement: a single transfer or the posted part of a pending one."""

    transfer_id: uuid.UUID
    timestamp: datetime
    code: int
    debit: int
    credit: int
    balance_after: int
    user_data: str


@dataclass(frozen=True, slots=True)
class Statement:
    """Posted movements of one account in ``[since, until)`` with opening and closing balances.

    Balances are credits posted minus debits posted. ``lines`` may be one page of the period's
    ``line_count`` lines; ``balance_after`` is correct on every page.
    """

    account_id: int
    currency: str
    since: datetime
    until: datetime
    opening_balance: int
    closing_balance: int
    total_debits: int
    total_credits: int
    line_count: int
    lines: tuple[StatementLine, ...]
