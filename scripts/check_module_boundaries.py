"""Check the rule "call down through facades": a module imports another only via its interface.

import-linter (pyproject.toml) enforces the layer DAG; this check adds what it cannot say
simply: from another platform module you may import only its ``facade``, ``contracts``,
``events`` and ``errors`` (and, from tests, its ``tests.factories``). ``core`` is the shared
kernel and may be imported freely; the composition roots (urls, api, cli, demo, settings) and
the site shell's views wire modules together and are exempt.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "mekong"
PUBLIC = {"facade", "contracts", "events", "errors"}
FREE = {"core"}
ROOTS = {"urls", "api", "cli", "demo", "settings", "wsgi", "asgi", "conftest", "__init__"}
# Interfaces of identity that every module's views and APIs need to authenticate.
EXTRA_PUBLIC = {("identity", "auth"), ("identity", "models")}


def module_of(path: Path) -> str | None:
    rel = path.relative_to(SRC).parts
    return rel[0] if len(rel) > 1 else None


def violations() -> list[str]:
    found: list[str] = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).parts
        if len(rel) == 1 and path.stem in ROOTS:
            continue
        owner = module_of(path)
        # Top-level tests exercise the composed platform, like the composition roots.
        if owner is None or owner == "tests" or "migrations" in rel:
            continue
        in_tests = "tests" in rel
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                parts = name.split(".")
                if len(parts) < 3 or parts[0] != "mekong":
                    continue
                target, sub = parts[1], parts[2]
                if target in (owner, *FREE) or not (SRC / target).is_dir():
                    continue
                if sub in PUBLIC or (target, sub) in EXTRA_PUBLIC:
                    continue
                if in_tests and sub == "tests":
                    continue
                line = getattr(node, "lineno", 0)
                found.append(
                    f"{path.relative_to(SRC.parent.parent)}:{line}: {owner} imports "
                    f"mekong.{target}.{sub}; use mekong.{target}.facade"
                )
                break
    return sorted(set(found))


def main() -> int:
    problems = violations()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print("module boundaries respected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
