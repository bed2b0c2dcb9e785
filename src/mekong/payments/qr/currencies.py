"""ISO 4217 numeric <-> alphabetic codes for EMVCo tag 53.

EMVCo §4.7.2 writes the transaction currency as the ISO 4217 *numeric* code; the decoded JSON
reports the alphabetic one. `mekong.core.currencies` only lists the currencies the hub settles
in, while a generic EMVCo QR may carry any currency, hence this fuller table: the active ISO
4217 currencies (list maintained by SIX, 2024 edition), without fund codes, precious metals and
test codes. Pure data.
"""

from __future__ import annotations

from mekong.payments.qr.errors import QrError

_TABLE = (
    "008ALL 012DZD 032ARS 036AUD 044BSD 048BHD 050BDT 051AMD 052BBD 060BMD 064BTN 068BOB 072BWP "
    "084BZD 090SBD 096BND 104MMK 108BIF 116KHR 124CAD 132CVE 136KYD 144LKR 152CLP 156CNY 170COP "
    "174KMF 188CRC 192CUP 203CZK 208DKK 214DOP 222SVC 230ETB 232ERN 238FKP 242FJD 262DJF 270GMD "
    "292GIP 320GTQ 324GNF 328GYD 332HTG 340HNL 344HKD 348HUF 352ISK 356INR 360IDR 364IRR 368IQD "
    "376ILS 388JMD 392JPY 398KZT 400JOD 404KES 408KPW 410KRW 414KWD 417KGS 418LAK 422LBP 426LSL "
    "430LRD 434LYD 446MOP 454MWK 458MYR 462MVR 480MUR 484MXN 496MNT 498MDL 504MAD 512OMR 516NAD "
    "524NPR 532ANG 533AWG 548VUV 554NZD 558NIO 566NGN 578NOK 586PKR 590PAB 598PGK 600PYG 604PEN "
    "608PHP 634QAR 643RUB 646RWF 654SHP 682SAR 690SCR 702SGD 704VND 706SOS 710ZAR 728SSP 748SZL "
    "752SEK 756CHF 760SYP 764THB 776TOP 780TTD 784AED 788TND 800UGX 807MKD 818EGP 826GBP 834TZS "
    "840USD 858UYU 860UZS 882WST 886YER 901TWD 924ZWG 925SLE 926VED 928VES 929MRU 930STN 933BYN "
    "934TMT 936GHS 938SDG 941RSD 943MZN 944AZN 946RON 949TRY 950XAF 951XCD 952XOF 953XPF 967ZMW "
    "968SRD 969MGA 971AFN 972TJS 973AOA 975BGN 976CDF 977BAM 978EUR 980UAH 981GEL 985PLN 986BRL"
)

#: Numeric code -> alphabetic code.
ALPHA_BY_NUMERIC: dict[str, str] = {item[:3]: item[3:] for item in _TABLE.split()}
#: Alphabetic code -> numeric code.
NUMERIC_BY_ALPHA: dict[str, str] = {alpha: num for num, alpha in ALPHA_BY_NUMERIC.items()}


def to_numeric(code: str, tag: str = "53") -> str:
    """Return the numeric code for an alphabetic (``"THB"``) or numeric (``"764"``) code.

    Raises:
        QrError: the code is not an active ISO 4217 currency.
    """
    if code in ALPHA_BY_NUMERIC:
        return code
    numeric = NUMERIC_BY_ALPHA.get(code.upper())
    if numeric is None:
        raise QrError(tag, f"unknown ISO 4217 currency {code!r}")
    return numeric
