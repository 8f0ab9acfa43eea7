"""Coordinators' shift pages: the list, creating (also weekly), the roster, editing, cancelling,
attendance, hours and the check-in poster."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from campaign.models import AuditEvent
from notifications.models import Message
from tests.volunteers.test_shifts_helpers import (
    add_signup,
    fresh,
    make_shift,
    make_volunteer,
    messages_of,
    page_messages,
    url,
)
from volunteers.models import Shift, Signup
from volunteers.reminders import CANCELLED, CHANGED, PROMOTED, REMINDER, THANK_YOU
from volunteers.services import program_for, signup_create

pytestmark = pytest.mark.django_db

HK = zoneinfo.ZoneInfo("Asia/Hong_Kong")


def local(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """A wall-clock time in Hong Kong, `days` from today."""
    day = timezone.localdate(timezone=HK) + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=HK)


def shift_form(**overrides) -> dict:
    data = {
        "kind": "leafleting",
        "title": "Saturday leafleting",
        "location": "Choi Hung MTR exit C",
        "starts_at": local(5, 10).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(5, 13).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "6",
        "required_skill": "",
        "notes": "Bring water.",
        "published": "on",
        "repeat_weeks": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class TestShiftList:
    def test_coordinator_sees_filled_places_waiting_list_and_tabs(self, client, team_a):
        shift = make_shift(team_a.campaign, title="Market stall", capacity=2)
        past = make_shift(team_a.campaign, title="Old canvass", starts_in=dt.timedelta(days=-3))
        gone = make_shift(team_a.campaign, title="Rained off")
        with scopes_disabled():
            Shift.objects.filter(pk=gone.pk).update(cancelled_at=timezone.now())
        for status in ("confirmed", "confirmed", "waitlisted"):
            add_signup(shift, make_volunteer(team_a.campaign), status=status)
        client.force_login(team_a.coordinator.user)

        page = client.get(url("shifts", team_a.campaign)).content.decode()
        assert "Market stall" in page and "2 of 2" in page and "1 waiting" in page
        assert "Old canvass" not in page and "Rained off" not in page
        assert "New shift" in page and 'role="progressbar"' in page
        assert 'style="width: 100%"' in page  # the bar is full

        assert "Old canvass" in client.get(url("shifts", team_a.campaign) + "?tab=past").content.decode()
        cancelled = client.get(url("shifts", team_a.campaign) + "?tab=cancelled").content.decode()
        assert "Rained off" in cancelled and "Market stall" not in cancelled
        assert past  # used

    def test_volunteer_sees_the_list_without_coordinator_buttons(self, client, team_a):
        make_shift(team_a.campaign, title="Phone bank")
        client.force_login(team_a.volunteer.user)
        page = client.get(url("shifts", team_a.campaign)).content.decode()
        assert "Phone bank" in page
        assert "New shift" not in page

    def test_paginated(self, client, team_a):
        for i in range(27):
            make_shift(team_a.campaign, title=f"Door knock {i:02d}", starts_in=dt.timedelta(days=1, hours=i))
        client.force_login(team_a.coordinator.user)
        first = client.get(url("shifts", team_a.campaign)).content.decode()
        second = client.get(url("shifts", team_a.campaign) + "?page=2").content.decode()
        assert "Door knock 00" in first and "Door knock 26" not in first
        assert "Door knock 26" in second and "Page 2 of 2" in second

    def test_constant_queries_at_two_sizes(self, client, team_a, django_assert_max_num_queries):
        client.force_login(team_a.coordinator.user)
        with scopes_disabled():
            program_for(team_a.campaign)
            skill = team_a.campaign.skills.first()

        def grow(n: int) -> None:
            with scopes_disabled():
                for _ in range(n):
                    shift = make_shift(team_a.campaign, required_skill=skill)
                    for status in ("confirmed", "waitlisted"):
                        add_signup(shift, make_volunteer(team_a.campaign), status=status)

        grow(2)
        client.get(url("shifts", team_a.campaign))  # the first request of a session does bookkeeping
        with CaptureQueriesContext(connection) as small:
            page = client.get(url("shifts", team_a.campaign)).content.decode()
        assert page.count('data-testid="shift-row"') == 2
        grow(30)
        with django_assert_max_num_queries(len(small)):
            page = client.get(url("shifts", team_a.campaign)).content.decode()
        assert page.count('data-testid="shift-row"') == 25 and skill.name in page


class TestCreateShift:
    def test_creates_a_shift_in_the_campaigns_time_zone(self, client, team_a):
        client.force_login(team_a.coordinator.user)
        response = client.post(url("shift_new", team_a.campaign), shift_form())
        with scopes_disabled():
            shift = Shift.objects.get()
        assert response.status_code == 302 and response["Location"] == url(
            "shift_detail", team_a.campaign, code=shift.code
        )
        # 10:00 in Hong Kong is 02:00 UTC.
        assert shift.starts_at == local(5, 10) and shift.starts_at.astimezone(dt.UTC).hour == 2
        assert shift.ends_at - shift.starts_at == dt.timedelta(hours=3)
        assert (shift.kind, shift.capacity, shift.published, shift.notes) == ("leafleting", 6, True, "Bring water.")
        assert shift.series is None
        with scopes_disabled():
            assert AuditEvent.objects.filter(action="shift.created", campaign=team_a.campaign).exists()

    def test_required_skill_from_the_campaigns_list(self, client, team_a):
        with scopes_disabled():
            program_for(team_a.campaign)
            skill = team_a.campaign.skills.get(name="Driving")
        client.force_login(team_a.coordinator.user)
        client.post(url("shift_new", team_a.campaign), shift_form(required_skill=str(skill.pk)))
        with scopes_disabled():
            assert Shift.objects.get().required_skill == skill

    def test_a_shift_without_a_required_skill_offers_any_volunteer_not_none(self, client, team_a):
        with scopes_disabled():
            program_for(team_a.campaign)
            shift = make_shift(team_a.campaign)
        client.force_login(team_a.coordinator.user)
        for page in (url("shift_new", team_a.campaign), url("shift_edit", team_a.campaign, code=shift.code)):
            html = client.get(page).content.decode()
            select = html.split('name="required_skill"', 1)[1].split("</select>", 1)[0]
            assert '<option value="" selected>Any volunteer</option>' in select and "None" not in select

    def test_another_campaigns_skill_is_refused(self, client, team_a, team_b):
        with scopes_disabled():
            program_for(team_b.campaign)
            foreign = team_b.campaign.skills.first()
        client.force_login(team_a.coordinator.user)
        response = client.post(url("shift_new", team_a.campaign), shift_form(required_skill=str(foreign.pk)))
        assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
        with scopes_disabled():
            assert not Shift.objects.exists()

    def test_repeat_weekly_creates_a_series_at_the_same_wall_clock_time(self, client, team_a):
        client.force_login(team_a.coordinator.user)
        response = client.post(url("shift_new", team_a.campaign), shift_form(repeat_weeks="4"))
        assert "4 weekly shifts created." in page_messages(client.get(response["Location"]))
        with scopes_disabled():
            shifts = list(Shift.objects.order_by("starts_at"))
        assert len(shifts) == 4
        assert len({s.series for s in shifts}) == 1 and shifts[0].series is not None
        for week, shift in enumerate(shifts):
            assert shift.starts_at.astimezone(HK).time() == dt.time(10, 0)
            assert shift.starts_at.astimezone(HK).date() == local(5, 10).date() + dt.timedelta(weeks=week)

    @pytest.mark.parametrize(
        ("bad", "field", "message"),
        [
            ({"ends_at": local(5, 9).strftime("%Y-%m-%dT%H:%M")}, "ends_at", "A shift must end after it starts."),
            ({"ends_at": local(5, 10).strftime("%Y-%m-%dT%H:%M")}, "ends_at", "A shift must end after it starts."),
            ({"capacity": "0"}, "capacity", "A shift needs at least one place."),
            ({"capacity": "-3"}, "capacity", "A shift needs at least one place."),
            ({"capacity": "lots"}, "capacity", "Enter a whole number."),
            ({"repeat_weeks": "0"}, "repeat_weeks", "Repeat for 1 to 52 weeks."),
            ({"repeat_weeks": "-2"}, "repeat_weeks", "Repeat for 1 to 52 weeks."),
            ({"repeat_weeks": "53"}, "repeat_weeks", "Repeat for 1 to 52 weeks."),
            (
                {
                    "starts_at": local(-1, 10).strftime("%Y-%m-%dT%H:%M"),
                    "ends_at": local(-1, 12).strftime("%Y-%m-%dT%H:%M"),
                },
                "starts_at",
                "This time is in the past.",
            ),
            ({"starts_at": "next Tuesday"}, "starts_at", "Enter a valid date/time."),
            ({"title": ""}, "title", "This field is required."),
            ({"location": ""}, "location", "This field is required."),
            ({"kind": "picnic"}, "kind", "Select a valid choice. picnic is not one of the available choices."),
        ],
    )
    def test_bad_input_is_shown_next_to_the_field_and_creates_nothing(self, client, team_a, bad, field, message):
        client.force_login(team_a.coordinator.user)
        response = client.post(url("shift_new", team_a.campaign), shift_form(**bad))
        assert response.status_code == 200
        form = response.context["form"]
        assert message in form.errors[field], form.errors
        assert f'id="id_{field}_errors"' in response.content.decode()
        with scopes_disabled():
            assert not Shift.objects.exists()

    def test_the_form_shows_the_time_zone(self, client, team_a):
        client.force_login(team_a.coordinator.user)
        page = client.get(url("shift_new", team_a.campaign)).content.decode()
        assert "Asia/Hong_Kong" in page and 'type="datetime-local"' in page


class TestShiftDetail:
    def test_coordinator_sees_roster_code_and_qr(self, client, team_a):
        shift = make_shift(team_a.campaign, capacity=1)
        first = make_volunteer(team_a.campaign, name="Ada")
        second = make_volunteer(team_a.campaign, name="Bea")
        third = make_volunteer(team_a.campaign, name="Cai")
        add_signup(shift, first)
        add_signup(shift, second, status="waitlisted")
        add_signup(shift, third, status="cancelled", cancelled_at=timezone.now())
        client.force_login(team_a.coordinator.user)
        response = client.get(url("shift_detail", team_a.campaign, code=shift.code))
        page = response.content.decode()
        assert [s.volunteer for s in response.context["confirmed"]] == [first]
        assert [s.volunteer for s in response.context["waiting"]] == [second]
        assert [s.volunteer for s in response.context["cancelled"]] == [third]
        assert shift.checkin_code in page
        assert '<svg class="qr-code"' in page
        assert response.context["checkin_url"].endswith(
            url("shift_checkin", team_a.campaign, code=shift.code) + f"?code={shift.checkin_code}"
        )
        assert "Attended" in page and "No-show" in page and "Correct hours" in page

    def test_volunteer_sees_the_shift_but_not_the_code_or_other_people(self, client, team_a):
        shift = make_shift(team_a.campaign)
        add_signup(shift, make_volunteer(team_a.campaign, name="Secretname"))
        client.force_login(team_a.volunteer.user)
        page = client.get(url("shift_detail", team_a.campaign, code=shift.code)).content.decode()
        assert shift.title in page
        assert shift.checkin_code not in page and "<svg" not in page and "Secretname" not in page
        assert "Sign up" in page and "4 places left" in page

    def test_poster_has_the_code_and_qr(self, client, team_a):
        shift = make_shift(team_a.campaign)
        client.force_login(team_a.coordinator.user)
        page = client.get(url("shift_poster", team_a.campaign, code=shift.code)).content.decode()
        assert shift.checkin_code in page and "<svg" in page and "window.print()" in page


def _edit_form(shift: Shift, **overrides) -> dict:
    data = {
        "kind": shift.kind,
        "title": shift.title,
        "location": shift.location,
        "starts_at": shift.starts_at.astimezone(HK).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": shift.ends_at.astimezone(HK).strftime("%Y-%m-%dT%H:%M"),
        "capacity": str(shift.capacity),
        "required_skill": "",
        "notes": shift.notes,
        "published": "on" if shift.published else "",
    }
    data.update(overrides)
    return data


class TestEditShift:
    def test_the_page_warns_what_a_change_does(self, client, team_a):
        shift = make_shift(team_a.campaign)
        add_signup(shift, make_volunteer(team_a.campaign))
        client.force_login(team_a.coordinator.user)
        page = client.get(url("shift_edit", team_a.campaign, code=shift.code)).content.decode()
        assert "1 volunteer is signed up" in page
        assert "everyone signed up is told what changed" in page
        assert "latest signups move to the front of the waiting list. Nobody is removed." in page
        # The form shows the times in the campaign's zone.
        assert shift.starts_at.astimezone(HK).strftime("%Y-%m-%dT%H:%M") in page

    def test_moving_the_time_tells_everyone_and_moves_their_reminders(self, client, team_a):
        shift = make_shift(team_a.campaign, starts_in=dt.timedelta(days=4))
        with scopes_disabled():
            program_for(team_a.campaign)
            people = [make_volunteer(team_a.campaign) for _ in range(3)]
            shift.capacity = 2
            shift.save()
            signups = [signup_create(shift=shift, volunteer=v, acting_user=None) for v in people]
            old_reminders = list(Message.objects.filter(template__in=[REMINDER, THANK_YOU]))
        assert [s.status for s in signups] == ["confirmed", "confirmed", "waitlisted"]
        assert len(old_reminders) == 2 * 3  # two confirmed: 24 h, 2 h and a thank-you each

        new_start = (shift.starts_at + dt.timedelta(days=1, hours=2)).replace(second=0)
        client.force_login(team_a.coordinator.user)
        response = client.post(
            url("shift_edit", team_a.campaign, code=shift.code),
            _edit_form(
                shift,
                starts_at=new_start.astimezone(HK).strftime("%Y-%m-%dT%H:%M"),
                ends_at=(new_start + dt.timedelta(hours=2)).astimezone(HK).strftime("%Y-%m-%dT%H:%M"),
                location="Ngau Tau Kok library",
            ),
        )
        assert response.status_code == 302
        changed = messages_of(CHANGED)
        assert sorted(m.person_id for m in changed) == sorted(v.person_id for v in people)  # waiting list too
        assert changed[0].context["old_location"] == "Choi Hung MTR exit C"
        assert set(changed[0].context["changed"]) >= {"starts_at", "location"}
        with scopes_disabled():
            for message in old_reminders:
                assert Message.objects.get(pk=message.pk).cancelled_at is not None
            live = Message.objects.filter(template=REMINDER, cancelled_at=None)
            assert live.count() == 4
            assert {m.send_at for m in live} == {new_start - dt.timedelta(hours=24), new_start - dt.timedelta(hours=2)}
            assert Signup.objects.filter(shift=shift).count() == 3

    def test_fewer_places_move_the_latest_to_the_waiting_list_and_delete_nobody(self, client, team_a):
        shift = make_shift(team_a.campaign, capacity=4)
        with scopes_disabled():
            program_for(team_a.campaign)
            base = timezone.now()
            signups = [
                add_signup(shift, make_volunteer(team_a.campaign), created_at=base + dt.timedelta(minutes=i))
                for i in range(4)
            ]
            waiting = add_signup(
                shift, make_volunteer(team_a.campaign), status="waitlisted", created_at=base + dt.timedelta(minutes=9)
            )
        client.force_login(team_a.coordinator.user)
        client.post(url("shift_edit", team_a.campaign, code=shift.code), _edit_form(shift, capacity="2"))
        statuses = [fresh(s).status for s in signups]
        assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
        assert fresh(waiting).status == "waitlisted"
        with scopes_disabled():
            assert Signup.objects.filter(shift=shift).count() == 5
            # The moved ones are ahead of the person who was already waiting.
            queue = list(Signup.objects.filter(shift=shift, status="waitlisted").order_by("created_at", "id"))
        assert queue == [signups[2], signups[3], waiting]
        assert messages_of(CHANGED) == []  # places are not time or place: nobody is told a change

    def test_more_places_promote_from_the_waiting_list_and_tell_them(self, client, team_a):
        shift = make_shift(team_a.campaign, capacity=1)
        add_signup(shift, make_volunteer(team_a.campaign))
        waiting = add_signup(shift, make_volunteer(team_a.campaign), status="waitlisted")
        client.force_login(team_a.coordinator.user)
        client.post(url("shift_edit", team_a.campaign, code=shift.code), _edit_form(shift, capacity="2"))
        assert fresh(waiting).status == "confirmed"
        assert [m.person_id for m in messages_of(PROMOTED)] == [waiting.volunteer.person_id]

    @pytest.mark.parametrize(
        ("bad", "field"),
        [({"capacity": "0"}, "capacity"), ({"ends_at": "__start__"}, "ends_at"), ({"title": ""}, "title")],
    )
    def test_bad_edit_changes_nothing(self, client, team_a, bad, field):
        shift = make_shift(team_a.campaign)
        add_signup(shift, make_volunteer(team_a.campaign))
        if bad.get("ends_at") == "__start__":
            bad = {"ends_at": shift.starts_at.astimezone(HK).strftime("%Y-%m-%dT%H:%M")}
        client.force_login(team_a.coordinator.user)
        response = client.post(url("shift_edit", team_a.campaign, code=shift.code), _edit_form(shift, **bad))
        assert response.status_code == 200 and field in response.context["form"].errors
        after = fresh(shift)
        assert (after.capacity, after.ends_at, after.title) == (shift.capacity, shift.ends_at, shift.title)
        assert messages_of(CHANGED) == []

    def test_a_cancelled_shift_cannot_be_edited(self, client, team_a):
        shift = make_shift(team_a.campaign)
        with scopes_disabled():
            Shift.objects.filter(pk=shift.pk).update(cancelled_at=timezone.now())
        client.force_login(team_a.coordinator.user)
        response = client.post(
            url("shift_edit", team_a.campaign, code=shift.code), _edit_form(shift, title="New"), follow=True
        )
        assert "This shift is cancelled and can no longer be changed." in page_messages(response)
        assert fresh(shift).title == shift.title


class TestCancelShift:
    def test_confirm_then_cancel_tells_everyone_and_withdraws_reminders(self, client, team_a):
        shift = make_shift(team_a.campaign, capacity=1)
        with scopes_disabled():
            program_for(team_a.campaign)
            people = [make_volunteer(team_a.campaign) for _ in range(2)]
            for v in people:
                signup_create(shift=shift, volunteer=v, acting_user=None)
        client.force_login(team_a.coordinator.user)
        confirm = client.get(url("shift_cancel", team_a.campaign, code=shift.code)).content.decode()
        assert "2 volunteers are signed up and will be told" in confirm
        assert fresh(shift).cancelled_at is None  # asking is not doing

        response = client.post(url("shift_cancel", team_a.campaign, code=shift.code), follow=True)
        assert "Shift cancelled. Everyone signed up will be told." in page_messages(response)
        assert fresh(shift).cancelled_at is not None
        assert sorted(m.person_id for m in messages_of(CANCELLED)) == sorted(v.person_id for v in people)
        with scopes_disabled():
            assert not Message.objects.filter(template__in=[REMINDER, THANK_YOU], cancelled_at=None).exists()
            assert Signup.objects.filter(shift=shift).count() == 2

        again = client.post(url("shift_cancel", team_a.campaign, code=shift.code), follow=True)
        assert "This shift is already cancelled." in page_messages(again)
        assert len(messages_of(CANCELLED)) == 2


class TestAttendanceAndHours:
    def test_mark_attended_counts_the_shifts_hours(self, client, team_a):
        shift = make_shift(team_a.campaign, starts_in=dt.timedelta(hours=-3), hours=2.5)
        signup = add_signup(shift, make_volunteer(team_a.campaign))
        client.force_login(team_a.coordinator.user)
        response = client.post(url("signup_attendance", team_a.campaign, code=signup.code), {"attendance": "attended"})
        assert response["Location"].endswith(f"#signup-{signup.code}")
        with scopes_disabled():
            after = Signup.objects.select_related("shift").get(pk=signup.pk)
            assert after.attendance == "attended" and after.counted_hours() == Decimal("2.50")
        client.post(url("signup_attendance", team_a.campaign, code=signup.code), {"attendance": "no_show"})
        assert fresh(signup).attendance == "no_show"

    def test_bad_attendance_value_changes_nothing(self, client, team_a):
        shift = make_shift(team_a.campaign, starts_in=dt.timedelta(hours=-3))
        signup = add_signup(shift, make_volunteer(team_a.campaign))
        client.force_login(team_a.coordinator.user)
        response = client.post(
            url("signup_attendance", team_a.campaign, code=signup.code), {"attendance": "maybe"}, follow=True
        )
        assert "Choose attended or no-show." in page_messages(response)
        assert fresh(signup).attendance == ""

    def test_waiting_list_has_no_attendance(self, client, team_a):
        shift = make_shift(team_a.campaign, starts_in=dt.timedelta(hours=-3))
        signup = add_signup(shift, make_volunteer(team_a.campaign), status="waitlisted")
        client.force_login(team_a.coordinator.user)
        response = client.post(
            url("signup_attendance", team_a.campaign, code=signup.code), {"attendance": "attended"}, follow=True
        )
        assert "Only confirmed signups have an attendance." in page_messages(response)
        assert fresh(signup).attendance == ""

    def test_correct_hours_with_a_reason(self, client, team_a):
        shift = make_shift(team_a.campaign, starts_in=dt.timedelta(hours=-3))
        signup = add_signup(shift, make_volunteer(team_a.campaign), attendance="attended")
        client.force_login(team_a.coordinator.user)
        prefix = f"hours-{signup.code}"
        response = client.post(
            url("signup_hours", team_a.campaign, code=signup.code),
            {f"{prefix}-hours": "3.5", f"{prefix}-reason": "Stayed to pack up"},
        )
        assert response.status_code == 302
        after = fresh(signup)
        assert (after.hours, after.hours_reason) == (Decimal("3.50"), "Stayed to pack up")
        with scopes_disabled():
            assert AuditEvent.objects.filter(action="signup.hours_corrected").count() == 1

    @pytest.mark.parametrize(
        ("hours", "reason", "field", "message"),
        [
            ("-1", "Oops", "hours", "Hours must be between 0 and 24."),
            ("25", "Long day", "hours", "Hours must be between 0 and 24."),
            ("two", "x", "hours", "Enter a number."),
            ("2", "", "reason", "This field is required."),
            ("2", "   ", "reason", "This field is required."),
        ],
    )
    def test_bad_hours_are_shown_next_to_the_field(self, client, team_a, hours, reason, field, message):
        shift = make_shift(team_a.campaign, starts_in=dt.timedelta(hours=-3))
        signup = add_signup(shift, make_volunteer(team_a.campaign), attendance="attended")
        client.force_login(team_a.coordinator.user)
        prefix = f"hours-{signup.code}"
        response = client.post(
            url("signup_hours", team_a.campaign, code=signup.code),
            {f"{prefix}-hours": hours, f"{prefix}-reason": reason},
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert message in page and f'id="id_{prefix}-{field}_errors"' in page
        assert '<details class="mt-2" open>' in page  # the form with the error is open on the page
        after = fresh(signup)
        assert (after.hours, after.hours_reason) == (None, "")


class TestWaitlistPromotion:
    def test_coordinator_takes_someone_off_and_the_first_waiting_is_promoted_and_told(self, client, team_a):
        shift = make_shift(team_a.campaign, capacity=1, starts_in=dt.timedelta(hours=3))  # past the cancel-by time
        with scopes_disabled():
            program_for(team_a.campaign)
        taken = add_signup(shift, make_volunteer(team_a.campaign))
        first = add_signup(shift, make_volunteer(team_a.campaign), status="waitlisted")
        second = add_signup(shift, make_volunteer(team_a.campaign), status="waitlisted")
        client.force_login(team_a.coordinator.user)
        client.post(url("signup_remove", team_a.campaign, code=taken.code))
        assert fresh(taken).status == "cancelled"
        assert fresh(first).status == "confirmed" and fresh(first).promoted_at is not None
        assert fresh(second).status == "waitlisted"
        promoted = messages_of(PROMOTED)
        assert [m.person_id for m in promoted] == [first.volunteer.person_id]
        assert promoted[0].context["shift_title"] == shift.title
        # The promoted volunteer now gets reminders too (the 2-hour one; the 24-hour one is past).
        with scopes_disabled():
            assert Message.objects.filter(template=REMINDER, topic=f"signup:{first.code}").count() == 1
