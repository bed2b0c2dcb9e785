"""The automatic checks run at lodging: documents, Form D coverage, duty, screening, risk lane.

No writes: `run_checks` gathers the facts through the customs and threat-intelligence facades,
then the pure engines (`duty`, `risk`) decide; the serialisers turn the outcome into the JSON
stored on the declaration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings

from mekong.customs.clearance import documents as docs
from mekong.customs.clearance import duty, risk
from mekong.customs.clearance.models import WatchlistEntry
from mekong.customs.clearance.validation import DeclarationData
from mekong.threatintel import facade as threatintel
from mekong.threatintel.contracts import Match, Observable

Matcher = Callable[..., list[Match]]


def risk_config() -> risk.RiskConfig:
    """The risk thresholds and random-selection rates from the ``CLEARANCE_RISK`` setting."""
    raw: dict[str, Any] = dict(getattr(settings, "CLEARANCE_RISK", {}) or {})
    rates = {k: Decimal(str(v)) for k, v in dict(raw.pop("random_rates", {})).items()}
    kwargs: dict[str, Any] = {"random_rates": rates}
    for name in ("value_tolerance_percent", "undervaluation_percent", "weight_tolerance_percent",
                 "default_random_rate"):  # fmt: skip
        if name in raw:
            kwargs[name] = Decimal(str(raw[name]))
    if "indicator_red_score" in raw:
        kwargs["indicator_red_score"] = float(raw["indicator_red_score"])
    if "seed" in raw:
        kwargs["seed"] = str(raw["seed"])
    return risk.RiskConfig(**kwargs)


# --- automatic checks ------------------------------------------------------------------------
@dataclass(frozen=True)
class Checks:
    """Everything the automatic checks found, ready to store."""

    views: list[docs.DocumentView]
    covered: dict[int, str]  # line index → Form D id
    assessment: duty.Assessment
    result: risk.RiskResult
    screening: dict[str, Any]


def _observables(data: DeclarationData) -> list[Observable]:
    found: list[Observable] = []
    if data.exporter_email:
        found.append(Observable("email", data.exporter_email))
        domain = data.exporter_email.rpartition("@")[2]
        if domain:
            found.append(Observable("domain", domain))
    return found


def run_checks(
    data: DeclarationData,
    *,
    reference: str,
    declarant_name: str,
    customs_authority_id: int | None,
    on: date,
    fetch: docs.Fetcher | None = None,
    matcher: Matcher | None = None,
    config: risk.RiskConfig | None = None,
) -> Checks:
    """Verify documents, assess duty, screen parties and assign the lane (no writes)."""
    views = (fetch or docs.fetch)(data.document_ids)
    form_ds = [v for v in views if v.kind == docs.FORM_D]
    covered: dict[int, str] = {}
    for index, line in enumerate(data.lines):
        if line.preference != "atiga":
            continue
        for view in form_ds:
            if docs.form_d_covers(
                view, hs_code=line.hs_code, origin=line.origin_country,
                import_country=data.import_country, on=on,
            ):  # fmt: skip
                covered[index] = view.id
                break
    assessment = duty.assess(
        schedule=duty.load_schedule(data.import_country),
        lines=[
            duty.LineIn(
                hs_code=line.hs_code,
                customs_value=line.customs_value,
                origin=line.origin_country,
                atiga_claimed=line.preference == "atiga",
                form_d_valid=index in covered,
            )
            for index, line in enumerate(data.lines)
        ],
        currency=data.currency,
        on=on,
    )
    declared_value = sum(line.customs_value for line in data.lines)
    invoice_total: int | None = None
    for view in views:
        if view.kind == docs.INVOICE and view.found:
            total = docs.invoice_total(view)
            if total is not None and total[0] == data.currency:
                invoice_total = (invoice_total or 0) + total[1]
    packing: int | None = None
    for view in views:
        if view.kind == docs.PACKING_LIST and view.found:
            mass = docs.packing_gross_mass_g(view)
            if mass is not None:
                packing = (packing or 0) + mass
    watchlist: tuple[str, ...] = ()
    indicator_hits: tuple[risk.IndicatorHit, ...] = ()
    screening: dict[str, Any] = {"threat_intel": "skipped_no_customs_authority"}
    if customs_authority_id is not None:
        watchlist = tuple(
            WatchlistEntry.objects.filter(customs_authority_id=customs_authority_id).values_list(
                "name", flat=True
            )
        )
        observables = _observables(data)
        matches = (matcher or threatintel.match)(
            observables, caller_organisation_id=customs_authority_id
        )
        indicator_hits = tuple(
            risk.IndicatorHit(
                observable=f"{m.observable.kind}:{m.observable.value}",
                indicator_id=m.indicator_id,
                name=m.name,
                score=m.score,
            )
            for m in matches
        )
        screening = {"threat_intel": "screened", "observables": len(observables)}
    facts = risk.RiskInput(
        reference=reference,
        import_country=data.import_country,
        documents=tuple(
            risk.DocumentFacts(
                document_id=v.id,
                found=v.found,
                doc_type=v.kind,
                valid=v.valid,
                revoked=v.revoked,
                failed_checks=v.failed_checks,
                consignor=docs.parties(v)[0],
                consignee=docs.parties(v)[1],
            )
            for v in views
        ),
        declared_value=declared_value,
        invoice_total=invoice_total,
        declared_weight_g=sum(line.gross_mass_g for line in data.lines),
        packing_list_weight_g=packing,
        parties=(data.exporter_name, data.importer_name, declarant_name),
        watchlist=watchlist,
        indicator_hits=indicator_hits,
        exporter=(data.exporter_name, data.export_country),
        importer=(data.importer_name, data.import_country),
    )
    result = risk.evaluate(facts, config or risk_config())
    return Checks(views, covered, assessment, result, screening)


def assessment_json(a: duty.Assessment, covered: dict[int, str]) -> dict[str, Any]:
    return {
        "country": a.country,
        "currency": a.currency,
        "declared_currency": a.declared_currency,
        "exchange_rate": str(a.exchange_rate),
        "on": a.on.isoformat(),
        "total_value": a.total_value,
        "duty": a.duty,
        "vat": a.vat,
        "total": a.total,
        "origin_proof_waived": a.origin_proof_waived,
        "de_minimis_exempts": sorted(a.de_minimis_exempts),
        "de_minimis_sources": list(a.de_minimis_sources),
        "lines": [
            {
                "number": line.index + 1,
                "hs_code": line.hs_code,
                "tariff_line": line.tariff_line,
                "tariff_status": line.tariff_status,
                "customs_value": line.customs_value,
                "regime": str(line.regime),
                "rate_percent": str(line.rate_percent),
                "duty": line.duty,
                "vat_percent": str(line.vat_percent),
                "vat_base": line.vat_base,
                "vat": line.vat,
                "reasons": list(line.reasons),
                "form_d": covered.get(line.index, ""),
            }
            for line in a.lines
        ],
    }


def views_json(views: list[docs.DocumentView]) -> list[dict[str, Any]]:
    return [
        {
            "id": v.id,
            "found": v.found,
            "kind": v.kind,
            "doc_type": v.doc_type,
            "issuer_country": v.issuer_country,
            "issuer_name": v.issuer_name,
            "issued_at": v.issued_at.isoformat() if v.issued_at else None,
            "revoked": v.revoked,
            "valid": v.valid,
            "checks": [asdict(c) for c in v.checks],
        }
        for v in views
    ]


def hits_json(result: risk.RiskResult) -> list[dict[str, Any]]:
    return [{"rule": h.rule, "lane": h.lane.label, "params": dict(h.params)} for h in result.hits]
