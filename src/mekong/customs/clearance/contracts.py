"""Frozen dataclasses that cross the clearance boundary (no ORM objects leave the module)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ClearanceStats:
    """Clearance activity of one importing country (or all), for dashboards.

    Attributes:
        country: ISO alpha-2 of the importing country, or ``""`` for all countries.
        lodged: declarations lodged.
        released: declarations released.
        lanes: lodged declarations per lane (``green``, ``yellow``, ``red``).
        median_clearance_seconds: median time from lodging to release of the released ones,
            or None when none was released.
    """

    country: str
    lodged: int
    released: int
    lanes: dict[str, int]
    median_clearance_seconds: float | None
