"""Fixtures shared by every module's tests.

- ``postgres``-marked tests run only when the suite runs on PostgreSQL (the CI's second pass).
- ``browser`` fixtures drive Debian's /usr/bin/chromium through Playwright against a live server;
  screenshots go to docs/guide/img/ where the user guides reuse them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

# Every test, in every module, signs checkpoints with the test log key and contacts no witness
# unless it starts its own: payments, customs and the marketplace anchor receipts, and a fresh
# clone has no var/trustlog/log.key (nor should a developer's demo witnesses be reached).
from mekong.trustlog.tests.conftest import trustlog_env as _trustlog_env  # noqa: F401

# Importing mekong.wsgi (its tests do) would otherwise warm the test process up and freeze
# every object it holds by then (`mekong.wsgi.warm_up`); test_serve turns it on again for the
# servers it starts, as they run in production.
os.environ["MEKONG_WARM_UP"] = "off"


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a page request leaves its language active in
    the thread (LocaleMiddleware), which would otherwise prefix the next test's `reverse()`."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


REPO_ROOT = Path(__file__).resolve().parents[2]
GUIDE_IMAGES = REPO_ROOT / "docs" / "guide" / "img"
CHROMIUM = os.environ.get("MEKONG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip PostgreSQL-only tests on SQLite; keep browser tests on one xdist worker."""
    # Pure-module runs (`-p no:django`) have no settings: nothing is PostgreSQL then.
    on_postgres = settings.configured and connection.vendor == "postgresql"
    skip_pg = pytest.mark.skip(reason="PostgreSQL-only: runs in the PostgreSQL pass of make test")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "browser" in item.keywords:
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def playwright_browser() -> Iterator[Any]:
    """One headless Chromium for the session (Debian's, never a downloaded build)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: browser tests need Debian's chromium "
            "(make browser, or apt-get install chromium fonts-noto-core)"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(playwright_browser: Any) -> Iterator[Any]:
    """A fresh browser context and page per test (no shared cookies)."""
    context = playwright_browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    """Where browser tests save the screenshots the user guide shows."""
    GUIDE_IMAGES.mkdir(parents=True, exist_ok=True)
    return GUIDE_IMAGES


@pytest.fixture
def wsgi_keeps_connection() -> Iterator[None]:
    """Calls through the WSGI handler (schemathesis) keep the test's database connection.

    Like Django's test client: the handler must not close the connection at the end of each
    request, which would end the test transaction.
    """
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
