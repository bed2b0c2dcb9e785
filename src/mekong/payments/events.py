"""Events published by the payments hub (catalogue: docs/events.md). Ids only: read the
details through `mekong.payments.facade.payment_get`."""

from __future__ import annotations

from dataclasses import dataclass

from mekong.core.events import DomainEvent, event


@event
@dataclass(frozen=True, kw_only=True)
class PaymentCompleted(DomainEvent):
    """A payment or refund moved its money (also a held payment released by a reviewer)."""

    name = "payments.payment_completed"
    payment_id: str
    status: str


@event
@dataclass(frozen=True, kw_only=True)
class PaymentHeld(DomainEvent):
    """Screening matched: the payment's money is reserved until a reviewer decides."""

    name = "payments.payment_held"
    payment_id: str
    status: str


@event
@dataclass(frozen=True, kw_only=True)
class PaymentRefused(DomainEvent):
    """A payment was refused (``status`` is the refusal code) or rejected by a reviewer."""

    name = "payments.payment_refused"
    payment_id: str
    status: str


@event
@dataclass(frozen=True, kw_only=True)
class PaymentReleased(DomainEvent):
    """A reviewer released a held payment: its reserved legs were posted and it completed
    (published with the payment's `PaymentCompleted`).

    Subscribers that act on payments only once a reviewer has decided them listen to this
    and `PaymentRejected`, not to every status event: a payment the hub decides at once is
    answered to its caller, and subscribing to those would put a handler transaction after
    every payment batch.
    """

    name = "payments.payment_released"
    payment_id: str


@event
@dataclass(frozen=True, kw_only=True)
class PaymentRejected(DomainEvent):
    """A reviewer rejected a held payment: its reserved legs were voided (published with the
    payment's `PaymentRefused`, status ``rejected``)."""

    name = "payments.payment_rejected"
    payment_id: str
