"""Browser journey: the search box suggests product titles while a Thai reader types.

Headless Chromium against the live server with the 35-product catalogue: typing a Thai
substring (from the middle of a title written without spaces) opens the ARIA combobox's
listbox with the titles the API suggests; the arrow keys move through them, Escape closes the
list, Enter on a suggestion searches for it. No console error and no CSP violation on the way
(the script is a static file: the CSP allows scripts from 'self' only) beyond what the
page shell already logs on load.
Screenshot: docs/guide/img/marketplace-autocomplete.png.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from mekong.marketplace.autocomplete import suggestions_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_thai_reader_picks_a_suggestion(catalogue, live_server, page, screenshot_dir):  # type: ignore[no-untyped-def]
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server.url}/th/marketplace/")
    # What the page shell logs on every load (htmx injects an inline indicator style, which
    # the CSP blocks) is not this feature's: only what the combobox adds counts.
    on_load = list(problems)
    box = page.locator("input[name=q]")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "false"
    listbox = page.locator("#q-suggestions[role=listbox]")
    assert listbox.is_hidden()

    # "ดอย" sits inside two Thai titles (and one description, which is not suggested).
    expected = [s.title for s in suggestions_for("ดอย", language="th")]
    assert "กาแฟดอยช้างคั่วกลาง 250 กรัม" in expected
    assert len(expected) >= 2
    box.press_sequentially("ดอย")
    options = listbox.locator("[role=option]")
    options.nth(len(expected) - 1).wait_for()
    assert options.all_inner_texts() == expected
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-controls") == "q-suggestions"

    # Down twice: the second suggestion is the active descendant; Escape closes the list.
    box.press("ArrowDown")
    box.press("ArrowDown")
    second = options.nth(1)
    assert second.get_attribute("aria-selected") == "true"
    assert options.nth(0).get_attribute("aria-selected") == "false"
    assert box.get_attribute("aria-activedescendant") == second.get_attribute("id")
    box.press("Escape")
    assert listbox.is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    assert box.get_attribute("aria-activedescendant") is None

    # Down reopens on the first suggestion; Up wraps to the last, then back to the coffee.
    box.press("ArrowDown")
    assert box.get_attribute("aria-expanded") == "true"
    target = expected.index("กาแฟดอยช้างคั่วกลาง 250 กรัม")
    for _ in range(target):
        box.press("ArrowDown")
    assert options.nth(target).get_attribute("aria-selected") == "true"
    page.screenshot(path=str(screenshot_dir / "marketplace-autocomplete.png"))

    # Enter searches for the chosen title: the coffee is the first result.
    box.press("Enter")
    page.wait_for_url(re.compile(r".*/th/marketplace/\?q=" + re.escape(quote("กาแฟ", safe=""))))
    assert box.input_value() == "กาแฟดอยช้างคั่วกลาง 250 กรัม"
    first = page.locator(".product-card").first
    assert first.get_attribute("data-slug") == "th-doi-chaang-coffee"
    # The results page is a new load that logs the shell's message again, and nothing else.
    assert set(problems) <= set(on_load), problems
