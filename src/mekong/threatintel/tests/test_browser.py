"""Browser journey of an analyst: log in, share an indicator, record a sighting, search.

Saves the screenshots the user guide (docs/guide/threatintel.md) shows.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

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
    expect(page.get_by_role("heading", name="Mule wallet ring")).to_be_visible()

    page.get_by_role("button", name="Record a sighting").click()
    expect(page.get_by_text("seen once")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "threatintel-object-en.png"), full_page=True)

    page.goto(f"{base}/threatintel/?q=wal-7781")
    assert page.locator(".search-results li").count() == 1


def test_admin_submits_a_report_and_manages_a_sharing_group(
    alliance, live_server, page, screenshot_dir
):
    from mekong.identity.tests.factories import make_user

    alliance["clients"]["cert_a"].post(alliance["objects_url"], load("poisonivy.json"))
    admin = make_user(org=alliance["orgs"]["cert_a"], role="admin", email="lead@cert-a.example")
    base = f"{live_server.url}/en"
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill(admin.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/threatintel/")
    page.get_by_role("link", name="Submit a report").click()
    page.locator("input[name=name]").fill("Poison Ivy in the region")
    page.locator("textarea[name=description]").fill("Campaign seen against two banks.")
    page.locator("input[name=published]").fill("2026-03-04T05:06")
    page.locator("input[name=object_refs]").first.check()
    page.locator("select[name=tlp]").select_option("amber")
    page.screenshot(path=str(screenshot_dir / "threatintel-report-form-en.png"), full_page=True)
    page.get_by_role("button", name="Share the report").click()
    expect(page.get_by_role("heading", name="Poison Ivy in the region")).to_be_visible()
    expect(page.locator("ul.referenced li")).to_have_count(1)

    page.goto(f"{base}/threatintel/groups/")
    page.locator("input[name=name]").fill("Mekong banks")
    page.locator("input[name=slug]").fill("mekong-banks")
    page.get_by_role("button", name="Create the group").click()
    expect(page.get_by_role("heading", name="Mekong banks")).to_be_visible()
    page.locator("select[name=organisation]").select_option(label="Bank B")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("button", name="Remove Bank B")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "threatintel-group-en.png"), full_page=True)

    page.goto(f"{base}/threatintel/groups/")
    assert page.locator("table.grants").first.is_visible()
    page.screenshot(path=str(screenshot_dir / "threatintel-groups-en.png"), full_page=True)

    # Record a sighting of an indicator with a count.
    page.goto(f"{base}/threatintel/?q=")
    indicator = next(o for o in load("poisonivy.json")["objects"] if o["type"] == "indicator")
    page.goto(f"{base}/threatintel/objects/{indicator['id']}/")
    page.locator("input[name=count]").fill("4")
    page.get_by_role("button", name="Record a sighting").click()
    expect(page.get_by_text("seen 4 times")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "threatintel-sighting-en.png"), full_page=True)
