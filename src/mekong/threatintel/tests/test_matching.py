"""The matching facade: validity, revocation, warning list, payment ids, decay, sightings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from mekong.core import clock
from mekong.threatintel import facade, services, tlp
from mekong.threatintel.contracts import Observable
from mekong.threatintel.matching import decay_score
from mekong.threatintel.tests.conftest import load

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _indicator(pattern, **extra):
    obj = {
        "type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "pattern": pattern, "pattern_type": "stix", "valid_from": "2026-05-01T00:00:00Z",
        "object_marking_refs": [tlp.TLP2_IDS[tlp.GREEN]], "confidence": 90,
    }  # fmt: skip
    return {**obj, **extra}


def _share(alliance, *objs):
    with clock.frozen(NOW):
        status = alliance["clients"]["cert_a"].post(
            alliance["objects_url"], {"objects": list(objs)}
        )
    assert status.json()["failure_count"] == 0, status.json()


def _match(alliance, *observables, who="bank_b", at=NOW):
    with clock.frozen(at):
        return facade.match(list(observables), caller_organisation_id=alliance["orgs"][who].pk)


def test_each_observable_kind_matches(alliance):
    cases = {
        ("domain", "EVIL.example.net."): "[domain-name:value = 'evil.example.net']",
        ("url", "http://evil.example.net/pay"): "[url:value = 'http://evil.example.net/pay']",
        ("email", "Scam@Example.net"): "[email-addr:value = 'scam@example.net']",
        ("phone", "+856 20 5555-1234"): "[x-mekong-payment-id:value = '+8562055551234']",
        ("wallet", "W-998877"): "[x-mekong-payment-id:value = 'w-998877']",
        ("account", "TH12 3456"): "[x-mekong-payment-id:value = 'th123456']",
        ("qr-merchant", "KHQR0001"): "[x-mekong-payment-id:value = 'khqr0001']",
        ("ip", "198.51.100.7"):
            "[ipv4-addr:value = '198.51.100.7' OR ipv4-addr:value = '198.51.100.8']",
    }  # fmt: skip
    objs = {key: _indicator(pattern) for key, pattern in cases.items()}
    _share(alliance, *objs.values())
    for (kind, value), obj in objs.items():
        found = _match(alliance, Observable(kind, value))
        assert [m.indicator_id for m in found] == [obj["id"]], kind


def test_an_observable_nobody_flagged_costs_one_query(alliance, django_assert_num_queries):
    # Payment screening asks about every transfer; almost none match. That answer must not
    # wait for the caller's sharing groups, grants and collections to be worked out.
    _share(alliance, _indicator("[x-mekong-payment-id:value = 'w-998877']"))
    with django_assert_num_queries(1):
        assert _match(alliance, Observable("wallet", "W-112233")) == []
    assert len(_match(alliance, Observable("wallet", "W-998877"))) == 1


def test_warning_list_and_private_addresses_never_match(alliance):
    benign = _indicator("[ipv4-addr:value = '8.8.8.8']")
    _share(alliance, benign, *load("using-marking-definitions.json")["objects"])  # 10.0.0.0
    assert _match(alliance, Observable("ip", "8.8.8.8"), Observable("ip", "10.0.0.0"),
                  who="cert_a") == []  # fmt: skip


def test_validity_window_and_revocation(alliance):
    expiring = _indicator("[domain-name:value = 'old.example.net']",
                          valid_until="2026-06-10T00:00:00Z")  # fmt: skip
    revoked = _indicator("[domain-name:value = 'gone.example.net']")
    _share(alliance, expiring, revoked)
    _share(alliance, {**revoked, "modified": "2026-02-01T00:00:00.000Z", "revoked": True})
    assert len(_match(alliance, Observable("domain", "old.example.net"))) == 1
    assert (
        _match(alliance, Observable("domain", "old.example.net"), at=NOW + timedelta(days=10)) == []
    )
    assert (
        _match(alliance, Observable("domain", "old.example.net"), at=NOW - timedelta(days=40)) == []
    )
    assert _match(alliance, Observable("domain", "gone.example.net")) == []


def test_decay_score_and_sightings_restart_the_clock(alliance):
    assert decay_score(confidence=80, kind="ip", since=NOW, now=NOW) == 80
    assert decay_score(confidence=80, kind="ip", since=NOW, now=NOW + timedelta(days=15)) == 60
    assert decay_score(confidence=80, kind="ip", since=NOW, now=NOW + timedelta(days=30)) == 0
    obj = _indicator("[ipv4-addr:value = '198.51.100.20']", valid_from="2026-06-01T00:00:00Z")
    _share(alliance, obj)
    later = NOW + timedelta(days=15)
    assert _match(alliance, Observable("ip", "198.51.100.20"), at=later)[0].score == 67.5
    with clock.frozen(later):
        services.sighting_record(collection=alliance["collection"],
                                 organisation_id=alliance["orgs"]["bank_b"].pk,
                                 indicator_id=obj["id"], count=3)  # fmt: skip
    found = _match(alliance, Observable("ip", "198.51.100.20"), at=later)[0]
    assert (found.sightings, found.score) == (3, 90)
