"""Indicator matching over active, visible indicators, with warning lists and decay.

Decay (MISP's polynomial model): ``score = confidence × (1 − (age / lifetime) ^ (1 / speed))``,
clamped to 0..100, where ``age`` runs from the latest of ``valid_from``, the newest sighting and
the time it was shared; ``lifetime`` depends on the observable kind (IP addresses churn fastest)
and ``speed`` is 0.5 (slow at first, fast near the end of life). A sighting restarts the clock.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Q, QuerySet

from mekong.core import clock
from mekong.core.db.rows import table
from mekong.threatintel import selectors
from mekong.threatintel.contracts import Match, Observable
from mekong.threatintel.models import IndicatorValue, StixObject
from mekong.threatintel.observables import KIND_TO_STIX, normalise, on_warning_list

LIFETIME: dict[str, timedelta] = {
    "ip": timedelta(days=30),
    "domain-name": timedelta(days=90),
    "url": timedelta(days=90),
    "email-addr": timedelta(days=180),
    "x-mekong-payment-id": timedelta(days=365),
}
DECAY_SPEED = 0.5
DEFAULT_CONFIDENCE = 50


def decay_score(
    *, confidence: int, kind: str, since: datetime, now: datetime | None = None
) -> float:
    """The decayed score of an indicator last confirmed at ``since`` (0 after its lifetime)."""
    lifetime = LIFETIME.get(kind, timedelta(days=90))
    age = max(((now or clock.now()) - since).total_seconds(), 0.0)
    ratio = min(age / lifetime.total_seconds(), 1.0)
    score = confidence * (1.0 - float(ratio ** (1 / DECAY_SPEED)))
    return round(max(0.0, min(100.0, score)), 2)


def match(observables: list[Observable], *, caller_organisation_id: int) -> list[Match]:
    """Active indicators matching ``observables`` that the caller may see under TLP."""
    now = clock.now()
    keys: dict[tuple[str, str], list[Observable]] = defaultdict(list)
    for obs in observables:
        stix_type = KIND_TO_STIX.get(obs.kind)
        if stix_type is None:
            continue
        key = normalise(stix_type, obs.value)
        if not on_warning_list(*key):
            keys[key].append(obs)
    if not keys:
        return []
    # Payments screen every transfer and almost nothing matches: one index probe settles
    # that case before the caller's visibility (three more queries) is worked out.
    if not _any_indicator(list(keys)):
        return []
    condition = Q()
    for kind, value in keys:
        condition |= Q(kind=kind, value=value)
    visible = selectors.visible_objects(organisation_id=caller_organisation_id)
    hits = IndicatorValue.objects.filter(condition, obj__in=visible.filter(type="indicator"))
    candidates = StixObject.objects.filter(pk__in=hits.values("obj_id"))
    latest = _latest_versions(visible, {c.stix_id for c in candidates})
    results: list[Match] = []
    reader = selectors.Reader(caller_organisation_id, list(latest.values()))
    for value_row in hits.select_related("obj"):
        row = latest.get(value_row.obj.stix_id)
        # Only the newest version decides: a later revocation or expiry switches it off.
        if row is None or row.pk != value_row.obj.pk or not _active(row, now):
            continue
        view = reader.view(row)
        if "pattern" not in view:  # the pattern itself is marked beyond the caller's TLP
            continue
        sightings, last_seen = _sightings(visible, row.stix_id)
        since = max(filter(None, [row.valid_from, last_seen, row.date_added]))
        confidence = row.confidence if row.confidence is not None else DEFAULT_CONFIDENCE
        score = decay_score(confidence=confidence, kind=value_row.kind, since=since, now=now)
        results.extend(
            Match(
                observable=obs,
                indicator_id=row.stix_id,
                name=str(view.get("name", "")),
                tlp=row.tlp,
                confidence=confidence,
                score=score,
                sightings=sightings,
                valid_until=row.valid_until,
            )
            for obs in keys[(value_row.kind, value_row.value)]
        )
    return sorted(results, key=lambda m: (-m.score, m.indicator_id))


def _any_indicator(keys: list[tuple[str, str]]) -> bool:
    """Whether any indicator names one of the (kind, value) keys, in one index probe written
    out once (through the ORM, composing this OR of pairs cost more than running it)."""
    where = " OR ".join(["(kind = %s AND value = %s)"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table(IndicatorValue)} WHERE {where} LIMIT 1",  # noqa: S608
            [part for key in keys for part in key],
        )
        return cursor.fetchone() is not None


def _latest_versions(visible: QuerySet[StixObject], ids: set[str]) -> dict[str, StixObject]:
    latest: dict[str, StixObject] = {}
    for row in visible.filter(stix_id__in=ids).order_by("version_at", "pk"):
        latest[row.stix_id] = row
    return latest


def _active(row: StixObject, now: datetime) -> bool:
    if row.revoked:
        return False
    if row.valid_from is not None and row.valid_from > now:
        return False
    return row.valid_until is None or row.valid_until > now


def _sightings(visible: QuerySet[StixObject], indicator_id: str) -> tuple[int, datetime | None]:
    """Total sighting count and the newest sighting's date_added (visible sightings only)."""
    rows = list(visible.filter(type="sighting", raw__sighting_of_ref=indicator_id))
    total = sum(int(r.raw.get("count", 1)) for r in rows)
    return total, max((r.date_added for r in rows), default=None)
