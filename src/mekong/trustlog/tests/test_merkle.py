"""Tests of `mekong.trustlog.merkle`: published vectors, then properties.

The leaf-list functions (`inclusion_proof`, `consistency_proof`) are the RFC 9162 recursive
definitions; the ``*_from`` functions rebuild the same proofs from stored complete subtrees.
They share no code, so agreement between them is a real cross-check.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mekong.trustlog import merkle
from mekong.trustlog.tests import load_reference_vectors

VECTORS = load_reference_vectors()
STANDARD_LEAVES = [merkle.leaf_hash(bytes.fromhex(x)) for x in VECTORS["leaves_hex"]]
STANDARD_STORE = {
    merkle.node_range(level, index): h
    for level, index, h in merkle.CompactRange().extend(STANDARD_LEAVES)
}
PROPERTY_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
MAX_SIZE = 300


def _hex_list(items: list[str]) -> list[bytes]:
    return [bytes.fromhex(x) for x in items]


@cache
def _big_tree() -> tuple[list[bytes], dict[tuple[int, int], bytes]]:
    """MAX_SIZE leaves and every complete subtree of them, built by the appender.

    A complete subtree inside [0, n) has the same hash in every tree of size >= its end, so
    one store serves all sizes up to MAX_SIZE.
    """
    leaves = [merkle.leaf_hash(b"entry %d" % i) for i in range(MAX_SIZE)]
    store = {
        merkle.node_range(level, index): h
        for level, index, h in merkle.CompactRange().extend(leaves)
    }
    return leaves, store


class RecordingStore:
    """A dict-backed ``subtree_hash`` that records requests and bounds them to a tree size."""

    def __init__(self, store: dict[tuple[int, int], bytes], size: int) -> None:
        self.store = store
        self.size = size
        self.requested: list[tuple[int, int]] = []

    def __call__(self, start: int, end: int) -> bytes:
        assert end <= self.size, f"asked for [{start}, {end}) beyond size {self.size}"
        self.requested.append((start, end))
        return self.store[(start, end)]


def _flip(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


# --------------------------------------------------------------------------------------------
# Published vectors (reference_vectors.json; provenance in tests/data/SOURCE.md)
# --------------------------------------------------------------------------------------------


def test_empty_tree_root_is_sha256_of_empty_string():
    expected = bytes.fromhex(VECTORS["conventions"]["empty_tree_root"])

    assert merkle.EMPTY_ROOT == expected == hashlib.sha256(b"").digest()
    assert merkle.root_hash([]) == expected
    assert merkle.root_from(lambda a, b: b"", 0) == expected
    assert merkle.CompactRange().root() == expected


@pytest.mark.parametrize("name", sorted(VECTORS["rfc6962_example"]["nodes"]))
def test_rfc6962_example_node_hashes(name):
    node = VECTORS["rfc6962_example"]["nodes"][name]
    start, end = node["range"]

    assert merkle.root_hash(STANDARD_LEAVES[start:end]).hex() == node["hash"]


@pytest.mark.parametrize(
    "case",
    VECTORS["published_inclusion_proofs"] + VECTORS["rfc6962_example"]["audit_paths"],
    ids=lambda c: f"{c['leaf_index']}-of-{c['tree_size']}",
)
def test_published_inclusion_proofs(case):
    index, size, expected = case["leaf_index"], case["tree_size"], _hex_list(case["proof"])
    root = merkle.root_hash(STANDARD_LEAVES[:size])

    assert merkle.inclusion_proof(STANDARD_LEAVES, index, size) == expected
    assert (
        merkle.inclusion_proof_from(RecordingStore(STANDARD_STORE, size), index, size) == expected
    )
    assert merkle.verify_inclusion(STANDARD_LEAVES[index], index, size, expected, root)
    if "root" in case:
        assert root.hex() == case["root"]


@pytest.mark.parametrize(
    "case",
    VECTORS["published_consistency_proofs"] + VECTORS["rfc6962_example"]["consistency_proofs"],
    ids=lambda c: f"{c['size1']}-to-{c['size2']}",
)
def test_published_consistency_proofs(case):
    old, new, expected = case["size1"], case["size2"], _hex_list(case["proof"])
    old_root = merkle.root_hash(STANDARD_LEAVES[:old])
    new_root = merkle.root_hash(STANDARD_LEAVES[:new])

    assert merkle.consistency_proof(STANDARD_LEAVES, old, new) == expected
    assert merkle.consistency_proof_from(RecordingStore(STANDARD_STORE, new), old, new) == expected
    assert merkle.verify_consistency(old, new, old_root, new_root, expected)
    if "root1" in case:
        assert (old_root.hex(), new_root.hex()) == (case["root1"], case["root2"])


@pytest.mark.parametrize("probe", VECTORS["probes_inclusion"], ids=lambda p: p["file"])
def test_inclusion_probes(probe):
    verdict = merkle.verify_inclusion(
        bytes.fromhex(probe["leaf_hash"]),
        probe["leaf_index"],
        probe["tree_size"],
        _hex_list(probe["proof"]),
        bytes.fromhex(probe["root"]),
    )

    assert verdict is probe["valid"]


@pytest.mark.parametrize("probe", VECTORS["probes_consistency"], ids=lambda p: p["file"])
def test_consistency_probes(probe):
    verdict = merkle.verify_consistency(
        probe["size1"],
        probe["size2"],
        bytes.fromhex(probe["root1"]),
        bytes.fromhex(probe["root2"]),
        _hex_list(probe["proof"]),
    )

    assert verdict is probe["valid"]


def test_valid_probes_over_the_standard_leaves_are_reproduced():
    reproduced = 0
    for probe in VECTORS["probes_inclusion"]:
        size = probe["tree_size"]
        if probe["valid"] and probe["root"] == merkle.root_hash(STANDARD_LEAVES[:size]).hex():
            proof = merkle.inclusion_proof(STANDARD_LEAVES, probe["leaf_index"], size)
            assert proof == _hex_list(probe["proof"])
            reproduced += 1
    for probe in VECTORS["probes_consistency"]:
        old, new = probe["size1"], probe["size2"]
        roots = (merkle.root_hash(STANDARD_LEAVES[:old]), merkle.root_hash(STANDARD_LEAVES[:new]))
        if probe["valid"] and (probe["root1"], probe["root2"]) == (roots[0].hex(), roots[1].hex()):
            assert merkle.consistency_proof(STANDARD_LEAVES, old, new) == _hex_list(probe["proof"])
            reproduced += 1

    assert reproduced >= 10  # every "happy path" probe is over the standard leaves


@pytest.mark.skip(
    reason="OpenAttestation v2 target hashes use keccak256 and sorted pairs, not RFC 9162; "
    "they belong to the customs OpenAttestation verifier, not to this module"
)
def test_openattestation_fixtures_are_out_of_scope():
    """Listed so the suite shows the one vector family of the file it does not cover."""


# --------------------------------------------------------------------------------------------
# Exhaustive small trees and hypothesis properties
# --------------------------------------------------------------------------------------------


def test_every_proof_of_every_tree_up_to_64_leaves():
    leaves, store = _big_tree()
    for size in range(1, 65):
        root = merkle.root_hash(leaves[:size])
        get = RecordingStore(store, size)
        assert merkle.root_from(get, size) == root
        for index in range(size):
            proof = merkle.inclusion_proof(leaves, index, size)
            assert merkle.inclusion_proof_from(get, index, size) == proof
            assert merkle.verify_inclusion(leaves[index], index, size, proof, root)
            if proof:
                assert not merkle.verify_inclusion(leaves[index], index, size, proof[:-1], root)
        for old in range(1, size + 1):
            old_root = merkle.root_hash(leaves[:old])
            proof = merkle.consistency_proof(leaves, old, size)
            assert merkle.consistency_proof_from(get, old, size) == proof
            assert merkle.verify_consistency(old, size, old_root, root, proof)


@PROPERTY_SETTINGS
@given(size=st.integers(1, MAX_SIZE))
def test_inclusion_proofs_agree_and_verify_for_every_index(size):
    leaves, store = _big_tree()
    root = merkle.root_hash(leaves[:size])

    for index in range(size):
        get = RecordingStore(store, size)
        proof = merkle.inclusion_proof(leaves, index, size)
        assert merkle.inclusion_proof_from(get, index, size) == proof
        assert merkle.verify_inclusion(leaves[index], index, size, proof, root)
        # Storage contract: exactly the announced ranges, each once, O(log n) of them.
        ranges = merkle.inclusion_proof_ranges(index, size)
        assert sorted(get.requested) == sorted(ranges)
        assert len(ranges) <= 2 * size.bit_length() + 2


@PROPERTY_SETTINGS
@given(size=st.integers(1, MAX_SIZE), data=st.data())
def test_proofs_of_a_run_of_leaves_equal_their_single_proofs(size, data):
    leaves, store = _big_tree()
    start = data.draw(st.integers(0, size - 1))
    stop = data.draw(st.integers(start, size))
    get = RecordingStore(store, size)

    proofs = merkle.inclusion_proofs_from(get, range(start, stop), size)

    assert proofs == [merkle.inclusion_proof(leaves, i, size) for i in range(start, stop)]
    # Storage contract: only the announced ranges, which are those of the single proofs.
    ranges = merkle.inclusion_proofs_ranges(range(start, stop), size)
    assert len(ranges) == len(set(ranges))
    assert set(get.requested) == set(ranges)
    assert set(ranges) == {
        r for i in range(start, stop) for r in merkle.inclusion_proof_ranges(i, size)
    }


@PROPERTY_SETTINGS
@given(size=st.integers(1, MAX_SIZE))
def test_consistency_proofs_agree_and_verify_for_every_old_size(size):
    leaves, store = _big_tree()
    root = merkle.root_hash(leaves[:size])

    for old in range(1, size + 1):
        get = RecordingStore(store, size)
        proof = merkle.consistency_proof(leaves, old, size)
        assert merkle.consistency_proof_from(get, old, size) == proof
        assert merkle.verify_consistency(old, size, merkle.root_hash(leaves[:old]), root, proof)
        ranges = merkle.consistency_proof_ranges(old, size)
        assert sorted(get.requested) == sorted(ranges)
        assert len(ranges) <= 2 * size.bit_length() + 2


@PROPERTY_SETTINGS
@given(size=st.integers(1, MAX_SIZE), data=st.data())
def test_flipping_any_bit_breaks_inclusion(size, data):
    leaves, _ = _big_tree()
    index = data.draw(st.integers(0, size - 1), label="index")
    root = merkle.root_hash(leaves[:size])
    proof = merkle.inclusion_proof(leaves, index, size)
    targets = ["leaf", "root"] + [f"proof{i}" for i in range(len(proof))]
    target = data.draw(st.sampled_from(targets), label="target")
    bit = data.draw(st.integers(0, 255), label="bit")

    leaf = _flip(leaves[index], bit) if target == "leaf" else leaves[index]
    bad_root = _flip(root, bit) if target == "root" else root
    bad_proof = [_flip(p, bit) if target == f"proof{i}" else p for i, p in enumerate(proof)]

    assert merkle.verify_inclusion(leaves[index], index, size, proof, root)
    assert not merkle.verify_inclusion(leaf, index, size, bad_proof, bad_root)


@PROPERTY_SETTINGS
@given(size=st.integers(2, MAX_SIZE), data=st.data())
def test_flipping_any_bit_breaks_consistency(size, data):
    leaves, _ = _big_tree()
    old = data.draw(st.integers(1, size - 1), label="old")
    old_root, new_root = merkle.root_hash(leaves[:old]), merkle.root_hash(leaves[:size])
    proof = merkle.consistency_proof(leaves, old, size)
    targets = ["old_root", "new_root"] + [f"proof{i}" for i in range(len(proof))]
    target = data.draw(st.sampled_from(targets), label="target")
    bit = data.draw(st.integers(0, 255), label="bit")

    bad_old = _flip(old_root, bit) if target == "old_root" else old_root
    bad_new = _flip(new_root, bit) if target == "new_root" else new_root
    bad_proof = [_flip(p, bit) if target == f"proof{i}" else p for i, p in enumerate(proof)]

    assert merkle.verify_consistency(old, size, old_root, new_root, proof)
    assert not merkle.verify_consistency(old, size, bad_old, bad_new, bad_proof)


def test_every_single_bit_flip_fails_for_one_tree():
    leaves, _ = _big_tree()
    size, index, old = 13, 6, 5
    root, old_root = merkle.root_hash(leaves[:size]), merkle.root_hash(leaves[:old])
    proof = merkle.inclusion_proof(leaves, index, size)
    cproof = merkle.consistency_proof(leaves, old, size)

    for bit in range(256):
        assert not merkle.verify_inclusion(_flip(leaves[index], bit), index, size, proof, root)
        assert not merkle.verify_inclusion(leaves[index], index, size, proof, _flip(root, bit))
        assert not merkle.verify_consistency(old, size, _flip(old_root, bit), root, cproof)
        assert not merkle.verify_consistency(old, size, old_root, _flip(root, bit), cproof)
        for i in range(len(proof)):
            flipped = [*proof[:i], _flip(proof[i], bit), *proof[i + 1 :]]
            assert not merkle.verify_inclusion(leaves[index], index, size, flipped, root)
        for i in range(len(cproof)):
            flipped = [*cproof[:i], _flip(cproof[i], bit), *cproof[i + 1 :]]
            assert not merkle.verify_consistency(old, size, old_root, root, flipped)


def test_wrong_positions_and_lengths_fail():
    leaves, _ = _big_tree()
    size, index = 21, 9
    root = merkle.root_hash(leaves[:size])
    proof = merkle.inclusion_proof(leaves, index, size)

    assert not merkle.verify_inclusion(leaves[index], index + 1, size, proof, root)
    # A size with another path shape fails. (A size with the same shape, e.g. 22 here,
    # recomputes the same root: the root, signed with its size in a checkpoint, binds the tree.)
    assert not merkle.verify_inclusion(leaves[index], index, size * 2, proof, root)
    assert not merkle.verify_inclusion(leaves[index], index, 16, proof, root)
    assert not merkle.verify_inclusion(leaves[index], index, size, [*proof, proof[0]], root)
    assert not merkle.verify_inclusion(leaves[index], index, size, proof[1:], root)
    assert not merkle.verify_inclusion(leaves[index], size, size, proof, root)
    assert not merkle.verify_inclusion(leaves[index], -1, size, proof, root)


_GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.binary(max_size=40),
    st.binary(min_size=32, max_size=32),
    st.lists(st.binary(max_size=40), max_size=70),
    st.lists(st.binary(min_size=32, max_size=32), max_size=70),
    st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=5)), max_size=5),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(a=_GARBAGE, b=_GARBAGE, c=_GARBAGE, d=_GARBAGE, e=_GARBAGE)
def test_random_garbage_never_raises(a, b, c, d, e):
    assert merkle.verify_inclusion(a, b, c, d, e) in (True, False)
    assert merkle.verify_consistency(a, b, c, d, e) in (True, False)
    assert merkle.verify_witness_consistency(a, b, c, d, e) in (True, False)


@settings(max_examples=200, deadline=None)
@given(
    index=st.integers(0, 2**64),
    size=st.integers(0, 2**64),
    proof=st.lists(st.binary(min_size=32, max_size=32), max_size=70),
    leaf=st.binary(min_size=32, max_size=32),
    root=st.binary(min_size=32, max_size=32),
)
def test_well_typed_random_proofs_are_rejected_without_raising(index, size, proof, leaf, root):
    # A random root is never reached by chance, except in the trivial one-leaf tree (and
    # hypothesis does try leaf == root); what matters is that nothing raises.
    assert merkle.verify_inclusion(leaf, index, size, proof, root) is (
        index == 0 and size == 1 and not proof and leaf == root
    )
    assert merkle.verify_consistency(index, size, leaf, root, proof) is (
        0 < index == size <= merkle.MAX_TREE_SIZE and not proof and leaf == root
    )


def test_malformed_inputs_are_false():
    leaves, _ = _big_tree()
    size, index = 5, 2
    root = merkle.root_hash(leaves[:size])
    proof = merkle.inclusion_proof(leaves, index, size)
    leaf = leaves[index]
    ok: Any = merkle.verify_inclusion  # called with wrong types on purpose

    assert ok(leaf, index, size, proof, root)
    assert ok(bytearray(leaf), index, size, tuple(proof), bytearray(root))
    assert not ok(leaf, index, size, b"".join(proof), root)  # bytes is not a list of hashes
    assert not ok(leaf, index, size, [*proof[:-1], proof[-1][:31]], root)
    assert not ok(leaf, index, size, [*proof[:-1], proof[-1] + b"\0"], root)
    assert not ok(leaf, index, size, [*proof[:-1], proof[-1].hex()], root)
    assert not ok(leaf, index, size, None, root)
    assert not ok(leaf.hex(), index, size, proof, root)
    assert not ok(leaf, True, size, proof, root)
    assert not ok(leaf, index, float(size), proof, root)
    assert not ok(leaf, index, 2**64, proof, root)
    assert not merkle.verify_consistency(-1, size, root, root, [])
    assert not merkle.verify_consistency(size, size, root, root.hex(), [])  # type: ignore[arg-type]


def test_consistency_from_size_zero_rule():
    leaves, store = _big_tree()
    root = merkle.root_hash(leaves[:10])
    empty = merkle.EMPTY_ROOT

    # Producers: the empty tree needs no proof.
    assert merkle.consistency_proof(leaves, 0, 10) == []
    assert merkle.consistency_proof_from(lambda a, b: store[(a, b)], 0, 10) == []
    assert merkle.consistency_proof_ranges(0, 10) == []
    # RFC verifier: old size 0 proves nothing about new_root, so it is always False.
    assert not merkle.verify_consistency(0, 10, empty, root, [])
    assert not merkle.verify_consistency(0, 0, empty, empty, [])
    # tlog-witness add-checkpoint rules.
    assert merkle.verify_witness_consistency(0, 10, empty, root, [])
    assert merkle.verify_witness_consistency(0, 0, empty, empty, [])
    assert not merkle.verify_witness_consistency(0, 10, empty, root, [root])  # non-empty proof
    assert not merkle.verify_witness_consistency(0, 0, empty, root, [])  # size 0, wrong root
    assert not merkle.verify_witness_consistency(10, 10, root, empty, [])  # fork at same size
    assert not merkle.verify_witness_consistency(11, 10, root, root, [])
    old_root = merkle.root_hash(leaves[:4])
    proof = merkle.consistency_proof(leaves, 4, 10)
    assert merkle.verify_witness_consistency(4, 10, old_root, root, proof)
    assert not merkle.verify_witness_consistency(4, 10, root, root, proof)


def test_producers_reject_out_of_range_arguments():
    leaves, store = _big_tree()
    get = store.__getitem__

    with pytest.raises(ValueError, match="index"):
        merkle.inclusion_proof(leaves[:4], 4, 4)
    with pytest.raises(ValueError, match="size"):
        merkle.inclusion_proof(leaves[:4], 0, 5)
    with pytest.raises(ValueError, match="old_size"):
        merkle.consistency_proof(leaves[:4], 3, 2)
    with pytest.raises(ValueError, match="32 bytes"):
        merkle.root_hash([b"short"])
    with pytest.raises(ValueError, match="index"):
        merkle.inclusion_proof_from(lambda a, b: get((a, b)), 7, 7)
    with pytest.raises(ValueError, match="32-byte"):
        merkle.root_from(lambda a, b: b"x", 3)
    with pytest.raises(TypeError, match="bytes"):
        merkle.leaf_hash(5)  # type: ignore[arg-type]
    assert merkle.leaf_hash(bytearray(b"a")) == merkle.leaf_hash(b"a")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Complete-subtree helpers and the compact range
# --------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(start=st.integers(0, 2**64), width=st.integers(0, 2**64))
def test_subtrees_for_range_is_an_aligned_cover(start, width):
    end = start + width
    ranges = merkle.subtrees_for_range(start, end)

    position = start
    for a, b in ranges:
        assert a == position
        level, index = merkle.range_node(a, b)  # raises unless complete and aligned
        assert merkle.node_range(level, index) == (a, b)
        position = b
    assert position == end
    assert len(ranges) <= 2 * max(width.bit_length(), 1)


def test_root_ranges_are_decreasing_and_describe_the_size():
    for size in [0, 1, 2, 3, 7, 8, 1000, 2**40 + 5]:
        ranges = merkle.root_ranges(size)
        widths = [b - a for a, b in ranges]
        assert widths == sorted(widths, reverse=True)
        assert sum(widths) == size
        assert len(ranges) == bin(size).count("1")


@settings(max_examples=100, deadline=None)
@given(size=st.integers(1, 2**63), data=st.data())
def test_ranges_are_logarithmic_and_complete_at_any_size(size, data):
    index = data.draw(st.integers(0, size - 1))
    old = data.draw(st.integers(0, size))
    bound = 2 * size.bit_length() + 2

    for ranges in (
        merkle.inclusion_proof_ranges(index, size),
        merkle.consistency_proof_ranges(old, size),
        merkle.root_ranges(size),
    ):
        assert len(ranges) <= bound
        assert len(set(ranges)) == len(ranges)
        for a, b in ranges:
            merkle.range_node(a, b)
            assert b <= size


def test_node_range_and_range_node():
    assert merkle.node_range(0, 5) == (5, 6)
    assert merkle.node_range(3, 2) == (16, 24)
    assert merkle.range_node(16, 24) == (3, 2)
    for bad in [(3, 5), (4, 12), (5, 5), (-1, 0)]:
        with pytest.raises(ValueError, match="complete aligned subtree"):
            merkle.range_node(*bad)


def test_compact_range_root_matches_root_hash_for_every_prefix():
    leaves, store = _big_tree()
    compact = merkle.CompactRange()
    emitted: dict[tuple[int, int], bytes] = {}

    for size, leaf in enumerate(leaves, start=1):
        for level, index, h in compact.append(leaf):
            rng = merkle.node_range(level, index)
            assert rng not in emitted  # each complete subtree is reported exactly once
            assert h == merkle.root_hash(leaves[rng[0] : rng[1]])
            emitted[rng] = h
        assert compact.size == size
        assert compact.root() == merkle.root_hash(leaves[:size])
        assert [merkle.node_range(lv, i) for lv, i, _ in compact.frontier] == merkle.root_ranges(
            size
        )
    # Every complete subtree of the final tree was reported.
    assert emitted == store


@PROPERTY_SETTINGS
@given(
    data=st.lists(st.binary(max_size=8), min_size=1, max_size=80),
    split=st.integers(0, 80),
)
def test_compact_range_resumes_from_its_stored_frontier(data, split):
    leaves = [merkle.leaf_hash(d) for d in data]
    split = min(split, len(leaves))
    first = merkle.CompactRange()
    stored = {merkle.node_range(lv, i): h for lv, i, h in first.extend(leaves[:split])}

    resumed = merkle.MerkleAppender(split, [stored[r] for r in merkle.root_ranges(split)])
    resumed.extend(leaves[split:])

    assert resumed.size == len(leaves)
    assert resumed.root() == merkle.root_hash(leaves)


def test_compact_range_extend_is_all_or_nothing():
    leaves, _ = _big_tree()
    compact = merkle.CompactRange()
    compact.extend(leaves[:3])

    with pytest.raises(ValueError, match="32 bytes"):
        compact.extend([leaves[3], b"short", leaves[4]])
    assert compact.size == 3
    assert compact.root() == merkle.root_hash(leaves[:3])
    with pytest.raises(ValueError, match="frontier"):
        merkle.CompactRange(3, [leaves[0]])


@PROPERTY_SETTINGS
@given(
    data=st.lists(st.binary(max_size=8), min_size=1, max_size=80),
    split=st.integers(0, 80),
    min_level=st.integers(0, 5),
)
def test_compact_range_min_level_reports_exactly_the_higher_nodes(data, split, min_level):
    leaves = [merkle.leaf_hash(d) for d in data]
    split = min(split, len(leaves))
    every, some = merkle.CompactRange(), merkle.CompactRange()
    every.extend(leaves[:split])
    some.extend(leaves[:split])

    all_nodes = every.extend(leaves[split:])
    high_nodes = some.extend(leaves[split:], min_level=min_level)

    assert high_nodes == [n for n in all_nodes if n[0] >= min_level]
    assert some.root() == every.root() == merkle.root_hash(leaves)


def test_compact_range_extend_accepts_bytearray_and_refuses_other_types():
    leaves, _ = _big_tree()
    compact = merkle.CompactRange()

    compact.extend([bytearray(leaves[0]), leaves[1]])

    assert compact.root() == merkle.root_hash(leaves[:2])
    for bad in ([leaves[2], "x" * 32], [memoryview(leaves[2])], [leaves[2], leaves[3] + b"!"]):
        with pytest.raises(ValueError, match="32 bytes"):
            compact.extend(bad)
    assert compact.size == 2
