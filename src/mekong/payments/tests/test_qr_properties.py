"""Properties: encode -> decode round trips for every scheme; garbage never crashes decode.

"Never crashes" means: any input either decodes or raises `QrError` (never IndexError,
ValueError, UnicodeError...). The structured fuzzers append a correct CRC so that random
content reaches the field and scheme rules instead of stopping at tag 63.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mekong.payments.qr import QrError, decode, encode, format_amount, normalise_proxy
from mekong.payments.qr.currencies import ALPHA_BY_NUMERIC
from mekong.payments.tests.qr_support import fixtures, obj, with_crc

# Letters of the five countries' scripts and Vietnamese diacritics: lengths count code points.
_SCRIPTS = "กขคงจ" + "កខគឃង" + "ກຂຄງຈ" + "ကခဂဃင" + "ăâêôơưđĐ" + "中文"
NAME = st.text(string.ascii_letters + string.digits + " .-&" + _SCRIPTS, min_size=1, max_size=25)
CITY = st.text(string.ascii_letters + " " + _SCRIPTS, min_size=1, max_size=15)
AMOUNT = st.one_of(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2),
    st.integers(min_value=1, max_value=10**12),
)
ALNUM = string.ascii_uppercase + string.digits


def digits(n: int, m: int | None = None) -> st.SearchStrategy[str]:
    return st.text(string.digits, min_size=n, max_size=n if m is None else m)


def check_round_trip(scheme: str, kwargs: dict[str, Any], payee: Mapping[str, str | None]) -> None:
    payload = encode(scheme, **kwargs)
    decoded = decode(payload)
    assert decoded.scheme == scheme
    amount = kwargs.get("amount")
    assert decoded.amount == (None if amount is None else format_amount(amount))
    assert decoded.initiation == ("dynamic" if amount is not None else "static")
    for key in ("merchant_name", "merchant_city"):
        if kwargs.get(key):
            assert getattr(decoded, key) == kwargs[key]
    for key, value in payee.items():
        assert decoded.payee[key] == value, key
    for key, value in (kwargs.get("additional_data") or {}).items():
        assert decoded.additional_data[key] == value
    assert decoded.crc_valid


_PROXY = st.one_of(
    st.tuples(st.just("mobile"), st.builds(lambda d: "0" + d, digits(9))),
    st.tuples(
        st.just("national_id"),
        st.builds(lambda a, b: a + b, st.sampled_from("12345678"), digits(12)),
    ),
    st.tuples(st.just("tax_id"), st.builds(lambda d: "0" + d, digits(12))),
    st.tuples(st.just("ewallet"), digits(15)),
    st.tuples(st.just("bank_account"), digits(1, 43)),
)


@given(_PROXY, st.none() | AMOUNT, st.none() | NAME, st.none() | CITY)
def test_promptpay_round_trip(proxy: tuple[str, str], amount: Any, name: Any, city: Any) -> None:
    proxy_type, value = proxy
    check_round_trip(
        "promptpay",
        {
            "payee": {"proxy_type": proxy_type, "proxy_value": value},
            "amount": amount,
            "merchant_name": name,
            "merchant_city": city,
        },
        {"proxy_type": proxy_type, "proxy_value": normalise_proxy(proxy_type, value)},
    )


@given(
    digits(15),
    st.text(ALNUM, min_size=1, max_size=20),
    st.none() | st.text(ALNUM, min_size=1, max_size=20),
    st.none() | st.text(ALNUM, min_size=1, max_size=25),
    st.none() | AMOUNT,
)
def test_promptpay_bill_round_trip(
    biller: str, ref1: str, ref2: Any, ref3: Any, amount: Any
) -> None:
    payee = {"biller_id": biller, "reference_1": ref1, "reference_2": ref2, "reference_3": ref3}
    sent = {k: v for k, v in payee.items() if v is not None}
    check_round_trip("promptpay_bill", {"payee": sent, "amount": amount}, payee)


@given(
    digits(6),
    st.text(ALNUM, min_size=1, max_size=19),
    st.sampled_from(["QRIBFTTA", "QRIBFTTC", "QRPUSH"]),
    st.none() | AMOUNT,
    st.none() | st.text(string.ascii_letters + " ", min_size=1, max_size=25),
)
def test_vietqr_round_trip(
    bin_: str, account: str, service: str, amount: Any, purpose: Any
) -> None:
    payee = {"bank_bin": bin_, "account": account, "service": service}
    extra = {"purpose_of_transaction": purpose} if purpose else None
    check_round_trip("vietqr", {"payee": payee, "amount": amount, "additional_data": extra}, payee)


@given(
    st.text(ALNUM, min_size=1, max_size=20),
    NAME,
    st.none() | AMOUNT,
    st.none() | st.text(ALNUM + " ", min_size=1, max_size=25),
)
def test_vnpayqr_round_trip(merchant: str, name: str, amount: Any, store: Any) -> None:
    extra = {"store_label": store} if store else None
    check_round_trip(
        "vnpayqr",
        {
            "payee": {"merchant_id": merchant},
            "amount": amount,
            "merchant_name": name,
            "additional_data": extra,
        },
        {"merchant_id": merchant},
    )


_BAKONG = st.builds(
    lambda a, b: f"{a}@{b}",
    st.text(string.ascii_lowercase + "_0123456789", min_size=1, max_size=15),
    st.text(string.ascii_lowercase, min_size=1, max_size=10),
)


@given(
    _BAKONG,
    st.none() | st.text(ALNUM, min_size=1, max_size=32),
    st.booleans(),
    st.none() | AMOUNT,
    st.sampled_from(["KHR", "USD"]),
    NAME,
    CITY,
    st.integers(10**12, 9 * 10**12),
    st.integers(1, 10**9),
)
def test_khqr_round_trip(
    account: str,
    merchant: Any,
    with_bank: bool,
    amount: Any,
    currency: str,
    name: str,
    city: str,
    created: int,
    ttl: int,
) -> None:
    payee: dict[str, str | None] = {"bakong_account_id": account}
    if merchant:
        payee |= {"merchant_id": merchant, "acquiring_bank": "Dev Bank"}
    elif with_bank:
        payee["acquiring_bank"] = "Dev Bank"
    if amount is not None:
        payee |= {"creation_timestamp": str(created), "expiration_timestamp": str(created + ttl)}
    sent = {k: v for k, v in payee.items() if v is not None}
    check_round_trip(
        "khqr",
        {
            "payee": sent,
            "amount": amount,
            "currency": currency,
            "merchant_name": name,
            "merchant_city": city,
        },
        payee | {"merchant_type": "merchant" if merchant else "individual"},
    )


@given(
    digits(8),
    st.sampled_from(["001", "002"]),
    st.text(ALNUM + "_", min_size=1, max_size=25),
    st.none() | AMOUNT,
)
def test_laoqr_round_trip(iin: str, payment_type: str, receiver: str, amount: Any) -> None:
    payee = {"iin": iin, "payment_type": payment_type, "receiver_id": receiver}
    check_round_trip("laoqr", {"payee": payee, "amount": amount}, payee)


@given(
    digits(15, 16),
    st.none() | digits(1, 25),
    NAME,
    CITY,
    st.none() | AMOUNT,
    st.text("ကခဂဃငစဆဇ ါာိီုူေဲ", min_size=1, max_size=25),
)
def test_mmqr_round_trip(
    merchant: str, terminal: Any, name: str, city: str, amount: Any, name_my: str
) -> None:
    payee = {"merchant_id": merchant} | ({"terminal_id": terminal} if terminal else {})
    check_round_trip(
        "mmqr",
        {
            "payee": payee,
            "amount": amount,
            "merchant_name": name,
            "merchant_city": city,
            "language": {"language_preference": "MY", "merchant_name": name_my},
        },
        {"merchant_id": merchant[:15], "terminal_id": terminal or "000000"},
    )


@given(
    st.sampled_from([f"{n:02d}" for n in range(26, 52)]),
    st.text(string.ascii_lowercase + ".", min_size=1, max_size=30),
    st.none() | st.text(ALNUM, min_size=1, max_size=30),
    digits(4),
    st.sampled_from(sorted(ALPHA_BY_NUMERIC.values())),
    st.text(string.ascii_uppercase, min_size=2, max_size=2),
    NAME,
    CITY,
    st.none() | AMOUNT,
)
def test_emvco_round_trip(
    tag: str,
    guid: str,
    account: Any,
    mcc: str,
    currency: str,
    country: str,
    name: str,
    city: str,
    amount: Any,
) -> None:
    payee = {"account_tag": tag, "guid": guid, "account": account}
    sent = {k: v for k, v in payee.items() if v is not None}
    check_round_trip(
        "emvco",
        {
            "payee": sent,
            "amount": amount,
            "mcc": mcc,
            "currency": currency,
            "country": country,
            "merchant_name": name,
            "merchant_city": city,
        },
        payee,
    )


# --- robustness -------------------------------------------------------------------------------
def decodes_or_refuses(payload: Any, lenient: bool = False) -> None:
    """Decode; a refusal must be a `QrError` naming a tag (anything else fails the test)."""
    refusal: QrError | None = None
    try:
        decode(payload, lenient=lenient).to_dict()
    except QrError as exc:
        refusal = exc
    if refusal is not None:
        assert refusal.tag
        assert refusal.reason


ROBUST = settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])


@ROBUST
@given(st.binary(max_size=600), st.booleans())
def test_random_bytes_never_crash(data: bytes, lenient: bool) -> None:
    decodes_or_refuses(data, lenient)


@ROBUST
@given(st.text(max_size=600), st.booleans())
def test_random_text_never_crashes(text: str, lenient: bool) -> None:
    decodes_or_refuses(text, lenient)


_TAG = st.integers(0, 99).map(lambda n: f"{n:02d}")
_VALUE = st.one_of(
    st.text(min_size=1, max_size=40),
    st.text(string.digits + ".", min_size=1, max_size=15),
    st.sampled_from(["01", "11", "12", "764", "704", "116", "840", "TH", "KH"]),
)
_TEMPLATE = st.lists(st.tuples(_TAG, _VALUE), min_size=1, max_size=4).map(
    lambda items: "".join(obj(t, v) for t, v in items)[:99]
)


@ROBUST
@given(st.lists(st.tuples(_TAG, st.one_of(_VALUE, _TEMPLATE)), max_size=12), st.booleans())
def test_random_tlv_with_a_correct_crc_never_crashes(
    items: list[tuple[str, str]], lenient: bool
) -> None:
    decodes_or_refuses(with_crc("000201" + "".join(obj(t, v) for t, v in items if v)), lenient)


_VALID = [e["payload"] for e in fixtures() if "expect" in e]


@ROBUST
@given(st.sampled_from(_VALID), st.data())
def test_single_character_mutations_never_crash(payload: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(payload) - 1))
    kind = data.draw(st.sampled_from(["replace", "delete", "insert"]))
    char = data.draw(st.one_of(st.sampled_from("0123456789ABCDEFabcdef. @\x00"), st.characters()))
    if kind == "replace":
        mutated = payload[:index] + char + payload[index + 1 :]
    elif kind == "delete":
        mutated = payload[:index] + payload[index + 1 :]
    else:
        mutated = payload[:index] + char + payload[index:]
    decodes_or_refuses(mutated)
    decodes_or_refuses(mutated, lenient=True)


@ROBUST
@given(st.sampled_from(_VALID), st.data())
def test_mutations_with_the_crc_repaired_never_crash(payload: str, data: st.DataObject) -> None:
    body = payload[:-8]
    index = data.draw(st.integers(0, len(body) - 1))
    char = data.draw(st.sampled_from(string.digits + "A.@ "))
    decodes_or_refuses(with_crc(body[:index] + char + body[index + 1 :]))
