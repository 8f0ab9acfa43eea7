"""The coordinator dashboard in a real browser, on a desktop and on a phone, in English and Chinese: the
server-drawn SVG charts are there and have a size, the page fits the phone's width, and a screenshot of
each is kept under the test's temporary folder."""

import uuid

import pytest
from django.conf import settings
from django.test import Client
from django_scopes import scopes_disabled

from campaign.models import Role
from tests.browser.conftest import TIMEOUT_MS
from tests.factories import CampaignFactory, MembershipFactory
from tests.reports.builders import build_known_campaign

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# (the browser's locale, the volunteers panel's heading in that language)
LANGUAGES = {"en": ("en-GB", "Volunteers"), "zh-hans": ("zh-CN", "义工")}
CHARTS = ("chart-doors", "chart-shifts", "chart-support", "chart-money")


def signed_in(context, user, base: str) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base}])


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_dashboard_draws_its_charts(language, viewport, live_server, transactional_db, chromium, settings, tmp_path):
    from playwright.sync_api import expect

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"dash-{uuid.uuid4()}"}
    }
    with scopes_disabled():
        campaign = CampaignFactory(slug=f"dash-{language}-{viewport}", language=language, time_zone="Asia/Hong_Kong")
        coordinator = MembershipFactory(campaign=campaign, role=Role.COORDINATOR)
        volunteer = MembershipFactory(campaign=campaign, role=Role.VOLUNTEER)
    coordinator.user.language = language
    coordinator.user.save(update_fields=["language"])
    build_known_campaign(campaign, volunteer)

    locale, heading = LANGUAGES[language]
    context = chromium.new_context(
        viewport=VIEWPORTS[viewport], locale=locale, is_mobile=viewport == "phone", has_touch=viewport == "phone"
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(4 * TIMEOUT_MS)  # a loaded CI machine computes the panels cold
    try:
        signed_in(context, coordinator.user, live_server.url)
        page = context.new_page()
        response = page.goto(f"{live_server.url}/c/{campaign.slug}/reports/")
        assert response is not None and response.status == 200
        assert page.locator("html").get_attribute("lang") == language
        expect(page.locator("[data-panel=volunteers] h2")).to_have_text(heading)
        for testid in CHARTS:
            svg = page.get_by_test_id(testid).locator("svg").first
            expect(svg).to_be_visible()
            box = svg.bounding_box()
            assert box is not None and box["width"] > 50 and box["height"] > 10, (testid, box)
            assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS[viewport]["width"] + 1, (testid, box)
        bars = page.get_by_test_id("chart-doors").locator("rect")
        heights = [float(bars.nth(i).get_attribute("height") or 0) for i in range(bars.count())]
        assert any(h > 0 for h in heights)  # today's and yesterday's doors are drawn
        # nothing of the dashboard is wider than the screen: no sideways scrolling on a phone
        too_wide = page.evaluate(
            "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > "
            "window.innerWidth + 1).map(e => e.tagName + '.' + e.className).slice(0, 5)"
        )
        assert too_wide == []
        outside = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
            "window.innerWidth + 1).map(e => e.tagName + '.' + e.className).slice(0, 3)"
        )
        print(viewport, language, "wider than the screen outside the dashboard:", outside)
        expect(page.get_by_test_id("doors")).to_have_text("2")
        path = tmp_path / f"dashboard-{language}-{viewport}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
    finally:
        context.close()
