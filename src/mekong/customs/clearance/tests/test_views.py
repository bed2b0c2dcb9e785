"""The clearance pages: lodging form, declaration page, officer queue and decisions."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from mekong.customs.clearance.models import Declaration
from mekong.customs.clearance.tests.factories import lodge
from mekong.identity.tests.factories import make_org, make_user

pytestmark = pytest.mark.django_db
LANGS = ["en", "th", "vi", "km", "lo", "my"]


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _form(corridor, **changes):
    data = {
        "importer_name": "Hanoi Foods JSC",
        "exporter_name": "Siam Jasmine Rice Export Co.",
        "export_country": "TH",
        "transport_mode": "road",
        "currency": "USD",
        "document_ids": "\n".join(corridor.document_ids),
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "99",
        "lines-0-hs_code": "10063040",
        "lines-0-description": "Thai Hom Mali rice",
        "lines-0-quantity": "20000",
        "lines-0-quantity_unit": "kg",
        "lines-0-gross_mass_kg": "20400",
        "lines-0-customs_value": "20000.00",
        "lines-0-origin_country": "TH",
        "lines-0-preference": "atiga",
    }
    return {**data, **changes}


def test_trader_lodges_through_the_form(corridor):
    client = _client(corridor.importer_user)
    page = client.get("/en/customs/clearance/lodge/")
    assert page.status_code == 200
    r = client.post("/en/customs/clearance/lodge/", _form(corridor))
    d = Declaration.objects.get()
    assert r.status_code == 302
    assert r["Location"] == f"/en/customs/clearance/{d.pk}/"
    assert (d.lane, d.declared_value, d.gross_mass_g) == ("green", 2_000_000, 20_400_000)
    page = client.get(r["Location"])
    assert b"ATIGA" in page.content
    assert b"Why this lane" in page.content


def test_form_shows_service_errors_next_to_fields(corridor):
    client = _client(corridor.importer_user)
    r = client.post(
        "/en/customs/clearance/lodge/", _form(corridor, **{"lines-0-hs_code": "999999"})
    )
    assert r.status_code == 200
    assert b"This is not an HS 2022 subheading." in r.content
    r = client.post(
        "/en/customs/clearance/lodge/", _form(corridor, **{"lines-0-customs_value": "1.001"})
    )
    assert b"Too many decimals for this currency." in r.content
    assert not Declaration.objects.exists()


@pytest.mark.parametrize("lang", LANGS)
def test_pages_render_in_every_language(corridor, lang):
    d = lodge(corridor)
    trader = _client(corridor.importer_user)
    officer = _client(corridor.officer)
    for client, path in (
        (trader, f"/{lang}/customs/clearance/"),
        (trader, f"/{lang}/customs/clearance/lodge/"),
        (trader, f"/{lang}/customs/clearance/{d.pk}/"),
        (officer, f"/{lang}/customs/clearance/queue/"),
        (officer, f"/{lang}/customs/clearance/{d.pk}/"),
    ):
        r = client.get(path)
        assert r.status_code == 200, path
        assert f'lang="{lang}"'.encode() in r.content


def test_officer_sees_live_verification_and_decides(corridor):
    d = lodge(corridor)
    officer = _client(corridor.officer)
    page = officer.get(f"/en/customs/clearance/{d.pk}/").content.decode()
    for doc_id in corridor.document_ids:
        assert f'data-document="{doc_id}"' in page
    assert 'data-check="integrity"' in page
    assert "Release" in page
    r = officer.post(f"/en/customs/clearance/{d.pk}/release/", {"note": ""})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == "released"


def test_others_get_404_and_csrf_is_enforced(corridor):
    d = lodge(corridor)
    stranger = make_org(kind="sme", country="VN")
    assert _client(make_user(org=stranger)).get(f"/en/customs/clearance/{d.pk}/").status_code == 404
    thai = make_org(kind="customs_authority", country="TH")
    thai_officer = _client(make_user(org=thai))
    assert thai_officer.get(f"/en/customs/clearance/{d.pk}/").status_code == 404
    assert thai_officer.post(f"/en/customs/clearance/{d.pk}/release/").status_code == 404
    assert _client(corridor.importer_user).get("/en/customs/clearance/queue/").status_code == 404
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(corridor.officer)
    assert csrf.post(f"/en/customs/clearance/{d.pk}/release/").status_code == 403
    d.refresh_from_db()
    assert d.status == "lodged"
    assert Client().get("/en/customs/clearance/").status_code == 302  # to the login page


def test_user_text_is_escaped(corridor):
    d = lodge(
        corridor, exporter_name="<script>alert(1)</script>", document_ids=(str(uuid.uuid4()),)
    )
    page = _client(corridor.officer).get(f"/en/customs/clearance/{d.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_information_request_and_answer_through_the_pages(corridor):
    d = lodge(corridor, document_ids=tuple(corridor.document_ids[:1]))
    officer = _client(corridor.officer)
    r = officer.post(f"/en/customs/clearance/{d.pk}/request-information/", {"note": ""})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == "lodged"  # a request needs a note
    officer.post(f"/en/customs/clearance/{d.pk}/request-information/", {"note": "Form D please"})
    trader = _client(corridor.importer_user)
    page = trader.get(f"/en/customs/clearance/{d.pk}/").content.decode()
    assert "Customs asked for more information" in page
    assert "Form D please" in page
    form_d = str(corridor.documents["form_d"].id)
    trader.post(
        f"/en/customs/clearance/{d.pk}/supply-information/",
        {"note": "Attached", "document_ids": form_d},
    )
    d.refresh_from_db()
    assert (d.status, d.document_ids[-1]) == ("lodged", form_d)
    page = officer.get(f"/en/customs/clearance/{d.pk}/").content.decode()
    assert f'data-document="{form_d}"' in page
    officer.post(f"/en/customs/clearance/{d.pk}/hold/", {"note": "Inspect the bags"})
    d.refresh_from_db()
    assert d.status == "held"
