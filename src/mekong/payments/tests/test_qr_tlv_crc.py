"""TLV splitting and the CRC: the two primitives everything else stands on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mekong.payments.qr import QrError, crc16_ccitt_false, crc_hex
from mekong.payments.qr.tlv import data_object, is_template, serialise, split


def reference_crc(data: bytes) -> int:
    """The bit-by-bit CRC-16/CCITT-FALSE from the research notes (EMVCo §4.7.3)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def test_crc_check_value() -> None:
    # The catalogue check value of CRC-16/CCITT-FALSE is the CRC of "123456789".
    assert crc16_ccitt_false(b"123456789") == 0x29B1


@given(st.binary(max_size=600))
def test_crc_matches_the_bitwise_reference(data: bytes) -> None:
    assert crc16_ccitt_false(data) == reference_crc(data)


def test_crc_runs_over_utf8_bytes_not_characters() -> None:
    body = "64280002MY0107ကုမ္ပဏီ6304"
    assert crc_hex(body) == format(reference_crc(body.encode("utf-8")), "04X")


def test_split_counts_characters_not_bytes() -> None:
    # Seven Myanmar code points are 21 UTF-8 bytes; the length is 07.
    assert split("0107ကုမ္ပဏီ0002MY") == [("01", "ကုမ္ပဏီ"), ("00", "MY")]


def test_split_keeps_payload_order() -> None:
    assert split("5802TH5303764") == [("58", "TH"), ("53", "764")]


@pytest.mark.parametrize(
    ("text", "tag", "reason"),
    [
        ("5802T", "58", "runs past the end"),
        ("580", "58", "truncated"),
        ("5A02TH", "5A", "not two digits"),
        ("58X2TH", "58", "not two digits"),
        ("5800", "58", "empty value"),
        ("58٠2TH", "58", "not two digits"),  # an Arabic-Indic digit is not a length
    ],
)
def test_split_rejects_malformed_objects_naming_the_tag(text: str, tag: str, reason: str) -> None:
    with pytest.raises(QrError, match=reason) as caught:
        split(text)
    assert caught.value.tag == tag


def test_nested_errors_carry_the_parent_path() -> None:
    with pytest.raises(QrError) as caught:
        split("0109short", "62")
    assert caught.value.tag == "62/01"


def test_data_object_refuses_values_longer_than_99() -> None:
    assert data_object("59", "x" * 99).startswith("5999")
    with pytest.raises(QrError, match="outside 1-99"):
        data_object("59", "x" * 100)


@given(
    st.lists(
        st.tuples(st.integers(0, 99).map(lambda n: f"{n:02d}"), st.text(min_size=1, max_size=99)),
        max_size=8,
    )
)
def test_serialise_then_split_round_trips(items: list[tuple[str, str]]) -> None:
    assert split(serialise(items)) == items


def test_template_ids_follow_emvco() -> None:
    templates = [f"{n:02d}" for n in range(100) if is_template(f"{n:02d}")]
    assert templates == [f"{n:02d}" for n in (*range(26, 52), 62, 64, *range(80, 100))]
