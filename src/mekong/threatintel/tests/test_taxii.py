"""TAXII 2.1 conformance through the Django test client: media types, errors, paging, filters."""

from __future__ import annotations

import pytest

from mekong.threatintel.tests.conftest import TAXII, Taxii, load

pytestmark = pytest.mark.django_db

OASIS_VALID = [
    "poisonivy.json", "apt1.json", "indicator-for-c2-ip-address.json",
    "sighting-of-an-indicator.json", "using-marking-definitions.json", "infrastructure.json",
    "indicators-for-C2-with-COA.json", "malicious-email-indicator-with-attachment.json",
    "using-granular-markings.json",
]  # fmt: skip


def _post(alliance, bundle):
    response = alliance["clients"]["cert_a"].post(alliance["objects_url"], bundle)
    assert response.status_code == 202, response.content
    assert response["Content-Type"] == TAXII
    return response.json()


@pytest.mark.parametrize("name", OASIS_VALID)
def test_oasis_example_bundles_load_and_read_back_unchanged(alliance, name):
    bundle = load(name)
    status = _post(alliance, bundle)
    assert status["status"] == "complete"
    assert (status["total_count"], status["success_count"], status["failure_count"]) == (
        len(bundle["objects"]),
        len(bundle["objects"]),
        0,
    )
    got = alliance["clients"]["cert_a"].get(alliance["objects_url"], limit=1000).json()
    assert sorted(o["id"] for o in got["objects"]) == sorted(o["id"] for o in bundle["objects"])
    by_id = {o["id"]: o for o in got["objects"]}
    assert all(by_id[o["id"]] == o for o in bundle["objects"])


def test_invalid_objects_are_refused_per_object_and_stored_nowhere(alliance):
    bundle = load("using-tlp2.0-green.json")  # one relationship has created "2022-101-27…"
    mitre = load("mitre-identity.json")["objects"][0]  # STIX 2.0: no spec_version, empty lists
    status = _post(alliance, {"objects": [*bundle["objects"], mitre]})
    assert (status["total_count"], status["success_count"], status["failure_count"]) == (4, 2, 2)
    reasons = {f["id"]: f["message"] for f in status["failures"]}
    assert (
        "created: '2022-101-27T13:49:54.326Z' is not a STIX timestamp"
        in reasons["relationship--1621d4d4-b67d-11e3-9670-f01faf20d111"]
    )
    mitre_reason = reasons["identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5"]
    assert "spec_version: required" in mitre_reason
    assert "roles: empty lists are not allowed" in mitre_reason
    stored = alliance["clients"]["cert_a"].get(alliance["objects_url"]).json()["objects"]
    assert {o["id"] for o in stored} == {f["id"] for f in status["successes"]}


def test_bad_pattern_and_bad_id_are_reported(alliance):
    indicator = load("indicator-for-c2-ip-address.json")["objects"][0]
    broken = {**indicator, "pattern": "[ipv4-addr:value = ", "id": "indicator--not-a-uuid"}
    status = _post(alliance, {"objects": [broken]})
    message = status["failures"][0]["message"]
    assert "id: must be '<type>--<UUID>'" in message
    assert "pattern:" in message


def test_reposting_identical_objects_is_a_success_and_a_conflict_is_not(alliance):
    bundle = load("apt1.json")
    _post(alliance, bundle)
    again = _post(alliance, bundle)
    assert (again["success_count"], again["failure_count"]) == (76, 0)
    changed = {**bundle["objects"][0], "x_extra": 1}
    conflict = _post(alliance, {"objects": [changed]})
    assert conflict["failure_count"] == 1
    assert "already stored" in conflict["failures"][0]["message"]
    manifest = alliance["clients"]["cert_a"].get(
        alliance["objects_url"].replace("objects/", "manifest/"), limit=1000
    )
    assert len(manifest.json()["objects"]) == 76


def test_status_is_readable_by_the_poster_only(alliance):
    status = _post(alliance, load("indicator-for-c2-ip-address.json"))
    url = f"/taxii2/alliance/status/{status['id']}/"
    mine = alliance["clients"]["cert_a"].get(url)
    assert mine.status_code == 200
    assert mine.json() == status
    assert alliance["clients"]["bank_b"].get(url).status_code == 404


def test_paging_with_next_sees_every_object_once_and_headers_are_set(alliance):
    _post(alliance, load("poisonivy.json"))
    client, seen, params = alliance["clients"]["cert_a"], [], {"limit": 20}
    pages = 0
    while True:
        response = client.get(alliance["objects_url"], **params)
        body = response.json()
        ids = [o["id"] for o in body.get("objects", [])]
        assert len(ids) <= 20
        seen += ids
        pages += 1
        assert response["X-TAXII-Date-Added-First"] <= response["X-TAXII-Date-Added-Last"]
        if not body["more"]:
            break
        params = {"limit": 20, "next": body["next"]}
    assert pages == 8
    assert len(seen) == len(set(seen)) == 155


def test_added_after_is_exclusive_and_paging_by_it_terminates(alliance):
    _post(alliance, load("apt1.json"))
    client, seen, params = alliance["clients"]["cert_a"], [], {"limit": 30}
    for _ in range(10):
        response = client.get(alliance["objects_url"], **params)
        seen += [o["id"] for o in response.json().get("objects", [])]
        if not response.json()["more"]:
            break
        params = {"limit": 30, "added_after": response["X-TAXII-Date-Added-Last"]}
    assert len(seen) == len(set(seen)) == 76


def test_next_cursor_is_bound_to_the_caller_and_the_query(alliance):
    _post(alliance, load("apt1.json"))
    first = alliance["clients"]["cert_a"].get(alliance["objects_url"], limit=5).json()
    other = alliance["clients"]["bank_b"].get(alliance["objects_url"], limit=5, next=first["next"])
    assert other.status_code == 400
    widened = alliance["clients"]["cert_a"].get(
        alliance["objects_url"], limit=5, next=first["next"], **{"match[type]": "tool"}
    )
    assert widened.status_code == 400


def test_match_filters_on_the_medallion_fixture_versions(alliance):
    data = load("medallion-default_data.json")
    coll = next(c for c in data["trustgroup1"]["collections"] if c.get("objects"))
    _post(alliance, {"objects": coll["objects"]})
    client, url = alliance["clients"]["cert_a"], alliance["objects_url"]
    oid = "indicator--6770298f-0fd8-471a-ab8c-1c658a46574e"
    versions = client.get(f"{url}{oid}/versions/").json()["versions"]
    assert versions == ["2016-11-03T12:30:59.000Z", "2016-12-25T12:30:59.444Z",
                        "2017-01-27T13:49:53.935Z"]  # fmt: skip

    def modified(**params):
        body = client.get(f"{url}{oid}/", **params).json()
        return [o["modified"] for o in body["objects"]]

    assert modified() == [versions[2]]
    assert modified(**{"match[version]": "first"}) == [versions[0]]
    assert modified(**{"match[version]": "all"}) == versions
    assert modified(**{"match[version]": f"first,{versions[1]}"}) == versions[:2]
    typed = client.get(url, **{"match[type]": "indicator", "match[version]": "all"}).json()
    assert {o["type"] for o in typed["objects"]} == {"indicator"}
    by_id = client.get(url, **{"match[id]": oid}).json()["objects"]
    assert [o["modified"] for o in by_id] == [versions[2]]
    assert "objects" not in client.get(url, **{"match[spec_version]": "2.0"}).json()


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "x"}, {"added_after": "yesterday"},
     {"match[version]": "all,last"}, {"next": "forged"}],
)  # fmt: skip
def test_malformed_filters_get_400_as_taxii_errors(alliance, params):
    response = alliance["clients"]["cert_a"].get(alliance["objects_url"], **params)
    assert response.status_code == 400
    assert response["Content-Type"] == TAXII
    assert response.json()["http_status"] == "400"


def test_authentication_errors_and_negotiation(alliance):
    anonymous = Taxii(None).get("/taxii2/")
    assert anonymous.status_code == 401
    assert anonymous["Content-Type"] == TAXII
    assert anonymous["WWW-Authenticate"].startswith("Basic")
    assert Taxii("Basic bm9ib2R5Om5vcGU=").get("/taxii2/").status_code == 401
    assert Taxii("Token mkt_bogus_value").get("/taxii2/").status_code == 401
    assert alliance["basic_a"].get("/taxii2/").status_code == 200
    client = alliance["clients"]["cert_a"]
    not_json = client.client.get("/taxii2/", HTTP_ACCEPT="text/html",
                                 HTTP_AUTHORIZATION=client.auth)  # fmt: skip
    assert not_json.status_code == 406
    old = client.client.get("/taxii2/", HTTP_ACCEPT="application/taxii+json;version=2.0",
                            HTTP_AUTHORIZATION=client.auth)  # fmt: skip
    assert old.status_code == 406
    assert (
        client.post(alliance["objects_url"], {"objects": []}, "application/json").status_code == 415
    )
    assert client.post(alliance["objects_url"], b"{not json").status_code == 422
    assert client.post(alliance["objects_url"], {"objects": "x"}).status_code == 422
    assert client.get("/taxii2/nowhere/").status_code == 404
    assert client.get("/taxii2/alliance/unknown/path/").json()["http_status"] == "404"


def test_body_over_max_content_length_gets_413(alliance):
    root = alliance["root"]
    root.max_content_length = 1000
    root.save()
    big = {"objects": [load("apt1.json")["objects"][0]] * 10}
    response = alliance["clients"]["cert_a"].post(alliance["objects_url"], big)
    assert response.status_code == 413
    assert response.json()["http_status"] == "413"


def test_discovery_api_root_and_collections_resources(alliance):
    client = alliance["clients"]["outsider_d"]
    discovery = client.get("/taxii2/").json()
    assert discovery["api_roots"] == ["/taxii2/alliance/"]
    assert discovery["default"] == "/taxii2/alliance/"
    root = client.get("/taxii2/alliance/").json()
    assert root["versions"] == [TAXII]
    assert root["max_content_length"] == 2_000_000
    colls = client.get("/taxii2/alliance/collections/").json()["collections"]
    assert [(c["id"], c["can_read"], c["can_write"]) for c in colls] == [
        (str(alliance["collection"].id), True, False)
    ]


def test_write_and_delete_rights(alliance):
    _post(alliance, load("indicator-for-c2-ip-address.json"))
    oid = load("indicator-for-c2-ip-address.json")["objects"][0]["id"]
    url = alliance["objects_url"]
    outsider = alliance["clients"]["outsider_d"]
    assert outsider.post(url, {"objects": []}).status_code == 403
    assert outsider.delete(f"{url}{oid}/").status_code == 403
    cert = alliance["clients"]["cert_a"]
    assert cert.delete(f"{url}{oid}/").status_code == 200
    assert cert.get(f"{url}{oid}/").status_code == 404
    assert cert.delete(f"{url}{oid}/").status_code == 404
