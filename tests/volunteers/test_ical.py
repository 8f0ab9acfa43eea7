"""The private calendar feed, parsed the way a calendar client would (icalendar)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from icalendar import Calendar

from tests.volunteers.test_shifts_helpers import add_signup, make_shift, make_volunteer
from volunteers.models import Shift

pytestmark = pytest.mark.django_db


def feed_path(campaign, volunteer) -> str:
    return reverse("public:feed", kwargs={"campaign_slug": campaign.slug, "token": volunteer.feed_token})


def events(response) -> dict[str, dict]:
    calendar = Calendar.from_ical(response.content)
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


class TestFeed:
    def test_a_valid_calendar_of_my_shifts(self, client, team_a):
        me = make_volunteer(team_a.campaign)
        confirmed = make_shift(team_a.campaign, title="Market stall", notes="Bring a hat.")
        waiting = make_shift(team_a.campaign, title="Rally", capacity=1)
        called_off = make_shift(team_a.campaign, title="Rained off")
        dropped = make_shift(team_a.campaign, title="Dropped out")
        recent = make_shift(team_a.campaign, title="Last week", starts_in=dt.timedelta(days=-7))
        ancient = make_shift(team_a.campaign, title="Long ago", starts_in=dt.timedelta(days=-200))
        not_mine = make_shift(team_a.campaign, title="Not mine")
        add_signup(confirmed, me)
        add_signup(waiting, make_volunteer(team_a.campaign))
        add_signup(waiting, me, status="waitlisted")
        add_signup(called_off, me)
        add_signup(dropped, me, status="cancelled", cancelled_at=timezone.now())
        add_signup(recent, me, attendance="attended")
        add_signup(ancient, me)
        add_signup(not_mine, make_volunteer(team_a.campaign))
        with scopes_disabled():
            Shift.objects.filter(pk=called_off.pk).update(cancelled_at=timezone.now())

        response = client.get(feed_path(team_a.campaign, me))  # no sign-in: calendar apps cannot
        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        calendar = Calendar.from_ical(response.content)
        assert calendar["VERSION"] == "2.0" and "PRODID" in calendar
        found = events(response)
        assert set(found) == {
            "Market stall",
            "Waiting list: Rally",
            "Cancelled: Rained off",
            "Cancelled: Dropped out",
            "Last week",
        }
        assert found["Market stall"]["STATUS"] == "CONFIRMED"
        assert found["Waiting list: Rally"]["STATUS"] == "TENTATIVE"
        assert found["Cancelled: Rained off"]["STATUS"] == "CANCELLED"
        assert found["Cancelled: Dropped out"]["STATUS"] == "CANCELLED"
        market = found["Market stall"]
        assert market["DTSTART"].dt == confirmed.starts_at and market["DTSTART"].dt.utcoffset() == dt.timedelta(0)
        assert market["DTEND"].dt == confirmed.ends_at
        assert str(market["LOCATION"]) == confirmed.location
        assert "Bring a hat." in str(market["DESCRIPTION"])
        assert "DTSTAMP" in market
        # Times are written in UTC ("Z"), whatever the campaign's zone.
        assert confirmed.starts_at.astimezone(dt.UTC).strftime("DTSTART:%Y%m%dT%H%M%SZ") in response.content.decode()

    def test_uids_are_stable_per_signup(self, client, team_a):
        me = make_volunteer(team_a.campaign)
        shift = make_shift(team_a.campaign, title="Door knocking")
        signup = add_signup(shift, me)
        first = events(client.get(feed_path(team_a.campaign, me)))["Door knocking"]["UID"]
        with scopes_disabled():
            Shift.objects.filter(pk=shift.pk).update(location="Somewhere else", title="Door knocking")
        second = events(client.get(feed_path(team_a.campaign, me)))["Door knocking"]["UID"]
        assert first == second and str(signup.code) in str(first)

    def test_unknown_token_or_another_campaigns_token_is_404(self, client, team_a, team_b):
        mine = make_volunteer(team_a.campaign)
        theirs = make_volunteer(team_b.campaign)
        add_signup(make_shift(team_b.campaign, title="B only"), theirs)
        assert client.get(feed_path(team_a.campaign, theirs)).status_code == 404  # B's token under A's address
        assert (
            client.get(
                reverse("public:feed", kwargs={"campaign_slug": team_a.campaign.slug, "token": "nope"})
            ).status_code
            == 404
        )
        assert client.get(feed_path(team_a.campaign, mine)).status_code == 200
        assert client.get(feed_path(team_b.campaign, theirs)).status_code == 200

    def test_an_empty_feed_is_still_a_calendar(self, client, team_a):
        me = make_volunteer(team_a.campaign)
        response = client.get(feed_path(team_a.campaign, me))
        assert response.status_code == 200
        assert Calendar.from_ical(response.content).walk("VEVENT") == []

    def test_signed_up_again_after_cancelling_shows_the_shift_once(self, client, team_a):
        me = make_volunteer(team_a.campaign)
        shift = make_shift(team_a.campaign, title="Second thoughts")
        add_signup(shift, me, status="cancelled", cancelled_at=timezone.now())
        again = add_signup(shift, me)
        found = events(client.get(feed_path(team_a.campaign, me)))
        assert set(found) == {"Second thoughts"}
        assert str(again.code) in str(found["Second thoughts"]["UID"])

    def test_only_reading(self, client, team_a):
        me = make_volunteer(team_a.campaign)
        assert client.post(feed_path(team_a.campaign, me)).status_code == 405
