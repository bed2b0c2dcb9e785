"""ISO 20022 builders: every generated pacs.008/pacs.002 is valid against the official XSD.

The property tests draw names from all six site scripts plus the XML metacharacters, amounts
up to the schema's 18 digits in every hub currency, and rates of any magnitude; each generated
message must validate. The negative tests break valid messages in the ways a hand-made
builder does (missing element, wrong order, bad amount, bad currency, bad UETR) and require
the validator to report them, so the positive tests cannot pass with a validator that accepts
everything.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped]

from mekong.payments.iso20022 import (
    REASON_CODES,
    STATUS_CODES,
    Agent,
    Charge,
    CreditTransfer,
    Iso20022Error,
    Party,
    StatusReport,
    build_pacs002,
    build_pacs008,
    format_amount,
    parse_pacs002,
    validate,
    validate_pacs002,
    validate_pacs008,
    xmlparts,
)
from mekong.payments.iso20022.model import MAX_MINOR, clean_text, normalise_rate
from mekong.payments.iso20022.validate import XSD_DIR

NS8 = {"p": "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"}
NS2 = {"p": "urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10"}
HUB_CURRENCIES = ["THB", "VND", "KHR", "LAK", "MMK", "USD"]
WHEN = datetime(2026, 12, 4, 8, 30, 15, 123000, tzinfo=UTC)

# Letters of each site language's script: English, Thai, Vietnamese, Khmer, Lao, Burmese.
SCRIPTS = {
    "latin": "AaBbZz09 .-'",
    "thai": "กขคงจฉชซญณดตถทนบปผพฟภมยรลวศษสหฬอฮะัาำิีึืุูเแโใไ่้๊๋็์",
    "vietnamese": "ĂăÂâĐđÊêÔôƠơƯưÀàẢảÃãÁáẠạẦầẨẩẪẫẤấẬậỲỳỶỷỸỹÝýỴỵ",
    "khmer": "កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវសហឡអាិីឹឺុូួើឿៀេែៃោៅំះៈ់៉៊់៌៍៎៏័្",
    "lao": "ກຂຄງຈຊຍດຕຖທນບປຜຝພຟມຢຣລວສຫອຮະັາຳິີຶືຸູົຼຽເແໂໃໄ່້໊໋໌ໍ",
    "burmese": "ကခဂဃငစဆဇဈညဋဌဍဎဏတထဒဓနပဖဗဘမယရလဝသဟဠအါာိီုူေဲံ့း္်ျြွှ",
}
XML_META = "<&>\"'"
NAME = st.one_of(
    *[st.text(alphabet + XML_META, min_size=1, max_size=160) for alphabet in SCRIPTS.values()],
    st.text(min_size=1, max_size=160),  # anything, including characters XML cannot carry
)
IDENT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=35
).filter(lambda s: s.strip() != "")
UETR = st.uuids(version=4)
CURRENCY = st.sampled_from(HUB_CURRENCIES)
MINOR = st.integers(min_value=0, max_value=MAX_MINOR)
RATE = st.one_of(
    st.none(),
    st.decimals(
        min_value=Decimal("0.0000000001"),
        max_value=Decimal("99999999999"),
        allow_nan=False,
        allow_infinity=False,
    ),
)
BIC = st.from_regex(r"[A-Z]{4}(TH|VN|KH|LA|MM)[A-Z0-9]{2}([A-Z0-9]{3})?", fullmatch=True)
AGENT = st.one_of(
    st.builds(Agent, bic=BIC, name=st.one_of(st.none(), NAME)),
    st.builds(
        Agent,
        member_id=st.from_regex(r"[0-9]{6,8}", fullmatch=True),
        clearing_system=st.sampled_from(["NAPAS", "LAPNET", "BAKONG", "ITMX", "MMQR"]),
    ),
)
ACCOUNT = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=34)
PARTY = st.builds(
    Party,
    name=NAME,
    account=st.one_of(st.none(), ACCOUNT),
    country=st.one_of(st.none(), st.sampled_from(["TH", "VN", "KH", "LA", "MM"])),
)
TIME = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 (hypothesis wants naive bounds)
    max_value=datetime(2099, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


def credit_transfer(**changes: object) -> CreditTransfer:
    fields: dict[str, object] = {
        "message_id": "MKH20261204-0001",
        "created_at": WHEN,
        "end_to_end_id": "E2E-VN-LA-0001",
        "uetr": uuid.UUID("1b4e28ba-2fa1-41d2-883f-0016d3cca427"),
        "settlement_amount": 25_000_000,
        "settlement_currency": "LAK",
        "settlement_date": date(2026, 12, 4),
        "debtor": Party("Nguyễn Thị Hoa", account="VN0000123456", country="VN"),
        "debtor_agent": Agent(bic="BFTVVNVX", name="Vietcombank"),
        "creditor": Party(
            "ຮ້ານກາເຟ <Lao> & Co", account="LA0001", proxy_type="TELE", proxy_id="+856-2055512345"
        ),
        "creditor_agent": Agent(member_id="27710418", clearing_system="LAPNET", name="BCEL"),
        "instructed_amount": 300_000,
        "instructed_currency": "VND",
        "exchange_rate": "0.8333333333",
        "charges": (Charge(5_000, "VND", Agent(bic="BFTVVNVX")),),
        "remittance_info": "Cà phê sữa đá ×2",
    }
    fields.update(changes)
    return CreditTransfer(**fields)  # type: ignore[arg-type]


def status_report(**changes: object) -> StatusReport:
    fields: dict[str, object] = {
        "message_id": "MKH20261204-0001-ST",
        "created_at": WHEN,
        "original_message_id": "MKH20261204-0001",
        "original_end_to_end_id": "E2E-VN-LA-0001",
        "original_uetr": uuid.UUID("1b4e28ba-2fa1-41d2-883f-0016d3cca427"),
        "status": "ACSC",
    }
    fields.update(changes)
    return StatusReport(**fields)  # type: ignore[arg-type]


def text_of(xml: bytes, path: str, ns: dict[str, str] = NS8) -> str:
    found = etree.fromstring(xml).find(path, ns)
    assert found is not None, path
    return str(found.text)


# -- the bundled schemas ----------------------------------------------------------------------


def test_bundled_schemas_are_the_official_files() -> None:
    source = (XSD_DIR / "SOURCE.md").read_text()
    for name in ("pacs.008.001.08.xsd", "pacs.002.001.10.xsd"):
        digest = hashlib.sha256((XSD_DIR / name).read_bytes()).hexdigest()
        assert re.search(rf"`{name}`.*`{digest}`", source), name


# -- pacs.008 ---------------------------------------------------------------------------------


def test_pacs008_example_is_valid_and_carries_the_transfer() -> None:
    xml = build_pacs008(credit_transfer())
    assert validate_pacs008(xml) == []
    assert validate(xml) == []
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    tx = "p:FIToFICstmrCdtTrf/p:CdtTrfTxInf/"
    assert text_of(xml, tx + "p:IntrBkSttlmAmt") == "250000.00"
    assert etree.fromstring(xml).find(tx + "p:IntrBkSttlmAmt", NS8).get("Ccy") == "LAK"
    assert text_of(xml, tx + "p:InstdAmt") == "300000"
    assert text_of(xml, tx + "p:XchgRate") == "0.8333333333"
    assert text_of(xml, tx + "p:PmtId/p:UETR") == "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
    assert text_of(xml, tx + "p:Cdtr/p:Nm") == "ຮ້ານກາເຟ <Lao> & Co"
    assert text_of(xml, tx + "p:ChrgsInf/p:Amt") == "5000"
    assert text_of(xml, tx + "p:CdtrAcct/p:Prxy/p:Id") == "+856-2055512345"
    assert text_of(xml, "p:FIToFICstmrCdtTrf/p:GrpHdr/p:CreDtTm") == "2026-12-04T08:30:15.123Z"
    # The metacharacters are escaped by the serialiser, not interpreted.
    assert b"&lt;Lao&gt; &amp; Co" in xml


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (123450, "THB", "1234.50"),
        (50000, "VND", "50000"),
        (100000, "LAK", "1000.00"),
        (100000, "KHR", "1000.00"),
        (5, "MMK", "0.05"),
        (0, "USD", "0.00"),
        (MAX_MINOR, "VND", "999999999999999999"),
    ],
)
def test_amounts_use_the_iso_4217_exponent(minor: int, currency: str, text: str) -> None:
    assert format_amount(minor, currency) == text
    xml = build_pacs008(credit_transfer(settlement_amount=minor, settlement_currency=currency))
    assert validate_pacs008(xml) == []
    assert text_of(xml, "p:FIToFICstmrCdtTrf/p:CdtTrfTxInf/p:IntrBkSttlmAmt") == text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    message_id=IDENT,
    end_to_end_id=IDENT,
    uetr=UETR,
    created_at=TIME,
    amount=MINOR,
    currency=CURRENCY,
    instructed=st.one_of(st.none(), st.tuples(MINOR, CURRENCY)),
    rate=RATE,
    debtor=PARTY,
    creditor=PARTY,
    debtor_agent=AGENT,
    creditor_agent=AGENT,
    bearer=st.sampled_from(["DEBT", "CRED", "SHAR", "SLEV"]),
    charges=st.lists(st.builds(Charge, amount=MINOR, currency=CURRENCY, agent=AGENT), max_size=3),
    remittance=st.one_of(st.none(), NAME),
)
def test_generated_pacs008_is_always_valid(
    message_id: str,
    end_to_end_id: str,
    uetr: uuid.UUID,
    created_at: datetime,
    amount: int,
    currency: str,
    instructed: tuple[int, str] | None,
    rate: Decimal | None,
    debtor: Party,
    creditor: Party,
    debtor_agent: Agent,
    creditor_agent: Agent,
    bearer: str,
    charges: list[Charge],
    remittance: str | None,
) -> None:
    ct = CreditTransfer(
        message_id=message_id,
        created_at=created_at,
        end_to_end_id=end_to_end_id,
        uetr=uetr,
        settlement_amount=amount,
        settlement_currency=currency,
        settlement_date=created_at.date(),
        debtor=debtor,
        debtor_agent=debtor_agent,
        creditor=creditor,
        creditor_agent=creditor_agent,
        instructed_amount=None if instructed is None else instructed[0],
        instructed_currency=None if instructed is None else instructed[1],
        exchange_rate=rate,
        charge_bearer=bearer,
        charges=tuple(charges),
        remittance_info=remittance,
    )
    xml = build_pacs008(ct)
    assert validate_pacs008(xml) == []
    root = etree.fromstring(xml)
    # Written as strings: lxml, reading it and writing it again, gives back the same bytes
    # (well-formed, and every value escaped as its serialiser escapes it).
    assert etree.tostring(root, xml_declaration=True, encoding="UTF-8") == xml
    # What went in comes out: the amount, and each name as cleaned (never re-interpreted).
    settled = root.find("p:FIToFICstmrCdtTrf/p:CdtTrfTxInf/p:IntrBkSttlmAmt", NS8)
    assert settled.text == format_amount(amount, currency)
    assert settled.get("Ccy") == currency
    name = root.find("p:FIToFICstmrCdtTrf/p:CdtTrfTxInf/p:Dbtr/p:Nm", NS8)
    expected = clean_text(debtor.name, 140)
    assert (name.text if name is not None else None) == expected
    if rate is not None:
        written = Decimal(root.find("p:FIToFICstmrCdtTrf/p:CdtTrfTxInf/p:XchgRate", NS8).text)
        assert abs(written - rate) <= abs(rate) * Decimal("1e-10") + Decimal("1e-10")


@pytest.mark.parametrize(
    ("rate", "written"),
    [
        ("60.123456789123", "60.123456789"),  # THB→MMK: 11 significant digits
        ("0.00134", "0.00134"),  # VND→THB: small, kept
        ("0.000000000049", "0.0000000000"),  # below 10 decimals: refused, see below
        ("25000", "25000"),
    ],
)
def test_rates_fit_base_one_rate(rate: str, written: str) -> None:
    if Decimal(written) == 0:
        with pytest.raises(Iso20022Error, match="too small"):
            normalise_rate(rate)
        return
    assert format(normalise_rate(rate), "f") == written
    assert validate_pacs008(build_pacs008(credit_transfer(exchange_rate=rate))) == []


def test_every_hub_status_and_reason_validates() -> None:
    for status in sorted(STATUS_CODES):
        for reason in [None, *sorted(REASON_CODES)]:
            if status == "RJCT" and reason is None:
                continue
            xml = build_pacs002(status_report(status=status, reason_code=reason))
            assert validate_pacs002(xml) == [], (status, reason)


# -- broken messages are reported -------------------------------------------------------------


def _break(xml: bytes, old: bytes, new: bytes) -> bytes:
    assert old in xml, old
    return xml.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        (b"<EndToEndId>E2E-VN-LA-0001</EndToEndId>", b"", "EndToEndId"),
        (b'Ccy="LAK"', b'Ccy="lak"', "Ccy"),
        (b">250000.00<", b">250000.001234<", "fractionDigits|IntrBkSttlmAmt"),
        (b">250000.00<", b">-1.00<", "minInclusive|IntrBkSttlmAmt"),
        (b"<ChrgBr>SHAR</ChrgBr>", b"<ChrgBr>OURS</ChrgBr>", "ChrgBr"),
        (b"1b4e28ba-2fa1-41d2", b"1B4E28BA-2FA1-41D2", "UETR"),
        (b"<NbOfTxs>1</NbOfTxs>", b"<NbOfTxs>one</NbOfTxs>", "NbOfTxs"),
        (b"<MsgId>MKH20261204-0001</MsgId>", b"<MsgId>" + b"M" * 36 + b"</MsgId>", "MsgId"),
        (b"<Cdtr>", b"<Cdtr><Unknown>x</Unknown>", "Unknown"),
    ],
)
def test_broken_pacs008_is_reported(old: bytes, new: bytes, why: str) -> None:
    good = build_pacs008(credit_transfer())
    assert validate_pacs008(good) == []
    errors = validate_pacs008(_break(good, old, new))
    assert errors
    assert re.search(why, " ".join(errors)), errors


def test_elements_out_of_order_are_reported() -> None:
    good = build_pacs008(credit_transfer())
    root = etree.fromstring(good)
    tx = root.find("p:FIToFICstmrCdtTrf/p:CdtTrfTxInf", NS8)
    debtor = tx.find("p:Dbtr", NS8)
    tx.remove(debtor)
    tx.append(debtor)  # Dbtr after RmtInf
    errors = validate_pacs008(etree.tostring(root))
    assert errors
    assert "Dbtr" in " ".join(errors)


def test_broken_pacs002_is_reported() -> None:
    good = build_pacs002(status_report(status="RJCT", reason_code="AM04"))
    assert validate_pacs002(good) == []
    assert validate_pacs002(_break(good, b"<TxSts>RJCT</TxSts>", b"<TxSts>REJECTED</TxSts>"))
    assert validate_pacs002(_break(good, b"<Cd>AM04</Cd>", b"<Cd>AM04X</Cd>"))
    assert validate_pacs002(_break(good, b"<OrgnlMsgNmId>pacs.008.001.08</OrgnlMsgNmId>", b""))


def test_wrong_family_garbage_and_doctype_are_reported() -> None:
    pacs008 = build_pacs008(credit_transfer())
    pacs002 = build_pacs002(status_report())
    assert validate_pacs002(pacs008)
    assert "pacs.002" in validate_pacs002(pacs008)[0]
    assert validate_pacs008(pacs002)
    assert validate(b"<Document xmlns='urn:other'/>")[0].startswith("not a supported message")
    assert validate(b"not xml")[0].startswith("not well-formed")
    assert validate(b"")[0].startswith("not well-formed")
    assert validate("<x/>")  # type: ignore[arg-type]
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10">&b;</Document>'
    )
    assert validate(bomb) == ["a DOCTYPE is not allowed in a message"]


# -- pacs.002 ---------------------------------------------------------------------------------


def test_pacs002_example_is_valid() -> None:
    report = status_report(
        status="PDNG",
        reason_code="RR04",
        additional_info="Held for compliance review <screening>",
        original_created_at=WHEN - timedelta(seconds=2),
        original_transaction_id="TX-1",
        accepted_at=WHEN,
    )
    xml = build_pacs002(report)
    assert validate_pacs002(xml) == []
    assert validate(xml) == []
    tx = "p:FIToFIPmtStsRpt/p:TxInfAndSts/"
    assert text_of(xml, tx + "p:TxSts", NS2) == "PDNG"
    assert text_of(xml, tx + "p:StsRsnInf/p:Rsn/p:Cd", NS2) == "RR04"
    assert text_of(xml, tx + "p:OrgnlGrpInf/p:OrgnlMsgNmId", NS2) == "pacs.008.001.08"
    assert parse_pacs002(xml) == report


@settings(max_examples=100, deadline=None)
@given(
    message_id=IDENT,
    original_message_id=IDENT,
    end_to_end_id=IDENT,
    uetr=UETR,
    created_at=TIME,
    status=st.sampled_from(sorted(STATUS_CODES)),
    reason=st.one_of(st.none(), st.sampled_from(sorted(REASON_CODES))),
    info=st.one_of(st.none(), NAME),
)
def test_generated_pacs002_is_valid_and_parses_back(
    message_id: str,
    original_message_id: str,
    end_to_end_id: str,
    uetr: uuid.UUID,
    created_at: datetime,
    status: str,
    reason: str | None,
    info: str | None,
) -> None:
    if status == "RJCT" and reason is None:
        reason = "NARR"
    created_at = created_at.replace(microsecond=created_at.microsecond // 1000 * 1000)
    report = StatusReport(
        message_id=message_id,
        created_at=created_at,
        original_message_id=original_message_id,
        original_end_to_end_id=end_to_end_id,
        original_uetr=uetr,
        status=status,
        reason_code=reason,
        additional_info=info,
    )
    xml = build_pacs002(report)
    assert validate_pacs002(xml) == []
    assert etree.tostring(etree.fromstring(xml), xml_declaration=True, encoding="UTF-8") == xml
    parsed = parse_pacs002(xml)
    assert parsed.status == status
    assert parsed.reason_code == reason
    assert parsed.original_uetr == uetr
    assert parsed.original_end_to_end_id == end_to_end_id
    assert parsed.created_at == created_at
    assert parsed.additional_info == clean_text(info, 105)


def test_parse_pacs002_refuses_invalid_documents() -> None:
    good = build_pacs002(status_report())
    with pytest.raises(Iso20022Error, match=r"invalid pacs\.002"):
        parse_pacs002(_break(good, b"<TxSts>ACSC</TxSts>", b"<TxSts>ACSCX</TxSts>"))
    with pytest.raises(Iso20022Error, match="unknown transaction status"):
        parse_pacs002(_break(good, b"<TxSts>ACSC</TxSts>", b"<TxSts>ACWC</TxSts>"))
    with pytest.raises(Iso20022Error, match="no transaction status"):
        parse_pacs002(re.sub(rb"<TxInfAndSts>.*</TxInfAndSts>", b"", good))
    with pytest.raises(Iso20022Error, match="not well-formed"):
        parse_pacs002(b"<")
    with pytest.raises(Iso20022Error, match=r"pacs\.002"):
        parse_pacs002(build_pacs008(credit_transfer()))


# -- values refused at construction -----------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"message_id": ""}, "message id is required"),
        ({"message_id": "M" * 36}, "longer than 35"),
        ({"end_to_end_id": "E\x00"}, "XML cannot carry"),
        ({"uetr": uuid.UUID("018f3a2e-7b1c-7000-8000-000000000000")}, "version 4"),
        ({"uetr": "1b4e28ba-2fa1-41d2-883f-0016d3cca427"}, "version 4"),
        ({"settlement_amount": -1}, "between 0"),
        ({"settlement_amount": MAX_MINOR + 1}, "between 0"),
        ({"settlement_amount": 12.5}, "int of minor units"),
        ({"settlement_amount": True}, "int of minor units"),
        ({"settlement_currency": "XYZ"}, "unknown currency"),
        ({"created_at": WHEN.replace(tzinfo=None)}, "aware"),
        ({"settlement_date": WHEN}, "must be a date"),
        ({"instructed_currency": None}, "both an amount and a currency"),
        ({"exchange_rate": "0"}, "positive"),
        ({"exchange_rate": "abc"}, "not a decimal"),
        ({"exchange_rate": "1e12"}, "too large"),
        ({"charge_bearer": "OUR"}, "charge bearer"),
        ({"debtor": "Nguyễn"}, "must be a Party"),
    ],
)
def test_credit_transfer_refuses_bad_values(changes: dict[str, object], message: str) -> None:
    with pytest.raises(Iso20022Error, match=message):
        credit_transfer(**changes)


def test_parties_agents_and_reports_refuse_bad_values() -> None:
    with pytest.raises(Iso20022Error, match="BIC or a clearing member id"):
        Agent()
    with pytest.raises(Iso20022Error, match="not a BIC"):
        Agent(bic="bftvvnvx")
    with pytest.raises(Iso20022Error, match="country"):
        Party("A", country="Thailand")
    with pytest.raises(Iso20022Error, match="both a type and an id"):
        Party("A", account="1", proxy_type="TELE")
    with pytest.raises(Iso20022Error, match="give the account too"):
        Party("A", proxy_type="TELE", proxy_id="+66-812223333")
    with pytest.raises(Iso20022Error, match="unknown transaction status"):
        status_report(status="DONE")
    with pytest.raises(Iso20022Error, match="needs a reason code"):
        status_report(status="RJCT")
    with pytest.raises(Iso20022Error, match="reason code"):
        status_report(status="RJCT", reason_code="am04")
    with pytest.raises(Iso20022Error, match="needs a CreditTransfer"):
        build_pacs008(status_report())  # type: ignore[arg-type]
    with pytest.raises(Iso20022Error, match="needs a StatusReport"):
        build_pacs002(credit_transfer())  # type: ignore[arg-type]


def test_names_are_cleaned_not_rejected() -> None:
    long_burmese = "မောင်" * 40  # 200 code points
    xml = build_pacs008(
        credit_transfer(
            debtor=Party("\x00\x1f  สมชาย ใจดี\ufffe  ", account="TH1"),
            creditor=Party(long_burmese, account="MM1"),
            remittance_info="\x07",
        )
    )
    assert validate_pacs008(xml) == []
    tx = "p:FIToFICstmrCdtTrf/p:CdtTrfTxInf/"
    assert text_of(xml, tx + "p:Dbtr/p:Nm") == "สมชาย ใจดี"
    assert len(text_of(xml, tx + "p:Cdtr/p:Nm")) <= 140
    assert etree.fromstring(xml).find(tx + "p:RmtInf", NS8) is None


def test_a_party_whose_name_cleans_away_is_an_empty_element_as_lxml_writes_it() -> None:
    # Found by the property test: "\x0b" cleans to nothing, and ``<Cdtr></Cdtr>`` is what
    # lxml would write back as ``<Cdtr/>`` (the same document, other bytes).
    xml = build_pacs008(credit_transfer(creditor=Party("\x0b", account="MM1")))
    assert validate_pacs008(xml) == []
    assert b"<Cdtr/>" in xml
    assert etree.tostring(etree.fromstring(xml), xml_declaration=True, encoding="UTF-8") == xml


def test_values_are_escaped_as_lxml_escapes_them_and_control_characters_refused() -> None:
    assert xmlparts.text("Ba & Co <x> ]]> \"q\" 'a'\r\n\t") == (
        "Ba &amp; Co &lt;x&gt; ]]&gt; \"q\" 'a'&#13;\n\t"
    )
    assert xmlparts.attr("a&<>\"\n\r\t'") == "a&amp;&lt;&gt;&quot;&#10;&#13;&#9;'"
    for bad in ("\x00", "a\x1fb", "\ud800", "\ufffe"):
        with pytest.raises(ValueError, match="XML compatible"):
            xmlparts.text(bad)
        with pytest.raises(ValueError, match="XML compatible"):
            xmlparts.attr(bad)
    # Each character that needs escaping, alone and among others, against lxml itself.
    for value in ("&", "<", ">", "\r", "x\r\ny", "ຮ້ານ <ກາເຟ> & ບໍລິສັດ"):
        node = etree.Element("A", B=value)
        node.text = value
        written = etree.tostring(node, encoding="unicode")
        assert written == f'<A B="{xmlparts.attr(value)}">{xmlparts.text(value)}</A>'


def test_times_are_written_in_utc() -> None:
    bangkok = timezone(timedelta(hours=7))
    xml = build_pacs008(credit_transfer(created_at=datetime(2026, 12, 4, 15, 0, tzinfo=bangkok)))
    assert text_of(xml, "p:FIToFICstmrCdtTrf/p:GrpHdr/p:CreDtTm") == "2026-12-04T08:00:00.000Z"


def test_the_package_imports_no_django() -> None:
    # Vendorable like the QR codec: a participant can validate messages without the platform.
    code = (
        "import sys, mekong.payments.iso20022; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
