"""A volunteer's "My shifts": open shifts, signing up (and the waiting list), cancelling until the
cancel-by time, hours, and the calendar link."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from campaign.models import Person
from tests.volunteers.test_shifts_helpers import (
    add_signup,
    fresh,
    make_shift,
    make_volunteer,
    member_volunteer,
    messages_of,
    page_messages,
    url,
)
from volunteers.models import Shift, Signup, Skill, Volunteer, VolunteerSettings, VolunteerSkill
from volunteers.reminders import PROMOTED, REMINDER
from volunteers.services import program_for

pytestmark = pytest.mark.django_db


class TestMyShiftsPage:
    def test_open_shifts_with_places_waiting_list_and_missing_skill(self, client, team_a):
        with scopes_disabled():
            program_for(team_a.campaign)
            driving = Skill.objects.get(campaign=team_a.campaign, name="Driving")
            design = Skill.objects.get(campaign=team_a.campaign, name="Design")
        me = member_volunteer(team_a.volunteer)
        with scopes_disabled():
            VolunteerSkill.objects.create(campaign=team_a.campaign, volunteer=me, skill=design)
        roomy = make_shift(team_a.campaign, title="Roomy", capacity=3)
        add_signup(roomy, make_volunteer(team_a.campaign))
        full = make_shift(team_a.campaign, title="Packed", capacity=1)
        add_signup(full, make_volunteer(team_a.campaign))
        make_shift(team_a.campaign, title="Van run", required_skill=driving)
        make_shift(team_a.campaign, title="Poster design", required_skill=design)
        make_shift(team_a.campaign, title="Already begun", starts_in=dt.timedelta(minutes=-30))
        gone = make_shift(team_a.campaign, title="Called off")
        with scopes_disabled():
            Shift.objects.filter(pk=gone.pk).update(cancelled_at=timezone.now())

        client.force_login(team_a.volunteer.user)
        response = client.get(url("my_shifts", team_a.campaign))
        page = response.content.decode()
        titles = [s.title for s in response.context["page"]]
        assert titles == ["Roomy", "Packed", "Van run", "Poster design"]
        assert "2 places left" in page and "Full: waiting list" in page and "Join the waiting list" in page
        lacking = [s.title for s in response.context["page"] if s.lacks_skill]
        assert lacking == ["Van run"]
        assert "Needs Driving, which is not among your skills." in page

    def test_my_upcoming_shifts_show_status_and_waiting_position(self, client, team_a):
        me = member_volunteer(team_a.volunteer)
        mine = make_shift(team_a.campaign, title="Mine")
        add_signup(mine, me)
        crowded = make_shift(team_a.campaign, title="Crowded", capacity=1)
        add_signup(crowded, make_volunteer(team_a.campaign))
        base = timezone.now()
        add_signup(crowded, make_volunteer(team_a.campaign), status="waitlisted", created_at=base)
        add_signup(
            crowded, make_volunteer(team_a.campaign), status="waitlisted", created_at=base + dt.timedelta(seconds=1)
        )
        add_signup(crowded, me, status="waitlisted", created_at=base + dt.timedelta(seconds=2))
        client.force_login(team_a.volunteer.user)
        response = client.get(url("my_shifts", team_a.campaign))
        page = response.content.decode()
        assert [s.shift.title for s in response.context["upcoming"]] == ["Mine", "Crowded"]
        assert "Confirmed" in page and "On the waiting list, number 3" in page
        assert [s.title for s in response.context["page"]] == []  # both are mine, so not "open" twice

    def test_without_a_volunteer_profile_the_page_works_and_creates_nothing(self, client, team_a):
        make_shift(team_a.campaign, title="Open one")
        client.force_login(team_a.volunteer.user)
        page = client.get(url("my_shifts", team_a.campaign)).content.decode()
        assert "Open one" in page and "You have no shifts coming up" in page
        assert "Your calendar link appears here" in page
        with scopes_disabled():
            assert not Volunteer.objects.exists() and not Person.objects.exists()

    def test_hours_total_and_this_month(self, client, team_a):
        me = member_volunteer(team_a.volunteer)
        now = timezone.now()
        # Long ago: counts in the total only.
        old = make_shift(team_a.campaign, starts_in=dt.timedelta(days=-70), hours=3)
        add_signup(old, me, attendance="attended")
        # Corrected hours win over the shift's length.
        corrected = make_shift(team_a.campaign, starts_in=dt.timedelta(days=-80), hours=2)
        add_signup(corrected, me, attendance="attended", hours=Decimal("5.25"), hours_reason="Set-up")
        # A no-show counts nothing; a cancelled shift counts nothing.
        add_signup(make_shift(team_a.campaign, starts_in=dt.timedelta(days=-75)), me, attendance="no_show")
        cancelled = make_shift(team_a.campaign, starts_in=dt.timedelta(days=-72))
        add_signup(cancelled, me, attendance="attended")
        with scopes_disabled():
            Shift.objects.filter(pk=cancelled.pk).update(cancelled_at=now)
        # Earlier this month (in the campaign's time zone), if the month has begun long enough ago.
        local_now = timezone.localtime(now, team_a.campaign.tzinfo)
        month_start = local_now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        this_month = Decimal(0)
        if now - month_start > dt.timedelta(hours=3):
            recent = make_shift(team_a.campaign, starts_in=month_start - now + dt.timedelta(minutes=1), hours=1.5)
            add_signup(recent, me, attendance="attended")
            this_month = Decimal("1.50")
        client.force_login(team_a.volunteer.user)
        response = client.get(url("my_shifts", team_a.campaign))
        assert response.context["total_hours"] == Decimal("8.25") + this_month
        assert response.context["month_hours"] == this_month
        assert len(response.context["past"]) == 4 + (1 if this_month else 0)

    def test_constant_queries_at_two_sizes(self, client, team_a, django_assert_max_num_queries):
        me = member_volunteer(team_a.volunteer)
        with scopes_disabled():
            program_for(team_a.campaign)
            skill = Skill.objects.filter(campaign=team_a.campaign).first()
            VolunteerSkill.objects.create(campaign=team_a.campaign, volunteer=me, skill=skill)

        def grow(n: int) -> None:
            for i in range(n):
                add_signup(
                    make_shift(team_a.campaign, required_skill=skill), me, status="confirmed" if i % 2 else "waitlisted"
                )
                add_signup(make_shift(team_a.campaign, starts_in=dt.timedelta(days=-3)), me, attendance="attended")
                open_shift = make_shift(team_a.campaign, capacity=1)
                add_signup(open_shift, make_volunteer(team_a.campaign))

        client.force_login(team_a.volunteer.user)
        grow(2)
        client.get(url("my_shifts", team_a.campaign))
        with CaptureQueriesContext(connection) as small:
            response = client.get(url("my_shifts", team_a.campaign))
        assert len(response.context["upcoming"]) == 2
        grow(30)
        with django_assert_max_num_queries(len(small)):
            response = client.get(url("my_shifts", team_a.campaign))
        assert len(response.context["upcoming"]) == 32 and len(response.context["past"]) == 20


class TestSignUp:
    def test_sign_up_gets_a_place_and_reminders(self, client, team_a):
        shift = make_shift(team_a.campaign, title="Leaflets at Ngau Tau Kok")
        client.force_login(team_a.volunteer.user)
        response = client.post(url("shift_signup", team_a.campaign, code=shift.code), follow=True)
        assert response.redirect_chain[-1][0] == url("my_shifts", team_a.campaign)
        [message] = page_messages(response)
        assert message.startswith("You're in: “Leaflets at Ngau Tau Kok”")
        with scopes_disabled():
            signup = Signup.objects.get(shift=shift)
            assert signup.volunteer.person.user == team_a.volunteer.user  # a profile was made for the member
        assert signup.status == "confirmed"
        assert len(messages_of(REMINDER)) == 2  # 24 h and 2 h before, by email
        assert [s.shift for s in response.context["upcoming"]] == [shift]

    def test_full_shift_puts_me_on_the_waiting_list_with_my_number(self, client, team_a):
        shift = make_shift(team_a.campaign, capacity=1)
        add_signup(shift, make_volunteer(team_a.campaign))
        add_signup(shift, make_volunteer(team_a.campaign), status="waitlisted")
        client.force_login(team_a.volunteer.user)
        response = client.post(url("shift_signup", team_a.campaign, code=shift.code), follow=True)
        [message] = page_messages(response)
        assert "You're on the waiting list, number 2." in message
        with scopes_disabled():
            assert Signup.objects.get(shift=shift, volunteer__person__user=team_a.volunteer.user).status == "waitlisted"
        assert messages_of(REMINDER) == []  # no reminders until there is a place

    def test_double_submit_is_one_signup(self, client, team_a):
        shift = make_shift(team_a.campaign)
        client.force_login(team_a.volunteer.user)
        client.post(url("shift_signup", team_a.campaign, code=shift.code))
        response = client.post(url("shift_signup", team_a.campaign, code=shift.code), follow=True)
        assert any(m.startswith("You're already signed up for") for m in page_messages(response))
        with scopes_disabled():
            assert Signup.objects.filter(shift=shift).count() == 1
            assert Volunteer.objects.count() == 1
        assert len(messages_of(REMINDER)) == 2

    @pytest.mark.parametrize(
        ("setup", "message"),
        [
            ("started", "This shift has already started."),
            ("cancelled", "This shift is cancelled."),
        ],
    )
    def test_closed_shifts_refuse_with_a_message(self, client, team_a, setup, message):
        shift = make_shift(
            team_a.campaign, starts_in=dt.timedelta(minutes=-5) if setup == "started" else dt.timedelta(days=1)
        )
        if setup == "cancelled":
            with scopes_disabled():
                Shift.objects.filter(pk=shift.pk).update(cancelled_at=timezone.now())
        client.force_login(team_a.volunteer.user)
        response = client.post(url("shift_signup", team_a.campaign, code=shift.code), follow=True)
        assert message in page_messages(response)
        with scopes_disabled():
            assert not Signup.objects.exists()

    def test_get_is_not_allowed(self, client, team_a):
        shift = make_shift(team_a.campaign)
        client.force_login(team_a.volunteer.user)
        assert client.get(url("shift_signup", team_a.campaign, code=shift.code)).status_code == 405


class TestCancel:
    def test_cancel_before_the_cancel_by_time_frees_the_place_for_the_first_waiting(self, client, team_a):
        shift = make_shift(team_a.campaign, capacity=1, starts_in=dt.timedelta(days=2))
        me = member_volunteer(team_a.volunteer)
        mine = add_signup(shift, me)
        waiting = add_signup(shift, make_volunteer(team_a.campaign), status="waitlisted")
        client.force_login(team_a.volunteer.user)
        page = client.get(url("my_shifts", team_a.campaign)).content.decode()
        assert "Cancel my place" in page and "You can cancel here until" in page

        response = client.post(url("my_signup_cancel", team_a.campaign, code=mine.code), follow=True)
        assert f"You are no longer signed up for “{shift.title}”." in page_messages(response)
        assert fresh(mine).status == "cancelled"
        assert fresh(waiting).status == "confirmed"
        assert [m.person_id for m in messages_of(PROMOTED)] == [waiting.volunteer.person_id]
        with scopes_disabled():
            assert Signup.objects.filter(shift=shift).count() == 2  # cancelled, not deleted

    def test_after_the_cancel_by_time_the_button_becomes_a_sentence_and_cancel_is_refused(self, client, team_a):
        with scopes_disabled():
            program = program_for(team_a.campaign)
            VolunteerSettings.objects.filter(pk=program.pk).update(cancel_by_hours=24)
        shift = make_shift(team_a.campaign, starts_in=dt.timedelta(hours=20))
        mine = add_signup(shift, member_volunteer(team_a.volunteer))
        client.force_login(team_a.volunteer.user)
        page = client.get(url("my_shifts", team_a.campaign)).content.decode()
        assert url("my_signup_cancel", team_a.campaign, code=mine.code) not in page
        assert "It is too late to cancel here. If you cannot come, please tell a coordinator" in page

        response = client.post(url("my_signup_cancel", team_a.campaign, code=mine.code), follow=True)
        assert "Cancelling is possible until 24 hours before the start. Please tell a coordinator." in page_messages(
            response
        )
        assert fresh(mine).status == "confirmed"

    def test_the_waiting_list_can_be_left_at_any_time(self, client, team_a):
        shift = make_shift(team_a.campaign, capacity=1, starts_in=dt.timedelta(hours=1))
        add_signup(shift, make_volunteer(team_a.campaign))
        mine = add_signup(shift, member_volunteer(team_a.volunteer), status="waitlisted")
        client.force_login(team_a.volunteer.user)
        assert "Leave the waiting list" in client.get(url("my_shifts", team_a.campaign)).content.decode()
        client.post(url("my_signup_cancel", team_a.campaign, code=mine.code))
        assert fresh(mine).status == "cancelled"

    def test_someone_elses_signup_is_not_found(self, client, team_a):
        member_volunteer(team_a.volunteer)
        shift = make_shift(team_a.campaign)
        theirs = add_signup(shift, make_volunteer(team_a.campaign))
        client.force_login(team_a.volunteer.user)
        assert client.post(url("my_signup_cancel", team_a.campaign, code=theirs.code)).status_code == 404
        assert fresh(theirs).status == "confirmed"


class TestCalendarLink:
    def test_reset_gives_a_new_link_and_the_old_one_stops_working(self, client, team_a):
        me = member_volunteer(team_a.volunteer)
        add_signup(make_shift(team_a.campaign), me)
        client.force_login(team_a.volunteer.user)
        page = client.get(url("my_shifts", team_a.campaign)).content.decode()
        old_url = re.search(r'value="(http[^"]+\.ics)"', page).group(1)
        assert me.feed_token in old_url and "webcal://" in page
        old_path = old_url.split("testserver", 1)[-1].split("127.0.0.1:8000", 1)[-1]
        assert client.get(old_path).status_code == 200

        response = client.post(url("my_feed_reset", team_a.campaign), follow=True)
        assert "Your calendar link is new" in page_messages(response)[0]
        new_token = fresh(me).feed_token
        assert new_token != me.feed_token
        assert new_token in response.content.decode()
        assert client.get(old_path).status_code == 404
        assert client.get(old_path.replace(me.feed_token, new_token)).status_code == 200
