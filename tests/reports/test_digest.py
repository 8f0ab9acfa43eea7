"""The daily digest: once a day per coordinator, after the campaign's hour in its time zone, in the
recipient's language, with yesterday's numbers and what needs attention; each can turn it off."""

import datetime as dt
import zoneinfo

import pytest
from django_scopes import scopes_disabled

from notifications.models import Message
from notifications.rendering import render_message
from reports.digest import DIGEST, digest_enqueue_due
from reports.models import MemberPreferences, ReportsSettings
from reports.tasks import digest_send_due
from tests.reports.builders import build_known_campaign

pytestmark = pytest.mark.django_db
HK = zoneinfo.ZoneInfo("Asia/Hong_Kong")


def at_hk(hour: int, minute: int = 0, day: dt.date | None = None) -> dt.datetime:
    day = day or dt.datetime.now(HK).date()
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=HK)


def digests():
    with scopes_disabled():
        return list(Message.objects.filter(template=DIGEST).order_by("to"))


def test_nothing_before_the_hour_then_one_per_coordinator_and_owner(team_a):
    with scopes_disabled():
        ReportsSettings.objects.create(campaign=team_a.campaign, digest_hour=8)
    assert digest_enqueue_due(now=at_hk(7, 59)) == 0
    assert digests() == []
    assert digest_enqueue_due(now=at_hk(8, 0)) == 2
    sent_to = {m.to for m in digests()}
    assert sent_to == {team_a.owner.user.email, team_a.coordinator.user.email}  # not the volunteer
    # the task runs every 15 minutes, on any worker: still one a day
    assert digest_enqueue_due(now=at_hk(8, 15)) == 0
    assert digest_enqueue_due(now=at_hk(23, 45)) == 0
    assert len(digests()) == 2
    # the next local day brings the next digest
    tomorrow = at_hk(8, 5).date() + dt.timedelta(days=1)
    assert digest_enqueue_due(now=at_hk(8, 5, tomorrow)) == 2
    assert len(digests()) == 4


def test_the_hour_is_the_campaigns_local_hour(team_a):
    campaign = team_a.campaign
    campaign.time_zone = "America/New_York"
    campaign.save(update_fields=["time_zone"])
    ny = zoneinfo.ZoneInfo("America/New_York")
    # 07:30 in Hong Kong is the evening before in New York: past the default hour (7) there
    hk_morning = at_hk(7, 30)
    assert hk_morning.astimezone(ny).hour >= 7
    assert digest_enqueue_due(now=hk_morning) == 2
    day = hk_morning.astimezone(ny).date()
    assert all(m.dedupe_key.endswith(day.isoformat()) for m in digests())
    # and at 03:00 New York time, nothing new (the next New York day has not reached its hour)
    early = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(3, 0), tzinfo=ny)
    assert digest_enqueue_due(now=early) == 0


def test_a_coordinator_who_turned_it_off_gets_none(team_a):
    with scopes_disabled():
        MemberPreferences.objects.create(campaign=team_a.campaign, membership=team_a.coordinator, digest_enabled=False)
    assert digest_enqueue_due(now=at_hk(9)) == 1
    assert [m.to for m in digests()] == [team_a.owner.user.email]


def test_digest_is_in_the_recipients_language_with_yesterdays_numbers(team_a):
    owner = team_a.owner.user
    owner.language = "zh-hans"
    owner.save(update_fields=["language"])
    build_known_campaign(team_a.campaign, team_a.volunteer)
    with scopes_disabled():  # hour 0: due whatever the time of day the test runs
        ReportsSettings.objects.create(campaign=team_a.campaign, digest_hour=0)
    digest_send_due.delay()  # the beat task itself (eager in tests)
    with scopes_disabled():
        by_to = {m.to: m for m in digests()}
        assert by_to[owner.email].language == "zh-hans"
        coordinator_message = by_to[team_a.coordinator.user.email]
        assert coordinator_message.language == team_a.campaign.language
        y = coordinator_message.context["yesterday"]
        # yesterday: h1 contacted once (1 door, 1 contact), 450.00 raised in 1 gift
        assert (y["doors"], y["contacts"], y["raised"], y["gifts"]) == (1, 1, "450.00", 1)
        attention = coordinator_message.context["attention"]
        assert attention["flagged_visits"] == 1
        assert attention["low_stock_count"] == 1
        assert attention["pledges_due"] == 1
        assert attention["anything"] is True
        rendered = render_message(coordinator_message)
    assert "1 door knocked" in rendered.body
    assert "450.00" in rendered.body
    assert "1 visit flagged for review" in rendered.body
    assert "Manifesto · EN: 40" in rendered.body
    assert "/reports/" in rendered.body and "/home/preferences/" in rendered.body
    assert rendered.subject == "Campaign A yesterday: doors 1, contacts 1"


def test_underfilled_shifts_in_the_next_two_days_need_attention(team_a):
    build_known_campaign(team_a.campaign, team_a.volunteer)
    with scopes_disabled():
        ReportsSettings.objects.create(campaign=team_a.campaign, digest_hour=0)
    digest_enqueue_due(now=None)
    with scopes_disabled():
        message = digests()[0]
    shifts = message.context["attention"]["underfilled_shifts"]
    # "Soon canvass" (tomorrow, 2 of 3) is in the next two days; "Later leafleting" (in 3 days) is not
    assert [s["title"] for s in shifts] == ["Soon canvass"]
    assert "Soon canvass (2/3)" in render_message(message).body
