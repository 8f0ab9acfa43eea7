"""Builders shared by the roster, import and export tests (no tests here)."""

import datetime as dt
import itertools

from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from campaign.models import Campaign, Person
from volunteers.models import Shift, Skill, Volunteer

_seq = itertools.count(1)


def make_volunteer(
    campaign: Campaign,
    *,
    given: str = "Ada",
    family: str = "Lovelace",
    email: str | None = None,
    phone: str | None = None,
    skills: tuple[str, ...] = (),
    **fields,
) -> Volunteer:
    n = next(_seq)
    with scopes_disabled():
        person = Person.objects.create(
            campaign=campaign,
            given_name=given,
            family_name=family,
            email=f"v{n}@example.test" if email is None else email,
            phone=f"+8526{n:07d}" if phone is None else phone,
            neighbourhood=fields.pop("neighbourhood", ""),
            language=fields.pop("language", ""),
        )
        volunteer = Volunteer.objects.create(campaign=campaign, person=person, **fields)
        for name in skills:
            skill, _ = Skill.objects.get_or_create(campaign=campaign, name=name)
            volunteer.skills.through.objects.create(campaign=campaign, volunteer=volunteer, skill=skill)
        return volunteer


def make_shift(
    campaign: Campaign, *, title: str = "Leafleting", days: float = 2, hours: float = 2, capacity: int = 5
) -> Shift:
    starts = timezone.now() + dt.timedelta(days=days)
    with scopes_disabled():
        return Shift.objects.create(
            campaign=campaign,
            title=title,
            location="Station exit B",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=hours),
            capacity=capacity,
        )


def enable_mfa(user) -> Authenticator:
    """A TOTP authenticator, as allauth stores one after the user scanned the QR code."""
    return Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "not-used-here"})


def url(name: str, campaign: Campaign, **kwargs) -> str:
    return reverse(f"volunteers:{name}", kwargs={"campaign_slug": campaign.slug, **kwargs})
