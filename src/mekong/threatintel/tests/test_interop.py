"""Interoperability with the OASIS ``taxii2-client`` (and ``stix2``) as the real client.

The client talks HTTP to a live server on loopback, so this checks the exact media types,
resource fields and URL shapes that third-party TAXII 2.1 clients depend on.
"""

from __future__ import annotations

import pytest
import stix2  # type: ignore[import-untyped]
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages  # type: ignore[import-untyped]

from mekong.identity.tests.factories import PASSWORD
from mekong.threatintel.tests.conftest import load

pytestmark = pytest.mark.django_db(transaction=True)


def test_taxii2_client_full_walk(alliance, live_server):
    auth = {"user": alliance["user_a"].email, "password": PASSWORD}
    alliance["clients"]["cert_a"].post(alliance["objects_url"], load("poisonivy.json"))

    server = Server(f"{live_server.url}/taxii2/", **auth)
    assert server.title == "Mekong threat-intelligence exchange"
    assert [r.url for r in server.api_roots] == [f"{live_server.url}/taxii2/alliance/"]
    root = server.default
    assert isinstance(root, ApiRoot)
    assert root.max_content_length == 2_000_000
    [coll] = root.collections
    assert (coll.id, coll.can_read, coll.can_write) == (str(alliance["collection"].id), True, True)

    seen: list[str] = []
    for envelope in as_pages(coll.get_objects, per_request=40):
        seen += [o["id"] for o in envelope.get("objects", [])]
    assert len(seen) == len(set(seen)) == 155

    manifest = coll.get_manifest()
    assert len(manifest["objects"]) == 100  # the server's default page size
    assert manifest["more"] is True
    one = seen[0]
    assert len(coll.object_versions(one)["versions"]) == 1

    indicator = stix2.Indicator(
        name="Mule account", pattern="[ipv4-addr:value = '203.0.113.77']",
        pattern_type="stix", object_marking_refs=[stix2.TLP_GREEN],
    )  # fmt: skip
    bundle = stix2.Bundle(indicator, allow_custom=False)
    status = coll.add_objects(bundle.serialize(), wait_for_completion=True, poll_interval=0.1)
    assert (status.status, status.success_count, status.failure_count) == ("complete", 1, 0)
    assert coll.get_object(indicator.id)["objects"][0]["name"] == "Mule account"

    coll.delete_object(indicator.id)
    again = Collection(coll.url, **auth)
    with pytest.raises(Exception, match="404"):
        again.get_object(indicator.id)
