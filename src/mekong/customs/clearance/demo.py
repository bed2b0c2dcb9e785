"""Demo data of clearance: Vietnamese import declarations of Thai coffee in every lane.

A Thai coffee SME's invoice, packing list and Form D are issued through the customs facade
(the Thai issuing authority must exist: `mekong.customs.demo.seed` runs first); the Vietnamese
buyer lodges four declarations referencing them: one released by Vietnamese customs, one
waiting in the green lane, one in the yellow lane (declared value 3 % off the invoice) and one
in the red lane (declared far below the invoice). Idempotent: each declaration has a fixed
idempotency key, and nothing is issued again once the first declaration exists.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from mekong.customs import errors as customs_errors
from mekong.customs import facade as customs
from mekong.customs.clearance import services
from mekong.customs.clearance.models import Declaration
from mekong.identity import facade as identity
from mekong.identity.contracts import Actor, OrganisationInfo

NAMESPACE = uuid.UUID("0c1e3a52-57d4-4b0e-9a51-6e1f0b2f7c11")
KG = 3_000
PRICE_MINOR = 32_000  # THB 320.00 per kg, FOB
TOTAL_MINOR = KG * PRICE_MINOR


def _org(kind: str, country: str) -> OrganisationInfo | None:
    found = identity.organisations_by_kind(kind, country=country)
    return found[0] if found else None


def _party(org: OrganisationInfo, address: str) -> dict[str, str]:
    return {"name": org.name[:120], "address": address, "country": org.country}


def _documents(exporter: OrganisationInfo, buyer: OrganisationInfo) -> list[str]:
    seller = _party(exporter, "Doi Chang, Mae Suai, Chiang Rai 57180")
    consignee = _party(buyer, "12 Nguyen Hue, District 1, Ho Chi Minh City")
    line = {
        "description": "Green arabica coffee beans, not roasted",
        "hs_code": "0901.11",
        "quantity": KG,
        "unit": "kg",
        "unit_price_minor": PRICE_MINOR,
        "amount_minor": TOTAL_MINOR,
        "origin_country": "TH",
        "weight_grams": KG * 1000,
    }
    invoice: dict[str, Any] = {
        "invoice_number": "DCH-2026-0077", "invoice_date": "2026-12-02", "seller": seller,
        "buyer": consignee, "currency": "THB", "incoterm": "FOB", "lines": [line],
        "total_minor": TOTAL_MINOR,
    }  # fmt: skip
    packing: dict[str, Any] = {
        "packing_list_number": "PL-DCH-0077", "date": "2026-12-02",
        "invoice_number": "DCH-2026-0077", "shipper": seller, "consignee": consignee,
        "packages": [{"marks": "DCH 1-50", "kind": "bag", "count": 50,
                      "description": "Green coffee, 60 kg jute bags", "hs_code": "0901.11",
                      "gross_weight_grams": 3_050_000}],
        "total_gross_weight_grams": 3_050_000,
    }  # fmt: skip
    form_d: dict[str, Any] = {
        "reference_number": "TH-FD-2026-000077", "issued_in": "TH", "exporter": seller,
        "consignee": consignee,
        "transport": {"departure_date": "2026-12-06", "means": "road",
                      "vessel_or_aircraft": "Truck 70-5678", "port_of_loading": "Mukdahan",
                      "port_of_discharge": "Lao Bao"},
        "items": [{"item_number": 1, "marks_and_numbers": "DCH 1-50",
                   "packages": {"number": 50, "kind": "bag"},
                   "description": "Green arabica coffee beans, not roasted (Doi Chaang)",
                   "hs_code": "0901.11", "origin_criterion": "WO",
                   "quantity": {"value": KG, "unit": "kg"}}],
        "invoice": {"number": "DCH-2026-0077", "date": "2026-12-02"},
        "declaration": {"producing_country": "TH", "importing_country": "VN",
                        "place": "Chiang Rai", "date": "2026-12-02", "signatory": "Ayu Chuepa"},
    }  # fmt: skip
    return [
        str(
            customs.issue_document(
                doc_type=doc_type,
                data=data,
                issuer_organisation_id=exporter.id,
                subject_organisation_id=buyer.id,
            ).id
        )
        for doc_type, data in (
            ("commercial_invoice", invoice),
            ("packing_list", packing),
            ("atiga_form_d", form_d),
        )
    ]


def seed() -> list[str]:
    """Lodge (and partly release) the demo declarations; return report lines."""
    exporter, buyer, vn_customs = (
        _org("sme", "TH"),
        _org("buyer", "VN"),
        _org("customs_authority", "VN"),
    )
    if exporter is None or buyer is None or vn_customs is None:
        return ["clearance: demo organisations missing, nothing seeded"]
    keys = {name: uuid.uuid5(NAMESPACE, name) for name in ("released", "green", "yellow", "red")}
    if Declaration.objects.filter(idempotency_key__in=keys.values()).exists():
        return [f"clearance: {Declaration.objects.count()} declarations (demo already seeded)"]
    try:
        ids = _documents(exporter, buyer)
    except customs_errors.NoIssuingAuthority:
        return ["clearance: no Thai issuing authority (run the customs seed first)"]
    trader = Actor(organisation_id=buyer.id, role="owner")
    officer = Actor(organisation_id=vn_customs.id, role="owner")
    base = services.DeclarationData(
        importer_name=buyer.name,
        importer_address="12 Nguyen Hue, District 1, Ho Chi Minh City",
        exporter_name=exporter.name,
        exporter_address="Doi Chang, Mae Suai, Chiang Rai 57180",
        import_country="VN",
        export_country="TH",
        transport_mode="road",
        transport_id="Truck 70-5678",
        port_of_discharge="Lao Bao",
        departure_date=date(2026, 12, 6),
        currency="THB",
        document_ids=tuple(ids),
        lines=(
            services.LineData(
                hs_code="09011100",
                description="Green arabica coffee beans, not roasted",
                quantity=Decimal(KG),
                quantity_unit="kg",
                gross_mass_g=3_050_000,
                customs_value=TOTAL_MINOR,
                origin_country="TH",
                preference="atiga",
            ),
        ),
    )
    values = {"released": TOTAL_MINOR, "green": TOTAL_MINOR, "yellow": TOTAL_MINOR * 97 // 100,
              "red": TOTAL_MINOR // 2}  # fmt: skip
    lodged = {}
    for name, key in keys.items():
        data = replace(base, lines=(replace(base.lines[0], customs_value=values[name]),))
        lodged[name] = services.declaration_lodge(actor=trader, data=data, idempotency_key=key)
    services.declaration_release(actor=officer, declaration_id=lodged["released"].pk)
    lanes = ", ".join(f"{d.reference} {d.lane}" for d in lodged.values())
    return [f"clearance: 4 demo declarations into VN ({lanes}); the first released"]
