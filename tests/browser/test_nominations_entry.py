"""Fast keyboard entry of a paper sheet: a volunteer holding the sheet types three signatures with the
keyboard only (Tab between fields, Enter to pick a household and to save). Each line appears in the
list with its risk shown, and the form clears for the next one, keeping the date signed."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from nominations import services
from nominations.models import Risk, Signature
from tests.conftest import make_team
from tests.nominations.conftest import make_district

pytestmark = pytest.mark.browser


def signed_in(context, user, base: str) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base}])


def test_three_signatures_typed_with_the_keyboard_only(live_server, transactional_db, chromium, settings):
    from playwright.sync_api import expect

    base = live_server.url
    settings.SITE_URL = base
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "nom"}}
    team = make_team("paper-sheets")
    with scopes_disabled():
        team.campaign.language = "en"
        team.campaign.save(update_fields=["language"])
    district = make_district(team)
    with scopes_disabled():
        sheet = services.sheets_create(drive=district.drive, acting_user=team.owner.user, first=7, count=1)[0]
        services.sheet_checkout(sheet=sheet, membership=team.volunteer, acting_user=team.owner.user)
    yesterday = timezone.localdate(timezone=team.campaign.tzinfo) - dt.timedelta(days=1)

    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    signed_in(context, team.volunteer.user, base)
    page = context.new_page()
    page.goto(f"{base}/c/{team.campaign.slug}/nominations/sheets/{sheet.code}/")
    rows = page.get_by_test_id("signature-row")
    name, address, date = page.locator("#e-name"), page.locator("#e-address"), page.locator("#e-date")
    expect(name).to_be_focused()  # the page opens ready to type
    expect(rows).to_have_count(0)

    # The sheet was signed yesterday: the date is set once (a date picker's segments depend on the
    # browser's locale, so it is filled, not typed) and must survive every save after it.
    expect(date).to_have_value((yesterday + dt.timedelta(days=1)).isoformat())  # today, by default
    date.fill(yesterday.isoformat())
    name.focus()
    # Line 1: the household picked from the search with Tab and Enter, the ID digits, then Enter saves.
    page.keyboard.type("Chan Tai Man")
    page.keyboard.press("Tab")
    expect(address).to_be_focused()
    page.keyboard.type("Nathan 1")
    pick = page.locator(f"[data-household='{district.inside[0].code}']")
    expect(pick).to_be_visible()
    page.keyboard.press("Tab")
    expect(pick).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#e-id")).to_be_focused()
    expect(address).to_have_value("1 Nathan Road")
    page.keyboard.type("123(4)")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("entry-saved")).to_contain_text("Line 1 saved.")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Chan Tai Man")
    expect(rows.first).to_contain_text("Likely valid")
    expect(rows.first).to_contain_text("•••(4)")
    expect(name).to_be_focused()
    expect(name).to_have_value("")
    expect(address).to_have_value("")
    expect(date).to_have_value(yesterday.isoformat())

    # Line 2: an address typed, not picked, in the neighbouring area: saved, at risk, and why.
    page.keyboard.type("Lee Siu Ming")
    page.keyboard.press("Tab")
    page.keyboard.type("100 Jordan Road")
    expect(page.locator("#household-results")).to_contain_text("No household of this area matches")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("entry-saved")).to_contain_text("Line 2 saved.")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Lee Siu Ming")
    expect(rows.first).to_contain_text("Lives outside the area (current map)")
    expect(name).to_be_focused()
    expect(date).to_have_value(yesterday.isoformat())

    # Line 3: the first signer again, the name written differently, at the same address: a likely duplicate.
    page.keyboard.type("CHAN Tai-man")
    page.keyboard.press("Tab")
    page.keyboard.type("1 nathan road")
    # As a person would: the address search has answered before Enter (an Enter while it is still in
    # flight can send the form as a plain page load, which saves the line but does not keep the date).
    expect(page.locator("#household-results [data-household]")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("entry-saved")).to_contain_text("Line 3 saved.")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Probably the same person as another signature")
    expect(name).to_have_value("")
    expect(date).to_have_value(yesterday.isoformat())

    with scopes_disabled():
        saved = list(Signature.objects.filter(sheet=sheet).order_by("line"))
    assert [(s.line, s.full_name, s.risks, s.signed_on) for s in saved] == [
        (1, "Chan Tai Man", [], yesterday),
        (2, "Lee Siu Ming", [Risk.OUT_OF_AREA], yesterday),
        (3, "CHAN Tai-man", [Risk.DUPLICATE], yesterday),
    ]
    assert saved[0].household == district.inside[0] and saved[2].household == district.inside[0]
    assert all(s.collected_by == team.volunteer and s.entered_by == team.volunteer.user for s in saved)
    context.close()


def test_enter_while_the_address_search_is_in_flight_cancels_the_search(
    live_server, transactional_db, chromium, settings, monkeypatch
):
    """Enter saves the line at once; the address search still on its way is cancelled, so its answer (for the
    line being saved) never lands in the form."""
    import threading

    from playwright.sync_api import expect

    from nominations import selectors

    base = live_server.url
    settings.SITE_URL = base
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "nom"}}
    team = make_team("paper-sheets")
    district = make_district(team)
    with scopes_disabled():
        sheet = services.sheets_create(drive=district.drive, acting_user=team.owner.user, first=1, count=1)[0]
        services.sheet_checkout(sheet=sheet, membership=team.volunteer, acting_user=team.owner.user)
    search = selectors.household_search
    released, answered = threading.Event(), threading.Event()

    def slow_search(drive, query):
        released.wait(timeout=3)  # a slow network: the search is still on its way when Enter is pressed
        try:
            return list(search(drive, query))
        finally:
            answered.set()

    monkeypatch.setattr(selectors, "household_search", slow_search)
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    signed_in(context, team.volunteer.user, base)
    page = context.new_page()
    page.goto(f"{base}/c/{team.campaign.slug}/nominations/sheets/{sheet.code}/")
    page.locator("#e-name").focus()
    page.keyboard.type("Chan Tai Man")
    page.keyboard.press("Tab")
    with page.expect_request(lambda request: "/households/" in request.url) as searching:
        page.keyboard.type("1 nathan road")
    page.keyboard.press("Enter")
    searched = searching.value
    expect(page.get_by_test_id("entry-saved")).to_contain_text("Line 1 saved.")
    expect(page.get_by_test_id("signature-row")).to_have_count(1)
    released.set()
    assert searched.response() is None and searched.failure is not None  # cancelled, not answered
    expect(page.locator("#household-results [data-household]")).to_have_count(0)
    answered.wait(timeout=5)
    context.close()
