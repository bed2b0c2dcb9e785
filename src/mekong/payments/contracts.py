"""Frozen dataclasses that cross the payments hub's boundary (no ORM objects leave the module).

Amounts are integer minor units of the named ISO 4217 currency; rates are decimal strings
("destination major units per source major unit").
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PayeeInfo:
    """Where a payment goes, as the payer may see it (confirmation of payee).

    ``display_name`` is masked for people (``Somchai P.``), full for businesses.
    ``ledger_account_id`` is the payee wallet's ledger account.
    """

    participant_id: int
    participant_name: str
    country: str
    currency: str
    account_ref: str
    display_name: str
    ledger_account_id: int
    proxy_kind: str = ""
    proxy_value: str = ""
    is_business: bool = False


@dataclass(frozen=True, slots=True)
class QuoteInfo:
    """A locked price for one payment: usable once, until ``expires_at``.

    ``source_amount`` is the principal converted, ``fee_amount`` the hub's fee (source
    currency), ``total_debit`` what leaves the sender's wallet. ``mid_rate`` and
    ``total_cost_percent`` (fees + FX margin against the mid rate) are what the sender is shown
    before confirming. ``fx_provider`` is empty for a payment in one currency.
    """

    id: uuid.UUID
    source_currency: str
    source_amount: int
    destination_currency: str
    destination_amount: int
    rate: str
    fee_amount: int
    total_debit: int
    fx_provider: str
    expires_at: datetime
    payee: PayeeInfo
    mid_rate: str = ""
    total_cost_percent: str = ""
    wallet_id: int = 0
    fixed: str = "source"


@dataclass(frozen=True, slots=True)
class PaymentInfo:
    """A payment and where it stands.

    ``status`` is ``completed``, ``held`` (screening hit, money reserved), ``refused`` (nothing
    moved; ``refusal_code`` says why), ``rejected`` (a reviewer refused a held payment) or
    ``refunded`` (completed, then fully refunded). ``receipt_index`` is the trustlog entry.
    """

    id: uuid.UUID
    status: str
    refusal_code: str | None
    quote: QuoteInfo
    receipt_index: int | None
    created_at: datetime
    reference: str = ""
    refunded_amount: int = 0
    refund_of: uuid.UUID | None = None
    sender_participant_id: int = 0
    receiver_participant_id: int = 0
    transfer_ids: tuple[uuid.UUID, ...] = field(default_factory=tuple)
    has_pacs008: bool = False
    sandbox: bool = False


@dataclass(frozen=True, slots=True)
class WalletInfo:
    """A wallet and its balance (ledger credits − debits posted, minor units of ``currency``)."""

    id: int
    owner_organisation_id: int | None
    owner_user_id: int | None
    participant_id: int
    country: str
    currency: str
    balance: int
    ledger_account_id: int
    account_ref: str = ""
    holder_name: str = ""
    participant_name: str = ""
    kyc_tier: int = 2
    available: int = 0


@dataclass(frozen=True, slots=True)
class PositionInfo:
    """A participant's ledger account in one currency and its balance."""

    participant_id: int
    participant_name: str
    kind: str
    currency: str
    ledger_account_id: int
    balance: int
    available: int
    sandbox: bool


@dataclass(frozen=True, slots=True)
class NetPosition:
    """A participant's multilateral net position in one currency over a settlement period.

    ``paid_in`` are credits to its settlement position from payments, ``paid_out`` debits;
    ``net`` = paid_in − paid_out (positive: the participant is owed).
    """

    participant_id: int
    participant_name: str
    currency: str
    paid_in: int
    paid_out: int
    net: int
    payments: int
