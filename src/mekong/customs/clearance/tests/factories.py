"""Test scenario of clearance: a Thai rice exporter, a Vietnamese importer and customs.

Documents are issued through the customs facade (``issue_document``), signed by a Thai issuing
authority and anchored in the log, exactly as the exporter's documents would be.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from mekong.core import clock
from mekong.customs import facade
from mekong.customs.clearance import services
from mekong.customs.contracts import DocumentInfo
from mekong.customs.tests.factories import make_authority
from mekong.identity.contracts import Actor
from mekong.identity.models import Organisation, User
from mekong.identity.tests.factories import actor_of, make_org, make_user

EXPORTER = {
    "name": "Siam Jasmine Rice Export Co.",
    "address": "88 Rama IV Rd, Bangkok",
    "country": "TH",
}
IMPORTER = {"name": "Hanoi Foods JSC", "address": "12 Hang Bac, Ha Noi", "country": "VN"}

INVOICE: dict[str, Any] = {
    "invoice_number": "SJR-2026-0907",
    "invoice_date": "2026-12-01",
    "seller": EXPORTER,
    "buyer": IMPORTER,
    "currency": "USD",
    "incoterm": "CIF",
    "lines": [
        {
            "description": "Thai Hom Mali rice, white, 100 % grade A",
            "hs_code": "1006.30.40",
            "quantity": 20000,
            "unit": "kg",
            "unit_price_minor": 100,
            "amount_minor": 2_000_000,
            "origin_country": "TH",
            "weight_grams": 20_000_000,
        }
    ],
    "total_minor": 2_000_000,
}

PACKING_LIST: dict[str, Any] = {
    "packing_list_number": "PL-SJR-0907",
    "date": "2026-12-01",
    "invoice_number": "SJR-2026-0907",
    "shipper": EXPORTER,
    "consignee": IMPORTER,
    "packages": [
        {
            "marks": "SJR 1-400",
            "kind": "bag",
            "count": 400,
            "description": "Hom Mali rice, 50 kg bags",
            "hs_code": "1006.30",
            "gross_weight_grams": 20_400_000,
        }
    ],
    "total_gross_weight_grams": 20_400_000,
}

FORM_D: dict[str, Any] = {
    "reference_number": "TH-FD-2026-090701",
    "issued_in": "TH",
    "exporter": EXPORTER,
    "consignee": IMPORTER,
    "transport": {
        "departure_date": "2026-12-05",
        "means": "road",
        "vessel_or_aircraft": "Truck 70-1234",
        "port_of_loading": "Mukdahan",
        "port_of_discharge": "Lao Bao",
    },
    "items": [
        {
            "item_number": 1,
            "marks_and_numbers": "SJR 1-400",
            "packages": {"number": 400, "kind": "bag"},
            "description": "Thai Hom Mali rice (Siam Jasmine brand)",
            "hs_code": "1006.30.40",
            "origin_criterion": "WO",
            "quantity": {"value": 20000, "unit": "kg"},
        }
    ],
    "invoice": {"number": "SJR-2026-0907", "date": "2026-12-01"},
    "declaration": {
        "producing_country": "TH",
        "importing_country": "VN",
        "place": "Bangkok",
        "date": "2026-12-01",
        "signatory": "Somchai Jaidee",
    },
}


@dataclass
class Corridor:
    """Everyone and everything of the Thailand → Viet Nam rice import."""

    exporter: Organisation
    importer: Organisation
    importer_user: User
    customs: Organisation
    officer: User
    authority_org_id: int
    documents: dict[str, DocumentInfo] = field(default_factory=dict)

    @property
    def trader(self) -> Actor:
        return actor_of(self.importer_user, self.importer)

    @property
    def officer_actor(self) -> Actor:
        return actor_of(self.officer, self.customs)

    @property
    def document_ids(self) -> list[str]:
        return [str(self.documents[k].id) for k in ("invoice", "packing_list", "form_d")]


def issue_rice_documents(exporter: Organisation) -> dict[str, DocumentInfo]:
    """Issue the invoice, packing list and Form D through the customs facade."""
    return {
        key: facade.issue_document(
            doc_type=doc_type, data=copy.deepcopy(data), issuer_organisation_id=exporter.pk
        )
        for key, doc_type, data in (
            ("invoice", "commercial_invoice", INVOICE),
            ("packing_list", "packing_list", PACKING_LIST),
            ("form_d", "atiga_form_d", FORM_D),
        )
    }


def make_corridor(*, with_documents: bool = True) -> Corridor:
    """Organisations, users, the Thai issuing authority and (optionally) issued documents."""
    authority = make_authority("TH")
    exporter = make_org(kind="sme", country="TH", name=EXPORTER["name"])
    importer = make_org(kind="sme", country="VN", name=IMPORTER["name"])
    customs = make_org(
        kind="customs_authority", country="VN", name="General Department of Vietnam Customs"
    )
    corridor = Corridor(
        exporter=exporter,
        importer=importer,
        importer_user=make_user(org=importer, role="member"),
        customs=customs,
        officer=make_user(org=customs, role="member"),
        authority_org_id=authority.organisation_id or 0,
    )
    if with_documents:
        corridor.documents = issue_rice_documents(exporter)
    return corridor


def rice_declaration(document_ids: list[str], **changes: Any) -> services.DeclarationData:
    """The importer's declaration of the rice, referencing the documents."""
    data = services.DeclarationData(
        importer_name=IMPORTER["name"],
        importer_address=IMPORTER["address"],
        exporter_name=EXPORTER["name"],
        exporter_address=EXPORTER["address"],
        exporter_email="export@siamjasmine.example",
        import_country="VN",
        export_country="TH",
        transport_mode="road",
        transport_id="Truck 70-1234",
        port_of_discharge="Lao Bao",
        departure_date=date(2026, 12, 5),
        currency="USD",
        document_ids=tuple(document_ids),
        lines=(
            services.LineData(
                hs_code="10063040",
                description="Thai Hom Mali rice, white, 100 % grade A",
                quantity=Decimal(20000),
                quantity_unit="kg",
                gross_mass_g=20_400_000,
                customs_value=2_000_000,
                origin_country="TH",
                preference="atiga",
            ),
        ),
    )
    return replace(data, **changes)


def lodge(corridor: Corridor, **changes: Any) -> Any:
    """Lodge the rice declaration as the importer (a fresh idempotency key each time)."""
    return services.declaration_lodge(
        actor=corridor.trader,
        data=rice_declaration(changes.pop("document_ids", corridor.document_ids), **changes),
        idempotency_key=uuid.uuid4(),
    )


def now_date() -> date:
    return clock.now().date()
