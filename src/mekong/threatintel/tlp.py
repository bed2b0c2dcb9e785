"""Traffic Light Protocol: marking ids (TLP 2.0 and 1.0) and the level of a STIX object.

TLP 2.0 is an OASIS extension with five fixed marking-definition ids; STIX 2.1 itself (and the
``stix2`` library's ``TLP_*`` constants) still use the four TLP 1.0 ids. Both are accepted and
1.0 is mapped to 2.0 (WHITE → CLEAR). STIX defines no rule for several markings on one object,
so the most restrictive level wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

CLEAR = "clear"
GREEN = "green"
AMBER = "amber"
AMBER_STRICT = "amber+strict"
RED = "red"

#: From least to most restrictive.
LEVELS: tuple[str, ...] = (CLEAR, GREEN, AMBER, AMBER_STRICT, RED)

#: Levels whose audience is an explicit list of recipient organisations.
RECIPIENT_LEVELS = frozenset({AMBER_STRICT, RED})

TLP2_IDS: dict[str, str] = {
    CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

TLP1_IDS: dict[str, str] = {
    CLEAR: "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",  # TLP:WHITE
    GREEN: "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    AMBER: "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    RED: "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}

MARKING_TO_LEVEL: dict[str, str] = {
    **{v: k for k, v in TLP2_IDS.items()},
    **{v: k for k, v in TLP1_IDS.items()},
}


def most_restrictive(levels: Iterable[str]) -> str | None:
    """The most restrictive of ``levels``, or None when there is none."""
    ranked = [LEVELS.index(level) for level in levels if level in LEVELS]
    return LEVELS[max(ranked)] if ranked else None


def level_of(obj: dict[str, Any], *, default: str) -> str:
    """The TLP level of a STIX object from its ``object_marking_refs``.

    Marking definitions themselves are public (CLEAR): a client must be able to resolve every
    marking it is shown. Objects without a TLP marking get ``default`` (the collection's).
    """
    if obj.get("type") == "marking-definition":
        return CLEAR
    refs = obj.get("object_marking_refs") or []
    found = most_restrictive(MARKING_TO_LEVEL[r] for r in refs if r in MARKING_TO_LEVEL)
    return found or default
