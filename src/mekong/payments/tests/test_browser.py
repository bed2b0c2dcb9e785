"""Browser journeys of the payments hub in headless Chromium (Debian's, via Playwright).

1. A Lao coffee co-op shows its Lao QR; a Vietnamese buyer photographs it and pays it from a
   VND wallet (the screenshot of the code is read back with zxing-cpp).
2. A worker in Thailand sends THB to a phone number in Myanmar and sees the total cost before
   confirming.
3. A CERT shares the recipient's phone number as a fraud indicator over TAXII; the hub holds
   the payment and a platform operator releases it from the review queue.

Data come from the platform's demo seed (identity, payments...) and the threat-intelligence
test alliance; every step goes through the pages. Screenshots go to docs/guide/img/ for
docs/guide/payments.md.
"""

from __future__ import annotations

import re

import pytest

from mekong.demo import DEMO_PASSWORD, seed_all
from mekong.payments.models import Payment
from mekong.payments.qr import decode
from mekong.payments.qr.image import read
from mekong.threatintel.tests.conftest import alliance  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOMAIN = "demo.mekong.example"


@pytest.fixture
def demo(transactional_db):
    seed_all()


def log_in(page, base: str, slug: str) -> None:
    page.goto(f"{base}/login/")
    page.locator("input[name=username]").fill(f"{slug}@{DOMAIN}")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def log_out(page) -> None:
    page.locator("header form[action*=logout] button").click()


def confirm_and_wait(page) -> None:
    page.locator("#confirm-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/payments/transfers/[0-9a-f-]{36}/$"))


def test_vietnamese_wallet_pays_a_lao_qr(demo, live_server, page, screenshot_dir, tmp_path):
    en = f"{live_server.url}/en"
    # The Lao co-op shows the national QR of its business wallet.
    log_in(page, en, "la-bolaven-coffee")
    page.goto(f"{en}/payments/qr/")
    options = page.locator("select[name=wallet] option")
    business = [o for o in options.all() if "LAK" in o.inner_text()]
    page.locator("select[name=wallet]").select_option(business[-1].get_attribute("value"))
    page.locator("main form button[type=submit]").click()
    code = page.locator("img.qr-code")
    code.wait_for()
    page.screenshot(path=str(screenshot_dir / "payments-my-qr-en.png"), full_page=True)
    photo = tmp_path / "lao-qr.png"
    code.screenshot(path=str(photo))
    assert decode(read(photo)[0]).scheme == "laoqr"
    log_out(page)

    # A Vietnamese buyer uploads the photo, in Vietnamese.
    vi = f"{live_server.url}/vi"
    log_in(page, vi, "vn-dak-lak-coffee")
    page.goto(f"{vi}/payments/")
    assert page.locator(".wallet-card").count() >= 1
    page.screenshot(path=str(screenshot_dir / "payments-home-vi.png"), full_page=True)
    page.goto(f"{vi}/payments/pay/")
    page.locator("input[name=image]").set_input_files(str(photo))
    page.screenshot(path=str(screenshot_dir / "payments-pay-qr-vi.png"), full_page=True)
    page.locator("#scan-form button[type=submit]").click()
    page.locator(".payee-name").wait_for()
    assert "Bolaven" in page.locator(".payee-name").inner_text()
    # The code has no amount: the buyer types what the co-op gets, in kip.
    page.locator("input[name=fixed][value=destination]").check()
    page.locator("input[name=amount]").fill("150000")
    page.screenshot(path=str(screenshot_dir / "payments-pay-qr-amount-vi.png"), full_page=True)
    page.locator("#amount-form button[type=submit]").click()
    page.locator("#total-cost").wait_for()
    assert "150.000" in page.locator("#quote-destination").inner_text()  # LAK, vi format
    assert page.locator(".countdown").inner_text().strip()
    page.screenshot(path=str(screenshot_dir / "payments-quote-vi.png"), full_page=True)
    confirm_and_wait(page)
    assert "status-completed" in page.locator("#payment-status").get_attribute("class")
    assert page.locator("#receipt-index").inner_text().startswith("#")
    page.screenshot(path=str(screenshot_dir / "payments-receipt-vi.png"), full_page=True)
    payment = Payment.objects.get()
    assert payment.status == "completed"
    assert payment.quote.destination_amount == 150_000_00
    assert payment.quote.source_currency == "VND"


def test_thai_to_myanmar_remittance_shows_total_cost_first(demo, live_server, page, screenshot_dir):
    en = f"{live_server.url}/en"
    log_in(page, en, "th-doi-chaang")
    page.goto(f"{en}/payments/send/")
    page.locator("select[name=country]").select_option("MM")
    page.locator("select[name=kind]").select_option("phone")
    page.locator("input[name=value]").fill("09 250 001 111")
    page.screenshot(path=str(screenshot_dir / "payments-send-recipient-en.png"), full_page=True)
    page.locator("#recipient-form button[type=submit]").click()
    page.locator(".payee-name").wait_for()
    assert page.locator(".payee-name").inner_text() == "Daw K. M. A."
    page.locator("input[name=amount]").fill("3000")
    page.screenshot(path=str(screenshot_dir / "payments-send-amount-en.png"), full_page=True)
    page.locator("#amount-form button[type=submit]").click()
    # The total cost is on the page before anything is paid.
    cost = page.locator("#total-cost")
    cost.wait_for()
    shown = re.search(r"([0-9.]+)%", cost.inner_text())
    assert shown is not None
    assert 0 < float(shown.group(1)) < 3
    assert "under-target" in cost.get_attribute("class")
    assert Payment.objects.count() == 0
    # The lock countdown is refreshed by htmx (polled from the server, allowed by the CSP).
    first = page.locator(".countdown").inner_text()
    page.wait_for_function("t => document.querySelector('.countdown').innerText !== t", arg=first)
    page.screenshot(path=str(screenshot_dir / "payments-send-quote-en.png"), full_page=True)
    confirm_and_wait(page)
    assert "status-completed" in page.locator("#payment-status").get_attribute("class")
    page.screenshot(path=str(screenshot_dir / "payments-send-receipt-en.png"), full_page=True)
    payment = Payment.objects.get()
    assert (payment.quote.source_currency, payment.quote.destination_currency) == ("THB", "MMK")
    assert payment.quote.source_amount == 3_000_00
    log_out(page)

    # The sending bank sees its positions and the day's settlement report.
    log_in(page, en, "th-baht-bank")
    page.goto(f"{en}/payments/participant/")
    assert page.locator("table.positions tbody tr").count() >= 1
    assert "THB" in page.locator("table.settlement").inner_text()
    page.screenshot(path=str(screenshot_dir / "payments-participant-en.png"), full_page=True)


def test_screening_hit_is_held_and_released_by_a_reviewer(
    demo,
    alliance,  # noqa: F811 - the threat-intelligence fixture imported above
    live_server,
    page,
    screenshot_dir,
):
    # A CERT shares the recipient's phone number as a fraud indicator (TLP:CLEAR) over TAXII.
    bundle = {
        "type": "bundle",
        "id": "bundle--7d3b2f5e-0a51-4c1e-9a47-2f6f3b1f8e01",
        "objects": [
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": "indicator--1f0b6a1e-3c55-4d8e-9a7b-5b1c2d3e4f50",
                "created": "2026-12-01T00:00:00.000Z",
                "modified": "2026-12-01T00:00:00.000Z",
                "name": "Mule wallet phone (scam ring)",
                "indicator_types": ["malicious-activity"],
                "pattern": "[x-mekong-payment-id:value = '+959250001111']",
                "pattern_type": "stix",
                "valid_from": "2026-12-01T00:00:00.000Z",
                "valid_until": "2099-12-01T00:00:00.000Z",
                "object_marking_refs": ["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"],
            }
        ],
    }
    posted = alliance["clients"]["cert_a"].post(alliance["objects_url"], bundle)
    assert posted.status_code == 202, posted.content

    en = f"{live_server.url}/en"
    log_in(page, en, "th-doi-chaang")
    page.goto(f"{en}/payments/send/")
    page.locator("select[name=country]").select_option("MM")
    page.locator("input[name=value]").fill("+95 9 250 001 111")
    page.locator("#recipient-form button[type=submit]").click()
    page.locator("input[name=amount]").fill("2000")
    page.locator("#amount-form button[type=submit]").click()
    page.locator("#total-cost").wait_for()
    confirm_and_wait(page)
    assert "status-held" in page.locator("#payment-status").get_attribute("class")
    page.screenshot(path=str(screenshot_dir / "payments-held-en.png"), full_page=True)
    held = Payment.objects.get()
    assert held.status == "held"
    log_out(page)

    # The platform operator reviews: the queue shows what matched; release.
    log_in(page, en, "operator")
    page.goto(f"{en}/payments/review/")
    row = page.locator("table.review-queue tbody tr")
    assert row.count() == 1
    assert "+959250001111" in row.inner_text()
    page.screenshot(path=str(screenshot_dir / "payments-review-en.png"), full_page=True)
    row.locator("form[action*=release] button").click()
    page.wait_for_url(re.compile(rf".*/payments/transfers/{held.pk}/$"))
    assert "status-completed" in page.locator("#payment-status").get_attribute("class")
    page.screenshot(path=str(screenshot_dir / "payments-released-en.png"), full_page=True)
    held.refresh_from_db()
    assert held.status == "completed"
    assert held.reviewed_by is not None
