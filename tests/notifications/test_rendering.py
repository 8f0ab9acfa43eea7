"""Every message template renders, in the recipient's language and the campaign's time zone, with an opt-out."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.urls import resolve
from django.utils import timezone

from notifications import rendering
from notifications.models import Channel, Message
from notifications.optout import opt_out_read, opt_out_url
from notifications.rendering import RenderCache, render_message
from tests.factories import PersonFactory
from tests.notifications.helpers import reminder_context
from volunteers import reminders
from volunteers.models import Volunteer

LINK_KEYS = ["confirm_url", "cancel_url", "attended_url", "missed_url", "my_shifts_url", "opt_out_url"]
TEMPLATES = [reminders.REMINDER, reminders.THANK_YOU, reminders.PROMOTED, reminders.CHANGED, reminders.CANCELLED]
START = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)  # Saturday 10:00 in Hong Kong
CHANGE = {
    "old_title": "Leafleting",
    "old_location": "Quarry Bay",
    "old_starts_at": (START - dt.timedelta(days=1)).isoformat(),
    "old_ends_at": (START - dt.timedelta(days=1, hours=-4)).isoformat(),
    "changed": ["title", "starts_at", "ends_at", "location"],
}


def opt_out_at_the_end(text: str) -> tuple[str, str]:
    match = re.search(r"https://vote\.example\.org/p/campaign-a/opt-out/([^/\s]+)/$", text.rstrip())
    assert match, text
    return opt_out_read(match.group(1))


@pytest.fixture
def person(in_scope_a):
    return PersonFactory(campaign=in_scope_a.campaign, consent_email=True, consent_sms=True)


def message_for(campaign, person, template, channel=Channel.EMAIL, language="en", **context):
    return Message(
        campaign=campaign,
        person=person,
        channel=channel,
        to="x",
        template=template,
        language=language,
        context={**reminder_context(START), **CHANGE, **context},
        dedupe_key="-",
        send_at=timezone.now(),
    )


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_template_renders_both_channels(in_scope_a, person, settings, template, language):
    settings.SITE_URL = "https://vote.example.org"
    campaign = in_scope_a.campaign
    email = render_message(message_for(campaign, person, template, language=language))
    sms = render_message(message_for(campaign, person, template, Channel.SMS, language=language))
    for text in (email.subject, email.body, sms.body):
        assert "{{" not in text and "{%" not in text
    assert "Leafleting" in email.subject and "\n" not in email.subject
    assert "North Point" in email.body or template == reminders.THANK_YOU
    # Each message ends by saying how to stop them, with the link for this person and channel.
    assert opt_out_at_the_end(email.body) == (str(person.code), "email")
    assert opt_out_at_the_end(sms.body) == (str(person.code), "sms")
    assert sms.subject == ""
    # Three text-message segments at most, even with two signed links in it.
    assert len(sms.body) <= 3 * 153, sms.body


def test_times_are_in_the_campaign_time_zone(in_scope_a, person):
    campaign = in_scope_a.campaign
    body = render_message(message_for(campaign, person, reminders.REMINDER)).body
    assert "Saturday" in body and "10 a.m.–1 p.m." in body  # 02:00–05:00 UTC in Hong Kong
    campaign.time_zone = "America/New_York"
    body = render_message(message_for(campaign, person, reminders.REMINDER)).body
    assert "Friday" in body and "9 p.m." in body and "10 a.m." not in body


def test_chinese_recipient_gets_chinese_dates(in_scope_a, person):
    campaign = in_scope_a.campaign
    email = render_message(message_for(campaign, person, reminders.REMINDER, language="zh-hans"))
    sms = render_message(message_for(campaign, person, reminders.REMINDER, Channel.SMS, language="zh-hans"))
    assert "2026年11月28日" in email.body and "星期六" in email.body and "10:00–13:00" in email.body
    assert "11月28日" in sms.body and "10:00" in sms.body
    english = render_message(message_for(campaign, person, reminders.REMINDER)).body
    assert "年" not in english and "Nov. 28, 2026" in english


def test_reminder_carries_its_one_tap_links(in_scope_a, person):
    body = render_message(message_for(in_scope_a.campaign, person, reminders.REMINDER)).body
    context = reminder_context(START)
    for key in ("confirm_url", "cancel_url", "my_shifts_url"):
        assert context[key] in body
    sms = render_message(message_for(in_scope_a.campaign, person, reminders.REMINDER, Channel.SMS)).body
    assert context["cancel_url"] in sms


def test_thank_you_asks_whether_they_came(in_scope_a, person):
    body = render_message(message_for(in_scope_a.campaign, person, reminders.THANK_YOU)).body
    context = reminder_context(START)
    assert context["attended_url"] in body and context["missed_url"] in body


def test_shift_changed_shows_old_and_new_for_what_changed_only(in_scope_a, person):
    campaign = in_scope_a.campaign
    everything = render_message(message_for(campaign, person, reminders.CHANGED)).body
    assert "Leafleting → Leafleting at North Point" in everything
    assert "Quarry Bay → North Point MTR exit A1" in everything
    assert "Friday, Nov. 27, 2026, 10 a.m.–2 p.m. → Saturday, Nov. 28, 2026, 10 a.m.–1 p.m." in everything
    place_only = render_message(message_for(campaign, person, reminders.CHANGED, changed=["location"])).body
    assert "Quarry Bay → North Point MTR exit A1" in place_only
    assert "→ Saturday" not in place_only and "Leafleting →" not in place_only


def test_plain_text_is_not_html_escaped(in_scope_a, person):
    message = message_for(in_scope_a.campaign, person, reminders.REMINDER, shift_title="Tea & <talk> at Mo's")
    rendered = render_message(message)
    assert "Tea & <talk> at Mo's" in rendered.subject and "Tea & <talk> at Mo's" in rendered.body
    assert "&amp;" not in rendered.body and "&#x27;" not in rendered.body


def test_message_to_no_known_person_has_no_opt_out_link(in_scope_a):
    rendered = render_message(message_for(in_scope_a.campaign, None, reminders.REMINDER))
    assert "/opt-out/" not in rendered.body


def test_opt_out_link_names_person_and_channel_and_cannot_be_forged(in_scope_a, person, settings):
    settings.SITE_URL = "https://vote.example.org/"
    url = opt_out_url(message_for(in_scope_a.campaign, person, reminders.REMINDER, Channel.SMS))
    prefix = "https://vote.example.org/p/campaign-a/opt-out/"
    assert url.startswith(prefix) and url.endswith("/")
    token = url[len(prefix) : -1]
    assert opt_out_read(token) == (str(person.code), "sms")
    with pytest.raises(signing.BadSignature):
        opt_out_read(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    with pytest.raises(signing.BadSignature):  # a valid signature with another salt is no opt-out token
        opt_out_read(signing.dumps({"p": str(person.code), "c": "sms"}, salt="volunteers.signup-action"))
    with pytest.raises(signing.BadSignature):
        opt_out_read(signing.dumps({"p": str(person.code), "c": "fax"}, salt="notifications.opt-out"))


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
def test_render_cache_gives_exactly_what_a_full_render_gives(in_scope_a, person, template, channel):
    cache = RenderCache()
    for n, language in enumerate(["en", "zh-hans", "en"]):
        links = {key: f"https://vote.example.org/p/campaign-a/s/{key}-{n}/" for key in LINK_KEYS}
        message = message_for(in_scope_a.campaign, person, template, channel, language=language, **links)
        assert cache.render(message) == render_message(message)


def test_render_cache_renders_each_shape_once_and_gives_each_message_its_own_links(in_scope_a, person, monkeypatch):
    calls = []
    real = rendering._render
    monkeypatch.setattr(rendering, "_render", lambda *args: calls.append(1) or real(*args))
    cache = RenderCache()
    bodies = []
    for n in range(5):
        links = {key: f"https://vote.example.org/s/{key}-{n}/" for key in LINK_KEYS}
        bodies.append(cache.render(message_for(in_scope_a.campaign, person, reminders.REMINDER, **links)).body)
    assert len(calls) == 1
    for n, body in enumerate(bodies):
        assert f"/s/cancel_url-{n}/" in body and f"/s/opt_out_url-{n}/" in body
        assert all(f"-{other}/" not in body for other in range(5) if other != n)
    other_shift = message_for(in_scope_a.campaign, person, reminders.REMINDER, location="Quarry Bay Park")
    assert "Quarry Bay Park" in cache.render(other_shift).body and len(calls) == 2


def test_render_cache_falls_back_when_a_template_changes_a_link(in_scope_a, person, settings, tmp_path):
    folder = tmp_path / "notifications" / "test"
    folder.mkdir(parents=True)
    (folder / "shouting.subject.txt").write_text("Hi")
    (folder / "shouting.email.txt").write_text(
        "{% autoescape off %}{{ cancel_url|upper }} {{ cancel_url|slice:':12' }}{% endautoescape %}"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    message = message_for(in_scope_a.campaign, person, "test/shouting", cancel_url="https://x.example/c/")
    assert RenderCache().render(message) == render_message(message)
    assert RenderCache().render(message).body.strip() == "HTTPS://X.EXAMPLE/C/ https://x.ex"


def test_opt_out_link_is_the_public_opt_out_page(in_scope_a, person):
    """optout.py writes the path itself; this keeps it in step with the public URLconf."""
    url = opt_out_url(message_for(in_scope_a.campaign, person, reminders.REMINDER))
    match = resolve(urlsplit(url).path)
    assert match.view_name == "public:opt_out"
    assert match.kwargs["campaign_slug"] == "campaign-a"
    assert opt_out_read(match.kwargs["token"]) == (str(person.code), "email")


@pytest.mark.parametrize(("language", "limit"), [("en", 2 * 153), ("zh-hans", 5 * 67)])
def test_a_real_reminder_text_message_stays_short(in_scope_a, person, settings, language, limit):
    """Real signed links, not placeholders: they are the longest part of a text message."""
    from volunteers import services

    settings.SITE_URL = "https://join.example.org"
    campaign = in_scope_a.campaign
    start = timezone.now() + dt.timedelta(days=3)
    (shift,) = services.shift_create(
        campaign=campaign,
        acting_user=None,
        title="Leafleting at North Point",
        location="North Point MTR exit A1",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        capacity=5,
    )
    volunteer = Volunteer.objects.create(campaign=campaign, person=person)
    signup = services.signup_create(shift=shift, volunteer=volunteer, acting_user=None)
    message = Message.objects.get(
        campaign=campaign,
        topic=reminders.signup_topic(signup),
        template=reminders.REMINDER,
        channel=Channel.SMS,
        context__hours_before=24,
    )
    message.language = language
    body = render_message(message).body
    assert len(body) <= limit, (len(body), body)
