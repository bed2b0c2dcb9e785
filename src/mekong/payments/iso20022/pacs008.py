"""pacs.008.001.08, FI to FI customer credit transfer: one transaction per message."""

from __future__ import annotations

from mekong.payments.iso20022.model import CreditTransfer, Iso20022Error, clean_text
from mekong.payments.iso20022.xmlparts import (
    account,
    agent,
    amount,
    document,
    el,
    format_datetime,
    party,
)

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"
MESSAGE_NAME = "pacs.008.001.08"


def build_pacs008(ct: CreditTransfer) -> bytes:
    """Return the pacs.008.001.08 document for ``ct`` as UTF-8 XML bytes.

    The settlement is by clearing (``CLRG``) through the hub, named as a proprietary clearing
    system. Element order follows the schema's sequences. Names are written as given (any
    script), with characters XML cannot carry dropped and cut to 140 characters; every value
    is escaped (`xmlparts.text`).

    Raises:
        Iso20022Error: ``ct`` is not a `CreditTransfer`.
    """
    if not isinstance(ct, CreditTransfer):
        raise Iso20022Error("build_pacs008 needs a CreditTransfer")
    rate = "" if ct.exchange_rate is None else el("XchgRate", format(ct.exchange_rate, "f"))
    instructed = ""
    if ct.instructed_amount is not None and ct.instructed_currency is not None:
        instructed = amount("InstdAmt", ct.instructed_amount, ct.instructed_currency)
    charges = "".join(
        f"<ChrgsInf>{amount('Amt', c.amount, c.currency)}{agent('Agt', c.agent)}</ChrgsInf>"
        for c in ct.charges
    )
    remittance = clean_text(ct.remittance_info, 140)
    created = format_datetime(ct.created_at)
    header = (
        f"<GrpHdr>{el('MsgId', ct.message_id)}{el('CreDtTm', created)}<NbOfTxs>1</NbOfTxs>"
        f"<SttlmInf><SttlmMtd>CLRG</SttlmMtd><ClrSys>{el('Prtry', ct.clearing_system)}"
        "</ClrSys></SttlmInf></GrpHdr>"
    )
    ids = (
        f"<PmtId>{el('InstrId', ct.message_id)}{el('EndToEndId', ct.end_to_end_id)}"
        f"{el('TxId', ct.transaction_id or ct.end_to_end_id)}{el('UETR', str(ct.uetr))}</PmtId>"
    )
    tx = "".join(
        (
            ids,
            amount("IntrBkSttlmAmt", ct.settlement_amount, ct.settlement_currency),
            el("IntrBkSttlmDt", ct.settlement_date.isoformat()),
            el("AccptncDtTm", created),
            instructed,
            rate,
            el("ChrgBr", ct.charge_bearer),
            charges,
            agent("InstgAgt", ct.instructing_agent or ct.debtor_agent),
            agent("InstdAgt", ct.instructed_agent or ct.creditor_agent),
            party("Dbtr", ct.debtor),
            account("DbtrAcct", ct.debtor),
            agent("DbtrAgt", ct.debtor_agent),
            agent("CdtrAgt", ct.creditor_agent),
            party("Cdtr", ct.creditor),
            account("CdtrAcct", ct.creditor),
            "" if remittance is None else f"<RmtInf>{el('Ustrd', remittance)}</RmtInf>",
        )
    )
    return document(
        NAMESPACE, f"<FIToFICstmrCdtTrf>{header}<CdtTrfTxInf>{tx}</CdtTrfTxInf></FIToFICstmrCdtTrf>"
    )
