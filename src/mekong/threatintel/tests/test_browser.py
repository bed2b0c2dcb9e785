"""Browser journey of an analyst: log in, share an indicator, record a sighting, search.

Saves the screenshots the user guide (docs/guide/threatintel.md) shows.
"""

from __future__ import annotations

import pytest

from mekong.identity.tests.factories import PASSWORD
from mekong.threatintel.tests.conftest import load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_shares_an_indicator_and_records_a_sighting(
    alliance, live_server, page, screenshot_dir
):
    alliance["clients"]["cert_a"].post(alliance["objects_url"], load("poisonivy.json"))
    base = f"{live_server.url}/en"
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill(alliance["user_a"].email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/threatintel/")
    assert page.get_by_role("heading", name="Fraud indicators").is_visible()
    page.screenshot(path=str(screenshot_dir / "threatintel-dashboard-en.png"))

    page.get_by_role("link", name="Share an indicator").click()
    page.get_by_label("Name").fill("Mule wallet ring")
    page.get_by_label("Observable type").select_option("wallet")
    page.get_by_label("Value").fill("WAL-7781")
    page.locator("select[name=tlp]").select_option("amber")
    page.screenshot(path=str(screenshot_dir / "threatintel-indicator-form-en.png"))
    page.get_by_role("button", name="Share").click()
    assert page.get_by_role("heading", name="Mule wallet ring").is_visible()

    page.get_by_role("button", name="Record a sighting").click()
    assert page.get_by_text("seen once").is_visible()
    page.screenshot(path=str(screenshot_dir / "threatintel-object-en.png"), full_page=True)

    page.goto(f"{base}/threatintel/?q=wal-7781")
    assert page.locator(".search-results li").count() == 1
