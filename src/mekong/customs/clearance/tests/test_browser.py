"""Browser journeys of clearance (issue 6 acceptance), saving the user guide's screenshots.

A Thai exporter issues a commercial invoice and a Form D in the browser, through the customs
documents pages (signed by the Thai issuing authority and anchored in the log); a Vietnamese
importer lodges a declaration referencing both, it gets the green lane, and a Vietnamese
customs officer releases it. A second journey (documents issued in the test setup through the
customs facade) shows a tampered Form D sending the declaration to the red lane with the reason.
"""

from __future__ import annotations

import pytest

from mekong.customs.clearance.models import Declaration
from mekong.customs.clearance.tests.factories import make_corridor
from mekong.customs.models import Document
from mekong.identity.tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, user):
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/")


INVOICE = {
    "/invoice_number": "SJR-2026-0907",
    "/invoice_date": "2026-12-01",
    "/seller/address": "88 Rama IV Rd, Bangkok",
    "/buyer/name": "Hanoi Foods JSC",
    "/buyer/address": "12 Hang Bac, Ha Noi",
    "/lines/0/description": "Thai Hom Mali rice, white, 100 % grade A",
    "/lines/0/hs_code": "1006.30.40",
    "/lines/0/quantity": "20000",
    "/lines/0/unit_price_minor": "1.00",
}
INVOICE_SELECTS = {"/currency": "USD", "/buyer/country": "VN", "/lines/0/origin_country": "TH"}
FORM_D = {
    "/reference_number": "TH-FD-2026-090701",
    "/exporter/address": "88 Rama IV Rd, Bangkok",
    "/consignee/name": "Hanoi Foods JSC",
    "/consignee/address": "12 Hang Bac, Ha Noi",
    "/transport/departure_date": "2026-12-05",
    "/transport/vessel_or_aircraft": "Truck 70-1234",
    "/transport/port_of_loading": "Mukdahan",
    "/transport/port_of_discharge": "Lao Bao",
    "/invoice/number": "SJR-2026-0907",
    "/invoice/date": "2026-12-01",
    "/declaration/place": "Bangkok",
    "/declaration/date": "2026-12-01",
    "/declaration/signatory": "Somchai Jaidee",
    "/items/0/description": "Thai Hom Mali rice (Siam Jasmine brand)",
    "/items/0/hs_code": "1006.30.40",
    "/items/0/origin_criterion": "WO",
    "/items/0/marks_and_numbers": "SJR 1-400",
    "/items/0/packages/number": "400",
    "/items/0/packages/kind": "bag",
    "/items/0/quantity/value": "20000",
}
FORM_D_SELECTS = {
    "/consignee/country": "VN",
    "/transport/means": "road",
    "/declaration/importing_country": "VN",
    "/items/0/quantity/unit": "kg",
}


def _issue(page, base, kind, fills, selects):
    """Fill the customs documents form of ``kind``, sign and issue; return the document id."""
    page.goto(f"{base}/customs/documents/new/{kind}/")
    for pointer, value in fills.items():
        page.locator(f'[name="f:{pointer}"]').fill(value)
    for pointer, value in selects.items():
        page.locator(f'[name="f:{pointer}"]').select_option(value)
    page.get_by_role("button", name="Sign and issue").click()
    page.wait_for_selector("#printable")
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def _lodge(page, base, document_ids, screenshot=None):
    page.goto(f"{base}/customs/clearance/lodge/")
    page.locator("input[name=importer_name]").fill("Hanoi Foods JSC")
    page.locator("input[name=importer_address]").fill("12 Hang Bac, Ha Noi")
    page.locator("input[name=exporter_name]").fill("Siam Jasmine Rice Export Co.")
    page.locator("input[name=exporter_address]").fill("88 Rama IV Rd, Bangkok")
    page.locator("select[name=export_country]").select_option("TH")
    page.locator("select[name=transport_mode]").select_option("road")
    page.locator("input[name=transport_id]").fill("Truck 70-1234")
    page.locator("input[name=port_of_discharge]").fill("Lao Bao")
    page.locator("select[name=currency]").select_option("USD")
    page.locator("textarea[name=document_ids]").fill("\n".join(document_ids))
    page.locator("input[name=lines-0-hs_code]").fill("10063040")
    page.locator("input[name=lines-0-description]").fill("Thai Hom Mali rice, 100 % grade A")
    page.locator("input[name=lines-0-quantity]").fill("20000")
    page.locator("input[name=lines-0-quantity_unit]").fill("kg")
    page.locator("input[name=lines-0-gross_mass_kg]").fill("20400")
    page.locator("input[name=lines-0-customs_value]").fill("20000.00")
    page.locator("select[name=lines-0-origin_country]").select_option("TH")
    page.locator("select[name=lines-0-preference]").select_option("atiga")
    if screenshot:
        page.screenshot(path=screenshot, full_page=True)
    page.get_by_role("button", name="Lodge").click()
    page.wait_for_url(f"{base}/customs/clearance/*/")


def test_thai_rice_lodged_in_vietnam_green_lane_released_by_officer(
    db, live_server, page, playwright_browser, screenshot_dir
):
    corridor = make_corridor(with_documents=False)
    base = f"{live_server.url}/en"

    # The Thai exporter issues the invoice and the Form D on the customs documents pages.
    exporter = playwright_browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        epage = exporter.new_page()
        _login(epage, base, make_user(org=corridor.exporter, role="owner"))
        document_ids = [
            _issue(epage, base, "invoice", INVOICE, INVOICE_SELECTS),
            _issue(epage, base, "form-d", FORM_D, FORM_D_SELECTS),
        ]
    finally:
        exporter.close()
    assert [Document.objects.get(pk=i).doc_type for i in document_ids] == [
        "commercial_invoice",
        "atiga_form_d",
    ]

    # The Vietnamese importer lodges the declaration referencing both.
    _login(page, base, corridor.importer_user)
    _lodge(page, base, document_ids, screenshot=str(screenshot_dir / "clearance-lodge-en.png"))
    assert page.locator("[data-lane]").get_attribute("data-lane") == "green"
    assert page.locator(".risk-hits-none").is_visible()
    assert page.locator("table.duty").get_by_text("ATIGA").first.is_visible()
    page.screenshot(path=str(screenshot_dir / "clearance-declaration-en.png"), full_page=True)
    declaration = Declaration.objects.get()

    # The Vietnamese officer, in another browser session and in Vietnamese.
    officer = playwright_browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        opage = officer.new_page()
        vbase = f"{live_server.url}/vi"
        _login(opage, vbase, corridor.officer)
        opage.goto(f"{vbase}/customs/clearance/queue/?lane=green")
        assert opage.get_by_role("link", name=declaration.reference).is_visible()
        opage.screenshot(path=str(screenshot_dir / "clearance-queue-vi.png"), full_page=True)
        opage.get_by_role("link", name=declaration.reference).click()
        # The click does not wait for the navigation; counting before it lands counts the queue.
        opage.wait_for_url(f"{vbase}/customs/clearance/{declaration.pk}/")
        for doc_id in document_ids:
            section = opage.locator(f'section[data-document="{doc_id}"]')
            assert section.locator(".check-fail").count() == 0
            assert section.locator(".check-ok").count() >= 5
        opage.screenshot(path=str(screenshot_dir / "clearance-officer-vi.png"), full_page=True)
        opage.locator(f'form[action$="/{declaration.pk}/release/"] button').click()
        opage.wait_for_url(f"{vbase}/customs/clearance/{declaration.pk}/")
        assert opage.locator("[data-status]").get_attribute("data-status") == "released"
        opage.screenshot(path=str(screenshot_dir / "clearance-released-vi.png"), full_page=True)
    finally:
        officer.close()
    declaration.refresh_from_db()
    assert declaration.status == "released"
    assert declaration.clearance_seconds is not None


def test_tampered_form_d_sends_the_declaration_to_red_with_the_reason(
    corridor, live_server, page, screenshot_dir
):
    form_d = Document.objects.get(pk=corridor.documents["form_d"].id)
    form_d.data["items"][0]["origin_criterion"] = "RVC 40%"
    Document.objects.filter(pk=form_d.pk).update(data=form_d.data)
    base = f"{live_server.url}/en"
    _login(page, base, corridor.importer_user)
    _lodge(page, base, corridor.document_ids)
    assert page.locator("[data-lane]").get_attribute("data-lane") == "red"
    reason = page.locator('[data-rule="document_invalid"]')
    assert str(form_d.pk) in reason.inner_text()
    assert "integrity" in reason.inner_text()
    page.screenshot(path=str(screenshot_dir / "clearance-red-en.png"), full_page=True)
