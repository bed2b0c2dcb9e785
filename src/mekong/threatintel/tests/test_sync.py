"""Federation between two platform instances on loopback (``mekong taxii sync``).

Instance B is a separate ``mekong`` server process with its own SQLite database; instance A is
the test database, which pulls from and pushes to B through B's TAXII server.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from mekong.identity.tests.factories import make_org
from mekong.threatintel import tlp
from mekong.threatintel.models import StixObject
from mekong.threatintel.sync import TaxiiPeer, sync
from mekong.threatintel.tests.conftest import load

pytestmark = pytest.mark.django_db
B_COLLECTION = "1e0b4b8e-6a7e-4a52-9d2e-6f1d0f4b1c11"
B_USER, B_PASSWORD = "sync@instance-b.example", "loopback-password-b"
MEKONG = Path(sys.executable).with_name("mekong")

SEED_B = f"""
from mekong.identity.services import organisation_create, user_create, membership_grant
from mekong.threatintel import services
import uuid
b = organisation_create(name="CERT B", kind="cert", country="TH")
a = organisation_create(name="Instance A", kind="cert", country="LA")
user = user_create(email="{B_USER}", password="{B_PASSWORD}")
membership_grant(user=user, organisation=a, role="member")
group = services.sharing_group_create(name="GMS", slug="gms", member_ids=[a.pk, b.pk])
root = services.api_root_create(slug="alliance", title="B", is_default=True)
coll = services.collection_create(api_root=root, title="Shared", sharing_group=group,
                                  collection_id=uuid.UUID("{B_COLLECTION}"))
bundle = {json.dumps(load("indicator-for-c2-ip-address.json"))!r}
import json as j
services.objects_add(api_root=root, collection=coll, organisation_id=b.pk,
                     objects=j.loads(bundle)["objects"])
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def instance_b(tmp_path_factory):
    var = tmp_path_factory.mktemp("instance-b")
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "mekong.settings", "DEBUG": "false",
        "SECRET_KEY": "instance-b-test-key", "MEKONG_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'b.sqlite3'}",
    }  # fmt: skip
    for command in (["migrate", "--verbosity", "0"], ["shell", "-c", SEED_B]):
        subprocess.run(
            [str(MEKONG), "manage", *command], env=env, check=True, capture_output=True, timeout=120
        )
    port = _free_port()
    server = subprocess.Popen(
        [str(MEKONG), "manage", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/taxii2/alliance/collections/{B_COLLECTION}/"
    deadline = time.monotonic() + 30
    while True:  # poll with a bound until B answers
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/taxii2/", timeout=2)
        except urllib.error.HTTPError:
            break  # 401: it is up
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("instance B did not start")
            time.sleep(0.2)
    yield url
    server.terminate()
    server.wait(timeout=10)


def _b_objects(url: str) -> set[str]:
    request = urllib.request.Request(url + "objects/?match[version]=all")
    request.add_header("Accept", "application/taxii+json;version=2.1")
    token = base64.b64encode(f"{B_USER}:{B_PASSWORD}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return {o["id"] for o in json.loads(response.read()).get("objects", [])}


def test_pull_and_push_between_two_instances(alliance, instance_b):
    peer_org = make_org(name="Instance B", kind="cert", country="TH")
    group = alliance["collection"].sharing_group
    group.members.add(peer_org)
    shared = load("apt1.json")["objects"][:10]
    secret = {**load("indicator-for-c2-ip-address.json")["objects"][0],
              "id": "indicator--0b1c9d22-7f1e-4a0b-9b8a-1d2e3f4a5b6c",
              "object_marking_refs": [tlp.TLP2_IDS[tlp.RED]]}  # fmt: skip
    status = alliance["clients"]["cert_a"].post(
        alliance["objects_url"], {"objects": [*shared, secret]}
    )
    assert status.json()["success_count"] == 11
    peer = TaxiiPeer(instance_b, user=B_USER, password=B_PASSWORD)

    first = sync(collection=alliance["collection"], peer=peer, peer_organisation=peer_org)
    assert (first.pulled, first.pull_failures, first.pushed, first.push_failures) == (1, 0, 10, 0)
    pulled = StixObject.objects.get(stix_id="indicator--33fe3b22-0201-47cf-85d0-97c02164528d")
    assert pulled.source_organisation_id == peer_org.pk
    on_b = _b_objects(instance_b)
    assert {o["id"] for o in shared} <= on_b
    assert secret["id"] not in on_b  # RED, not addressed to the peer: never leaves

    again = sync(collection=alliance["collection"], peer=peer, peer_organisation=peer_org)
    assert (again.pulled, again.pushed) == (0, 0)
