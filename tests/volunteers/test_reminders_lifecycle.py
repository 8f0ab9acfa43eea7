"""Reminders follow their signup through every change: moved, edited, demoted and promoted, cancelled."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from notifications.models import Message
from tests.factories import PersonFactory
from volunteers import reminders, selectors, services
from volunteers.models import Signup, Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(team_a):
    with scope(campaign=team_a.campaign.pk):
        yield team_a


def make_shift(team, *, hours_ahead=72, capacity=2, **values):
    start = timezone.now() + dt.timedelta(hours=hours_ahead)
    defaults = {"title": "Leafleting", "location": "Old pier", "capacity": capacity}
    (shift,) = services.shift_create(
        campaign=team.campaign,
        acting_user=team.owner.user,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        **{**defaults, **values},
    )
    return shift


def volunteer(team):
    person = PersonFactory(campaign=team.campaign, consent_email=True, consent_sms=False)
    return Volunteer.objects.create(campaign=team.campaign, person=person)


def pending(signup, template=reminders.REMINDER):
    return list(
        Message.objects.filter(
            topic=reminders.signup_topic(signup), template=template, sent_at=None, cancelled_at=None
        ).order_by("send_at")
    )


def edit(shift, team, **changes):
    values = {f: getattr(shift, f) for f in services.SHIFT_FIELDS}
    return services.shift_update(shift=shift, acting_user=team.owner.user, **{**values, **changes})


def test_moving_the_end_keeps_the_reminders_and_updates_them(world):
    shift = make_shift(world)
    signup = services.signup_create(shift=shift, volunteer=volunteer(world), acting_user=None)
    assert len(pending(signup)) == 2 and len(pending(signup, reminders.THANK_YOU)) == 1
    new_end = shift.ends_at + dt.timedelta(hours=1)
    edit(shift, world, ends_at=new_end)
    assert len(pending(signup)) == 2 and len(pending(signup, reminders.THANK_YOU)) == 1
    assert all(dt.datetime.fromisoformat(m.context["ends_at"]) == new_end for m in pending(signup))


def test_a_new_meeting_point_reaches_the_reminders_already_queued(world):
    shift = make_shift(world)
    signup = services.signup_create(shift=shift, volunteer=volunteer(world), acting_user=None)
    edit(shift, world, location="New pier, gate B")
    assert [m.context["location"] for m in pending(signup)] == ["New pier, gate B"] * 2


def test_a_place_lost_and_regained_brings_the_reminders_back(world):
    shift = make_shift(world, capacity=2)
    first = services.signup_create(shift=shift, volunteer=volunteer(world), acting_user=None)
    second = services.signup_create(shift=shift, volunteer=volunteer(world), acting_user=None)
    edit(shift, world, capacity=1)
    second.refresh_from_db()
    assert second.status == Signup.Status.WAITLISTED and pending(second) == []
    edit(shift, world, capacity=2)
    second.refresh_from_db()
    assert second.status == Signup.Status.CONFIRMED and len(pending(second)) == 2
    assert len(pending(first)) == 2


def test_nobody_is_promoted_onto_a_cancelled_shift(world):
    shift = make_shift(world, capacity=1)
    taken = services.signup_create(shift=shift, volunteer=volunteer(world), acting_user=None)
    waiting = services.signup_create(shift=shift, volunteer=volunteer(world), acting_user=None)
    services.shift_cancel(shift=shift, acting_user=world.owner.user)
    services.signup_cancel(signup=taken, acting_user=None, by_coordinator=True)
    waiting.refresh_from_db()
    assert waiting.status == Signup.Status.WAITLISTED
    assert not Message.objects.filter(template=reminders.PROMOTED).exists()
    assert pending(waiting) == []


def test_no_check_in_on_a_cancelled_shift(world):
    shift = make_shift(world, hours_ahead=0.5)
    person = volunteer(world)
    services.signup_create(shift=shift, volunteer=person, acting_user=None)
    services.shift_cancel(shift=shift, acting_user=world.owner.user)
    with pytest.raises(ValidationError, match="cancelled"):
        services.signup_check_in(shift=shift, volunteer=person, code=shift.checkin_code, acting_user=None)
    assert not Signup.objects.filter(attendance=Signup.Attendance.ATTENDED).exists()


def test_hours_count_only_confirmed_places_on_shifts_that_took_place(world):
    person = volunteer(world)
    start = timezone.now() - dt.timedelta(days=2)
    for cancelled_shift, status in ((False, "confirmed"), (False, "cancelled"), (True, "confirmed")):
        shift = make_shift(world)
        shift.starts_at, shift.ends_at = start, start + dt.timedelta(hours=2)
        shift.cancelled_at = timezone.now() if cancelled_shift else None
        shift.save()
        Signup.objects.create(
            campaign=world.campaign, shift=shift, volunteer=person, status=status, attendance="attended"
        )
    assert selectors.volunteer_hours(person) == Decimal("2.00")
