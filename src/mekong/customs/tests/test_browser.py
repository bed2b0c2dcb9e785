"""Browser journey: a Thai exporter issues an invoice and a Form D; the public verify page shows
the Form D valid, then a tampered copy failing. Saves docs/guide/img/customs-*.png."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mekong.customs.tests.factories import DEPARTURE, make_authority
from mekong.identity.tests.factories import PASSWORD, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INVOICE = {
    "/invoice_number": "DCH-2026-0042",
    "/invoice_date": "2026-12-01",
    "/seller/address": "Doi Chang, Mae Suai, Chiang Rai 57180",
    "/buyer/name": "Saigon Trading Buyers JSC",
    "/buyer/address": "12 Nguyen Hue, District 1, Ho Chi Minh City",
    "/lines/0/description": "Green arabica coffee beans, not roasted",
    "/lines/0/hs_code": "coffee",  # wrong on purpose: the form shows the error on this field
    "/lines/0/quantity": "600",
    "/lines/0/unit_price_minor": "320.00",
    "/lines/1/description": "Dried longan",
    "/lines/1/hs_code": "0813.40",
    "/lines/1/quantity": "100",
    "/lines/1/unit_price_minor": "180.50",
}
SELECTS = {"/buyer/country": "VN", "/lines/0/origin_country": "TH", "/lines/1/origin_country": "TH"}

FORM_D = {
    "/reference_number": "TH-FD-2026-000042",
    "/exporter/address": "Doi Chang, Mae Suai, Chiang Rai 57180",
    "/consignee/name": "Saigon Trading Buyers JSC",
    "/consignee/address": "12 Nguyen Hue, District 1, Ho Chi Minh City",
    "/transport/departure_date": DEPARTURE,
    "/transport/vessel_or_aircraft": "Truck 70-1234",
    "/transport/port_of_loading": "Mukdahan",
    "/transport/port_of_discharge": "Lao Bao",
    "/invoice/number": "DCH-2026-0042",
    "/invoice/date": "2026-12-01",
    "/declaration/place": "Chiang Rai",
    "/declaration/date": "2026-12-01",
    "/declaration/signatory": "Somchai Jaidee",
    "/items/0/description": "Green arabica coffee beans, not roasted (Doi Chang)",
    "/items/0/hs_code": "0901.11",
    "/items/0/origin_criterion": "WO",
    "/items/0/marks_and_numbers": "DCH 1-10",
    "/items/0/packages/number": "10",
    "/items/0/packages/kind": "bag",
    "/items/0/quantity/value": "600",
    "/items/1/description": "Dried longan",
    "/items/1/hs_code": "0813.40",
    "/items/1/origin_criterion": "RVC 40% or CTH",
    "/items/1/packages/number": "4",
    "/items/1/packages/kind": "carton",
    "/items/1/quantity/value": "100",
    "/items/1/fob_value_minor": "18050.00",
}
FORM_D_SELECTS = {
    "/consignee/country": "VN",
    "/transport/means": "road",
    "/declaration/importing_country": "VN",
    "/items/0/quantity/unit": "kg",
    "/items/1/quantity/unit": "kg",
}


def field(page: Any, pointer: str) -> Any:
    return page.locator(f'[name="f:{pointer}"]')


def test_thai_exporter_issues_invoice_and_form_d_then_public_verify(
    live_server: Any, page: Any, screenshot_dir: Path, inproc_witnesses: Any
) -> None:
    inproc_witnesses(5, [f"{cc}.witness.mekong.example" for cc in ("kh", "la", "mm", "th", "vn")])
    make_authority("TH", name="Department of Foreign Trade CO Office (demo)")
    org = make_org(country="TH", name="Doi Chang Highland Coffee (กาแฟดอยช้าง)")
    user = make_user(org=org, role="owner")
    base = f"{live_server.url}/en"
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/")

    # Invoice: a wrong HS code is reported on its field; corrected, the invoice is issued.
    page.goto(f"{base}/customs/documents/new/invoice/")
    for pointer, value in INVOICE.items():
        field(page, pointer).fill(value)
    for pointer, value in SELECTS.items():
        field(page, pointer).select_option(value)
    page.get_by_role("button", name="Sign and issue").click()
    page.wait_for_selector("#error-summary")
    error = page.locator("#err-lines0hs_code")
    assert "expected format" in error.inner_text()
    assert page.locator(".field-error").count() == 1
    page.locator("form fieldset.row").first.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "customs-invoice-errors.png"))
    field(page, "/lines/0/hs_code").fill("0901.11")
    page.get_by_role("button", name="Sign and issue").click()
    page.wait_for_selector("#printable")
    assert "The document was signed and anchored." in page.locator(".messages").inner_text()
    assert "210,050.00" in page.locator("#printable").inner_text()  # the total, formatted
    assert page.locator("figure.qr img").is_visible()

    # Form D, criteria WO and "RVC 40% or CTH" (with its FOB value, box 9).
    page.goto(f"{base}/customs/documents/new/form-d/")
    assert field(page, "/exporter/name").input_value().startswith("Doi Chang")
    for pointer, value in FORM_D.items():
        field(page, pointer).fill(value)
    for pointer, value in FORM_D_SELECTS.items():
        field(page, pointer).select_option(value)
    page.screenshot(path=str(screenshot_dir / "customs-form-d-form.png"), full_page=True)
    page.get_by_role("button", name="Sign and issue").click()
    page.wait_for_selector("#printable")
    page.locator("#printable").screenshot(path=str(screenshot_dir / "customs-form-d-issued.png"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the verifiable file (JSON)").click()
    file = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert file["type"] == "atiga_form_d"
    assert file["data"]["items"][1]["origin_criterion"] == "RVC 40% or CTH"

    # The public verify page, in a fresh browser context without a login.
    anon = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        pub = anon.new_page()
        pub.goto(f"{base}/customs/verify/")
        pub.locator("textarea[name=document]").fill(json.dumps(file))
        pub.get_by_role("button", name="Verify").click()
        pub.wait_for_selector("#result.valid")
        assert pub.locator("tr.check.pass").count() == 6
        assert "Valid document" in pub.locator("#result-title").inner_text()
        pub.locator("#result").screenshot(path=str(screenshot_dir / "customs-verify-valid.png"))

        file["data"]["items"][0]["quantity"]["value"] = 6000  # changed after signing
        pub.locator("textarea[name=document]").fill(json.dumps(file))
        pub.get_by_role("button", name="Verify").click()
        pub.wait_for_selector("#result.invalid")
        failed = pub.locator("tr.check.fail")
        assert failed.count() == 1
        assert failed.first.get_attribute("data-check") == "integrity"
        assert "changed after signing" in failed.first.inner_text()
        pub.locator("#result").screenshot(path=str(screenshot_dir / "customs-verify-tampered.png"))

        # The QR code's link, opened in Thai.
        pub.goto(
            f"{live_server.url}/th/customs/verify/?id={file['id']}&hash={file['document_hash']}"
        )
        pub.wait_for_selector("#result.valid")
        pub.screenshot(path=str(screenshot_dir / "customs-verify-qr-th.png"))
    finally:
        anon.close()
