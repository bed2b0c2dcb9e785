"""pacs.002.001.10, FI to FI payment status report on one transaction; and its parser."""

from __future__ import annotations

import uuid
from datetime import datetime

from mekong.payments.iso20022.model import Iso20022Error, StatusReport, clean_text
from mekong.payments.iso20022.validate import parse_document, schema_errors
from mekong.payments.iso20022.xmlparts import document, el, format_datetime

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10"
MESSAGE_NAME = "pacs.002.001.10"


def build_pacs002(sr: StatusReport) -> bytes:
    """Return the pacs.002.001.10 document for ``sr`` as UTF-8 XML bytes.

    One ``TxInfAndSts`` carrying the original message id and name, the end-to-end id, the UETR,
    the status and, when given, the reason code and text.

    Raises:
        Iso20022Error: ``sr`` is not a `StatusReport`.
    """
    if not isinstance(sr, StatusReport):
        raise Iso20022Error("build_pacs002 needs a StatusReport")
    original = el("OrgnlMsgId", sr.original_message_id) + el(
        "OrgnlMsgNmId", sr.original_message_name
    )
    if sr.original_created_at is not None:
        original += el("OrgnlCreDtTm", format_datetime(sr.original_created_at))
    parts = [
        f"<OrgnlGrpInf>{original}</OrgnlGrpInf>",
        el("OrgnlEndToEndId", sr.original_end_to_end_id),
    ]
    if sr.original_transaction_id is not None:
        parts.append(el("OrgnlTxId", sr.original_transaction_id))
    parts += [el("OrgnlUETR", str(sr.original_uetr)), el("TxSts", sr.status)]
    info = clean_text(sr.additional_info, 105)
    if sr.reason_code is not None or info is not None:
        reason = "" if sr.reason_code is None else f"<Rsn>{el('Cd', sr.reason_code)}</Rsn>"
        if info is not None:
            reason += el("AddtlInf", info)
        parts.append(f"<StsRsnInf>{reason}</StsRsnInf>")
    if sr.accepted_at is not None:
        parts.append(el("AccptncDtTm", format_datetime(sr.accepted_at)))
    header = f"<GrpHdr>{el('MsgId', sr.message_id)}{el('CreDtTm', format_datetime(sr.created_at))}"
    return document(
        NAMESPACE,
        f"<FIToFIPmtStsRpt>{header}</GrpHdr><TxInfAndSts>{''.join(parts)}</TxInfAndSts>"
        "</FIToFIPmtStsRpt>",
    )


def _text(node: object, path: str) -> str | None:
    found = node.find(path, {"p": NAMESPACE})  # type: ignore[attr-defined]
    return None if found is None or found.text is None else str(found.text)


def _required(node: object, path: str) -> str:
    value = _text(node, path)
    if value is None:
        raise Iso20022Error(f"pacs.002 has no {path.replace('p:', '')}")
    return value


def _when(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Iso20022Error(f"pacs.002 has a time Python cannot read: {value!r}") from None
    return moment if moment.tzinfo is not None else None


def parse_pacs002(xml: bytes) -> StatusReport:
    """Read the first transaction status of a pacs.002.001.10 document.

    The document is validated against the schema first. Entities are not resolved and
    nothing is fetched from the network.

    Raises:
        Iso20022Error: not well-formed, not valid against the schema, without a transaction
            status, or carrying values `StatusReport` refuses (an unknown status code,
            a creation time without a zone).
    """
    root = parse_document(xml)
    errors = schema_errors(root, "pacs.002")
    if errors:
        raise Iso20022Error(f"invalid pacs.002: {errors[0]}")
    tx = root.find("p:FIToFIPmtStsRpt/p:TxInfAndSts", {"p": NAMESPACE})
    if tx is None:
        raise Iso20022Error("pacs.002 has no transaction status")
    created = _when(_required(root, "p:FIToFIPmtStsRpt/p:GrpHdr/p:CreDtTm"))
    if created is None:
        raise Iso20022Error("pacs.002 creation time has no time zone")
    try:
        uetr = uuid.UUID(_required(tx, "p:OrgnlUETR"))
    except ValueError:
        raise Iso20022Error("pacs.002 has an invalid UETR") from None
    return StatusReport(
        message_id=_required(root, "p:FIToFIPmtStsRpt/p:GrpHdr/p:MsgId"),
        created_at=created,
        original_message_id=_required(tx, "p:OrgnlGrpInf/p:OrgnlMsgId"),
        original_message_name=_required(tx, "p:OrgnlGrpInf/p:OrgnlMsgNmId"),
        original_created_at=_when(_text(tx, "p:OrgnlGrpInf/p:OrgnlCreDtTm")),
        original_end_to_end_id=_required(tx, "p:OrgnlEndToEndId"),
        original_transaction_id=_text(tx, "p:OrgnlTxId"),
        original_uetr=uetr,
        status=_required(tx, "p:TxSts"),
        reason_code=_text(tx, "p:StsRsnInf/p:Rsn/p:Cd"),
        additional_info=_text(tx, "p:StsRsnInf/p:AddtlInf"),
        accepted_at=_when(_text(tx, "p:AccptncDtTm")),
    )
