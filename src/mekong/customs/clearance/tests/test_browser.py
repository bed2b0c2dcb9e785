"""Browser journeys of clearance (issue 6 acceptance), saving the user guide's screenshots.

A Thai exporter's commercial invoice, packing list and Form D are issued in the test setup
through the customs facade (``issue_document``: signed by the Thai issuing authority and
anchored in the log). A Vietnamese importer lodges a declaration referencing them in the
browser, it gets the green lane, and a Vietnamese customs officer releases it. A second
journey shows a tampered Form D sending the declaration to the red lane with the reason.
"""

from __future__ import annotations

import pytest

from mekong.customs.clearance.models import Declaration
from mekong.customs.models import Document
from mekong.identity.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, user):
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def _lodge(page, base, corridor, screenshot=None):
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
    page.locator("textarea[name=document_ids]").fill("\n".join(corridor.document_ids))
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
    corridor, live_server, page, playwright_browser, screenshot_dir
):
    base = f"{live_server.url}/en"
    _login(page, base, corridor.importer_user)
    _lodge(page, base, corridor, screenshot=str(screenshot_dir / "clearance-lodge-en.png"))
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
        for doc_id in corridor.document_ids:
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
    _lodge(page, base, corridor)
    assert page.locator("[data-lane]").get_attribute("data-lane") == "red"
    reason = page.locator('[data-rule="document_invalid"]')
    assert str(form_d.pk) in reason.inner_text()
    assert "integrity" in reason.inner_text()
    page.screenshot(path=str(screenshot_dir / "clearance-red-en.png"), full_page=True)
