"""pacs.008.001.08, FI to FI customer credit transfer: one transaction per message."""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]

from mekong.payments.iso20022.model import CreditTransfer, Iso20022Error, clean_text
from mekong.payments.iso20022.xmlparts import (
    account,
    agent,
    amount,
    format_datetime,
    party,
    serialise,
    sub,
)

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"
MESSAGE_NAME = "pacs.008.001.08"


def build_pacs008(ct: CreditTransfer) -> bytes:
    """Return the pacs.008.001.08 document for ``ct`` as UTF-8 XML bytes.

    The settlement is by clearing (``CLRG``) through the hub, named as a proprietary clearing
    system. Element order follows the schema's sequences. Names are written as given (any
    script), with characters XML cannot carry dropped and cut to 140 characters.

    Raises:
        Iso20022Error: ``ct`` is not a `CreditTransfer`.
    """
    if not isinstance(ct, CreditTransfer):
        raise Iso20022Error("build_pacs008 needs a CreditTransfer")
    root = etree.Element(f"{{{NAMESPACE}}}Document", nsmap={None: NAMESPACE})
    message = sub(root, "FIToFICstmrCdtTrf")

    header = sub(message, "GrpHdr")
    sub(header, "MsgId", ct.message_id)
    sub(header, "CreDtTm", format_datetime(ct.created_at))
    sub(header, "NbOfTxs", "1")
    settlement = sub(header, "SttlmInf")
    sub(settlement, "SttlmMtd", "CLRG")
    sub(sub(settlement, "ClrSys"), "Prtry", ct.clearing_system)

    tx = sub(message, "CdtTrfTxInf")
    ids = sub(tx, "PmtId")
    sub(ids, "InstrId", ct.message_id)
    sub(ids, "EndToEndId", ct.end_to_end_id)
    sub(ids, "TxId", ct.transaction_id or ct.end_to_end_id)
    sub(ids, "UETR", str(ct.uetr))
    amount(tx, "IntrBkSttlmAmt", ct.settlement_amount, ct.settlement_currency)
    sub(tx, "IntrBkSttlmDt", ct.settlement_date.isoformat())
    sub(tx, "AccptncDtTm", format_datetime(ct.created_at))
    if ct.instructed_amount is not None and ct.instructed_currency is not None:
        amount(tx, "InstdAmt", ct.instructed_amount, ct.instructed_currency)
    if ct.exchange_rate is not None:
        sub(tx, "XchgRate", format(ct.exchange_rate, "f"))
    sub(tx, "ChrgBr", ct.charge_bearer)
    for charge in ct.charges:
        info = sub(tx, "ChrgsInf")
        amount(info, "Amt", charge.amount, charge.currency)
        agent(info, "Agt", charge.agent)
    agent(tx, "InstgAgt", ct.instructing_agent or ct.debtor_agent)
    agent(tx, "InstdAgt", ct.instructed_agent or ct.creditor_agent)
    party(tx, "Dbtr", ct.debtor)
    account(tx, "DbtrAcct", ct.debtor)
    agent(tx, "DbtrAgt", ct.debtor_agent)
    agent(tx, "CdtrAgt", ct.creditor_agent)
    party(tx, "Cdtr", ct.creditor)
    account(tx, "CdtrAcct", ct.creditor)
    remittance = clean_text(ct.remittance_info, 140)
    if remittance is not None:
        sub(sub(tx, "RmtInf"), "Ustrd", remittance)
    return serialise(root)
