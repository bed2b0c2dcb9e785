"""Observables: normalisation, extraction from simple STIX patterns, and the warning list.

Only equality comparisons on ``value`` (alone or OR-ed inside one observation) are compiled to
lookup rows: they are what real-time screening can answer by index.
"""

from __future__ import annotations

import ipaddress
import re

from mekong.threatintel.validation import PAYMENT_ID_TYPE

#: Observable kinds callers may pass to the matching facade, mapped to the STIX type matched.
KIND_TO_STIX: dict[str, str] = {
    "ip": "ip",
    "domain": "domain-name",
    "url": "url",
    "email": "email-addr",
    "phone": PAYMENT_ID_TYPE,
    "wallet": PAYMENT_ID_TYPE,
    "account": PAYMENT_ID_TYPE,
    "qr-merchant": PAYMENT_ID_TYPE,
}

_COMPARISON = re.compile(r"([a-z0-9-]+):value\s*=\s*'((?:[^'\\]|\\.)*)'")
_SIMPLE = re.compile(
    r"^\[\s*[a-z0-9-]+:value\s*=\s*'(?:[^'\\]|\\.)*'"
    r"(?:\s+OR\s+[a-z0-9-]+:value\s*=\s*'(?:[^'\\]|\\.)*')*\s*\]$"
)

#: Well-known benign values that must never raise a fraud alert on their own (false positives).
WARNING_LIST: frozenset[tuple[str, str]] = frozenset(
    {
        ("ip", "8.8.8.8"), ("ip", "8.8.4.4"), ("ip", "1.1.1.1"), ("ip", "1.0.0.1"),
        ("ip", "9.9.9.9"), ("ip", "149.112.112.112"), ("ip", "208.67.222.222"),
        ("ip", "208.67.220.220"), ("domain-name", "google.com"), ("domain-name", "localhost"),
        ("domain-name", "example.com"), ("domain-name", "example.org"),
    }
)  # fmt: skip


#: Private, loopback, link-local, shared and multicast ranges: never evidence about a remote party.
#: Documentation ranges (TEST-NET) stay matchable: published example data uses them.
NON_ROUTABLE = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
    )
)  # fmt: skip


def normalise(stix_type: str, value: str) -> tuple[str, str]:
    """Canonical ``(kind, value)`` used both when storing pattern values and when matching."""
    value = value.strip()
    if stix_type in {"ipv4-addr", "ipv6-addr", "ip"}:
        try:
            return "ip", str(ipaddress.ip_address(value))
        except ValueError:
            return "ip", value.lower()
    if stix_type in {"domain-name", "email-addr"}:
        return stix_type, value.lower().rstrip(".")
    if stix_type == PAYMENT_ID_TYPE:
        # Phone numbers and account ids are written with spaces and dashes; compare bare.
        return stix_type, re.sub(r"[\s\-().]", "", value).lower()
    return stix_type, value


def pattern_values(pattern: str) -> list[tuple[str, str]]:
    """``(kind, value)`` pairs of a simple equality pattern; ``[]`` for anything richer."""
    if not _SIMPLE.match(pattern.strip()):
        return []
    return [
        normalise(stix_type, raw.replace("\\'", "'").replace("\\\\", "\\"))
        for stix_type, raw in _COMPARISON.findall(pattern)
    ]


def on_warning_list(kind: str, value: str) -> bool:
    """True for well-known benign values and private, loopback or reserved IP addresses."""
    if (kind, value) in WARNING_LIST:
        return True
    if kind == "ip":
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return False
        return any(address in net for net in NON_ROUTABLE if net.version == address.version)
    return False
