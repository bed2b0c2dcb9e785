"""Off switches: behaviour that is on by default and that an operator, a test or a benchmark
turns off by setting an environment variable to ``off`` or ``0`` (the payments background
loops, group commit, the workers' warm-up)."""

from __future__ import annotations

import os


def switched_on(name: str) -> bool:
    """False when the environment variable ``name`` is ``off`` or ``0`` (any case, spaces
    around ignored); True otherwise, unset included. Read at every call, so that a test or a
    benchmark can flip it in a running process."""
    return os.environ.get(name, "on").strip().lower() not in ("off", "0")
