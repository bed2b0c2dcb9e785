"""Granular markings (STIX 2.1 section 7.2.3): a TLP level on single properties, honoured on read.

An object's ``granular_markings`` name properties with selectors (``description``,
``external_references.[1]``, ``kill_chain_phases.[0].phase_name``). A property marked with a TLP
level the reader may not see is removed from the copy the reader gets; list elements are
dropped (and a list left empty is dropped whole, since STIX forbids empty lists). Markings
other than TLP (statements) and language markings restrict nothing. The properties TAXII needs
to identify a version and its markings are never removed: see ``KEPT``.

Pure functions; who may see which level is decided in `selectors.Reader`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from mekong.threatintel import tlp

#: Never removed: without them a client cannot identify, version or judge the object.
KEPT = frozenset(
    {"type", "id", "spec_version", "created", "modified", "object_marking_refs",
     "granular_markings"}
)  # fmt: skip

_INDEX = re.compile(r"^\[(\d+)\]$")
_GONE = object()


def levels(obj: dict[str, Any]) -> set[str]:
    """The TLP levels used by the object's granular markings."""
    found = set()
    for marking in obj.get("granular_markings") or []:
        if isinstance(marking, dict):
            level = tlp.MARKING_TO_LEVEL.get(str(marking.get("marking_ref", "")))
            if level:
                found.add(level)
    return found


def hidden_selectors(obj: dict[str, Any], allows: Callable[[str], bool]) -> list[str]:
    """Selectors of the properties marked with a TLP level that ``allows`` refuses."""
    out: list[str] = []
    for marking in obj.get("granular_markings") or []:
        if not isinstance(marking, dict):
            continue
        level = tlp.MARKING_TO_LEVEL.get(str(marking.get("marking_ref", "")))
        if level is not None and not allows(level):
            out.extend(s for s in marking.get("selectors") or [] if isinstance(s, str))
    return out


def _path(selector: str) -> list[str | int]:
    parts: list[str | int] = []
    for token in selector.split("."):
        index = _INDEX.match(token)
        parts.append(int(index.group(1)) if index else token)
    return parts


def redact(obj: dict[str, Any], selectors: list[str]) -> dict[str, Any]:
    """A deep copy of ``obj`` without the selected properties (``obj`` is left untouched)."""
    out = copy.deepcopy(obj)
    touched: list[list[Any]] = []  # lists that lost elements
    for selector in selectors:
        path = _path(selector)
        if not path or path[0] in KEPT:
            continue
        parent: Any = out
        for step in path[:-1]:
            parent = _child(parent, step)
            if parent is None:
                break
        if parent is None:
            continue
        last = path[-1]
        if isinstance(parent, dict) and isinstance(last, str):
            parent.pop(last, None)
        elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
            parent[last] = _GONE  # indices of the other selectors stay valid until the end
            touched.append(parent)
    for lst in touched:
        lst[:] = [v for v in lst if v is not _GONE]
    result: dict[str, Any] = _drop_empty_lists(out)
    return result


def _child(parent: Any, step: str | int) -> Any:
    if isinstance(parent, dict) and isinstance(step, str):
        return parent.get(step)
    if isinstance(parent, list) and isinstance(step, int) and step < len(parent):
        value = parent[step]
        return None if value is _GONE else value
    return None


def _drop_empty_lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _drop_empty_lists(v) for k, v in value.items() if not (isinstance(v, list) and not v)
        }
    if isinstance(value, list):
        return [_drop_empty_lists(v) for v in value]
    return value
