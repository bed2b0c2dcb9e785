"""Bulk ingest keeps every per-object rule: duplicates inside one POST, SCO re-posts, columns."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime

import pytest

from mekong.threatintel import services, tlp
from mekong.threatintel.models import IndicatorValue, StixObject

pytestmark = pytest.mark.django_db


def _indicator(n: int, **extra):
    return {
        "type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.UUID(int=n)}",
        "created": "2026-01-02T03:04:05.678Z", "modified": "2026-01-02T03:04:05.678Z",
        "name": f"i{n}", "pattern": f"[ipv4-addr:value = '203.0.113.{n}']",
        "pattern_type": "stix", "valid_from": "2026-01-02T03:04:05.678Z",
        "valid_until": "2027-01-02T00:00:00Z", "confidence": 70, **extra,
    }  # fmt: skip


def _add(alliance, objects, org="cert_a"):
    return services.objects_add(
        api_root=alliance["root"],
        collection=alliance["collection"],
        organisation_id=alliance["orgs"][org].pk,
        objects=objects,
    )


def test_duplicates_inside_one_post_are_one_success_each_and_conflicts_fail(alliance):
    one = _indicator(1)
    status = _add(alliance, [one, dict(one), {**one, "name": "changed"}, _indicator(2)])
    assert (status.total_count, status.success_count, status.failure_count) == (4, 3, 1)
    assert status.failures[0]["id"] == one["id"]
    assert "already stored" in status.failures[0]["message"]
    assert StixObject.objects.filter(stix_id=one["id"]).count() == 1
    assert [s["id"] for s in status.successes] == [one["id"], one["id"], _indicator(2)["id"]]


def test_unversioned_sco_reposted_identical_is_one_row_and_a_changed_one_a_new_version(alliance):
    sco = {"type": "ipv4-addr", "id": f"ipv4-addr--{uuid.UUID(int=9)}", "value": "203.0.113.9"}
    assert _add(alliance, [sco]).success_count == 1
    assert _add(alliance, [sco]).success_count == 1
    assert StixObject.objects.filter(stix_id=sco["id"]).count() == 1
    assert _add(alliance, [{**sco, "x_note": "seen again"}]).success_count == 1
    assert StixObject.objects.filter(stix_id=sco["id"]).count() == 2


def test_columns_written_in_bulk_read_back_like_the_orm_wrote_them(alliance):
    _add(alliance, [_indicator(3)])
    row = StixObject.objects.get(stix_id=_indicator(3)["id"])
    stamp = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert (row.created, row.modified, row.version_at, row.valid_from) == (stamp,) * 4
    assert row.valid_until == datetime(2027, 1, 2, tzinfo=UTC)
    assert (row.version, row.confidence, row.revoked, row.tlp) == (
        "2026-01-02T03:04:05.678Z",
        70,
        False,
        tlp.AMBER,
    )
    assert row.raw == _indicator(3)
    assert row.collection_id == alliance["collection"].pk
    assert row.source_organisation_id == alliance["orgs"]["cert_a"].pk
    assert list(IndicatorValue.objects.filter(obj=row).values_list("kind", "value")) == [
        ("ip", "203.0.113.3")
    ]
    assert StixObject.objects.filter(collection=alliance["collection"], valid_from=stamp).exists()


def test_recipients_of_many_objects_are_resolved_once_and_linked_per_object(alliance):
    orgs = alliance["orgs"]
    red = tlp.TLP2_IDS[tlp.RED]
    objects = [
        _indicator(4, object_marking_refs=[red], x_mekong_recipients=[orgs["bank_b"].slug]),
        _indicator(5, object_marking_refs=[red],
                   x_mekong_recipients=[orgs["regulator_c"].slug, "no-such-org"]),
        _indicator(6, x_mekong_recipients=[orgs["bank_b"].slug]),  # AMBER: recipients unused
    ]  # fmt: skip
    assert _add(alliance, objects).success_count == 3
    by_id = {r.stix_id: r for r in StixObject.objects.prefetch_related("recipients")}
    assert [o.pk for o in by_id[objects[0]["id"]].recipients.all()] == [orgs["bank_b"].pk]
    assert [o.pk for o in by_id[objects[1]["id"]].recipients.all()] == [orgs["regulator_c"].pk]
    assert list(by_id[objects[2]["id"]].recipients.all()) == []


def test_date_added_strictly_increases_across_one_large_post(alliance):
    _add(alliance, [_indicator(n) for n in range(10, 1210)])
    added = list(
        StixObject.objects.filter(collection=alliance["collection"])
        .order_by("pk")
        .values_list("date_added", flat=True)
    )
    assert len(added) == 1200
    assert all(a < b for a, b in itertools.pairwise(added))
