"""Tests of the pure trustlog modules (no Django): Merkle proofs, signed notes, checkpoints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent


def reference_vectors_path() -> Path:
    """Locate ``reference_vectors.json``.

    The copy in ``tests/data`` (shipped with its SOURCE.md) comes first so the suite does not
    depend on the shared workspace; the shared original is the fallback.
    """
    local = _HERE / "data" / "reference_vectors.json"
    if local.exists():
        return local
    repo = next(p for p in _HERE.parents if (p / "pyproject.toml").exists())
    return repo.parent / "shared" / "data" / "merkle" / "reference_vectors.json"


def load_reference_vectors() -> dict[str, Any]:
    """Return the parsed reference vectors (see tests/data/SOURCE.md for provenance)."""
    with reference_vectors_path().open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data
