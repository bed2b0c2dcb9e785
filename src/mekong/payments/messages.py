"""The ISO 20022 messages of a payment: its pacs.008 and the pacs.002 of its status.

Built with pay-ui's pure builders (`mekong.payments.iso20022`); the hub is the clearing
system ``MEKONG-HUB`` and participants are clearing members identified by their member code
(plus their BIC when they have one). The UETR is the payment id (a version 4 UUID).
"""

from __future__ import annotations

from mekong.payments.iso20022 import (
    Agent,
    Charge,
    CreditTransfer,
    Party,
    StatusReport,
    build_pacs002,
    build_pacs008,
)
from mekong.payments.models import Participant, Payment, PaymentStatus, Quote, Wallet

CLEARING_SYSTEM = "MEKONG-HUB"
_PROXY_CODES = {"phone": "TELE", "national_id": "NIDN", "business_id": "CINC"}


def _agent(participant: Participant) -> Agent:
    return Agent(
        bic=participant.bic or None,
        member_id=participant.code,
        clearing_system=CLEARING_SYSTEM,
        name=participant.name,
    )


def _party(wallet: Wallet, *, proxy_kind: str = "", proxy_value: str = "") -> Party:
    code = _PROXY_CODES.get(proxy_kind)
    return Party(
        name=wallet.holder_name,
        account=wallet.account_ref,
        country=wallet.participant.country,
        proxy_type=code,
        proxy_id=proxy_value if code else None,
    )


def _message_id(payment: Payment, suffix: str) -> str:
    return f"{payment.pk.hex[:30]}{suffix}"


def pacs008_for(payment: Payment, quote: Quote) -> str:
    """The pacs.008.001.08 of ``payment``: settlement in the destination currency, the source
    amount as instructed amount, the customer rate and the hub's fee as a charge."""
    hub = quote.fx_provider
    charges: tuple[Charge, ...] = ()
    if quote.fee_amount:
        charges = (
            Charge(
                amount=quote.fee_amount,
                currency=quote.source_currency,
                agent=Agent(member_id=CLEARING_SYSTEM, clearing_system=CLEARING_SYSTEM),
            ),
        )
    ct = CreditTransfer(
        message_id=_message_id(payment, "-008"),
        created_at=payment.created_at,
        end_to_end_id=payment.pk.hex,
        uetr=payment.pk,
        settlement_amount=quote.destination_amount,
        settlement_currency=quote.destination_currency,
        settlement_date=payment.created_at.date(),
        debtor=_party(quote.wallet),
        debtor_agent=_agent(quote.wallet.participant),
        creditor=_party(
            quote.payee_wallet,
            proxy_kind=quote.payee_proxy_kind,
            proxy_value=quote.payee_proxy_value,
        ),
        creditor_agent=_agent(quote.payee_wallet.participant),
        instructed_amount=quote.source_amount if hub is not None else None,
        instructed_currency=quote.source_currency if hub is not None else None,
        exchange_rate=quote.rate if hub is not None else None,
        charge_bearer="DEBT",
        charges=charges,
        remittance_info=f"quote {quote.pk} {payment.reference}".strip(),
        transaction_id=payment.pk.hex,
        clearing_system=CLEARING_SYSTEM,
    )
    return build_pacs008(ct).decode("utf-8")


_STATUS = {
    PaymentStatus.COMPLETED: ("ACSC", None),
    PaymentStatus.REFUNDED: ("ACSC", None),
    PaymentStatus.HELD: ("PDNG", None),
    PaymentStatus.REJECTED: ("RJCT", "RR04"),
    PaymentStatus.REFUSED: ("RJCT", "AM04"),
}


def pacs002_for(payment: Payment, quote: Quote) -> str:
    """The pacs.002.001.10 reporting ``payment``'s current status on its pacs.008."""
    status, reason = _STATUS[PaymentStatus(payment.status)]
    when = payment.completed_at or payment.reviewed_at or payment.created_at
    report = StatusReport(
        message_id=_message_id(payment, f"-{status}"),
        created_at=when,
        original_message_id=_message_id(payment, "-008"),
        original_end_to_end_id=payment.pk.hex,
        original_uetr=payment.pk,
        status=status,
        reason_code=reason,
        original_created_at=payment.created_at,
        original_transaction_id=payment.pk.hex,
        accepted_at=payment.created_at if status != "RJCT" else None,
    )
    return build_pacs002(report).decode("utf-8")
