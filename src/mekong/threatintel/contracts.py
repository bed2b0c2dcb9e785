"""Frozen dataclasses that cross the threat-intelligence module boundary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Observable:
    """Something a caller saw and wants screened.

    Attributes:
        kind: ``ip``, ``domain``, ``url``, ``email``, ``phone``, ``wallet``, ``account`` or
            ``qr-merchant``.
        value: the value as seen; normalised before matching.
    """

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Match:
    """An active indicator that matches an observable and that the caller may use.

    Attributes:
        observable: the observable as passed in.
        indicator_id: the STIX id of the indicator.
        name: the indicator's name (may be empty).
        tlp: its TLP 2.0 level (``clear`` … ``red``); the caller must honour it downstream.
        confidence: STIX confidence (0-100), 50 when absent.
        score: the decayed score (0-100), see ``docs/modules/threatintel.md``.
        sightings: how many times members reported seeing it (sum of sighting counts).
        valid_until: end of validity, if any.
    """

    observable: Observable
    indicator_id: str
    name: str
    tlp: str
    confidence: int
    score: float
    sightings: int
    valid_until: datetime | None
