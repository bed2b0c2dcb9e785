"""Factories of customs documents: valid data of every type, authorities, issued documents."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from mekong.core import clock
from mekong.customs import services
from mekong.customs.models import Document, IssuingAuthority
from mekong.identity.models import Organisation
from mekong.identity.tests.factories import make_org

#: Shipments leave tomorrow: a certificate issued today is not retroactive (OCP rule 10).
DEPARTURE = (clock.now().date() + timedelta(days=1)).isoformat()

INVOICE: dict[str, Any] = {
    "invoice_number": "INV-2026-0042",
    "invoice_date": "2026-12-01",
    "seller": {
        "name": "Chiang Mai Highland Coffee Co.",
        "address": "99 Nimman Rd, Chiang Mai",
        "country": "TH",
    },
    "buyer": {
        "name": "Hanoi Roasters JSC",
        "address": "12 Hang Bac, Hoan Kiem, Ha Noi",
        "country": "VN",
    },
    "currency": "THB",
    "incoterm": "FOB",
    "lines": [
        {
            "description": "Green arabica coffee beans, not roasted",
            "hs_code": "0901.11",
            "quantity": 600,
            "unit": "kg",
            "unit_price_minor": 32000,
            "amount_minor": 19200000,
            "origin_country": "TH",
            "weight_grams": 600000,
        },
        {
            "description": "Dried longan",
            "hs_code": "0813.40",
            "quantity": 100,
            "unit": "kg",
            "unit_price_minor": 18050,
            "amount_minor": 1805000,
            "origin_country": "TH",
            "weight_grams": 100000,
        },
    ],
    "total_minor": 21005000,
}

FORM_D: dict[str, Any] = {
    "reference_number": "TH-FD-2026-000123",
    "issued_in": "TH",
    "exporter": INVOICE["seller"],
    "consignee": INVOICE["buyer"],
    "transport": {
        "departure_date": DEPARTURE,
        "means": "road",
        "vessel_or_aircraft": "Truck 70-1234",
        "port_of_loading": "Mukdahan",
        "port_of_discharge": "Lao Bao",
    },
    "items": [
        {
            "item_number": 1,
            "marks_and_numbers": "CMHC 1-60",
            "packages": {"number": 60, "kind": "bag"},
            "description": "Green arabica coffee beans, not roasted (Doi Chaang)",
            "hs_code": "0901.11",
            "origin_criterion": "WO",
            "quantity": {"value": 600, "unit": "kg"},
        },
        {
            "item_number": 2,
            "marks_and_numbers": "CMHC 61-70",
            "packages": {"number": 10, "kind": "carton"},
            "description": "Dried longan",
            "hs_code": "0813.40",
            "origin_criterion": "RVC 40% or CTH",
            "quantity": {"value": 100, "unit": "kg"},
            "fob_value_minor": 1805000,
            "fob_currency": "THB",
        },
    ],
    "invoice": {"number": "INV-2026-0042", "date": "2026-12-01"},
    "declaration": {
        "producing_country": "TH",
        "importing_country": "VN",
        "place": "Chiang Mai",
        "date": "2026-12-01",
        "signatory": "Somchai Jaidee",
    },
    "flags": {
        "third_country_invoicing": False,
        "back_to_back": False,
        "issued_retroactively": False,
    },
}

PACKING_LIST: dict[str, Any] = {
    "packing_list_number": "PL-2026-0042",
    "date": "2026-12-01",
    "invoice_number": "INV-2026-0042",
    "shipper": INVOICE["seller"],
    "consignee": INVOICE["buyer"],
    "packages": [
        {
            "marks": "CMHC 1-60",
            "kind": "bag",
            "count": 60,
            "description": "Green coffee",
            "hs_code": "0901.11",
            "gross_weight_grams": 612000,
        }
    ],
    "total_gross_weight_grams": 612000,
}

DECLARATION: dict[str, Any] = {
    "declaration_number": "A0012026120500001",
    "exporter": {"id": "0105556000001", "name": "Chiang Mai Highland Coffee Co."},
    "consignee": {"name": "Hanoi Roasters JSC", "address": "12 Hang Bac, Ha Noi", "country": "VN"},
    "declarant": {"id": "BRK-TH-77", "name": "Mekong Brokers Ltd"},
    "departure_date": DEPARTURE,
    "transport_mode": "road",
    "port_of_discharge": "Lao Bao",
    "items": [
        {
            "serial_number": 1,
            "hs_code": "0901.11",
            "quantity": 600,
            "quantity_unit": "KGM",
            "origin_country": "TH",
        }
    ],
}

SAMPLES = {
    "commercial_invoice": INVOICE,
    "atiga_form_d": FORM_D,
    "packing_list": PACKING_LIST,
    "customs_declaration": DECLARATION,
}


def sample(doc_type: str) -> dict[str, Any]:
    """A deep copy of a valid document of ``doc_type``."""
    return copy.deepcopy(SAMPLES[doc_type])


def make_authority(
    country: str = "TH", *, name: str | None = None, org: Organisation | None = None
) -> IssuingAuthority:
    """An issuing authority with one key valid from now, operated by ``org`` (made if None)."""
    org = org or make_org(kind="certificate_issuer", country=country)
    return services.authority_register(
        country=country, name=name or f"Certifying Authority {country}", organisation_id=org.pk
    )


def issue(
    doc_type: str = "commercial_invoice",
    *,
    org: Organisation | None = None,
    data: dict[str, Any] | None = None,
) -> Document:
    """Issue a document for ``org`` (a Thai SME if None); its country needs an authority."""
    org = org or make_org(kind="sme", country="TH")
    return services.document_issue(
        organisation_id=org.pk,
        organisation_country=org.country,
        doc_type=doc_type,
        data=data if data is not None else sample(doc_type),
    )
