"""Pages: the exporter's forms with field errors, the printable document, the public verify page."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
import segno
from django.test import Client

from mekong.customs import selectors
from mekong.customs.models import Document
from mekong.customs.tests.factories import DEPARTURE, issue, make_authority
from mekong.identity.tests.factories import make_org, make_user

pytestmark = pytest.mark.django_db


def login(user: Any, org: Any) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session["organisation_id"] = org.pk
    session.save()
    return client


INVOICE_POST = {
    "f:/invoice_number": "INV-7",
    "f:/invoice_date": "2026-12-01",
    "f:/currency": "THB",
    "f:/incoterm": "FOB",
    "f:/seller/name": "Chiang Mai Highland Coffee",
    "f:/seller/address": "99 Nimman Rd",
    "f:/seller/country": "TH",
    "f:/buyer/name": "Hanoi Roasters <script>",
    "f:/buyer/address": "12 Hang Bac",
    "f:/buyer/country": "VN",
    "f:/lines/0/description": "Green coffee",
    "f:/lines/0/hs_code": "0901.11",
    "f:/lines/0/quantity": "600",
    "f:/lines/0/unit_price_minor": "320.00",
    "f:/lines/0/origin_country": "TH",
}


@pytest.fixture
def exporter() -> tuple[Any, Any]:
    make_authority("TH")
    org = make_org(country="TH")
    return org, make_user(org=org, role="owner")


def test_home_is_public_and_lists_mine(exporter: tuple[Any, Any]) -> None:
    assert Client().get("/en/customs/").status_code == 200
    org, user = exporter
    doc = issue("commercial_invoice", org=org)
    page = login(user, org).get("/en/customs/").content.decode()
    assert str(doc.pk)[:10] in page


def test_invoice_form_errors_per_field_then_issue(exporter: tuple[Any, Any]) -> None:
    org, user = exporter
    client = login(user, org)
    assert client.get("/en/customs/documents/new/invoice/").status_code == 200
    bad = dict(
        INVOICE_POST,
        **{
            "f:/lines/0/hs_code": "coffee",
            "f:/buyer/name": "",
            "f:/lines/0/unit_price_minor": "3.2.1",
        },
    )
    r = client.post("/en/customs/documents/new/invoice/", bad)
    assert r.status_code == 200
    page = r.content.decode()
    assert 'id="err-linesunit_price_minor"' not in page
    assert re.search(r'id="err-lines0unit_price_minor"[^>]*>Enter an amount', page)
    r = client.post(
        "/en/customs/documents/new/invoice/", dict(bad, **{"f:/lines/0/unit_price_minor": "320"})
    )
    page = r.content.decode()
    assert re.search(
        r'id="err-lines0hs_code"[^>]*>This value does not have the expected format', page
    )
    assert re.search(r'id="err-buyername"[^>]*>This field is required', page)
    assert Document.objects.count() == 0
    r = client.post("/en/customs/documents/new/invoice/", INVOICE_POST)
    assert r.status_code == 302
    doc = Document.objects.get()
    assert doc.status == "issued"
    assert doc.data["total_minor"] == 600 * 32000
    page = client.get(r["Location"]).content.decode()
    assert "data:image/svg+xml" in page  # the QR code
    assert "Hanoi Roasters &lt;script&gt;" in page
    assert "<script>" not in page.split("<main")[1]


def test_form_d_form_issues_with_items(exporter: tuple[Any, Any]) -> None:
    org, user = exporter
    client = login(user, org)
    post = {
        "f:/reference_number": "TH-FD-9",
        "f:/exporter/name": "Chiang Mai Highland Coffee", "f:/exporter/address": "99 Nimman Rd",
        "f:/exporter/country": "TH",
        "f:/consignee/name": "Hanoi Roasters", "f:/consignee/address": "12 Hang Bac",
        "f:/consignee/country": "VN",
        "f:/transport/departure_date": DEPARTURE, "f:/transport/means": "road",
        "f:/transport/port_of_discharge": "Lao Bao",
        "f:/invoice/number": "INV-7", "f:/invoice/date": "2026-12-01",
        "f:/declaration/place": "Chiang Mai", "f:/declaration/date": "2026-12-01",
        "f:/declaration/signatory": "Somchai", "f:/declaration/importing_country": "VN",
        "f:/items/0/description": "Green coffee", "f:/items/0/hs_code": "0901.11",
        "f:/items/0/origin_criterion": "RVC 40% or CTH", "f:/items/0/packages/number": "60",
        "f:/items/0/packages/kind": "bag", "f:/items/0/quantity/value": "600",
        "f:/items/0/quantity/unit": "kg",
    }  # fmt: skip
    r = client.post("/en/customs/documents/new/form-d/", post)
    assert r.status_code == 200
    assert re.search(
        r'id="err-items0fob_value_minor"[^>]*>This field is required', r.content.decode()
    )
    post["f:/items/0/fob_value_minor"] = "1000"
    r = client.post("/en/customs/documents/new/form-d/", post)
    assert r.status_code == 302, r.content.decode()[:3000]
    doc = Document.objects.get(doc_type="atiga_form_d")
    assert doc.data["items"][0]["item_number"] == 1
    assert doc.data["issued_in"] == "TH"
    assert selectors.verify_parsed(selectors.document_file(doc)).valid


def test_redacted_download_and_public_verify(exporter: tuple[Any, Any]) -> None:
    org, user = exporter
    doc = issue("commercial_invoice", org=org)
    client = login(user, org)
    r = client.get(f"/en/customs/documents/{doc.pk}/file/?hide=/lines/0/unit_price_minor")
    file = json.loads(r.content)
    assert "unit_price_minor" not in file["data"]["lines"][0]
    anon = Client(enforce_csrf_checks=False)
    r = anon.post("/en/customs/verify/", {"document": json.dumps(file)})
    page = r.content.decode()
    assert "Valid document: every check passed." in page
    file["data"]["buyer"]["name"] = "Other"
    page = anon.post("/en/customs/verify/", {"document": json.dumps(file)}).content.decode()
    assert 'class="check fail" data-check="integrity"' in page
    assert "The content was changed after signing." in page
    # By the QR link, and by a picture of the QR code.
    page = anon.get(f"/en/customs/verify/?id={doc.pk}&hash={doc.document_hash}").content.decode()
    assert "Valid document" in page
    buf = io.BytesIO()
    segno.make(f"http://x/en/customs/verify/?id={doc.pk}&hash={doc.document_hash}").save(
        buf, kind="png", scale=6
    )
    buf.seek(0)
    buf.name = "qr.png"
    page = anon.post("/en/customs/verify/", {"qr": buf}).content.decode()
    assert "Valid document" in page
    page = anon.post("/en/customs/verify/", {"document": "{nope"}).content.decode()
    assert "Not valid" in page
    # Another language.
    page = anon.get(f"/th/customs/verify/?id={doc.pk}").content.decode()
    assert 'data-check="integrity"' in page


def test_others_cannot_see_and_authority_revokes(exporter: tuple[Any, Any]) -> None:
    org, _user = exporter
    doc = issue("commercial_invoice", org=org)
    stranger_org = make_org(country="TH")
    stranger = login(make_user(org=stranger_org), stranger_org)
    assert stranger.get(f"/en/customs/documents/{doc.pk}/").status_code == 404
    assert stranger.get(f"/en/customs/documents/{doc.pk}/file/").status_code == 404
    assert stranger.get("/en/customs/authority/").status_code == 404
    assert doc.authority is not None
    from mekong.identity.models import Organisation

    auth_org = Organisation.objects.get(pk=doc.authority.organisation_id or 0)
    officer = login(make_user(org=auth_org, role="admin"), auth_org)
    assert str(doc.pk)[:10] in officer.get("/en/customs/authority/").content.decode()
    r = officer.post("/en/customs/authority/", {"document": str(doc.pk), "reason": "wrong buyer"})
    assert r.status_code == 302
    doc.refresh_from_db()
    assert doc.revoked_at is not None
    page = Client().get(f"/en/customs/verify/?id={doc.pk}").content.decode()
    assert 'class="check fail" data-check="not_revoked"' in page
