"""Demo data for the whole platform: each module's ``demo.seed()`` in dependency order."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from mekong.identity.demo import DEMO_PASSWORD
from mekong.identity.demo import logins as identity_logins

#: Modules with a ``demo.py``, lowest layer first, so later seeds can use earlier ones.
SEED_ORDER = (
    "identity",
    "ledger",
    "trustlog",
    "threatintel",
    "payments",
    "customs",
    "customs.clearance",
    "marketplace",
)

__all__ = ["DEMO_PASSWORD", "demo_logins", "seed_all"]


def _seeders() -> list[tuple[str, Callable[[], list[str]]]]:
    from django.apps import apps

    found = []
    for name in SEED_ORDER:
        if not apps.is_installed(f"mekong.{name}"):
            continue
        try:
            module = import_module(f"mekong.{name}.demo")
        except ModuleNotFoundError:
            continue
        found.append((name, module.seed))
    return found


def seed_all() -> list[str]:
    """Run every installed module's demo seed; each is idempotent. Returns report lines."""
    lines: list[str] = []
    for _name, seed in _seeders():
        lines.extend(seed())
    return lines


def demo_logins() -> list[tuple[str, str]]:
    """Logins to print when the demo starts."""
    return identity_logins()
