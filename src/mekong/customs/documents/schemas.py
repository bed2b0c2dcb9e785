"""Validate document data against the JSON schemas in `mekong.customs.schemas`.

Errors are field-level: a JSON pointer (RFC 6901) to the offending field (for a missing
field, the pointer where it should be), a stable ``code`` (the JSON Schema keyword, e.g.
``required``, ``pattern``, ``minimum``), parameters for the message, and an English message.
The web and API layers translate by ``code``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import jsonschema  # type: ignore[import-untyped]
from referencing import Registry, Resource

from mekong.customs.documents.envelope import DOCUMENT_TYPES
from mekong.customs.documents.origin import (
    CriterionError,
    parse_criterion,
    retroactive_problem,
)

__all__ = ["FieldError", "schema_for", "validate"]

_BASE = "https://mekong.example/schemas/customs/"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one field."""

    pointer: str
    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


def _load(name: str) -> dict[str, Any]:
    text = resources.files("mekong.customs.schemas").joinpath(f"{name}.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _registry() -> Registry:
    registry: Registry = Registry()
    for name in ("_defs", *DOCUMENT_TYPES):
        registry = registry.with_resource(
            _BASE + f"{name}.json", Resource.from_contents(_load(name))
        )
    return registry


@cache
def _validator(doc_type: str) -> jsonschema.Draft202012Validator:
    schema = _load(doc_type)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=_registry())


def schema_for(doc_type: str) -> dict[str, Any]:
    """The JSON schema of a document type (``KeyError`` if unknown)."""
    if doc_type not in DOCUMENT_TYPES:
        raise KeyError(doc_type)
    return _load(doc_type)


def _escape(part: object) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def _pointer(path: Any) -> str:
    return "".join(f"/{_escape(p)}" for p in path)


def _from_jsonschema(err: jsonschema.ValidationError) -> list[FieldError]:
    pointer = _pointer(err.absolute_path)
    kw = str(err.validator)
    if kw == "required" and isinstance(err.instance, dict):
        missing = [p for p in err.validator_value if p not in err.instance]
        return [
            FieldError(f"{pointer}/{_escape(m)}", "required", "This field is required.", {})
            for m in missing
        ]
    if kw == "additionalProperties" and isinstance(err.instance, dict):
        allowed = set(err.schema.get("properties", {}))
        return [
            FieldError(f"{pointer}/{_escape(k)}", "unknown_field", "This field is not allowed.", {})
            for k in err.instance
            if k not in allowed
        ]
    params: dict[str, Any] = {}
    if kw in {"minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"}:
        params["limit"] = err.validator_value
    if kw == "enum":
        params["choices"] = ", ".join(str(v) for v in err.validator_value)
    if kw == "type":
        params["type"] = err.validator_value
    return [FieldError(pointer, kw, err.message, params)]


def validate(doc_type: str, data: Any) -> list[FieldError]:
    """Every field-level problem of ``data`` as a ``doc_type`` document, sorted by pointer.

    Beyond the schema, checks the origin criterion grammar's ranges (``PC`` below 40 %) and
    that items under a value-content rule (RVC, PC) state their FOB value (box 9), and the
    "issued retroactively" tick against the departure and certification dates (OCP rule 10).
    An unknown type gives one error at the root with code ``unknown_type``.
    """
    if doc_type not in DOCUMENT_TYPES:
        return [FieldError("", "unknown_type", "Unknown document type.", {"type": doc_type})]
    errors: list[FieldError] = []
    for err in _validator(doc_type).iter_errors(data):
        if str(err.validator) in {"if", "allOf"}:
            continue
        errors.extend(_from_jsonschema(err))
    if (
        doc_type == "atiga_form_d"
        and isinstance(data, dict)
        and isinstance(data.get("items"), list)
    ):
        for i, item in enumerate(data["items"]):
            if not isinstance(item, dict) or not isinstance(item.get("origin_criterion"), str):
                continue
            pointer = f"/items/{i}/origin_criterion"
            if any(e.pointer == pointer for e in errors):
                continue
            try:
                criterion = parse_criterion(item["origin_criterion"])
            except CriterionError as exc:
                errors.append(FieldError(pointer, "origin_criterion", str(exc), {}))
                continue
            if criterion.needs_fob and "fob_value_minor" not in item:
                # Box 9: the FOB value is required where a value-content rule is applied.
                errors.append(
                    FieldError(f"/items/{i}/fob_value_minor", "required", "FOB value needed", {})
                )
    if doc_type == "atiga_form_d":
        problem = retroactive_problem(data)
        if problem:
            errors.append(FieldError("/flags/issued_retroactively", "retroactive", problem, {}))
    unique = {(e.pointer, e.code): e for e in errors}
    return sorted(unique.values(), key=lambda e: (e.pointer, e.code))
