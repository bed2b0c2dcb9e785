"""Referenced documents as clearance sees them: fetched and verified through the customs facade.

Clearance never reads the document tables: `fetch` calls ``mekong.customs.facade``
(``document_get`` and ``verify_stored``) and turns the answer into `DocumentView`, and the
functions below read the few figures the checks need (invoice total, packing-list gross
mass, the HS codes a Form D covers) from the document's data.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from mekong.customs import facade

#: ATIGA OCP Rule 14: a proof of origin is valid for 12 months from its issue.
FORM_D_VALIDITY = timedelta(days=365)
#: Document kinds clearance distinguishes (other types are shown but not used by the rules).
INVOICE, PACKING_LIST, FORM_D, OTHER = "invoice", "packing_list", "form_d", "other"


@dataclass(frozen=True, slots=True)
class Check:
    """One verification check of a document: its name, outcome and explanation."""

    name: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class DocumentView:
    """A referenced document with its verification outcome (``found`` False: unknown id)."""

    id: str
    found: bool
    kind: str = OTHER
    doc_type: str = ""
    issuer_country: str = ""
    issuer_name: str = ""
    issued_at: datetime | None = None
    revoked: bool = False
    valid: bool = False
    checks: tuple[Check, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def failed_checks(self) -> tuple[str, ...]:
        """Names of the checks that failed."""
        return tuple(c.name for c in self.checks if not c.ok)


def kind_of(doc_type: str) -> str:
    """Map a document type of the customs module onto the kinds clearance uses."""
    text = doc_type.lower().replace("-", "_").replace(" ", "_")
    if "form_d" in text or "certificate_of_origin" in text:
        return FORM_D
    if "packing" in text:
        return PACKING_LIST
    if "invoice" in text:
        return INVOICE
    return OTHER


Fetcher = Callable[[Iterable[str]], list[DocumentView]]


def fetch(ids: Iterable[str]) -> list[DocumentView]:
    """Fetch and verify each referenced document through the customs facade, in order."""
    views: list[DocumentView] = []
    for doc_id in ids:
        try:
            key = uuid.UUID(str(doc_id))
        except ValueError:
            key = None
        info = facade.document_get(key) if key is not None else None
        if info is None:
            views.append(DocumentView(id=doc_id, found=False))
            continue
        result = facade.verify_stored(info.id)
        views.append(
            DocumentView(
                id=str(info.id),
                found=True,
                kind=kind_of(str(info.doc_type)),
                doc_type=str(info.doc_type),
                issuer_country=str(info.issuer_country or ""),
                issuer_name=str(info.issuer_name or ""),
                issued_at=info.issued_at,
                revoked=bool(info.revoked),
                # A draft (not yet signed and anchored) proves nothing.
                valid=bool(result.valid)
                and not info.revoked
                and getattr(info, "status", "issued") == "issued",
                checks=tuple(
                    Check(str(c.name), bool(c.ok), str(c.detail or "")) for c in result.checks
                ),
                data=dict(info.data or {}),
            )
        )
    return views


# --- figures read from document data ---------------------------------------------------------
def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def invoice_total(view: DocumentView) -> tuple[str, int] | None:
    """(currency, ``total_minor``) of a commercial invoice, or None if it does not state them."""
    currency = view.data.get("currency")
    total = _int(view.data.get("total_minor"))
    if not isinstance(currency, str) or total is None:
        return None
    return currency.upper(), total


def packing_gross_mass_g(view: DocumentView) -> int | None:
    """Total gross mass of a packing list in grams: its stated total, else the packages' sum."""
    total = _int(view.data.get("total_gross_weight_grams"))
    if total is not None:
        return total
    packages = view.data.get("packages")
    if not isinstance(packages, list) or not packages:
        return None
    masses = [
        _int(p.get("gross_weight_grams")) if isinstance(p, Mapping) else None for p in packages
    ]
    if any(m is None for m in masses):
        return None
    return sum(m for m in masses if m is not None)


def hs6(code: object) -> str:
    """The 6-digit subheading of a code written ``100630``, ``1006.30`` or ``1006.30.40``."""
    if not isinstance(code, str):
        return ""
    digits = code.replace(".", "")
    return digits[:6] if len(digits) >= 6 and digits.isdigit() else ""


def form_d_hs_codes(view: DocumentView) -> set[str]:
    """The 6-digit HS subheadings of the goods a Form D lists (box 7)."""
    items = view.data.get("items")
    if not isinstance(items, list):
        return set()
    return {hs6(item.get("hs_code")) for item in items if isinstance(item, Mapping)} - {""}


def _party(node: Any) -> tuple[str, str] | None:
    if not isinstance(node, Mapping):
        return None
    name, country = node.get("name"), node.get("country")
    if not isinstance(name, str) or not isinstance(country, str):
        return None
    return name, country.upper()


def parties(view: DocumentView) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """(sender, receiver) as (name, country) that a document states, where it states them."""
    data = view.data
    if view.kind == INVOICE:
        return _party(data.get("seller")), _party(data.get("buyer"))
    if view.kind == FORM_D:
        return _party(data.get("exporter")), _party(data.get("consignee"))
    if view.kind == PACKING_LIST:
        return _party(data.get("shipper")), _party(data.get("consignee"))
    return None, None


def form_d_countries(view: DocumentView) -> tuple[str, str]:
    """(producing country, importing country) of a Form D.

    Box 11 (the exporter's declaration) names both; boxes 1 and 2 (exporter, consignee) and
    the issuing country stand in when it does not.
    """

    def country(node: Any, key: str) -> str:
        value = node.get(key) if isinstance(node, Mapping) else None
        return value.upper() if isinstance(value, str) else ""

    declaration = view.data.get("declaration")
    producing = (
        country(declaration, "producing_country")
        or country(view.data.get("exporter"), "country")
        or view.issuer_country
    )
    importing = country(declaration, "importing_country") or country(
        view.data.get("consignee"), "country"
    )
    return producing, importing


def form_d_covers(
    view: DocumentView, *, hs_code: str, origin: str, import_country: str, on: date
) -> bool:
    """Whether this Form D proves the origin of a line.

    It must verify (integrity, trusted issuer, anchored, not revoked), name the line's origin as
    the exporting country and the declaration's importing country (when it names one), list
    the line's HS subheading, and be at most 12 months old on the lodging date.
    """
    if view.kind != FORM_D or not view.found or not view.valid or view.revoked:
        return False
    export, import_ = form_d_countries(view)
    if export != origin or (import_ and import_ != import_country):
        return False
    if hs_code[:6] not in form_d_hs_codes(view):
        return False
    if view.issued_at is None:
        return False
    issued = view.issued_at.date()
    return issued <= on <= issued + FORM_D_VALIDITY
