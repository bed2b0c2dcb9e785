"""The public read API: checkpoint, proofs by index or leaf hash, consistency, entries."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from mekong.identity.tests.factories import make_org, make_token
from mekong.trustlog import facade, merkle, services
from mekong.trustlog.note import Checkpoint, open_note
from mekong.trustlog.tests.conftest import LOG_SIGNER

pytestmark = pytest.mark.django_db

API = "/api/v1/log"


def _b64(s: str) -> bytes:
    return base64.b64decode(s)


@pytest.fixture
def log(inproc_witnesses):
    """25 entries, a checkpoint at 25 cosigned by two witnesses; returns the leaf hashes."""
    witnesses = inproc_witnesses(2)
    leaves = list(
        services.entries_append(
            items=[("api.test", b"entry %d" % i) for i in range(25)], return_hashes=True
        ).leaf_hashes
    )
    services.checkpoint_publish()
    return leaves, witnesses


def _problem(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def test_no_checkpoint_yet_is_a_404_problem(client):
    _problem(client.get(f"{API}/checkpoint"), 404, "checkpoint_not_found")
    _problem(client.get(f"{API}/proofs/inclusion?index=0"), 404, "checkpoint_not_found")


def test_latest_checkpoint_as_json_and_as_text(client, log):
    leaves, witnesses = log

    data = client.get(f"{API}/checkpoint").json()
    text = client.get(f"{API}/checkpoint", HTTP_ACCEPT="text/plain")

    assert (data["size"], _b64(data["root_hash"])) == (25, merkle.root_hash(leaves))
    assert data["origin"] == "test.mekong.example/log"
    assert data["witnesses"] == [w.name for w in witnesses]
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text.content.decode() == data["note"]
    keys = [LOG_SIGNER.verifier] + [w.signer.verifier for w in witnesses]
    opened = open_note(data["note"], keys)
    assert len(opened.verified) == 3
    assert Checkpoint.parse(opened.text).size == 25


def test_public_endpoints_need_no_token_and_ignore_a_bad_one(log):
    anonymous = Client()
    bad_token = Client(HTTP_AUTHORIZATION="Bearer mkt_nope_nope")
    good = Client(HTTP_AUTHORIZATION=f"Bearer {make_token(make_org(name='Reader'), role='viewer')}")

    for c in (anonymous, bad_token, good):
        assert c.get(f"{API}/checkpoint").status_code == 200
        assert c.get(f"{API}/entries").status_code == 200


@pytest.mark.parametrize("index", [0, 7, 24])
def test_inclusion_proof_by_index_verifies(client, log, index):
    leaves, _ = log

    data = client.get(f"{API}/proofs/inclusion", {"index": index}).json()

    assert data["tree_size"] == 25
    proof = [_b64(h) for h in data["proof"]]
    assert proof == merkle.inclusion_proof(leaves, index, 25)
    assert merkle.verify_inclusion(leaves[index], index, 25, proof, _b64(data["root_hash"]))


@pytest.mark.parametrize("encode", [bytes.hex, lambda h: base64.b64encode(h).decode()])
def test_inclusion_proof_by_leaf_hash_for_an_older_size(client, log, encode):
    leaves, _ = log

    data = client.get(
        f"{API}/proofs/inclusion", {"leaf_hash": encode(leaves[9]), "tree_size": 12}
    ).json()

    assert (data["index"], data["tree_size"]) == (9, 12)
    assert [_b64(h) for h in data["proof"]] == merkle.inclusion_proof(leaves, 9, 12)


def test_inclusion_errors(client, log):
    leaves, _ = log
    url = f"{API}/proofs/inclusion"

    _problem(client.get(url), 422, "invalid_proof_request")
    _problem(
        client.get(url, {"index": 1, "leaf_hash": leaves[1].hex()}), 422, "invalid_proof_request"
    )
    _problem(client.get(url, {"index": 25}), 422, "tree_size_out_of_range")
    _problem(client.get(url, {"index": 0, "tree_size": 26}), 422, "tree_size_out_of_range")
    _problem(client.get(url, {"leaf_hash": "zz"}), 422, "invalid_leaf_hash")
    _problem(client.get(url, {"leaf_hash": "00" * 32}), 404, "log_entry_not_found")
    # Entry 20 exists, but not in the tree of 12 entries.
    _problem(
        client.get(url, {"leaf_hash": leaves[20].hex(), "tree_size": 12}),
        404,
        "log_entry_not_found",
    )
    _problem(client.get(url, {"index": -1}), 422, "validation_error")
    _problem(client.get(url, {"index": 2**70}), 422, "validation_error")


def test_consistency_proof_verifies(client, log):
    leaves, _ = log

    data = client.get(f"{API}/proofs/consistency", {"old_size": 10}).json()
    from_zero = client.get(f"{API}/proofs/consistency", {"old_size": 0, "new_size": 4}).json()

    proof = [_b64(h) for h in data["proof"]]
    assert (data["old_size"], data["new_size"]) == (10, 25)
    assert proof == merkle.consistency_proof(leaves, 10, 25)
    assert merkle.verify_consistency(10, 25, _b64(data["old_root"]), _b64(data["new_root"]), proof)
    assert from_zero["proof"] == []
    assert _b64(from_zero["old_root"]) == merkle.EMPTY_ROOT


def test_consistency_errors(client, log):
    url = f"{API}/proofs/consistency"

    _problem(client.get(url, {"old_size": 11, "new_size": 10}), 422, "tree_size_out_of_range")
    _problem(client.get(url, {"old_size": 1, "new_size": 26}), 422, "tree_size_out_of_range")
    _problem(client.get(url), 422, "validation_error")


def test_entries_by_range(client, log, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        page = client.get(f"{API}/entries", {"offset": 20, "limit": 10}).json()
    one = client.get(f"{API}/entries/3").json()

    assert page["count"] == 25
    assert [e["index"] for e in page["items"]] == [20, 21, 22, 23, 24]
    assert _b64(page["items"][0]["data"]) == b"entry 20"
    assert one["kind"] == "api.test"
    assert _b64(one["leaf_hash"]) == log[0][3]
    _problem(client.get(f"{API}/entries/25"), 404, "log_entry_not_found")
    _problem(client.get(f"{API}/entries/{2**63}"), 422, "tree_size_out_of_range")
    _problem(client.get(f"{API}/entries", {"limit": 501}), 422, "validation_error")


def test_anchored_receipt_matches_the_api(client, log):
    receipt = facade.anchor("api.anchor", b"payload")

    data = client.get(f"{API}/proofs/inclusion", {"index": receipt.entry.index}).json()

    assert [_b64(h) for h in data["proof"]] == list(receipt.inclusion_proof)
    assert client.get(f"{API}/checkpoint").json()["note"] == receipt.checkpoint
