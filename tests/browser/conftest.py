"""Playwright fixtures: Debian's Chromium, headless, on a phone-sized viewport.

Nothing here downloads a browser: the tests drive /usr/bin/chromium and skip without it
(or fail under REQUIRE_SERVICES=1).
"""

import os

import pytest

from tests.conftest import require_service

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


@pytest.fixture
def _allow_async_unsafe(monkeypatch):
    """Playwright's sync API keeps an event loop running in the main thread, where the test's
    own ORM calls happen; without this Django refuses them with SynchronousOnlyOperation."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def chromium(_allow_async_unsafe):
    require_service("Chromium", os.access(CHROMIUM, os.X_OK))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_phone_context(chromium):
    """Opens a fresh browser context (own cookies, own session) with a phone viewport.

    `locale` is the phone's language (sent as Accept-Language), e.g. "zh-CN" for a Chinese phone."""
    contexts = []

    def open_context(locale: str = "en-GB"):
        context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale=locale)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()
