"""Helpers shared by the QR codec tests: the fixture file and payload surgery."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from mekong.payments.qr import crc_hex
from mekong.payments.qr.tlv import split

DATA = Path(__file__).parent / "data" / "qr_payloads.json"


@cache
def fixtures() -> tuple[dict[str, Any], ...]:
    """The entries of data/qr_payloads.json."""
    return tuple(json.loads(DATA.read_text(encoding="utf-8"))["payloads"])


def fixture(fixture_id: str) -> str:
    """The payload of one fixture entry."""
    return str(next(e["payload"] for e in fixtures() if e["id"] == fixture_id))


def with_crc(body: str) -> str:
    """Append ``6304`` and the right CRC to a payload body (everything before tag 63)."""
    return body + "6304" + crc_hex(body + "6304")


def body_of(payload: str) -> str:
    """A payload without its CRC object."""
    return payload[:-8]


def obj(tag: str, value: str) -> str:
    """One data object."""
    return f"{tag}{len(value):02d}{value}"


def replace_object(payload: str, tag: str, value: str | None) -> str:
    """Set (or, with None, drop) root object `tag` of a valid payload; recompute the CRC."""
    pairs = split(body_of(payload))
    if value is None:
        out = [(t, v) for t, v in pairs if t != tag]
    else:
        out = [(t, value if t == tag else v) for t, v in pairs]
        if tag not in dict(pairs):
            out.append((tag, value))
    return with_crc("".join(obj(t, v) for t, v in out))
