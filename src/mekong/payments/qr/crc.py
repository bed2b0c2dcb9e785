"""CRC-16/CCITT-FALSE, the checksum in EMVCo tag 63.

EMV QRCPS MPM v1.1 §4.7.3: "calculated according to [ISO/IEC 13239] using the polynomial
'1021' (hex) and initial value 'FFFF' (hex) ... over all data objects, including their ID,
Length and Value ... as well as the ID and Length of the CRC itself (but excluding its Value)".
No reflection, no final XOR: CRC-16/CCITT-FALSE. It runs over the UTF-8 *bytes* of the payload
(checked against real MMQR and KHQR payloads with Myanmar and Khmer text), although the TLV
lengths count characters.

`binascii.crc_hqx` is exactly this polynomial with a caller-chosen initial value and runs in C,
which keeps tag 63 from dominating the decode time.
"""

from __future__ import annotations

from binascii import crc_hqx

#: ID and length of the CRC object; the checksum covers them (EMVCo §4.7.3).
CRC_PREFIX = "6304"


def crc16_ccitt_false(data: bytes) -> int:
    """Return CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection) of `data`."""
    return crc_hqx(data, 0xFFFF)


def crc_hex(text: str) -> str:
    """Return the 4 upper-case hex digits of the CRC of `text` encoded as UTF-8.

    `text` is everything before the CRC value, i.e. it ends with ``"6304"``.
    """
    return format(crc_hqx(text.encode("utf-8"), 0xFFFF), "04X")
