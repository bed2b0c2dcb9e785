"""Escrow of order payments in the ledger: hold, release (minus commission), void.

Money path for one seller order, all in the seller's currency:

1. The buyer pays the MARKETPLACE through the payments hub (`payments.facade.pay`) into the
   marketplace operator's merchant account for that currency: the escrow account.
2. Hold: a PENDING ledger transfer of the order total from the escrow account to the seller's
   payout account (the seller registered as a merchant). The escrow account cannot spend
   reserved money (it is a wallet account, debits must not exceed credits). No ledger timeout:
   an expired reservation would silently return the money to the marketplace, whereas the
   marketplace's release window must PAY the seller; ``Order.release_due_at`` drives it.
3. Release: one linked chain: post the pending transfer for the seller's part (total −
   commission; the rest of the reservation is released back to escrow) and move the
   commission from escrow to the operator's commission account. All or nothing.
4. Void (cancellation before shipment): the reservation is voided, then the payment refunded.
5. Partial settlement (dispute): post the seller's part of what the seller keeps, commission on
   it, and the refund amount stays in escrow for `payments.facade.refund`.

Every transfer id is derived from the order id (``uuid5``), so retries are ``exists`` and a
reservation can be posted or voided only once: the ledger is the arbiter between a payout
and a refund of the same funds.
"""

from __future__ import annotations

import uuid

from mekong.ledger import facade as ledger
from mekong.ledger.contracts import TransferIn, TransferResult, TransferResultCode
from mekong.marketplace.errors import EscrowFailed, NotConfigured
from mekong.marketplace.models import MarketplaceOperator, Order, Seller
from mekong.payments import facade as payments
from mekong.payments.contracts import PayeeInfo

NAMESPACE = uuid.UUID("6f1c8a52-5d0e-4a53-9a3e-1b2c3d4e5f60")
CODE_ESCROW = 5001
CODE_COMMISSION = 5002
ACCOUNT_CODE_COMMISSION = 5100


def operator() -> MarketplaceOperator:
    """The configured marketplace operator.

    Raises:
        NotConfigured: no operator row (run the demo seed or `operator_configure`).
    """
    found = MarketplaceOperator.objects.filter(pk=1).first()
    if found is None:
        raise NotConfigured()
    return found


def operator_configure(
    *, organisation_id: int, commission_bps: int = 500, release_days: int = 14
) -> MarketplaceOperator:
    """Set the organisation that runs the marketplace, its commission and release window."""
    row, _created = MarketplaceOperator.objects.update_or_create(
        pk=1,
        defaults={
            "organisation_id": organisation_id,
            "commission_bps": commission_bps,
            "release_days": release_days,
        },
    )
    return row


def merchant_payee(*, organisation_id: int, country: str, currency: str) -> PayeeInfo:
    """An organisation's merchant account in ``currency`` (registered on first use, idempotent;
    each currency's wallet has its own business-id alias in the payments directory)."""
    return payments.register_merchant(
        organisation_id=organisation_id, country=country, currency=currency
    )


def escrow_payee(*, country: str, currency: str) -> PayeeInfo:
    """The marketplace's merchant account in ``currency``: where buyers pay, the escrow."""
    op = operator()
    return merchant_payee(organisation_id=op.organisation_id, country=country, currency=currency)


def seller_payee(seller: Seller, currency: str) -> PayeeInfo:
    """The seller's payout account: the seller registered as a merchant in its currency."""
    return merchant_payee(
        organisation_id=seller.organisation_id, country=seller.country, currency=currency
    )


def commission_account_id(currency: str) -> int:
    """The operator's commission account in ``currency`` (opened on first use, idempotent)."""
    op = operator()
    info = ledger.account_create(
        organisation_id=op.organisation_id,
        currency=currency,
        code=ACCOUNT_CODE_COMMISSION,
        name=f"marketplace commission {currency}",
        external_id=uuid.uuid5(NAMESPACE, f"commission:{op.organisation_id}:{currency}"),
    )
    return info.id


def hold_id(order: Order) -> uuid.UUID:
    """The id of the order's pending escrow transfer."""
    return uuid.uuid5(NAMESPACE, f"hold:{order.pk}")


def _check(results: list[TransferResult]) -> None:
    if not all(r.succeeded for r in results):
        codes = [str(r.code) for r in results if not r.succeeded]
        raise EscrowFailed(extra={"ledger_codes": codes})


def hold(order: Order) -> uuid.UUID:
    """Reserve the order total from escrow for the seller (pending; idempotent)."""
    escrow = escrow_payee(country=order.seller.country, currency=order.currency)
    payout = seller_payee(order.seller, order.currency)
    transfer = hold_id(order)
    _check(
        ledger.transfers_create(
            [
                TransferIn(
                    id=transfer,
                    debit_account_id=escrow.ledger_account_id,
                    credit_account_id=payout.ledger_account_id,
                    amount=order.total_minor,
                    currency=order.currency,
                    code=CODE_ESCROW,
                    pending=True,
                    user_data=f"marketplace order {order.number}",
                )
            ]
        )
    )
    return transfer


def settle(order: Order, *, refund_minor: int = 0) -> tuple[int, int]:
    """Release the held funds: the seller gets (total − refund) minus its commission.

    Returns (seller amount, commission). With ``refund_minor`` = total the reservation is voided
    instead. The refund itself is left in escrow for the payments refund that follows.

    Raises:
        EscrowFailed: the reservation was already posted, voided or is unknown.
    """
    kept = order.total_minor - refund_minor
    if kept <= 0:
        void(order)
        return 0, 0
    commission = commission_for(kept, order.commission_bps)
    seller_part = kept - commission
    escrow = escrow_payee(country=order.seller.country, currency=order.currency)
    pending = hold_id(order)
    batch = [
        TransferIn(
            id=uuid.uuid5(NAMESPACE, f"release:{order.pk}"),
            pending_id=pending,
            amount=seller_part,
            post_pending=True,
            linked=commission > 0,
        )
    ]
    if commission > 0:
        batch.append(
            TransferIn(
                id=uuid.uuid5(NAMESPACE, f"commission:{order.pk}"),
                debit_account_id=escrow.ledger_account_id,
                credit_account_id=commission_account_id(order.currency),
                amount=commission,
                currency=order.currency,
                code=CODE_COMMISSION,
                user_data=f"commission order {order.number}",
            )
        )
    _check(ledger.transfers_create(batch))
    return seller_part, commission


def void(order: Order) -> None:
    """Void the reservation (the money stays with the marketplace for the refund).

    Raises:
        EscrowFailed: the reservation was already posted.
    """
    (result,) = ledger.transfers_create(
        [
            TransferIn(
                id=uuid.uuid5(NAMESPACE, f"void:{order.pk}"),
                pending_id=hold_id(order),
                void_pending=True,
            )
        ]
    )
    if result.code == TransferResultCode.PENDING_TRANSFER_ALREADY_VOIDED:
        return
    _check([result])


def commission_for(amount_minor: int, bps: int) -> int:
    """The commission on an amount, rounded half up to a minor unit (never above the amount)."""
    return min(amount_minor, (amount_minor * bps + 5_000) // 10_000)
