"""Browser journey through the site shell in headless Chromium (Debian's, via Playwright).

Opens the home page in all six languages, checks the page language and that the script's
web font really loaded, switches language with the switcher, logs in, and saves screenshots
for the user guide (docs/guide/img/).
"""

import pytest

from mekong.identity.tests.factories import PASSWORD, make_org, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Language → (font family that must be loaded, sample text in that script).
FONTS = {
    "en": ("Noto Sans", "Mekong"),
    "vi": ("Noto Sans", "Việt Nam"),
    "th": ("Noto Sans Thai", "ภาษาไทย"),
    "km": ("Noto Sans Khmer", "ភាសាខ្មែរ"),
    "lo": ("Noto Sans Lao", "ພາສາລາວ"),
    "my": ("Noto Sans Myanmar", "မြန်မာဘာသာ"),
}


def _font_loaded(page, family, sample):
    # check() alone is true when no face matches at all, so also require a loaded face.
    return page.evaluate(
        """async ([family, sample]) => {
            const faces = await document.fonts.load(`16px "${family}"`, sample);
            return faces.length > 0 && faces.every(f => f.status === "loaded")
                && document.fonts.check(`16px "${family}"`, sample);
        }""",
        [family, sample],
    )


def test_home_in_six_languages_with_fonts(live_server, page, screenshot_dir):
    make_org(name="Bolaven Plateau Coffee Co-op", country="LA")
    for lang, (family, sample) in FONTS.items():
        page.goto(f"{live_server.url}/{lang}/")
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("h1").inner_text().strip()
        assert _font_loaded(page, family, sample), f"{family} did not load for {lang}"
        page.screenshot(path=str(screenshot_dir / f"home-{lang}.png"), full_page=False)


def test_switch_language_and_log_in(live_server, page, screenshot_dir):
    org = make_org(name="Doi Chang Highland Coffee", kind="sme", country="TH")
    user = make_user(org=org, role="owner", email="ayu@example.org")
    page.goto(f"{live_server.url}/en/")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="ไทย").click()
    page.wait_for_url(f"{live_server.url}/th/")
    assert page.locator("html").get_attribute("lang") == "th"
    page.locator("header .account a").first.click()
    page.wait_for_url(f"{live_server.url}/th/login/")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.screenshot(path=str(screenshot_dir / "login-th.png"))
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/th/")
    assert "ayu@example.org" in page.locator("header").inner_text()
    page.goto(f"{live_server.url}/th/organisations/{org.slug}/")
    assert "Doi Chang Highland Coffee" in page.locator("h1").inner_text()
    page.screenshot(path=str(screenshot_dir / "organisation-th.png"), full_page=True)
