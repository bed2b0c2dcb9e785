"""Analyst pages for reports, sharing groups and sightings: behaviour and authorisation."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from mekong.identity.tests.factories import make_user
from mekong.threatintel import services, tlp
from mekong.threatintel.models import SharingGroup, StixObject

pytestmark = pytest.mark.django_db

REPORTS = "/en/threatintel/reports/new/"
GROUPS = "/en/threatintel/groups/"


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _indicator(alliance, org: str, level: str, n: int, recipients=()) -> str:
    stamp = "2026-01-01T00:00:00.000Z"
    obj = {
        "type": "indicator", "spec_version": "2.1", "id": f"indicator--{uuid.UUID(int=n)}",
        "created": stamp, "modified": stamp, "name": f"{level} {n}", "pattern_type": "stix",
        "pattern": f"[ipv4-addr:value = '198.51.100.{n}']", "valid_from": stamp,
        "object_marking_refs": [tlp.TLP2_IDS[level]],
        **({"x_mekong_recipients": list(recipients)} if recipients else {}),
    }  # fmt: skip
    status = services.objects_add(
        api_root=alliance["root"], collection=alliance["collection"],
        organisation_id=alliance["orgs"][org].pk, objects=[obj],
    )  # fmt: skip
    assert status.success_count == 1
    return str(obj["id"])


def _report(alliance, refs, level=tlp.AMBER, **extra):
    return {
        "collection": str(alliance["collection"].id), "name": "Mule network <b>Q3</b>",
        "description": "Wallets used to cash out.", "published": "2026-03-04T05:06",
        "object_refs": refs, "tlp": level, **extra,
    }  # fmt: skip


def test_report_form_stores_a_stix_report_and_its_page_lists_visible_references(alliance):
    green = _indicator(alliance, "bank_b", tlp.GREEN, 1)
    amber = _indicator(alliance, "cert_a", tlp.AMBER, 2)
    client = _login(alliance["user_a"])
    form = client.get(REPORTS)
    assert form.status_code == 200
    assert green in form.content.decode()  # offered for picking
    response = client.post(REPORTS, _report(alliance, [green, amber]))
    assert response.status_code == 302, response.content.decode()[:2000]
    row = StixObject.objects.get(type="report")
    raw = row.raw
    assert (raw["name"], raw["published"], raw["object_refs"], row.tlp) == (
        "Mule network <b>Q3</b>",
        "2026-03-04T05:06:00.000Z",
        [green, amber],
        tlp.AMBER,
    )
    assert raw["description"] == "Wallets used to cash out."
    page = client.get(response["Location"]).content.decode()
    assert "Mule network &lt;b&gt;Q3&lt;/b&gt;" in page  # escaped
    assert f"/en/threatintel/objects/{green}/" in page
    # Regulator C (community, not in the group) may not see the AMBER report at all.
    assert (
        _login(make_user(org=alliance["orgs"]["regulator_c"]))
        .get(f"/en/threatintel/objects/{row.stix_id}/")
        .status_code
        == 404
    )


def test_report_cannot_reference_objects_its_author_cannot_see(alliance):
    orgs = alliance["orgs"]
    hidden = _indicator(alliance, "bank_b", tlp.RED, 3, recipients=[orgs["regulator_c"].slug])
    missing = f"indicator--{uuid.uuid4()}"
    client = _login(alliance["user_a"])
    assert hidden not in client.get(REPORTS).content.decode()
    for ref in (hidden, missing):
        refused = client.post(REPORTS, _report(alliance, [ref], level=tlp.RED,
                                               recipients=[orgs["cert_a"].slug]))  # fmt: skip
        assert refused.status_code == 200
        assert "Choose only objects you can see." in refused.content.decode()
    assert not StixObject.objects.filter(type="report").exists()


def test_report_is_marked_at_least_like_what_it_references(alliance):
    amber = _indicator(alliance, "cert_a", tlp.AMBER, 4)
    client = _login(alliance["user_a"])
    refused = client.post(REPORTS, _report(alliance, [amber], level=tlp.GREEN))
    assert "Mark the report at least TLP:AMBER" in refused.content.decode()
    assert not StixObject.objects.filter(type="report").exists()


def test_forms_need_the_csrf_token(alliance):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(org=alliance["orgs"]["cert_a"], role="admin"))
    amber = _indicator(alliance, "cert_a", tlp.AMBER, 5)
    assert client.post(REPORTS, _report(alliance, [amber])).status_code == 403
    assert client.post(GROUPS, {"name": "x", "slug": "x"}).status_code == 403
    assert not SharingGroup.objects.filter(slug="x").exists()


def test_admin_creates_a_group_and_manages_its_members(alliance):
    orgs = alliance["orgs"]
    admin = _login(make_user(org=orgs["cert_a"], role="admin"))
    created = admin.post(GROUPS, {"name": "Mekong <i>banks</i>", "slug": "mekong-banks",
                                  "description": "Cash-out rings"})  # fmt: skip
    assert created.status_code == 302
    group = SharingGroup.objects.get(slug="mekong-banks")
    assert group.owner_id == orgs["cert_a"].pk
    assert list(group.members.values_list("pk", flat=True)) == [orgs["cert_a"].pk]
    url = f"{GROUPS}mekong-banks/"
    assert "Mekong &lt;i&gt;banks&lt;/i&gt;" in admin.get(url).content.decode()
    assert admin.post(url + "members/", {"organisation": orgs["bank_b"].pk}).status_code == 302
    assert set(group.members.values_list("pk", flat=True)) == {orgs["cert_a"].pk,
                                                               orgs["bank_b"].pk}  # fmt: skip
    remove = f"{url}members/{orgs['bank_b'].pk}/remove/"
    assert admin.post(remove).status_code == 302
    assert list(group.members.values_list("pk", flat=True)) == [orgs["cert_a"].pk]
    # The owner organisation itself cannot be removed.
    assert admin.post(f"{url}members/{orgs['cert_a'].pk}/remove/").status_code == 403
    taken = admin.post(GROUPS, {"name": "Again", "slug": "mekong-banks"})
    assert taken.status_code == 200
    assert "Another sharing group already uses this short name." in taken.content.decode()


def test_only_the_owner_organisations_managers_change_a_group(alliance):
    orgs = alliance["orgs"]
    services.sharing_group_create(
        name="Owned", slug="owned", member_ids=[orgs["bank_b"].pk], owner_id=orgs["cert_a"].pk
    )
    url = f"{GROUPS}owned/"
    add = {"organisation": orgs["regulator_c"].pk}
    remove = f"{url}members/{orgs['bank_b'].pk}/remove/"
    cases = {
        "member of the owner": (_login(alliance["user_a"]), 403),  # role member, not admin
        "admin of a member org": (_login(make_user(org=orgs["bank_b"], role="admin")), 403),
        "admin of an outsider": (_login(make_user(org=orgs["outsider_d"], role="owner")), 404),
    }
    for who, (client, expected) in cases.items():
        assert client.post(url + "members/", add).status_code == expected, who
        assert client.post(remove).status_code == expected, who
        assert client.get(url).status_code == (404 if expected == 404 else 200), who
    group = SharingGroup.objects.get(slug="owned")
    assert set(group.members.values_list("pk", flat=True)) == {orgs["cert_a"].pk,
                                                               orgs["bank_b"].pk}  # fmt: skip
    # A plain member cannot create groups either.
    assert _login(alliance["user_a"]).post(GROUPS, {"name": "n", "slug": "n"}).status_code == 403


def test_groups_page_shows_members_and_collection_rights(alliance):
    page = _login(alliance["user_a"]).get(GROUPS).content.decode()
    assert "Fraud group" in page
    assert "Bank B" in page
    assert "Fraud indicators" in page  # the group's read+write grant on the collection
    assert "Regulators" not in page  # CERT A is not in that group


def test_sighting_with_a_count_and_refused_without_one(alliance):
    indicator = _indicator(alliance, "cert_a", tlp.AMBER, 6)
    client = _login(make_user(org=alliance["orgs"]["bank_b"]))
    url = f"/en/threatintel/objects/{indicator}/sightings/"
    assert client.post(url, {"count": "0"}).status_code == 302
    assert not StixObject.objects.filter(type="sighting").exists()
    assert client.post(url, {"count": "3"}).status_code == 302
    sighting = StixObject.objects.get(type="sighting")
    assert (sighting.raw["count"], sighting.raw["sighting_of_ref"]) == (3, indicator)
    assert sighting.source_organisation_id == alliance["orgs"]["bank_b"].pk
    # Outsider D cannot see the AMBER indicator, so cannot report sighting it either.
    outsider = _login(make_user(org=alliance["orgs"]["outsider_d"]))
    assert outsider.post(url, {"count": "1"}).status_code == 404
