"""The pure leaf format and receipt verification (no database): what a third party runs."""

from __future__ import annotations

import base64
import contextlib
import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mekong.trustlog import merkle
from mekong.trustlog.leaf import (
    MAX_PAYLOAD,
    LeafFormatError,
    decode_leaf,
    encode_leaf,
    entry_leaf_hash,
)
from mekong.trustlog.note import (
    Checkpoint,
    CosignatureSigner,
    NoteSigner,
    add_signatures,
    sign_note,
)
from mekong.trustlog.receipt import (
    Receipt,
    ReceiptEntry,
    ReceiptFormatError,
    default_quorum,
    verify_receipt,
)

kinds = st.from_regex(r"[a-z][a-z0-9_.-]{0,63}", fullmatch=True)
LOG = NoteSigner.generate("pure.example/log")
WITNESSES = [CosignatureSigner.generate(f"w{i}.pure.example") for i in range(3)]


def _receipt(size: int = 13, index: int = 6, cosigners=WITNESSES) -> Receipt:
    """A receipt built with the pure modules only, as a log would."""
    entries = [(i, 1_700_000_000_000_000 + i, "demo.kind", b"payload %d" % i) for i in range(size)]
    leaves = [entry_leaf_hash(*e) for e in entries]
    body = Checkpoint("pure.example/log", size, merkle.root_hash(leaves)).text()
    note = sign_note(body, LOG)
    note = add_signatures(note, [w.cosign(body, 1_700_000_100) for w in cosigners])
    i, ts, kind, payload = entries[index]
    return Receipt(
        entry=ReceiptEntry(i, kind, ts, payload, leaves[index]),
        checkpoint=note,
        inclusion_proof=tuple(merkle.inclusion_proof(leaves, index, size)),
    )


def _failed(result) -> set[tuple[str, str]]:
    return {(c.code, c.subject) for c in result.failed}


@given(
    index=st.integers(0, 2**62 - 1),
    ts=st.integers(0, 2**64 - 1),
    kind=kinds,
    payload=st.binary(max_size=300),
)
@settings(max_examples=200)
def test_leaf_round_trips(index, ts, kind, payload):
    leaf = encode_leaf(index, ts, kind, payload)

    decoded = decode_leaf(leaf)

    assert (decoded.index, decoded.timestamp_us, decoded.kind, decoded.payload) == (
        index,
        ts,
        kind,
        payload,
    )
    assert encode_leaf(decoded.index, decoded.timestamp_us, decoded.kind, decoded.payload) == leaf


@given(data=st.binary(max_size=80))
@settings(max_examples=300)
def test_decode_never_crashes_and_is_strict(data):
    try:
        decoded = decode_leaf(data)
    except LeafFormatError:
        return
    assert encode_leaf(decoded.index, decoded.timestamp_us, decoded.kind, decoded.payload) == data


def test_leaf_layout_is_the_documented_one():
    leaf = encode_leaf(5, 7, "ab", b"xyz")

    assert leaf == (
        b"\x01" + (5).to_bytes(8, "big") + (7).to_bytes(8, "big") + b"\x02ab"
        + (3).to_bytes(4, "big") + b"xyz"
    )  # fmt: skip
    assert entry_leaf_hash(5, 7, "ab", b"xyz") == merkle.leaf_hash(leaf)


@pytest.mark.parametrize(
    ("index", "kind", "payload"),
    [
        (-1, "a", b""),
        (2**62, "a", b""),
        (0, "", b""),
        (0, "Upper", b""),
        (0, "a" * 65, b""),
        (0, "ไทย", b""),
        (0, "a", b"x" * (MAX_PAYLOAD + 1)),
    ],
)
def test_encode_refuses_out_of_range_fields(index, kind, payload):
    with pytest.raises(LeafFormatError):
        encode_leaf(index, 0, kind, payload)


def test_decode_refuses_trailing_bytes_and_other_versions():
    leaf = encode_leaf(1, 2, "k", b"p")

    with pytest.raises(LeafFormatError):
        decode_leaf(leaf + b"\x00")
    with pytest.raises(LeafFormatError):
        decode_leaf(b"\x02" + leaf[1:])
    with pytest.raises(LeafFormatError):
        decode_leaf(leaf[:-1])


def test_valid_receipt_passes_every_check():
    result = verify_receipt(_receipt(), LOG.verifier, [w.verifier for w in WITNESSES], 3)

    assert result.valid
    assert [c.code for c in result.checks] == [
        "entry_hash", "log_signature", "inclusion",
        "cosignature", "cosignature", "cosignature", "quorum",
    ]  # fmt: skip
    assert (result.origin, result.tree_size) == ("pure.example/log", 13)


def test_keys_may_be_given_as_text():
    result = verify_receipt(
        _receipt(), LOG.verifier.encode(), [w.verifier.encode() for w in WITNESSES]
    )

    assert result.valid


@given(bit=st.integers(0, 8 * len(b"payload 6") - 1))
@settings(max_examples=30)
def test_any_flipped_data_bit_fails_entry_hash_and_inclusion_with_fixed_hash(bit):
    receipt = _receipt()
    data = bytearray(receipt.entry.data)
    data[bit // 8] ^= 1 << (bit % 8)
    tampered = replace(receipt, entry=replace(receipt.entry, data=bytes(data)))
    # The forger also "fixes" the leaf hash: then the proof no longer reaches the root.
    rehashed = replace(
        tampered,
        entry=replace(
            tampered.entry,
            leaf_hash=entry_leaf_hash(
                tampered.entry.index, tampered.entry.timestamp_us, "demo.kind", bytes(data)
            ),
        ),
    )

    r1 = verify_receipt(tampered, LOG.verifier, [w.verifier for w in WITNESSES])
    r2 = verify_receipt(rehashed, LOG.verifier, [w.verifier for w in WITNESSES])

    assert _failed(r1) == {("entry_hash", ""), ("inclusion", "")}
    assert _failed(r2) == {("inclusion", "")}


@given(which=st.integers(0, 3), bit=st.integers(0, 255))
@settings(max_examples=40)
def test_any_flipped_proof_bit_fails_inclusion(which, bit):
    receipt = _receipt(size=13, index=6)  # proof of 4 hashes
    proof = [bytearray(h) for h in receipt.inclusion_proof]
    proof[which][bit // 8] ^= 1 << (bit % 8)
    tampered = replace(receipt, inclusion_proof=tuple(bytes(h) for h in proof))

    result = verify_receipt(tampered, LOG.verifier, [w.verifier for w in WITNESSES])

    assert _failed(result) == {("inclusion", "")}


def test_other_index_fails():
    receipt = _receipt()
    moved = replace(receipt, entry=replace(receipt.entry, index=7))

    result = verify_receipt(moved, LOG.verifier, [])

    assert ("entry_hash", "") in _failed(result)
    assert ("inclusion", "") in _failed(result)


def test_wrong_log_key_and_altered_checkpoint():
    other = NoteSigner.generate("pure.example/log")
    receipt = _receipt()
    # A checkpoint line changed after signing: every signature over the text breaks.
    forged = replace(receipt, checkpoint=receipt.checkpoint.replace("\n13\n", "\n14\n", 1))

    wrong_key = verify_receipt(receipt, other.verifier, [w.verifier for w in WITNESSES])
    altered = verify_receipt(forged, LOG.verifier, [w.verifier for w in WITNESSES])

    assert _failed(wrong_key) == {("log_signature", "")}
    assert wrong_key.failed[0].reason == "missing"
    assert ("log_signature", "") in _failed(altered)
    assert {c.reason for c in altered.failed if c.code == "cosignature"} == {"bad_signature"}
    assert ("quorum", "") in _failed(altered)


def test_missing_witness_counts_against_the_quorum():
    receipt = _receipt(cosigners=WITNESSES[:2])
    keys = [w.verifier for w in WITNESSES]

    two_of_three = verify_receipt(receipt, LOG.verifier, keys, 2)
    all_three = verify_receipt(receipt, LOG.verifier, keys, 3)

    assert two_of_three.valid is False  # the missing witness's own check fails...
    assert _failed(two_of_three) == {("cosignature", "w2.pure.example")}
    assert _failed(all_three) == {("cosignature", "w2.pure.example"), ("quorum", "")}
    # ...and a reader who trusts only the two that signed gets a valid receipt.
    assert verify_receipt(receipt, LOG.verifier, keys[:2], 2).valid


def test_default_quorum_is_a_majority():
    assert [default_quorum(n) for n in range(6)] == [0, 1, 2, 2, 3, 3]


def test_json_round_trip_and_format():
    receipt = _receipt()

    text = receipt.to_json()
    data = json.loads(text)

    assert Receipt.from_json(text) == receipt
    assert data["format"] == "mekong.trustlog.receipt/v1"
    assert base64.b64decode(data["entry"]["data"]) == b"payload 6"
    assert set(data) == {"format", "entry", "checkpoint", "inclusion_proof"}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[]",
        "{}",
        '{"format": "other"}',
        '{"format": "mekong.trustlog.receipt/v1", "entry": []}',
        '{"format": "mekong.trustlog.receipt/v1", "entry": {"index": -1}}',
        '{"format": "mekong.trustlog.receipt/v1", "entry": {"index": true, "kind": "a"}}',
        b"\xff\xfe",
    ],
)
def test_unreadable_receipts_raise_format_error(text):
    with pytest.raises(ReceiptFormatError):
        Receipt.from_json(text)


def test_bad_base64_is_a_format_error():
    data = _receipt().to_dict()
    data["entry"]["data"] = "not base64!"

    with pytest.raises(ReceiptFormatError):
        Receipt.from_dict(data)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
        max_leaves=10,
    )
)
@settings(max_examples=100)
def test_from_dict_never_crashes(data):
    with contextlib.suppress(ReceiptFormatError):
        Receipt.from_dict(data)
