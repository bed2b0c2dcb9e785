"""ISO 20022 messages of the payments hub: pacs.008.001.08 and pacs.002.001.10.

Pure Python, no Django import: documents are written as escaped strings (`xmlparts`), read
and validated with lxml. Build from frozen dataclasses, validate against the
official XSDs bundled in ``xsd/`` (see ``xsd/SOURCE.md``):

    >>> import uuid
    >>> from datetime import UTC, date, datetime
    >>> from mekong.payments.iso20022 import (
    ...     Agent, CreditTransfer, Party, build_pacs008, validate_pacs008)
    >>> ct = CreditTransfer(
    ...     message_id="M1", created_at=datetime(2026, 12, 4, tzinfo=UTC), end_to_end_id="E1",
    ...     uetr=uuid.UUID("1b4e28ba-2fa1-41d2-883f-0016d3cca427"),
    ...     settlement_amount=100000, settlement_currency="LAK",
    ...     settlement_date=date(2026, 12, 4),
    ...     debtor=Party("Nguyễn Văn A", account="VN-1"), debtor_agent=Agent(bic="BFTVVNVX"),
    ...     creditor=Party("ຮ້ານກາເຟ", account="LA-1"), creditor_agent=Agent(bic="COEBLALA"))
    >>> validate_pacs008(build_pacs008(ct))
    []

Amounts are integer minor units written with the currency's ISO 4217 exponent.
"""

from mekong.payments.iso20022.model import (
    REASON_CODES,
    STATUS_CODES,
    Agent,
    Charge,
    CreditTransfer,
    Iso20022Error,
    Party,
    StatusReport,
)
from mekong.payments.iso20022.pacs002 import build_pacs002, parse_pacs002
from mekong.payments.iso20022.pacs008 import build_pacs008
from mekong.payments.iso20022.validate import validate, validate_pacs002, validate_pacs008
from mekong.payments.iso20022.xmlparts import format_amount

__all__ = [
    "REASON_CODES",
    "STATUS_CODES",
    "Agent",
    "Charge",
    "CreditTransfer",
    "Iso20022Error",
    "Party",
    "StatusReport",
    "build_pacs002",
    "build_pacs008",
    "format_amount",
    "parse_pacs002",
    "validate",
    "validate_pacs002",
    "validate_pacs008",
]
