"""A canvasser's evening on a phone: My turfs → the turf's walk screen → five doors logged through the
visit form → the doors-left and visited numbers move. Then the network drops: a sixth door is logged from
the page the service worker kept, waits on the phone ("1 visit waiting to sync"), and is sent when the
network returns."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django_scopes import scopes_disabled

from canvassing.models import Visit
from tests.canvassing.visits_helpers import assign, turf_with_doors
from tests.factories import CampaignFactory, MembershipFactory

pytestmark = pytest.mark.browser


def signed_in(context, user, base: str) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base}])


def log_door(page, code: str, outcome: str, support: str | None = None) -> None:
    from playwright.sync_api import expect

    page.locator(f"#door-{code}").get_by_test_id("log-visit").click()
    page.wait_for_url(f"**/households/{code}/visit/")
    page.locator(f"label[for=outcome-{outcome}]").click()
    if support:
        expect(page.locator("label[for=support-1]")).to_be_visible()  # support appears once contacted
        page.locator(f"label[for=support-{support}]").click()
    else:
        expect(page.locator("label[for=support-1]")).to_be_hidden()
    page.get_by_test_id("save-visit").click()
    page.wait_for_url(re.compile(r".*/walk/(#door-.*)?$"))


def test_walk_a_turf_and_log_visits_on_a_phone(live_server, transactional_db, new_phone_context, settings):
    from playwright.sync_api import expect

    base = live_server.url
    settings.SITE_URL = base
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "canvass"}}
    with scopes_disabled():
        campaign = CampaignFactory(slug="harbour-canvass", language="en")
        volunteer = MembershipFactory(campaign=campaign, role="volunteer")
    turf, doors = turf_with_doors(campaign, 6, name="Nathan Road south")
    assign(turf, volunteer)

    context = new_phone_context()
    signed_in(context, volunteer.user, base)
    page = context.new_page()
    page.goto(f"{base}/c/{campaign.slug}/canvassing/my/")
    card = page.get_by_test_id("my-turf")
    expect(card).to_contain_text("Nathan Road south")
    expect(card.get_by_test_id("turf-numbers")).to_have_text("6 doors left · 0 of 6 knocked")
    card.get_by_role("link", name="Walk this turf").click()
    page.wait_for_url(f"**/turfs/{turf.code}/walk/")
    expect(page.get_by_test_id("doors-left")).to_have_text("6")

    plan = [("contacted", "4"), ("not_home", None), ("contacted", "2"), ("refused", None), ("come_back", None)]
    for door, (outcome, support) in zip(doors[:5], plan, strict=True):
        log_door(page, str(door.code), outcome, support)
    expect(page.get_by_test_id("doors-left")).to_have_text("1")
    expect(page.get_by_test_id("doors-done")).to_have_text("5")
    expect(page.locator(f"#door-{doors[0].code}").get_by_test_id("door-done")).to_be_visible()
    with scopes_disabled():
        assert list(Visit.objects.order_by("visited_at").values_list("outcome", "support_level")) == [
            (o, int(s) if s else None) for o, s in plan
        ]

    page.goto(f"{base}/c/{campaign.slug}/canvassing/my/")
    expect(page.get_by_test_id("turf-numbers")).to_have_text("1 doors left · 5 of 6 knocked")

    # Offline: the walk screen and a visit form were kept by the service worker when they loaded.
    page.goto(f"{base}/c/{campaign.slug}/canvassing/turfs/{turf.code}/walk/")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=10_000)
    page.reload()  # once more under the worker's control, so this very page is in its cache
    page.wait_for_timeout(500)
    context.set_offline(True)
    last = str(doors[5].code)
    page.locator(f"#door-{last}").get_by_test_id("log-visit").click()
    page.wait_for_url(f"**/households/{last}/visit/")
    page.locator("label[for=outcome-not_home]").click()
    page.get_by_test_id("save-visit").click()
    page.wait_for_url(re.compile(r".*/walk/(#door-.*)?$"))
    expect(page.get_by_test_id("visit-queue")).to_contain_text("1 visit waiting to sync")
    with scopes_disabled():
        assert Visit.objects.count() == 5
    context.set_offline(False)
    expect(page.get_by_test_id("visit-queue")).to_be_hidden(timeout=10_000)
    with scopes_disabled():
        assert Visit.objects.filter(household=doors[5], outcome="not_home").count() == 1
    page.reload()
    expect(page.get_by_test_id("doors-left")).to_have_text("0")
