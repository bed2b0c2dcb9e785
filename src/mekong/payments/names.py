"""Proxy normalisation and confirmation-of-payee name masking. Pure: no Django.

Phone numbers are stored in E.164 (``+66812223333``); PromptPay's QR form (``0066812223333``)
and numbers written with spaces or dashes are accepted. A local number without its country code
is refused: the hub serves five countries and would have to guess.
"""

from __future__ import annotations

import re

#: Calling codes of the member countries (ITU-T E.164).
CALLING_CODES = {"TH": "66", "VN": "84", "KH": "855", "LA": "856", "MM": "95"}

_SEPARATORS = re.compile(r"[\s\-().]")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@\-/]{0,119}")


def normalise_phone(value: str) -> str | None:
    """E.164 form of ``value`` (``+``, or the ``00`` international prefix), or None."""
    text = _SEPARATORS.sub("", value.strip())
    if text.startswith("00"):
        text = "+" + text[2:].lstrip("0") if text.startswith("000") else "+" + text[2:]
    if not _E164.fullmatch(text):
        return None
    return text


def local_to_e164(value: str, country: str) -> str | None:
    """E.164 form of a national number (``0812223333`` in TH → ``+66812223333``)."""
    text = _SEPARATORS.sub("", value.strip())
    if text.startswith(("+", "00")):
        return normalise_phone(text)
    code = CALLING_CODES.get(country.upper())
    if code is None or not text.isdigit():
        return None
    return normalise_phone("+" + code + text.lstrip("0"))


def normalise_proxy(kind: str, value: str) -> str | None:
    """The directory's key for ``value`` of ``kind``, or None when it is malformed."""
    if kind == "phone":
        return normalise_phone(value)
    text = _SEPARATORS.sub("", value.strip()) if kind != "qr_merchant" else value.strip()
    if kind in {"national_id", "business_id", "wallet_id"}:
        return text.upper() if _ID.fullmatch(text) else None
    if kind == "qr_merchant":
        return text if 3 <= len(text) <= 120 and text.isprintable() else None
    return None


def mask_name(name: str, *, business: bool = False) -> str:
    """The name a payer sees before confirming: ``Somchai Phongsavanh`` → ``Somchai P.``.

    Businesses are shown in full (their name is public and what the payer expects to see);
    a person's given name is kept and every other word cut to its first letter, in any script
    (``Nguyễn Thị Lan`` → ``Nguyễn T. L.``). A one-word name keeps its first letter only.
    """
    words = name.split()
    if business or not words:
        return name.strip()
    if len(words) == 1:
        return words[0][0] + "."
    return " ".join([words[0], *(w[0] + "." for w in words[1:])])


def mask_stars(name: str) -> str:
    """A stronger mask for logs and lists: ``Somchai Phongsavanh`` → ``S****** P*********``."""
    return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split())
