"""Analyst pages: sharing an indicator through the form and recording a sighting."""

from __future__ import annotations

import pytest
from django.test import Client

from mekong.threatintel import facade, tlp
from mekong.threatintel.contracts import Observable
from mekong.threatintel.models import StixObject

pytestmark = pytest.mark.django_db


def test_indicator_form_then_sighting(alliance):
    client = Client()
    client.force_login(alliance["user_a"])
    form = client.get("/en/threatintel/indicators/new/")
    assert form.status_code == 200
    response = client.post("/en/threatintel/indicators/new/", {
        "collection": str(alliance["collection"].id), "name": "Mule wallet", "kind": "wallet",
        "value": "WAL-4242", "tlp": tlp.AMBER, "confidence": 70, "valid_days": 30,
    })  # fmt: skip
    assert response.status_code == 302
    row = StixObject.objects.get(type="indicator")
    assert (row.raw["pattern"], row.tlp) == ("[x-mekong-payment-id:value = 'WAL-4242']", tlp.AMBER)
    page = client.get(response["Location"])
    assert "Mule wallet" in page.content.decode()
    client.post(f"/en/threatintel/objects/{row.stix_id}/sightings/")
    sighting = StixObject.objects.get(type="sighting")
    assert sighting.raw["sighting_of_ref"] == row.stix_id
    assert sighting.tlp == tlp.AMBER
    [found] = facade.match([Observable("wallet", "wal-4242")],
                           caller_organisation_id=alliance["orgs"]["bank_b"].pk)  # fmt: skip
    assert found.sightings == 1


def test_form_refuses_quotes_and_anonymous_is_sent_to_login(alliance):
    assert Client().get("/en/threatintel/").status_code == 302
    client = Client()
    client.force_login(alliance["user_a"])
    response = client.post("/en/threatintel/indicators/new/", {
        "collection": str(alliance["collection"].id), "name": "x", "kind": "domain-name",
        "value": "a'] OR [x", "tlp": tlp.AMBER, "confidence": 70, "valid_days": 30,
    })  # fmt: skip
    assert response.status_code == 200
    assert not StixObject.objects.exists()


def test_red_indicator_needs_recipients_and_reaches_only_them(alliance):
    client = Client()
    client.force_login(alliance["user_a"])
    orgs = alliance["orgs"]
    form = {
        "collection": str(alliance["collection"].id), "name": "Red wallet", "kind": "wallet",
        "value": "RED-1", "tlp": tlp.RED, "confidence": 70, "valid_days": 30,
    }  # fmt: skip
    refused = client.post("/en/threatintel/indicators/new/", form)
    assert refused.status_code == 200
    assert "Name at least one recipient organisation." in refused.content.decode()
    shared = client.post(
        "/en/threatintel/indicators/new/", {**form, "recipients": [orgs["regulator_c"].slug]}
    )
    assert shared.status_code == 302
    seen = {
        who: bool(facade.match([Observable("wallet", "red-1")], caller_organisation_id=org.pk))
        for who, org in orgs.items()
    }
    assert seen == {"cert_a": True, "bank_b": False, "regulator_c": True, "outsider_d": False}
