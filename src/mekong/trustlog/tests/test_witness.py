"""The witness's add-checkpoint logic (C2SP tlog-witness), without processes or HTTP."""

from __future__ import annotations

import base64
import json
import os

import pytest

from mekong.trustlog import merkle
from mekong.trustlog.note import (
    Checkpoint,
    CosignatureSigner,
    NoteSigner,
    VerifierKey,
    open_note,
    sign_note,
)
from mekong.trustlog.witness import (
    SIZE_CONTENT_TYPE,
    StateFileLockedError,
    Witness,
    WitnessState,
    add_checkpoint_body,
    parse_size_body,
)

ORIGIN = "unit.example/log"
LOG = NoteSigner.generate(ORIGIN)
LEAVES = [merkle.leaf_hash(b"%d" % i) for i in range(40)]


def _signed(size: int, leaves=LEAVES, signer=LOG, origin=ORIGIN) -> str:
    return sign_note(Checkpoint(origin, size, merkle.root_hash(leaves[:size])).text(), signer)


def _body(old: int, new: int, leaves=LEAVES, **kw) -> bytes:
    proof = merkle.consistency_proof(leaves, old, new) if 0 < old < new else []
    return add_checkpoint_body(old, proof, _signed(new, leaves, **kw))


@pytest.fixture
def witness(tmp_path):
    state = WitnessState(tmp_path / "state.json")
    w = Witness(
        CosignatureSigner.generate("w.unit.example"), [LOG.verifier], state, lambda: 1_700_000_000
    )
    yield w
    state.close()


def test_first_checkpoint_is_cosigned_and_persisted(witness, tmp_path):
    response = witness.add_checkpoint(_body(0, 10))

    assert response.status == 200
    line = response.body.decode()
    opened = open_note(_signed(10) + line, [witness.signer.verifier])
    assert opened.verified[0].timestamp == 1_700_000_000
    saved = json.loads((tmp_path / "state.json").read_text())
    assert saved["logs"][ORIGIN]["size"] == 10


def test_growing_checkpoints_with_proofs_are_cosigned(witness):
    for old, new in [(0, 1), (1, 2), (2, 7), (7, 8), (8, 8), (8, 33), (33, 40)]:
        assert witness.add_checkpoint(_body(old, new)).status == 200, (old, new)
    assert witness.state.get(ORIGIN).size == 40


def test_stale_old_size_gets_409_with_the_current_size(witness):
    witness.add_checkpoint(_body(0, 10))

    response = witness.add_checkpoint(_body(5, 12))

    assert response.status == 409
    assert response.content_type == SIZE_CONTENT_TYPE
    assert parse_size_body(response.body) == 10


def test_fork_at_the_same_size_is_refused(witness):
    witness.add_checkpoint(_body(0, 10))
    forked = [merkle.leaf_hash(b"forged"), *LEAVES[1:]]

    response = witness.add_checkpoint(_body(10, 10, leaves=forked))

    assert response.status == 409
    assert parse_size_body(response.body) == 10
    assert witness.state.get(ORIGIN).root == merkle.root_hash(LEAVES[:10])


def test_inconsistent_checkpoint_gets_422_and_state_is_kept(witness):
    witness.add_checkpoint(_body(0, 10))
    forked = [*LEAVES[:3], merkle.leaf_hash(b"forged"), *LEAVES[4:]]
    # A proof from the real tree cannot link the old root to the forked new root.
    body = add_checkpoint_body(10, merkle.consistency_proof(LEAVES, 10, 20), _signed(20, forked))

    response = witness.add_checkpoint(body)

    assert response.status == 422
    assert witness.state.get(ORIGIN).size == 10


def test_non_empty_proof_from_size_zero_is_422(witness):
    body = add_checkpoint_body(0, [LEAVES[0]], _signed(3))

    assert witness.add_checkpoint(body).status == 422


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 400),
        (b"old 01\n\n" + _signed(3).encode(), 400),
        (b"old 5\n\n" + _signed(3).encode(), 400),  # old > new
        (b"old 0\nnot-base64\n\n" + _signed(3).encode(), 400),
        (
            b"old 0\n"
            + b"\n".join([base64.b64encode(LEAVES[0])] * 64)
            + b"\n\n"
            + _signed(3).encode(),
            400,
        ),
        (b"\xff\xfe", 400),
    ],
)
def test_malformed_requests_get_400(witness, body, status):
    assert witness.add_checkpoint(body).status == status


def test_unknown_origin_is_404_and_untrusted_signature_403(witness):
    other_log = NoteSigner.generate("other.example/log")
    impostor = NoteSigner.generate(ORIGIN)  # same name, another key

    unknown = witness.add_checkpoint(_body(0, 3, signer=other_log, origin="other.example/log"))
    untrusted = witness.add_checkpoint(_body(0, 3, signer=impostor))

    assert unknown.status == 404
    assert untrusted.status == 403


def test_failed_write_leaves_the_old_state(witness, tmp_path, monkeypatch):
    witness.add_checkpoint(_body(0, 10))
    before = (tmp_path / "state.json").read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    response = witness.add_checkpoint(_body(10, 20))
    monkeypatch.undo()

    assert response.status == 500
    assert (tmp_path / "state.json").read_bytes() == before
    assert witness.state.get(ORIGIN).size == 10
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".state")] == []
    assert witness.add_checkpoint(_body(10, 20)).status == 200


def test_state_reloads_and_is_locked_to_one_process(witness, tmp_path):
    witness.add_checkpoint(_body(0, 10))

    with pytest.raises(StateFileLockedError):
        WitnessState(tmp_path / "state.json")
    witness.state.close()
    reopened = WitnessState(tmp_path / "state.json")

    assert reopened.get(ORIGIN) is not None
    assert reopened.get(ORIGIN).size == 10  # type: ignore[union-attr]
    assert reopened.get(ORIGIN).root == merkle.root_hash(LEAVES[:10])  # type: ignore[union-attr]
    reopened.close()


def test_log_keys_are_parsed_from_text():
    key = VerifierKey.parse(LOG.verifier.encode())

    assert key == LOG.verifier
