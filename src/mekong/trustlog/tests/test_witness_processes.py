"""The log and real witness processes (``python -m mekong.cli witness serve``) on loopback.

Three witnesses cosign; a receipt verifies offline with the log key and a quorum of witness
keys; witnesses refuse a fork, an inconsistent checkpoint and a stale one; a witness keeps
its state across a restart. Processes are always terminated by the fixture.
"""

from __future__ import annotations

import json

import pytest

from mekong.trustlog import facade, merkle, selectors, services
from mekong.trustlog.note import Checkpoint, CosignatureSigner, sign_note
from mekong.trustlog.tests.conftest import LOG_SIGNER, LOG_VKEY, ORIGIN, restart, run_cli
from mekong.trustlog.witness import add_checkpoint_body, parse_size_body, post_add_checkpoint

pytestmark = pytest.mark.django_db


def test_three_witnesses_cosign_and_receipt_verifies_offline(witness_processes, tmp_path, capsys):
    witnesses = witness_processes(3)
    services.entries_append(items=[("demo.seed", b"%d" % i) for i in range(20)])

    receipt = facade.anchor("payments.transfer", b'{"id": "tx-1", "amount": 5000}')
    second = facade.anchor("customs.certificate", b"sha256:abc")
    path = tmp_path / "receipt.json"
    path.write_text(second.to_json())
    keys = [w.vkey for w in witnesses]

    assert facade.latest_checkpoint().witnesses == tuple(w.name for w in witnesses)
    assert facade.verify_receipt(receipt, LOG_VKEY, keys, 3).valid
    # Offline, through the CLI, with a quorum of two of the three keys.
    args = ["log", "verify-receipt", str(path), "--log-key", LOG_VKEY, "--quorum", "2"]
    assert run_cli([*args, "--witness-key", keys[0], "--witness-key", keys[2]]) == 0
    assert "receipt valid: entry 21 (customs.certificate)" in capsys.readouterr().out
    # A witness the receipt does not carry fails its check, and the quorum if it is needed.
    stranger = CosignatureSigner.generate("stranger.witness.test").verifier.encode()
    assert (
        run_cli([*args, "--witness-key", keys[0], "--witness-key", stranger, "--quorum", "2"]) == 1
    )
    out = capsys.readouterr().out
    assert "FAIL cosignature stranger.witness.test: missing" in out
    assert "FAIL quorum: not_met (1 of 2, need 2)" in out


def test_witness_refuses_fork_inconsistent_and_stale_checkpoints(witness_processes):
    (w,) = witness_processes(1)
    leaves = list(
        services.entries_append(
            items=[("k", b"%d" % i) for i in range(10)], return_hashes=True
        ).leaf_hashes
    )
    cp = services.checkpoint_publish()
    assert cp.witnesses == (w.name,)

    def submit(old: int, proof: list[bytes], size: int, root: bytes) -> tuple[int, bytes]:
        note = sign_note(Checkpoint(ORIGIN, size, root).text(), LOG_SIGNER)
        return post_add_checkpoint(w.url, add_checkpoint_body(old, proof, note), 10)

    forged = [*leaves[:4], merkle.leaf_hash(b"forged"), *leaves[5:]]
    more = forged + [merkle.leaf_hash(b"x%d" % i) for i in range(6)]
    # Fork: same size, another root, signed by the real log key.
    fork_status, fork_body = submit(10, [], 10, merkle.root_hash(forged))
    # Inconsistent: a bigger forked tree with a proof that cannot link to the cosigned root.
    bad_status, _ = submit(10, merkle.consistency_proof(more, 10, 16), 16, merkle.root_hash(more))
    # Stale: an old size the witness has moved past.
    stale_status, stale_body = submit(4, merkle.consistency_proof(leaves, 4, 10), 10, cp.root_hash)

    assert (fork_status, parse_size_body(fork_body)) == (409, 10)
    assert bad_status == 422
    assert (stale_status, parse_size_body(stale_body)) == (409, 10)
    # The genuine continuation is still accepted.
    services.entries_append(items=[("k", b"more")])
    assert services.checkpoint_publish().witnesses == (w.name,)


def test_witness_state_survives_a_restart(witness_processes):
    w1, w2 = witness_processes(2)
    services.entries_append(items=[("k", b"%d" % i) for i in range(5)])
    services.checkpoint_publish()
    state_before = json.loads(w1.state_file.read_text())

    restart(w1)
    # Submitting as if the witness were new is answered with the size it remembers.
    note = selectors.checkpoint_at(5).note
    status, body = post_add_checkpoint(w1.url, add_checkpoint_body(0, [], note), 10)
    services.entries_append(items=[("k", b"after restart")])
    cp = services.checkpoint_publish()

    assert state_before["logs"][ORIGIN]["size"] == 5
    assert (status, parse_size_body(body)) == (409, 5)
    assert cp.size == 6
    assert set(cp.witnesses) == {w1.name, w2.name}
    assert json.loads(w1.state_file.read_text())["logs"][ORIGIN]["size"] == 6


def test_log_recovers_when_it_forgot_what_a_witness_saw(witness_processes):
    """The log's record of a witness lags behind (e.g. restored database): 409 tells it the
    witness's size, and the log retries with a proof from there."""
    (w,) = witness_processes(1)
    services.entries_append(items=[("k", b"%d" % i) for i in range(8)])
    note = services.checkpoint_publish(collect=False).note
    # The witness sees size 8 directly, behind the log's back.
    assert post_add_checkpoint(w.url, add_checkpoint_body(0, [], note), 10)[0] == 200
    services.entries_append(items=[("k", b"9")])

    cp = services.checkpoint_publish()

    assert cp.witnesses == (w.name,)
