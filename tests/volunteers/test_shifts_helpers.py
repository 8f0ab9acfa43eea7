"""Helpers shared by the shift, my-shifts, check-in, iCalendar and concurrency tests (no tests here)."""

import datetime as dt
import itertools

from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from campaign.models import Campaign, Membership, Person
from notifications.models import Message
from volunteers.models import Shift, Signup, Volunteer

_numbers = itertools.count(1)


def make_shift(
    campaign: Campaign, *, starts_in: dt.timedelta = dt.timedelta(days=3), hours: float = 2, **values
) -> Shift:
    starts = timezone.now().replace(microsecond=0) + starts_in
    values = {"title": f"Shift {next(_numbers)}", "location": "Choi Hung MTR exit C", "capacity": 5, **values}
    with scopes_disabled():
        return Shift.objects.create(
            campaign=campaign, starts_at=starts, ends_at=starts + dt.timedelta(hours=hours), **values
        )


def make_volunteer(campaign: Campaign, *, name: str = "", email: str = "", phone: str = "", user=None) -> Volunteer:
    """A volunteer who agreed to email and text messages, so every message about them is enqueued."""
    n = next(_numbers)
    with scopes_disabled():
        person = Person.objects.create(
            campaign=campaign,
            user=user,
            given_name=name or f"Volunteer{n}",
            family_name="Tester",
            email=email or f"volunteer{n}@example.test",
            phone=phone,
            consent_email=True,
            consent_sms=bool(phone),
            consent_recorded_at=timezone.now(),
        )
        return Volunteer.objects.create(campaign=campaign, person=person, status=Volunteer.Status.ACTIVE)


def member_volunteer(membership: Membership) -> Volunteer:
    return make_volunteer(membership.campaign, user=membership.user, email=membership.user.email)


def add_signup(shift: Shift, volunteer: Volunteer, *, status: str = Signup.Status.CONFIRMED, **values) -> Signup:
    with scopes_disabled():
        return Signup.objects.create(campaign=shift.campaign, shift=shift, volunteer=volunteer, status=status, **values)


def url(name: str, campaign: Campaign, **kwargs) -> str:
    return reverse(f"volunteers:{name}", kwargs={"campaign_slug": campaign.slug, **kwargs})


def messages_of(template: str) -> list[Message]:
    with scopes_disabled():
        return list(Message.objects.filter(template=template).select_related("person").order_by("id"))


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def fresh(obj):
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)
