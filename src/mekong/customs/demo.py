"""Demo data of customs documents: an issuing authority with a key in each member country
(operated by the demo certificate-issuing organisation), registered traders, and a few issued
documents: a Thai coffee exporter's invoice and Form D to Viet Nam (one copy later revoked),
a Lao exporter's invoice to Thailand, and a Cambodian pepper Form D.

Idempotent: authorities are registered once; documents are issued once per demo reference.
Runs only from ``mekong demo`` / ``mekong seed-demo``, so creating the local key-encryption
secret in ``var/customs/`` is the "dev/demo" case of `keys`.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from mekong.core import clock
from mekong.customs import keys, services
from mekong.customs.models import Document, IssuingAuthority
from mekong.identity import facade as identity
from mekong.identity.contracts import Actor

COUNTRIES = ("KH", "LA", "MM", "TH", "VN")


def _org(kind: str, country: str, slug_part: str = "") -> Any:
    orgs = identity.organisations_by_kind(kind, country=country)
    for org in orgs:
        if slug_part in org.slug:
            return org
    return orgs[0] if orgs else None


def _party(org: Any, address: str) -> dict[str, str]:
    return {"name": org.name[:120], "address": address, "country": org.country}


def _invoice(number: str, seller: dict[str, str], buyer: dict[str, str], currency: str,
             lines: list[tuple[str, str, int, int]]) -> dict[str, Any]:  # fmt: skip
    out: list[dict[str, Any]] = [
        {"description": d, "hs_code": hs, "quantity": q, "unit": "kg", "unit_price_minor": p,
         "amount_minor": q * p, "origin_country": seller["country"], "weight_grams": q * 1000}
        for d, hs, q, p in lines
    ]  # fmt: skip
    return {
        "invoice_number": number,
        "invoice_date": "2026-12-01",
        "seller": seller,
        "buyer": buyer,
        "currency": currency,
        "incoterm": "FOB",
        "lines": out,
        "total_minor": sum(int(li["amount_minor"]) for li in out),
    }


def _form_d(
    ref: str, invoice: dict[str, Any], transport: dict[str, str], signatory: str
) -> dict[str, Any]:
    items = [
        {
            "item_number": i + 1,
            "marks_and_numbers": f"{ref}/{i + 1}",
            "packages": {"number": max(1, li["quantity"] // 60), "kind": "bag"},
            "description": li["description"],
            "hs_code": li["hs_code"],
            "origin_criterion": "WO",
            "quantity": {"value": li["quantity"], "unit": "kg"},
        }
        for i, li in enumerate(invoice["lines"])
    ]
    return {
        "reference_number": ref,
        "issued_in": invoice["seller"]["country"],
        "exporter": copy.deepcopy(invoice["seller"]),
        "consignee": copy.deepcopy(invoice["buyer"]),
        "transport": transport,
        "items": items,
        "invoice": {"number": invoice["invoice_number"], "date": invoice["invoice_date"]},
        "declaration": {
            "producing_country": invoice["seller"]["country"],
            "importing_country": invoice["buyer"]["country"],
            "place": transport.get("port_of_loading", "-") or "-",
            "date": "2026-12-01",
            "signatory": signatory,
        },
        "flags": {
            "third_country_invoicing": False,
            "back_to_back": False,
            "issued_retroactively": False,
        },
    }


def _days(n: int) -> str:
    """A departure date ``n`` days from today (the certificates are issued today)."""
    return (clock.now().date() + timedelta(days=n)).isoformat()


def _to_vn(data: dict[str, Any]) -> bool:
    party = data.get("consignee") or data.get("buyer") or {}
    return bool(party.get("country") == "VN")


def seed() -> list[str]:
    """Register authorities and traders and issue the demo documents; return report lines."""
    keys.ensure_local_secret()
    lines: list[str] = []
    for country in COUNTRIES:
        issuer = _org("certificate_issuer", country)
        if issuer is None:
            continue
        services.authority_register(
            country=country, name=issuer.name[:120], organisation_id=issuer.id
        )
        for kind, role in (("sme", "exporter"), ("buyer", "importer")):
            org = _org(kind, country)
            if org is not None:
                services.trader_register(
                    organisation_id=org.id, role=role, country=country,
                    registration_number=f"{country}-{role[:3].upper()}-{org.id:05d}",
                )  # fmt: skip
    lines.append(f"customs: {IssuingAuthority.objects.count()} issuing authorities with keys")

    th, vn, la, kh = (_org("sme", c) for c in ("TH", "VN", "LA", "KH"))
    vn_buyer, th_buyer = _org("buyer", "VN"), _org("buyer", "TH")
    if None in (th, vn, la, kh, vn_buyer, th_buyer):
        return lines
    th_invoice = _invoice(
        "DCH-2026-0042", _party(th, "Doi Chang, Mae Suai, Chiang Rai 57180"),
        _party(vn_buyer, "12 Nguyen Hue, District 1, Ho Chi Minh City"), "THB",
        [("Green arabica coffee beans, not roasted", "0901.11", 600, 32000),
         ("Dried longan, whole", "0813.40", 100, 18050)],
    )  # fmt: skip
    la_invoice = _invoice(
        "BPC-2026-0007", _party(la, "Paksong, Champasak"),
        _party(th_buyer, "88 Sukhumvit Rd, Bangkok 10110"), "USD",
        [("Green robusta coffee beans, not roasted", "0901.11", 1200, 410)],
    )  # fmt: skip
    kh_invoice = _invoice(
        "KPG-2026-0101", _party(kh, "Kampot Province"), _party(vn_buyer, "Ho Chi Minh City"),
        "USD", [("Kampot black pepper, neither crushed nor ground", "0904.11", 250, 1800)],
    )  # fmt: skip
    plan: list[tuple[str, Any, str, dict[str, Any]]] = [
        ("demo-th-invoice", th, "commercial_invoice", th_invoice),
        ("demo-th-form-d", th, "atiga_form_d", _form_d(
            "TH-FD-2026-000042", th_invoice,
            {"departure_date": _days(1), "means": "road", "vessel_or_aircraft": "Truck 70-1234",
             "port_of_loading": "Mukdahan", "port_of_discharge": "Lao Bao"}, "Somchai Jaidee")),
        ("demo-th-form-d-revoked", th, "atiga_form_d", _form_d(
            "TH-FD-2026-000041", th_invoice,
            {"departure_date": _days(0), "means": "road", "port_of_loading": "Mukdahan",
             "port_of_discharge": "Lao Bao"}, "Somchai Jaidee")),
        ("demo-la-invoice", la, "commercial_invoice", la_invoice),
        ("demo-kh-form-d", kh, "atiga_form_d", _form_d(
            "KH-FD-2026-000101", kh_invoice,
            {"departure_date": _days(2), "means": "road", "port_of_loading": "Bavet",
             "port_of_discharge": "Moc Bai"}, "Sok Dara")),
    ]  # fmt: skip
    issued = 0
    for ref, org, doc_type, data in plan:
        if Document.objects.filter(source_ref=ref).exists():
            continue
        doc = services.document_issue(
            organisation_id=org.id,
            organisation_country=org.country,
            doc_type=doc_type,
            data=data,
            subject_organisation_id=vn_buyer.id
            if data.get("consignee", data.get("buyer", {})).get("country") == "VN"
            else None,
        )
        Document.objects.filter(pk=doc.pk).update(source_ref=ref)
        issued += 1
        if ref.endswith("-revoked") and doc.authority is not None:
            operator = Actor(
                organisation_id=doc.authority.organisation_id, role="owner", is_operator=True
            )
            services.document_revoke(
                actor=operator, document=doc, reason="replaced by TH-FD-2026-000042"
            )
    lines.append(f"customs: {issued} demo documents issued ({Document.objects.count()} in total)")
    return lines
