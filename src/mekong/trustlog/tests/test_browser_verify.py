"""Browser journey: verify a receipt on the page, then a tampered one (headless Chromium).

Saves docs/guide/img/trustlog-verify-valid.png and trustlog-verify-tampered.png for the guide.
"""

from __future__ import annotations

import json

import pytest

from mekong.trustlog import facade

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_verify_valid_then_tampered_receipt(live_server, page, screenshot_dir, inproc_witnesses):
    inproc_witnesses(5, [f"{cc}.witness.mekong.example" for cc in ("kh", "la", "mm", "th", "vn")])
    facade.anchor(
        "payments.transfer", b'{"id": "tx-7781", "amount_minor": 500000, "currency": "THB"}'
    )
    receipt = facade.anchor(
        "customs.certificate", b"sha256:5f2b8c0e certificate of origin KH-2026-0042"
    )

    page.goto(f"{live_server.url}/en/log/verify/")
    # The configured log and witness keys are filled in; the reader pastes the receipt.
    assert page.locator("input[name=log_key]").input_value().startswith("test.mekong.example/log+")
    page.locator("textarea[name=receipt]").fill(receipt.to_json())
    page.get_by_role("button", name="Verify").click()
    page.wait_for_selector("#result")

    rows = page.locator("tr.check")
    assert rows.count() == 9  # entry, log signature, inclusion, 5 witnesses, quorum
    assert page.locator("tr.check.fail").count() == 0
    assert "Valid receipt" in page.locator("#result-title").inner_text()
    page.locator("#result").screenshot(path=str(screenshot_dir / "trustlog-verify-valid.png"))

    data = receipt.to_dict()
    data["entry"]["data"] = "c2hhMjU2OjAwMDAwMDAwIGNlcnRpZmljYXRlIG9mIG9yaWdpbiBLSC0yMDI2LTAwNDI="
    page.locator("textarea[name=receipt]").fill(json.dumps(data, indent=2))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_selector("#result.invalid")

    failed = page.locator("tr.check.fail")
    assert failed.count() == 2
    assert "Entry matches its leaf hash" in failed.nth(0).inner_text()
    assert "Entry included in the checkpoint" in failed.nth(1).inner_text()
    assert "Invalid receipt: 2 checks failed." in page.locator("#result-title").inner_text()
    page.locator("#result").screenshot(path=str(screenshot_dir / "trustlog-verify-tampered.png"))
