"""A volunteer's first days, on a phone: public signup → account → a shift → the reminder.

A visitor finds the campaign's public page, signs up on the join form without an account, gets
the welcome email with a claim link, creates an account with the same address, links it, takes a
shift from "My shifts" with one tap, and later confirms from the reminder email with one more tap.

Run in English and in Chinese: the campaign's language decides the public pages and the messages,
and the Chinese visitor's phone is set to Chinese (so allauth's pages are in Chinese as well). The
Chinese catalogue is still being completed, so the Chinese run checks the page language and that
Chinese characters appear in text the app translated (labels, dates), never exact wording.
"""

import datetime as dt
import re
import uuid

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import User
from campaign.models import Membership, Person, Role
from notifications.models import Channel, Message
from notifications.sending import send_due
from notifications.sms import LocmemSmsBackend
from tests.browser.test_journey import PASSWORD, open_menu, verification_code, wait_for_mail
from tests.factories import CampaignFactory, MembershipFactory
from volunteers.links import signup_action_read
from volunteers.models import Shift, Signup, Skill, VolunteerSkill
from volunteers.reminders import REMINDER
from volunteers.services import program_for, shift_create

pytestmark = pytest.mark.browser

CJK = re.compile(r"[\u4e00-\u9fff]")
EMAIL = "ada.lam@example.org"

# The campaign's language, the visitor's phone language, and what the campaign writes itself
# (names, shift title and place are the campaign's own words, so they are not "translated").
JOURNEYS = {
    "en": {
        "locale": "en-GB",
        "campaign": "Harbour East for All",
        "candidate": "Chan Mei-ling",
        "district": "Yau Tsim Mong",
        "title": "Mong Kok street stall",
        "location": "Exit E2, Mong Kok MTR",
        "given_name": "Ada",
        "family_name": "Lam",
    },
    "zh-hans": {
        "locale": "zh-CN",
        "campaign": "东港同行",
        "candidate": "陈美玲",
        "district": "油尖旺",
        "title": "旺角街站",
        "location": "旺角港铁站E2出口",
        "given_name": "雅思",
        "family_name": "林",
    },
}


def without(text: str, *words: str) -> str:
    """The text with the campaign's own words taken out, to see what the app itself wrote."""
    for word in words:
        text = text.replace(word, "")
    return text


def sign_up_and_verify(page, *, email: str, name: str) -> None:
    """allauth's signup and email-code pages, by field names: their wording depends on the language."""
    from playwright.sync_api import expect

    form = page.locator("main form").filter(has=page.locator("input[name=password1]"))
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password1]").fill(PASSWORD)
    form.locator("input[name=password2]").fill(PASSWORD)
    form.locator("input[name=display_name]").fill(name)
    outbox_before = len(mail.outbox)
    form.locator("button[type=submit]").tap()

    page.wait_for_url("**/accounts/confirm-email/**")
    code = verification_code(wait_for_mail(email, since=outbox_before))
    code_form = page.locator("main form").filter(has=page.locator("input[name=code]"))
    code_form.locator("input[name=code]").fill(code)
    code_form.locator("button[type=submit]:not([form])").tap()  # not "Cancel"
    page.wait_for_load_state()
    expect(page.locator("#main-nav")).to_contain_text(name)  # signed in


@pytest.mark.parametrize("language", list(JOURNEYS))
def test_public_signup_claim_take_shift_confirm_from_reminder(
    language, live_server, transactional_db, new_phone_context, settings, monkeypatch, tmp_path
):
    from playwright.sync_api import expect

    words = JOURNEYS[language]
    base = live_server.url
    slug = f"harbour-east-{language}"
    english = language == "en"
    settings.SITE_URL = base  # links in messages point at this server
    settings.SMS_BACKEND = "notifications.sms.LocmemSmsBackend"  # the phone's texts stay in memory
    monkeypatch.setattr(LocmemSmsBackend, "outbox", [])
    # A cache of this test's own: the public page's cache and the signup rate limit start empty, and
    # nothing is flushed from a shared Redis (which may be a running Celery's broker, too).
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"journey-{uuid.uuid4()}"}
    }

    # 1. The campaign, its volunteer settings (with the standard skills) and one published shift.
    with scopes_disabled():
        campaign = CampaignFactory(
            slug=slug,
            name=words["campaign"],
            candidate_name=words["candidate"],
            district=words["district"],
            language=language,
            time_zone="Asia/Hong_Kong",
        )
        owner = MembershipFactory(campaign=campaign, role=Role.OWNER)
    starts_at = (timezone.now() + dt.timedelta(hours=25)).replace(second=0, microsecond=0)
    with scope(campaign=campaign.pk):
        program_for(campaign)
        [shift] = shift_create(
            campaign=campaign,
            acting_user=owner.user,
            kind=Shift.Kind.LEAFLETING,
            title=words["title"],
            location=words["location"],
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=3),
            capacity=3,
            published=True,
        )
        skill = Skill.objects.get(campaign=campaign, position=1)  # "Leafleting", in the campaign's language

    # 2. A visitor opens the public page on a phone and signs up, no account needed.
    page = new_phone_context(locale=words["locale"]).new_page()
    page.goto(f"{base}/p/{slug}/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_test_id("public-page").locator("h1")).to_have_text(words["candidate"])
    expect(page.get_by_test_id("public-page")).to_contain_text(words["campaign"])
    shown = page.get_by_test_id("public-shifts").locator("li")
    expect(shown).to_have_count(1)
    expect(shown.first).to_contain_text(words["title"])
    expect(shown.first).to_contain_text(words["location"])
    expect(shown.first.locator("time")).to_have_attribute("datetime", starts_at.astimezone(campaign.tzinfo).isoformat())
    volunteer_button = page.get_by_test_id("volunteer-button")
    expect(volunteer_button).to_be_in_viewport()  # the main action is on the first screen
    if english:
        expect(shown.first).to_contain_text("3 places left")
        expect(volunteer_button).to_have_text("Volunteer with us")
    else:
        expect(page.get_by_test_id("election-date")).to_contain_text(re.compile(CJK.pattern))
    volunteer_button.tap()

    page.wait_for_url(f"{base}/p/{slug}/join/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    form = page.get_by_test_id("join-form")
    if english:
        expect(page.locator("main h2")).to_have_text("Volunteer with us")
        expect(form.locator("label[for=id_email]")).to_have_text("Email")
    else:
        for field in ("given_name", "email"):
            expect(form.locator(f"label[for=id_{field}]")).to_have_text(re.compile(CJK.pattern))
    # The preferred language starts as the language the page is shown in.
    expect(form.locator("select[name=language]")).to_have_value(language)
    form.locator("input[name=given_name]").fill(words["given_name"])
    form.locator("input[name=family_name]").fill(words["family_name"])
    form.locator("input[name=email]").fill(EMAIL)
    expect(form.locator("input[name=phone]")).to_have_attribute("type", "tel")  # the number pad
    form.locator("input[name=phone]").fill("+852 9123 4567")
    form.locator("input[name=available_evenings]").check()
    form.get_by_label(skill.name, exact=True).check()
    consent = form.locator("input[name=consent]")
    expect(form.locator("label[for=id_consent]")).to_contain_text(words["campaign"])
    consent.check()
    form.locator("button[type=submit]").tap()

    page.wait_for_url(f"{base}/p/{slug}/join/thanks/")
    expect(page.get_by_test_id("thanks")).to_be_visible()
    if english:
        expect(page.get_by_test_id("thanks").locator("h2")).to_have_text("Thank you for signing up!")
    with scope(campaign=campaign.pk):
        person = Person.objects.select_related("volunteer").get(campaign=campaign, email=EMAIL)
        assert (person.given_name, person.family_name, person.language) == (
            words["given_name"],
            words["family_name"],
            language,
        )
        assert str(person.phone) == "+85291234567"
        assert person.consent_email and person.consent_recorded_at is not None
        assert words["campaign"] in person.consent_wording
        assert person.volunteer.available_evenings and not person.volunteer.available_weekdays
        assert list(VolunteerSkill.objects.filter(volunteer=person.volunteer).values_list("skill", flat=True)) == [
            skill.pk
        ]

    # 3. The welcome email carries the claim link; the visitor creates an account and links it.
    outbox_before = len(mail.outbox)
    assert send_due() >= 1
    welcome = [m for m in mail.outbox[outbox_before:] if m.to == [EMAIL]]
    assert len(welcome) == 1, [(m.to, m.subject) for m in mail.outbox]
    assert words["campaign"] in welcome[0].subject
    claim_links = re.findall(rf"{re.escape(base)}/p/{slug}/claim/[^/\s]+/", welcome[0].body)
    assert len(claim_links) == 1, welcome[0].body
    if english:
        assert welcome[0].subject == f"Welcome to the {words['campaign']} volunteers"
        assert f"Hello {words['given_name']}," in welcome[0].body

    page.goto(claim_links[0])
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("main h2")).to_contain_text(words["given_name"])
    create_account = page.locator("main a[href^='/accounts/signup/']")
    if english:
        expect(create_account).to_have_text("Create an account")
    create_account.tap()
    page.wait_for_url(re.compile(r"/accounts/signup/\?next="))
    # The phone's language: allauth's own pages follow it (the campaign's only applies to its pages).
    expect(page.locator("html")).to_have_attribute("lang", language)
    sign_up_and_verify(page, email=EMAIL, name=f"{words['given_name']} {words['family_name']}")
    assert page.url == claim_links[0], f"expected to be sent back to the claim link, got {page.url}"
    link_button = page.locator("main form button[type=submit]")
    if english:
        expect(page.locator("main")).to_contain_text(f"Link your volunteer profile to the account {EMAIL}.")
        expect(link_button).to_have_text("Link my account")
    link_button.tap()

    page.wait_for_url(f"{base}/c/{slug}/")
    expect(page.locator("html")).to_have_attribute("lang", language)  # the account follows the campaign
    current = page.get_by_test_id("current-campaign")
    expect(current).to_be_visible()
    expect(current.get_by_role("link")).to_have_text(words["campaign"])
    if english:
        expect(page.locator("main")).to_contain_text("Welcome! Your account is linked.")
        expect(page.locator("main .card").filter(has_text="Your role")).to_contain_text("Volunteer")
    with scopes_disabled():
        user = User.objects.get(email=EMAIL)
        assert Membership.objects.get(campaign=campaign, user=user).role == Role.VOLUNTEER
        assert Person.objects.get(pk=person.pk).user_id == user.pk

    # 4. My shifts, from the phone menu: one tap takes the shift.
    open_menu(page)
    page.locator(f"#main-nav a[href='/c/{slug}/my/shifts/']").tap()
    page.wait_for_url(f"{base}/c/{slug}/my/shifts/")
    expect(page.get_by_test_id("my-upcoming")).to_have_count(0)
    open_shift = page.get_by_test_id("open-shift")
    expect(open_shift).to_have_count(1)
    expect(open_shift).to_contain_text(words["title"])
    expect(open_shift).to_contain_text(words["location"])
    if english:
        expect(open_shift.get_by_test_id("places")).to_have_text("3 places left")
    with page.expect_navigation():
        open_shift.locator("button[type=submit]").tap()
    page.wait_for_url(f"{base}/c/{slug}/my/shifts/")
    mine = page.get_by_test_id("my-upcoming")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text(words["title"])
    expect(mine.get_by_test_id("my-status")).to_have_class(re.compile(r"\btext-bg-success\b"))  # confirmed
    expect(page.get_by_test_id("open-shift")).to_have_count(0)
    if english:
        expect(mine.get_by_test_id("my-status")).to_have_text("Confirmed")
        expect(page.locator("main")).to_contain_text(f"You're in: “{words['title']}”")
    with scope(campaign=campaign.pk):
        signup = Signup.objects.get(shift=shift, volunteer=person.volunteer)
        assert signup.status == Signup.Status.CONFIRMED

    # 5. The reminder 24 hours before: made due now, sent once, in the campaign's language.
    with scopes_disabled():
        pending = Message.objects.filter(template=REMINDER, channel=Channel.EMAIL, to=EMAIL, sent_at=None)
        assert sorted(m.context["hours_before"] for m in pending) == [2, 24]
        assert pending.filter(dedupe_key__contains=":24h:").update(send_at=timezone.now()) == 1
    outbox_before = len(mail.outbox)
    send_due()
    reminders = [m for m in mail.outbox[outbox_before:] if m.to == [EMAIL]]
    assert len(reminders) == 1, [(m.to, m.subject) for m in mail.outbox[outbox_before:]]
    reminder = reminders[0]
    assert words["title"] in reminder.subject
    assert words["title"] in reminder.body and words["location"] in reminder.body
    if english:
        assert "A reminder from Harbour East for All: you signed up for this shift." in reminder.body
        assert "Will you be there? Confirm with one tap:" in reminder.body
    else:
        own_words = [words[key] for key in ("campaign", "candidate", "district", "title", "location", "given_name")]
        assert CJK.search(without(reminder.subject, *own_words)), reminder.subject
        assert CJK.search(without(reminder.body, *own_words)), reminder.body
    action_links = re.findall(rf"{re.escape(base)}/p/{slug}/s/[^/\s]+/", reminder.body)
    actions = {signup_action_read(link.rstrip("/").rsplit("/", 1)[1]): link for link in action_links}
    assert set(actions) == {(str(signup.code), "confirm"), (str(signup.code), "cancel")}, reminder.body
    send_due()  # nothing is sent twice
    assert [m for m in mail.outbox[outbox_before:] if m.to == [EMAIL]] == reminders

    # The one-tap confirm link, opened on the phone (no sign-in needed).
    page.goto(actions[(str(signup.code), "confirm")])
    expect(page.locator("html")).to_have_attribute("lang", language)
    action = page.get_by_test_id("signup-action")
    expect(action).to_contain_text(words["title"])
    if english:
        expect(action.locator("button[type=submit]")).to_have_text("Yes, I will be there")
    action.locator("button[type=submit]").tap()
    expect(page.get_by_test_id("action-done")).to_be_visible()
    expect(page.locator("main form")).to_have_count(0)  # nothing left to tap
    if english:
        expect(page.get_by_test_id("action-done")).to_have_text("Thank you — see you there!")
    with scope(campaign=campaign.pk):
        signup.refresh_from_db()
        assert signup.status == Signup.Status.CONFIRMED and signup.reconfirmed_at is not None

    screenshot = tmp_path / f"volunteer-journey-{language}.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 0
