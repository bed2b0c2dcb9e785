"""What other modules (KPI dashboards) may call in clearance. Contracts in, contracts out."""

from __future__ import annotations

import statistics

from django.db.models import Count

from mekong.customs.clearance.contracts import ClearanceStats
from mekong.customs.clearance.models import Declaration, Status

__all__ = ["ClearanceStats", "clearance_stats"]


def clearance_stats(country: str = "") -> ClearanceStats:
    """Lodged and released declarations, lanes and the median lodging-to-release time.

    The median clearance time is the platform's live counterpart of the World Bank's
    "time to import" indicators (docs/modules/customs.md, Clearance).
    """
    qs = Declaration.objects.all()
    if country:
        qs = qs.filter(import_country=country.upper())
    lanes = {"green": 0, "yellow": 0, "red": 0}
    for row in qs.values("lane").annotate(n=Count("id")):
        lanes[row["lane"]] = row["n"]
    seconds = [
        s
        for s in qs.filter(status=Status.RELEASED).values_list("clearance_seconds", flat=True)
        if s is not None
    ]
    return ClearanceStats(
        country=country.upper(),
        lodged=sum(lanes.values()),
        released=len(seconds),
        lanes=lanes,
        median_clearance_seconds=float(statistics.median(seconds)) if seconds else None,
    )
