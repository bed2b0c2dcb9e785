"""RFC 9162 Merkle tree hashing, proofs and proof verification (SHA-256).

Standalone: this module imports only the Python standard library, so third parties can copy
(vendor) this single file to check Mekong receipts offline.

Tree shape and hashing follow RFC 9162 §2.1 (identical to RFC 6962 §2.1):

- the hash of the empty tree is ``SHA-256(b"")``;
- a leaf hash is ``SHA-256(0x00 || data)``;
- an interior node is ``SHA-256(0x01 || left || right)``, where a tree of ``n > 1`` leaves is
  split at ``k``, the largest power of two strictly smaller than ``n``.

Leaf indices are 0-based. Tree sizes are limited to ``0 <= size < 2**64`` (the ``uint64`` of
RFC 9162 and of C2SP checkpoints).

Verification. `verify_inclusion` and `verify_consistency` implement the algorithms of
RFC 9162 §2.1.3.2 and §2.1.4.2. They return ``False`` and never raise on malformed input:
wrong types, negative or too large sizes, ``index >= size``, hashes that are not 32 bytes,
proofs that are too long or too short. The published vectors of transparency-dev/merkle
(``reference_vectors.json``) fix the edge cases below; all of them pass.

Consistency from size 0 (the rule of this module):

- ``consistency_proof(leaves, 0, n)`` returns ``[]``: the empty tree is a prefix of every
  tree, so there is nothing to prove (RFC 9162 §2.1.4 defines proofs between non-empty trees).
- ``verify_consistency(0, n, ...)`` returns ``False`` for every ``n``, including ``n == 0``
  and an empty proof. With ``old_size == 0`` the verifier checks nothing about ``new_root``,
  so a ``True`` would vouch for an arbitrary tree; transparency-dev/merkle's verifier rejects
  these inputs as "meaningless", and the reference vectors expect ``False``
  ("size1 is zero and size2 is not zero", "sizes are equal (zero) and proof is empty").
- The C2SP ``tlog-witness`` protocol instead accepts old size 0 with an empty proof. Code
  implementing that protocol calls `verify_witness_consistency`, which encodes the protocol's
  rules explicitly instead of bending `verify_consistency`.

One documented leniency, also fixed by the vectors ("sizes are equal (one) and proof is
empty"): when ``0 < old_size == new_size`` and the proof is empty, `verify_consistency`
answers whether the two roots are the same byte string, without checking their length. Two
identical values are trivially consistent, and checkpoint parsing already guarantees 32-byte
roots before they reach this function.

Storage helpers. A log that stores only the hashes of *complete*, power-of-two-aligned
subtrees (``[i * 2**level, (i + 1) * 2**level)``, "perfect" nodes that never change) can answer
every root, inclusion proof and consistency proof from ``O(log n)`` of them:

- `subtrees_for_range` decomposes a range into such subtrees;
- `root_ranges`, `inclusion_proof_ranges` and `consistency_proof_ranges` list exactly the
  subtrees a request needs, so a database can fetch them in one query;
- `root_from`, `inclusion_proof_from` and `consistency_proof_from` build the result from a
  ``subtree_hash(start, end)`` callable over those subtrees;
- `CompactRange` (alias `MerkleAppender`) appends leaf hashes in memory, reports each newly
  completed subtree as ``(level, index, hash)`` for storage, and gives the root in
  ``O(log n)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from itertools import count as _count
from itertools import repeat

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MAX_TREE_SIZE",
    "CompactRange",
    "MerkleAppender",
    "SubtreeHash",
    "consistency_proof",
    "consistency_proof_from",
    "consistency_proof_ranges",
    "inclusion_proof",
    "inclusion_proof_from",
    "inclusion_proof_ranges",
    "inclusion_proofs_from",
    "inclusion_proofs_ranges",
    "leaf_hash",
    "node_hash",
    "node_range",
    "range_node",
    "root_from",
    "root_hash",
    "root_ranges",
    "subtrees_for_range",
    "verify_consistency",
    "verify_inclusion",
    "verify_witness_consistency",
]

HASH_SIZE = 32
"""Length in bytes of every hash in the tree (SHA-256)."""

MAX_TREE_SIZE = 2**64 - 1
"""Largest tree size accepted (tree sizes are uint64 in RFC 9162 and C2SP checkpoints)."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""Root hash of the empty tree, ``SHA-256(b"")`` (RFC 9162 §2.1.1)."""

SubtreeHash = Callable[[int, int], bytes]
"""``subtree_hash(start, end)``: the hash of the complete, aligned subtree ``[start, end)``."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_sha256 = hashlib.sha256
_digest = type(_sha256()).digest


def _completion_order(node: tuple[int, int, bytes]) -> tuple[int, int]:
    # A node (level, index) is completed by leaf ((index + 1) << level) - 1.
    level, index, _ = node
    return ((index + 1) << level, level)


# --------------------------------------------------------------------------------------------
# Hashing
# --------------------------------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 9162 leaf hash ``SHA-256(0x00 || data)``.

    Args:
        data: The leaf's canonical bytes.

    Returns:
        The 32-byte leaf hash.

    Raises:
        TypeError: If ``data`` is not bytes-like (``bytes(5)`` would silently hash 5 zeros).
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("leaf data must be bytes")
    return _sha256(_LEAF_PREFIX + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 9162 interior node hash ``SHA-256(0x01 || left || right)``.

    Args:
        left: Hash of the left child.
        right: Hash of the right child.

    Returns:
        The 32-byte node hash.
    """
    return _sha256(_NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """Return the largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes | bytearray) and len(value) == HASH_SIZE


def _is_size(value: object) -> bool:
    # bool is an int subclass; True as a tree size is a caller bug, not a size.
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_TREE_SIZE


def _is_proof(value: object) -> bool:
    # bytes/str are Sequences too; a proof is a sequence of hashes, never one byte string.
    if not isinstance(value, Sequence) or isinstance(value, str | bytes | bytearray | memoryview):
        return False
    return all(_is_hash(p) for p in value)


def _check_leaf_hashes(leaf_hashes: Sequence[bytes], upto: int) -> None:
    for h in leaf_hashes[:upto]:
        if not _is_hash(h):
            raise ValueError("every leaf hash must be 32 bytes")


# --------------------------------------------------------------------------------------------
# Reference computations over an in-memory list of leaf hashes (RFC 9162 §2.1 definitions)
# --------------------------------------------------------------------------------------------


def _mth(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) computed bottom-up with a stack, O(hi - lo) hashes, no recursion.

    Each pushed entry is a complete subtree; after the ``i``-th leaf the stack holds the
    subtrees of the binary decomposition of ``i``, largest first. Folding them from the right
    gives the RFC tree, because the RFC split point ``k`` always separates the largest complete
    subtree from the rest.
    """
    if lo == hi:
        return EMPTY_ROOT
    stack: list[bytes] = []
    for count, i in enumerate(range(lo, hi), start=1):
        h = leaves[i]
        c = count
        while not c & 1:
            h = _sha256(_NODE_PREFIX + stack.pop() + h).digest()
            c >>= 1
        stack.append(h)
    root = stack.pop()
    while stack:
        root = _sha256(_NODE_PREFIX + stack.pop() + root).digest()
    return root


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """Return the Merkle tree hash MTH of a list of leaf hashes (RFC 9162 §2.1.1).

    Args:
        leaf_hashes: Leaf hashes (each 32 bytes, see `leaf_hash`), in log order.

    Returns:
        The 32-byte root; `EMPTY_ROOT` for an empty list.

    Raises:
        ValueError: If a leaf hash is not 32 bytes.
    """
    _check_leaf_hashes(leaf_hashes, len(leaf_hashes))
    return _mth(leaf_hashes, 0, len(leaf_hashes))


def _path(leaves: Sequence[bytes], m: int, lo: int, hi: int) -> list[bytes]:
    """PATH(m, D[lo:hi]) of RFC 9162 §2.1.3.1, leaf-first order."""
    n = hi - lo
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(leaves, m, lo, lo + k), _mth(leaves, lo + k, hi)]
    return [*_path(leaves, m - k, lo + k, hi), _mth(leaves, lo, lo + k)]


def _subproof(leaves: Sequence[bytes], m: int, lo: int, hi: int, whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[lo:hi], b) of RFC 9162 §2.1.4.1."""
    n = hi - lo
    if m == n:
        return [] if whole else [_mth(leaves, lo, hi)]
    k = _split(n)
    if m <= k:
        return [*_subproof(leaves, m, lo, lo + k, whole), _mth(leaves, lo + k, hi)]
    return [*_subproof(leaves, m - k, lo + k, hi, False), _mth(leaves, lo, lo + k)]


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """Return the inclusion proof (audit path) of leaf ``index`` in the tree of ``size`` leaves.

    This is the direct RFC 9162 §2.1.3.1 definition over an in-memory list, ``O(size)``
    hashes; the storage layer uses `inclusion_proof_from` instead.

    Args:
        leaf_hashes: At least ``size`` leaf hashes, in log order.
        index: 0-based leaf index, ``0 <= index < size``.
        size: Tree size, ``size <= len(leaf_hashes)``.

    Returns:
        The proof, sibling of the leaf first and child of the root last.

    Raises:
        ValueError: If the index or size is out of range or a leaf hash is not 32 bytes.
    """
    if not (_is_size(size) and _is_size(index) and index < size <= len(leaf_hashes)):
        raise ValueError(f"need 0 <= index < size <= {len(leaf_hashes)}")
    _check_leaf_hashes(leaf_hashes, size)
    return _path(leaf_hashes, index, 0, size)


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """Return the consistency proof from tree size ``old_size`` to ``new_size``.

    The direct RFC 9162 §2.1.4.1 definition, ``PROOF(m, D[n]) = SUBPROOF(m, D[n], true)``.
    The proof is empty when ``old_size == new_size`` and, by this module's rule (see the
    module docstring), when ``old_size == 0``.

    Args:
        leaf_hashes: At least ``new_size`` leaf hashes, in log order.
        old_size: The earlier tree size.
        new_size: The later tree size, ``old_size <= new_size <= len(leaf_hashes)``.

    Returns:
        The proof hashes, in RFC order.

    Raises:
        ValueError: If the sizes are out of range or a leaf hash is not 32 bytes.
    """
    if not (_is_size(old_size) and _is_size(new_size) and old_size <= new_size <= len(leaf_hashes)):
        raise ValueError(f"need 0 <= old_size <= new_size <= {len(leaf_hashes)}")
    _check_leaf_hashes(leaf_hashes, new_size)
    if old_size == 0:
        return []
    return _subproof(leaf_hashes, old_size, 0, new_size, True)


# --------------------------------------------------------------------------------------------
# Verification (RFC 9162 §2.1.3.2 and §2.1.4.2); never raises
# --------------------------------------------------------------------------------------------


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``size`` leaves with ``root``.

    Implements RFC 9162 §2.1.3.2. The proof length must be exactly the one implied by
    ``(index, size)``. ``size`` only fixes the shape of the path (sizes with the same shape
    recompute the same root), so take ``size`` and ``root`` from the same signed checkpoint.

    Args:
        leaf_hash: The 32-byte leaf hash (not the leaf data).
        index: 0-based leaf index.
        size: Tree size.
        proof: The audit path, leaf-side first.
        root: The 32-byte root hash of the tree of ``size`` leaves.

    Returns:
        True if the proof is valid; False for a wrong or malformed proof or input.
    """
    try:
        if not (_is_hash(leaf_hash) and _is_hash(root) and _is_size(index) and _is_size(size)):
            return False
        if index >= size or not _is_proof(proof):
            return False
        fn, sn, r = index, size - 1, bytes(leaf_hash)
        for p in proof:
            if sn == 0:
                return False  # proof longer than the path
            if fn & 1 or fn == sn:
                r = _sha256(_NODE_PREFIX + p + r).digest()
                if not fn & 1:
                    # Right edge of an incomplete tree: skip the levels where this node has
                    # no right sibling (it was promoted without hashing).
                    while not fn & 1 and fn != 0:
                        fn >>= 1
                        sn >>= 1
            else:
                r = _sha256(_NODE_PREFIX + r + p).digest()
            fn >>= 1
            sn >>= 1
        return sn == 0 and r == root
    except Exception:  # the contract is "False, never raise", whatever the input
        return False


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Check that the tree ``(old_size, old_root)`` is a prefix of ``(new_size, new_root)``.

    Implements RFC 9162 §2.1.4.2 for ``0 < old_size < new_size``. Edge cases (see the module
    docstring): ``old_size == new_size`` needs an empty proof and identical roots;
    ``old_size == 0`` is always False (use `verify_witness_consistency` for the C2SP
    tlog-witness rule); ``old_size > new_size`` is False.

    Args:
        old_size: The earlier tree size.
        new_size: The later tree size.
        old_root: The earlier root hash.
        new_root: The later root hash.
        proof: The consistency proof, in RFC order.

    Returns:
        True if the proof is valid; False for a wrong or malformed proof or input.
    """
    try:
        if not (_is_size(old_size) and _is_size(new_size)) or old_size > new_size:
            return False
        if old_size == 0:
            return False
        if not _is_proof(proof):
            return False
        if old_size == new_size:
            return (
                len(proof) == 0
                and isinstance(old_root, bytes | bytearray)
                and isinstance(new_root, bytes | bytearray)
                and old_root == new_root
            )
        if not (_is_hash(old_root) and _is_hash(new_root)) or len(proof) == 0:
            return False
        path = [bytes(p) for p in proof]
        if old_size & (old_size - 1) == 0:
            # The old tree is a complete subtree of the new one, so the proof omits its hash.
            path.insert(0, bytes(old_root))
        fn, sn = old_size - 1, new_size - 1
        while fn & 1:
            fn >>= 1
            sn >>= 1
        fr = sr = path[0]
        for c in path[1:]:
            if sn == 0:
                return False  # proof longer than needed
            if fn & 1 or fn == sn:
                fr = _sha256(_NODE_PREFIX + c + fr).digest()
                sr = _sha256(_NODE_PREFIX + c + sr).digest()
                if not fn & 1:
                    while not fn & 1 and fn != 0:
                        fn >>= 1
                        sn >>= 1
            else:
                sr = _sha256(_NODE_PREFIX + sr + c).digest()
            fn >>= 1
            sn >>= 1
        return sn == 0 and fr == old_root and sr == new_root
    except Exception:  # the contract is "False, never raise", whatever the input
        return False


def verify_witness_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Apply the consistency rules of C2SP tlog-witness ``add-checkpoint``.

    The witness protocol (c2sp.org/tlog-witness, "add-checkpoint") differs from
    `verify_consistency` only at the edges:

    - a checkpoint of size 0 must carry the empty-tree root (`EMPTY_ROOT`);
    - old size 0 (a witness that never saw the log, whose state is ``(0, EMPTY_ROOT)``) is
      accepted with an empty proof, "because the empty tree is consistent with any tree";
    - equal sizes need identical roots (and, by RFC 9162, an empty proof);
    - otherwise the RFC 9162 §2.1.4.2 proof must verify.

    The caller maps False to HTTP 422; the size comparisons that the protocol answers with
    400 (old > new) and 409 (old != stored size) belong to the caller, before this check.

    Args:
        old_size: The witness's stored tree size for the log (0 if none).
        new_size: The submitted checkpoint's tree size.
        old_root: The stored root (`EMPTY_ROOT` when ``old_size`` is 0).
        new_root: The submitted checkpoint's root.
        proof: The consistency proof lines, decoded.

    Returns:
        True if the witness may cosign; False otherwise. Never raises.
    """
    try:
        if not (_is_size(old_size) and _is_size(new_size) and old_size <= new_size):
            return False
        if not (_is_hash(old_root) and _is_hash(new_root) and _is_proof(proof)):
            return False
        if new_size == 0 and new_root != EMPTY_ROOT:
            return False
        if old_size == 0:
            return old_root == EMPTY_ROOT and len(proof) == 0
        return verify_consistency(old_size, new_size, old_root, new_root, proof)
    except Exception:  # never raise, like the other verify functions
        return False


# --------------------------------------------------------------------------------------------
# Complete-subtree decomposition, for storage that keeps only perfect nodes
# --------------------------------------------------------------------------------------------


def node_range(level: int, index: int) -> tuple[int, int]:
    """Return the leaf range ``[start, end)`` of node ``(level, index)``.

    Node ``(level, index)`` is the complete subtree of ``2**level`` leaves starting at leaf
    ``index * 2**level``; level 0 nodes are the leaves themselves.
    """
    if level < 0 or index < 0:
        raise ValueError("level and index must be non-negative")
    return index << level, (index + 1) << level


def range_node(start: int, end: int) -> tuple[int, int]:
    """Return the ``(level, index)`` of the complete, aligned subtree ``[start, end)``.

    Raises:
        ValueError: If ``[start, end)`` is not a complete, aligned subtree.
    """
    width = end - start
    if start < 0 or width <= 0 or width & (width - 1) or start % width:
        raise ValueError(f"[{start}, {end}) is not a complete aligned subtree")
    level = width.bit_length() - 1
    return level, start >> level


def subtrees_for_range(start: int, end: int) -> list[tuple[int, int]]:
    """Decompose ``[start, end)`` into maximal complete, aligned subtrees, left to right.

    Each returned ``(a, b)`` has ``b - a`` a power of two and ``a`` a multiple of it. There are
    at most ``2 * log2(end - start) + 2`` of them. For the ranges that occur in RFC 9162 trees
    (``[0, n)`` and the right children ``[lo + k, hi)``), the sizes strictly decrease and the
    range's Merkle tree hash is the right fold ``H(s1, H(s2, ... H(s_{j-1}, s_j)))`` of the
    subtree hashes.

    Args:
        start: First leaf index.
        end: One past the last leaf index, ``start <= end``.

    Returns:
        The list of ``(start, end)`` pairs; empty when ``start == end``.

    Raises:
        ValueError: If ``start < 0`` or ``end < start``.
    """
    if start < 0 or end < start:
        raise ValueError("need 0 <= start <= end")
    out: list[tuple[int, int]] = []
    while start < end:
        room = 1 << ((end - start).bit_length() - 1)  # largest power of two <= end - start
        # start & -start is the largest power of two dividing start (alignment limit).
        width = min(start & -start, room) if start else room
        out.append((start, start + width))
        start += width
    return out


def _fold(hashes: list[bytes]) -> bytes:
    root = hashes[-1]
    for h in reversed(hashes[:-1]):
        root = _sha256(_NODE_PREFIX + h + root).digest()
    return root


def _lookup(subtree_hash: SubtreeHash, rng: tuple[int, int]) -> bytes:
    h = subtree_hash(rng[0], rng[1])
    if not _is_hash(h):
        raise ValueError(f"subtree_hash{rng} did not return a 32-byte hash")
    return bytes(h)


def _fold_range(subtree_hash: SubtreeHash, lo: int, hi: int) -> bytes:
    return _fold([_lookup(subtree_hash, r) for r in subtrees_for_range(lo, hi)])


def _inclusion_nodes(index: int, size: int) -> list[tuple[int, int]]:
    """The RFC tree nodes (ranges) whose hashes form the audit path, leaf side first.

    Walks from the root down: at each node ``[lo, hi)`` split at ``k``, the sibling of the
    side that holds ``index`` goes into the proof. Only the first right sibling can be an
    incomplete subtree; all the others are complete.
    """
    if not (_is_size(size) and _is_size(index) and index < size):
        raise ValueError("need 0 <= index < size < 2**64")
    nodes: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        mid = lo + _split(hi - lo)
        if index < mid:
            nodes.append((mid, hi))
            hi = mid
        else:
            nodes.append((lo, mid))
            lo = mid
    nodes.reverse()
    return nodes


def _consistency_nodes(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The RFC tree nodes (ranges) whose hashes form ``PROOF(old_size, D[new_size])``.

    The iterative form of SUBPROOF (RFC 9162 §2.1.4.1): each level contributes its node after
    the sub-proof of the level below, so the top-down collection is reversed at the end.
    """
    if not (_is_size(old_size) and _is_size(new_size) and old_size <= new_size):
        raise ValueError("need 0 <= old_size <= new_size < 2**64")
    if old_size == 0 or old_size == new_size:
        return []
    nodes: list[tuple[int, int]] = []
    lo, hi, m, whole = 0, new_size, old_size, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            nodes.append((lo + k, hi))
            hi = lo + k
        else:
            nodes.append((lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        nodes.append((lo, hi))
    nodes.reverse()
    return nodes


def _unique(groups: Iterable[list[tuple[int, int]]]) -> list[tuple[int, int]]:
    seen: dict[tuple[int, int], None] = {}
    for group in groups:
        for rng in group:
            seen.setdefault(rng, None)
    return list(seen)


def root_ranges(size: int) -> list[tuple[int, int]]:
    """Return the complete subtrees whose hashes `root_from` needs for ``size``.

    They are also the frontier a `CompactRange` needs to resume appending at ``size``.
    """
    if not _is_size(size):
        raise ValueError("need 0 <= size < 2**64")
    return subtrees_for_range(0, size)


def inclusion_proof_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Return the complete subtrees whose hashes `inclusion_proof_from` needs.

    At most ``2 * log2(size) + 2`` ranges, without duplicates, so storage can load them in
    one query before calling `inclusion_proof_from`.
    """
    return _unique(subtrees_for_range(a, b) for a, b in _inclusion_nodes(index, size))


def _inclusion_nodes_of(
    indexes: Iterable[int], size: int
) -> tuple[list[list[tuple[int, int]]], dict[tuple[int, int], None]]:
    """Each leaf's audit-path nodes, and every distinct node once (in first-seen order)."""
    paths = [_inclusion_nodes(i, size) for i in indexes]
    return paths, dict.fromkeys(node for path in paths for node in path)


def inclusion_proofs_ranges(indexes: Iterable[int], size: int) -> list[tuple[int, int]]:
    """Return the complete subtrees whose hashes `inclusion_proofs_from` needs.

    The union of ``inclusion_proof_ranges(i, size)`` over ``indexes``, without duplicates;
    each audit-path node shared by several leaves (neighbours share most of theirs) is
    decomposed once.
    """
    _, nodes = _inclusion_nodes_of(indexes, size)
    return _unique(subtrees_for_range(a, b) for a, b in nodes)


def consistency_proof_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """Return the complete subtrees whose hashes `consistency_proof_from` needs."""
    return _unique(subtrees_for_range(a, b) for a, b in _consistency_nodes(old_size, new_size))


def root_from(subtree_hash: SubtreeHash, size: int) -> bytes:
    """Return the root of the tree of ``size`` leaves from complete-subtree hashes.

    Args:
        subtree_hash: Returns the hash of a complete, aligned subtree ``[start, end)``; it is
            called only for the ranges in ``root_ranges(size)``.
        size: Tree size.

    Returns:
        The 32-byte root; `EMPTY_ROOT` for size 0.

    Raises:
        ValueError: If ``size`` is out of range or ``subtree_hash`` returns a non-hash.
    """
    ranges = root_ranges(size)
    if not ranges:
        return EMPTY_ROOT
    return _fold([_lookup(subtree_hash, r) for r in ranges])


def inclusion_proof_from(subtree_hash: SubtreeHash, index: int, size: int) -> list[bytes]:
    """Return the inclusion proof of leaf ``index`` in the tree of ``size`` leaves.

    Same result as `inclusion_proof`, computed from ``O(log size)`` complete-subtree hashes.

    Args:
        subtree_hash: Returns the hash of a complete, aligned subtree ``[start, end)``; it is
            called only for the ranges in ``inclusion_proof_ranges(index, size)``.
        index: 0-based leaf index, ``0 <= index < size``.
        size: Tree size.

    Returns:
        The proof, leaf side first.

    Raises:
        ValueError: If the index or size is out of range or ``subtree_hash`` returns a
            non-hash.
    """
    return [_fold_range(subtree_hash, a, b) for a, b in _inclusion_nodes(index, size)]


def inclusion_proofs_from(
    subtree_hash: SubtreeHash, indexes: Iterable[int], size: int
) -> list[list[bytes]]:
    """Return `inclusion_proof_from` of each of ``indexes`` in the tree of ``size`` leaves.

    Each audit-path node is folded once however many of the leaves share it, so the proofs
    of a run of neighbouring leaves cost little more than one proof per distinct node.

    Args:
        subtree_hash: As for `inclusion_proof_from`; called only for the ranges in
            ``inclusion_proofs_ranges(indexes, size)``.
        indexes: 0-based leaf indices, each ``0 <= index < size``.
        size: Tree size.

    Raises:
        ValueError: If an index or the size is out of range or ``subtree_hash`` returns a
            non-hash.
    """
    paths, nodes = _inclusion_nodes_of(indexes, size)
    folded = {(a, b): _fold_range(subtree_hash, a, b) for a, b in nodes}
    return [[folded[node] for node in path] for path in paths]


def consistency_proof_from(subtree_hash: SubtreeHash, old_size: int, new_size: int) -> list[bytes]:
    """Return the consistency proof from ``old_size`` to ``new_size``.

    Same result as `consistency_proof`, computed from ``O(log new_size)`` complete-subtree
    hashes (only those in ``consistency_proof_ranges(old_size, new_size)``).

    Raises:
        ValueError: If the sizes are out of range or ``subtree_hash`` returns a non-hash.
    """
    return [_fold_range(subtree_hash, a, b) for a, b in _consistency_nodes(old_size, new_size)]


# --------------------------------------------------------------------------------------------
# Compact range: in-memory appender
# --------------------------------------------------------------------------------------------


class CompactRange:
    """The right edge of a Merkle tree: one complete subtree per set bit of the size.

    Appending a leaf hash merges equal-sized subtrees like a binary counter, so each append
    costs one leaf plus, on average, one node hash, and every node that becomes complete is
    reported once, as ``(level, index, hash)`` (see `node_range`). Persisting those nodes is
    all a storage layer needs for `root_from` and the ``*_from`` proof functions.

    Invariant: ``frontier`` holds the hashes of ``root_ranges(size)``, largest first.
    Not thread-safe; the caller serialises appends (the log appends under one lock).
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self, size: int = 0, frontier: Sequence[bytes] = ()) -> None:
        """Create an empty range, or resume one from stored hashes.

        Args:
            size: Number of leaves already in the tree.
            frontier: The hashes of ``root_ranges(size)``, in that order.

        Raises:
            ValueError: If ``frontier`` does not match ``size``.
        """
        if not _is_size(size) or len(frontier) != len(root_ranges(size)):
            raise ValueError("frontier must hold one hash per range of root_ranges(size)")
        if not all(_is_hash(h) for h in frontier):
            raise ValueError("frontier hashes must be 32 bytes")
        self._size = size
        self._hashes = [bytes(h) for h in frontier]

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    @property
    def frontier(self) -> list[tuple[int, int, bytes]]:
        """The complete subtrees on the right edge, largest first, as (level, index, hash)."""
        return [
            (*range_node(a, b), h)
            for (a, b), h in zip(root_ranges(self._size), self._hashes, strict=True)
        ]

    def append(self, leaf_hash: bytes) -> list[tuple[int, int, bytes]]:
        """Append one leaf hash.

        Args:
            leaf_hash: The 32-byte leaf hash (see `leaf_hash`).

        Returns:
            The nodes completed by this append, lowest first: the leaf itself
            ``(0, index, leaf_hash)`` and then each interior node it closes.

        Raises:
            ValueError: If ``leaf_hash`` is not 32 bytes or the tree is full.
        """
        return self.extend((leaf_hash,))

    def extend(
        self, leaf_hashes: Iterable[bytes], *, min_level: int = 0
    ) -> list[tuple[int, int, bytes]]:
        """Append leaf hashes in order; return all completed nodes, as `append` does.

        All or nothing: the input is checked before the first append, so on error the range
        is unchanged.

        Args:
            leaf_hashes: The 32-byte leaf hashes to append.
            min_level: Report only completed nodes of this level and above (a storage layer
                that keeps levels from 4 up need not receive a tuple per leaf).

        Raises:
            ValueError: If a leaf hash is not 32 bytes or the tree would exceed
                `MAX_TREE_SIZE` leaves.
        """
        leaves = list(leaf_hashes)
        # Checked with set(map(...)), in C: this runs once per appended entry.
        if not set(map(type, leaves)) <= {bytes}:
            if not all(_is_hash(h) for h in leaves):
                raise ValueError("every leaf hash must be 32 bytes")
            leaves = [bytes(h) for h in leaves]
        if leaves and set(map(len, leaves)) != {HASH_SIZE}:
            raise ValueError("every leaf hash must be 32 bytes")
        if self._size + len(leaves) > MAX_TREE_SIZE:
            raise ValueError("the tree would exceed MAX_TREE_SIZE leaves")
        if not leaves:
            return []
        # Level by level rather than leaf by leaf: the hashes of each level are computed by
        # `map` over slices, in C, which is several times faster than a Python loop per leaf
        # (this is the log's append path). Bit ``level`` of the old size says whether the
        # frontier holds a left sibling for the first new node of that level.
        out: list[tuple[int, int, bytes]] = []
        stack = list(self._hashes)
        unpaired: list[bytes] = []  # the new right edge, lowest level first
        row, first, level = leaves, self._size, 0
        while row:
            if level >= min_level:
                out += zip(repeat(level), _count(first), row)
            if first & 1:
                row = [stack.pop(), *row]
                first -= 1
            pairs = len(row) & ~1
            if len(row) & 1:
                unpaired.append(row[-1])
            row = list(
                map(
                    _digest,
                    map(
                        _sha256,
                        map(b"".join, zip(repeat(_NODE_PREFIX), row[0:pairs:2], row[1:pairs:2])),
                    ),
                )
            )
            first >>= 1
            level += 1
        stack += reversed(unpaired)
        self._hashes = stack
        self._size += len(leaves)
        # Report in append order (a node completes with its last leaf), as `append` does.
        out.sort(key=_completion_order)
        return out

    def root(self) -> bytes:
        """Return the current root hash in ``O(log size)`` (`EMPTY_ROOT` when empty)."""
        if not self._hashes:
            return EMPTY_ROOT
        return _fold(self._hashes)

    def __repr__(self) -> str:
        return f"CompactRange(size={self._size})"


MerkleAppender = CompactRange
"""Alias of `CompactRange`, named for what the storage layer does with it."""
