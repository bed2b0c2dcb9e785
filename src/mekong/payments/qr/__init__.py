"""EMVCo merchant-presented QR codec with the Mekong national profiles.

Pure Python, no Django import: usable from the CLI, services, tests and benchmarks alike.

    >>> from mekong.payments.qr import decode, encode
    >>> payload = encode("promptpay", payee={"proxy_type": "mobile",
    ...                                      "proxy_value": "0812223333"}, amount="30.00")
    >>> decode(payload).to_dict()["payee"]["proxy_value"]
    '0066812223333'

Schemes: PromptPay credit transfer and bill payment (TH), VietQR and VNPAY-QR (VN), KHQR (KH),
Lao QR (LA), MMQR (MM) and any other EMVCo payload (``emvco``). Invalid payloads raise
`QrError` naming the tag; ``decode(..., lenient=True)`` accepts the documented quirks with
warnings. Images: `mekong.payments.qr.image` (segno, zxing-cpp).
"""

from mekong.payments.qr.crc import crc16_ccitt_false, crc_hex
from mekong.payments.qr.decode import MAX_PAYLOAD, decode
from mekong.payments.qr.encode import encode, format_amount
from mekong.payments.qr.errors import QrError
from mekong.payments.qr.model import DecodedQr
from mekong.payments.qr.schemes import SCHEMES
from mekong.payments.qr.schemes.promptpay import PROXY_TYPES, normalise_proxy
from mekong.payments.qr.tlv import DataObject

__all__ = [
    "MAX_PAYLOAD",
    "PROXY_TYPES",
    "SCHEMES",
    "DataObject",
    "DecodedQr",
    "QrError",
    "crc16_ccitt_false",
    "crc_hex",
    "decode",
    "encode",
    "format_amount",
    "normalise_proxy",
]
