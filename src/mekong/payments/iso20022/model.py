"""Plain frozen dataclasses that describe the messages the hub sends.

Pure Python, no Django import. The builders (`mekong.payments.iso20022.pacs008`, ``pacs002``)
turn these into XML; everything that the schema constrains and that a caller can get wrong
(identifier lengths, the UETR version, negative amounts, unknown currencies, unknown status
codes) is checked here, at construction, so a bad value fails close to where it was made
rather than as a schema error later.

Amounts are integer minor units plus an ISO 4217 code, as everywhere on the platform; the
builders write them with the currency's ISO 4217 exponent (VND 0 decimals, THB/KHR/LAK/MMK 2).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from mekong.core.currencies import UnknownCurrencyError
from mekong.core.currencies import currency as lookup_currency


class Iso20022Error(ValueError):
    """Raised for a value that cannot go into (or did not come out of) a valid message."""


#: The longest amount the schemas allow: ``totalDigits`` 18 on every currency-and-amount type.
MAX_MINOR = 10**18 - 1

#: Transaction statuses (ExternalPaymentTransactionStatus1Code) the hub emits.
STATUS_CODES = frozenset({"ACCP", "ACSC", "ACSP", "ACTC", "PDNG", "RCVD", "RJCT"})

#: ExternalStatusReason1Code values the hub uses, with their meaning in the external code set.
REASON_CODES: dict[str, str] = {
    "AB05": "Timeout at the creditor agent",
    "AC01": "Incorrect account number",
    "AC03": "Invalid creditor account number",
    "AC04": "Closed account number",
    "AG01": "Transaction forbidden",
    "AM02": "Not allowed amount",
    "AM04": "Insufficient funds",
    "AM14": "Amount exceeds limit",
    "BE01": "Inconsistent with end customer",
    "CURR": "Incorrect currency",
    "DUPL": "Duplicate payment",
    "FF01": "Invalid file format",
    "FOCR": "Following cancellation request",
    "NARR": "Narrative",
    "RR04": "Regulatory reason",
}

_BIC = re.compile(r"[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")
_COUNTRY = re.compile(r"[A-Z]{2}")
_CODE4 = re.compile(r"[A-Z0-9]{4}")
#: Characters XML 1.0 cannot carry at all (C0 controls other than tab/LF/CR, lone surrogates,
#: U+FFFE/U+FFFF). They are dropped from free text; escaping ``<&>"`` is the writers' job
#: (`xmlparts.text`).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str | None, limit: int) -> str | None:
    """Return ``value`` fit for an ISO 20022 ``MaxNNText`` element, or None if nothing is left.

    Drops characters XML 1.0 cannot represent, collapses surrounding whitespace and cuts to
    ``limit`` characters (code points, which is what ``maxLength`` counts). Names in Thai,
    Burmese and the other scripts pass through unchanged.
    """
    if value is None:
        return None
    text = NOT_XML.sub("", value).strip()
    if len(text) > limit:
        text = text[:limit].rstrip()
    return text or None


def _identifier(value: object, what: str, limit: int = 35) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Iso20022Error(f"{what} is required")
    if len(value) > limit:
        raise Iso20022Error(f"{what} is longer than {limit} characters")
    if NOT_XML.search(value):
        raise Iso20022Error(f"{what} contains characters XML cannot carry")
    return value


def _aware(value: object, what: str) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise Iso20022Error(f"{what} must be an aware datetime")


def _currency(code: str, what: str) -> str:
    try:
        return lookup_currency(code).code
    except UnknownCurrencyError:
        raise Iso20022Error(f"{what}: unknown currency {code!r}") from None


def _minor(value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Iso20022Error(f"{what} must be an int of minor units")
    if not 0 <= value <= MAX_MINOR:
        raise Iso20022Error(f"{what} must be between 0 and {MAX_MINOR} minor units")


def _uuid4(value: object, what: str) -> None:
    # The schemas' UUIDv4Identifier pattern accepts version 4, RFC 4122 variant only.
    if not isinstance(value, uuid.UUID) or value.version != 4:
        raise Iso20022Error(f"{what} must be a version 4 UUID")


@dataclass(frozen=True, slots=True)
class Agent:
    """A financial institution: a payment provider, FX provider or the hub.

    Identified by a BIC, or by a member id in a clearing system (``clearing_system`` such as
    ``NAPAS``, ``LAPNET``, ``MEKONG``), or both. At least one is required.
    """

    bic: str | None = None
    member_id: str | None = None
    clearing_system: str | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        if self.bic is None and self.member_id is None:
            raise Iso20022Error("an agent needs a BIC or a clearing member id")
        if self.bic is not None and not _BIC.fullmatch(self.bic):
            raise Iso20022Error(f"not a BIC: {self.bic!r}")
        if self.member_id is not None:
            _identifier(self.member_id, "clearing member id")
        if self.clearing_system is not None:
            _identifier(self.clearing_system, "clearing system")


@dataclass(frozen=True, slots=True)
class Party:
    """A debtor or creditor: a name (any script), an account and optionally a proxy.

    ``proxy_type`` is an ExternalProxyAccountType1Code such as ``TELE`` (mobile number), ``EMAL``,
    ``CINC`` (company registration) or ``NIDN`` (national id); ``proxy_id`` the proxy value.
    """

    name: str
    account: str | None = None
    country: str | None = None
    proxy_type: str | None = None
    proxy_id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise Iso20022Error("a party name must be a string")
        if self.account is not None:
            _identifier(self.account, "account", limit=34)
        if self.country is not None and not _COUNTRY.fullmatch(self.country):
            raise Iso20022Error(f"not an ISO 3166 alpha-2 country: {self.country!r}")
        if (self.proxy_type is None) != (self.proxy_id is None):
            raise Iso20022Error("a proxy needs both a type and an id")
        if self.proxy_type is not None and not _CODE4.fullmatch(self.proxy_type):
            raise Iso20022Error(f"not a proxy type code: {self.proxy_type!r}")
        if self.proxy_id is not None and self.account is None:
            raise Iso20022Error("a proxy is written inside the account: give the account too")
        if self.proxy_id is not None:
            _identifier(self.proxy_id, "proxy id", limit=2048)


@dataclass(frozen=True, slots=True)
class Charge:
    """One charge taken along the chain (ChrgsInf): amount, currency and who took it."""

    amount: int
    currency: str
    agent: Agent

    def __post_init__(self) -> None:
        _minor(self.amount, "charge amount")
        object.__setattr__(self, "currency", _currency(self.currency, "charge"))


def normalise_rate(rate: Decimal | str | None) -> Decimal | None:
    """Return ``rate`` as a positive Decimal that fits ``BaseOneRate`` (11 digits, 10 decimals).

    Rates between currencies of very different size (THB→MMK ≈ 60, VND→THB ≈ 0.0013) are
    rounded to the most significant digits the type allows, never to zero.

    Raises:
        Iso20022Error: not a positive finite decimal, or too large (≥ 10¹¹).
    """
    if rate is None:
        return None
    try:
        value = Decimal(rate)
    except (InvalidOperation, TypeError, ValueError):
        raise Iso20022Error(f"not a decimal rate: {rate!r}") from None
    if not value.is_finite() or value <= 0:
        raise Iso20022Error(f"an exchange rate must be positive: {rate!r}")
    integer_digits = max(value.adjusted() + 1, 0)
    if integer_digits > 11:
        raise Iso20022Error(f"exchange rate too large: {rate!r}")
    places = min(10, 11 - integer_digits)
    rounded = value.quantize(Decimal(1).scaleb(-places))
    if rounded == 0:
        raise Iso20022Error(f"exchange rate too small to write: {rate!r}")
    # Trailing zeros carry no meaning in a rate; written with format(…, "f"), never exponent.
    return rounded.normalize()


@dataclass(frozen=True, slots=True)
class CreditTransfer:
    """One FI-to-FI customer credit transfer (pacs.008.001.08, one transaction).

    Attributes:
        message_id: the message's id (≤ 35 characters, unique per sender).
        created_at: aware creation time.
        end_to_end_id: the sender's reference carried unchanged to the creditor (≤ 35).
        uetr: the unique end-to-end transaction reference (UUID version 4).
        settlement_amount / settlement_currency: the interbank settlement amount in minor units
            (what the creditor agent receives, in the destination currency).
        settlement_date: the interbank settlement date.
        debtor / debtor_agent / creditor / creditor_agent: the parties.
        instructed_amount / instructed_currency: what the debtor asked to send, in the source
            currency (both or neither).
        exchange_rate: source → destination rate applied (``None`` for one currency).
        charge_bearer: ``DEBT``, ``CRED``, ``SHAR`` or ``SLEV``.
        charges: the charges taken.
        remittance_info: unstructured text for the creditor (≤ 140, cut if longer).
        transaction_id: the interbank transaction id (defaults to ``end_to_end_id``).
        instructing_agent / instructed_agent: the agents of this hop (default: the debtor's
            and creditor's agents).
        clearing_system: proprietary name of the clearing system (the hub).
    """

    message_id: str
    created_at: datetime
    end_to_end_id: str
    uetr: uuid.UUID
    settlement_amount: int
    settlement_currency: str
    settlement_date: date
    debtor: Party
    debtor_agent: Agent
    creditor: Party
    creditor_agent: Agent
    instructed_amount: int | None = None
    instructed_currency: str | None = None
    exchange_rate: Decimal | str | None = None
    charge_bearer: str = "SHAR"
    charges: tuple[Charge, ...] = field(default_factory=tuple)
    remittance_info: str | None = None
    transaction_id: str | None = None
    instructing_agent: Agent | None = None
    instructed_agent: Agent | None = None
    clearing_system: str = "MEKONG-HUB"

    def __post_init__(self) -> None:
        _identifier(self.message_id, "message id")
        _aware(self.created_at, "created_at")
        _identifier(self.end_to_end_id, "end-to-end id")
        if self.transaction_id is not None:
            _identifier(self.transaction_id, "transaction id")
        _uuid4(self.uetr, "uetr")
        _minor(self.settlement_amount, "settlement amount")
        object.__setattr__(
            self, "settlement_currency", _currency(self.settlement_currency, "settlement")
        )
        settlement_date: object = self.settlement_date  # callers may be untyped
        if not isinstance(settlement_date, date) or isinstance(settlement_date, datetime):
            raise Iso20022Error("settlement_date must be a date")
        if (self.instructed_amount is None) != (self.instructed_currency is None):
            raise Iso20022Error("an instructed amount needs both an amount and a currency")
        if self.instructed_amount is not None and self.instructed_currency is not None:
            _minor(self.instructed_amount, "instructed amount")
            object.__setattr__(
                self, "instructed_currency", _currency(self.instructed_currency, "instructed")
            )
        object.__setattr__(self, "exchange_rate", normalise_rate(self.exchange_rate))
        if self.charge_bearer not in {"DEBT", "CRED", "SHAR", "SLEV"}:
            raise Iso20022Error(f"unknown charge bearer {self.charge_bearer!r}")
        object.__setattr__(self, "charges", tuple(self.charges))
        for charge in self.charges:
            if not isinstance(charge, Charge):
                raise Iso20022Error("charges must be Charge values")
        for name in ("debtor", "creditor"):
            if not isinstance(getattr(self, name), Party):
                raise Iso20022Error(f"{name} must be a Party")
        for name in ("debtor_agent", "creditor_agent"):
            if not isinstance(getattr(self, name), Agent):
                raise Iso20022Error(f"{name} must be an Agent")
        _identifier(self.clearing_system, "clearing system")


@dataclass(frozen=True, slots=True)
class StatusReport:
    """A payment status report on one transaction (pacs.002.001.10).

    Attributes:
        message_id / created_at: this report's id and aware creation time.
        original_message_id: the pacs.008 message id reported on.
        original_end_to_end_id / original_uetr: the transaction reported on.
        status: ``ACSC`` settled, ``ACCP`` accepted, ``PDNG`` pending (e.g. held for review),
            ``RJCT`` rejected, and a few more (`STATUS_CODES`).
        reason_code: an ExternalStatusReason1Code (``AM04``, ``RR04``…), required for ``RJCT``.
        additional_info: free text (≤ 105, cut if longer).
        original_message_name: the reported message's name id.
        original_created_at: the reported message's creation time, if known.
        original_transaction_id: the reported transaction id, if known.
        accepted_at: when the hub accepted the transaction, if it did.
    """

    message_id: str
    created_at: datetime
    original_message_id: str
    original_end_to_end_id: str
    original_uetr: uuid.UUID
    status: str
    reason_code: str | None = None
    additional_info: str | None = None
    original_message_name: str = "pacs.008.001.08"
    original_created_at: datetime | None = None
    original_transaction_id: str | None = None
    accepted_at: datetime | None = None

    def __post_init__(self) -> None:
        _identifier(self.message_id, "message id")
        _aware(self.created_at, "created_at")
        _identifier(self.original_message_id, "original message id")
        _identifier(self.original_end_to_end_id, "original end-to-end id")
        _identifier(self.original_message_name, "original message name")
        if self.original_transaction_id is not None:
            _identifier(self.original_transaction_id, "original transaction id")
        _uuid4(self.original_uetr, "original uetr")
        if self.status not in STATUS_CODES:
            raise Iso20022Error(f"unknown transaction status {self.status!r}")
        if self.reason_code is not None and not _CODE4.fullmatch(self.reason_code):
            raise Iso20022Error(f"not a status reason code: {self.reason_code!r}")
        if self.status == "RJCT" and self.reason_code is None:
            raise Iso20022Error("a rejection needs a reason code")
        if self.original_created_at is not None:
            _aware(self.original_created_at, "original_created_at")
        if self.accepted_at is not None:
            _aware(self.accepted_at, "accepted_at")
