"""Demo data for the volunteers app: profiles, a few weeks of shifts, signups and attendance.

Called by `manage.py seed_demo` inside the demo campaign's scope. Idempotent: it does nothing
for a campaign that already has shifts.
"""

import datetime as dt
import random

from django.utils import timezone
from faker import Faker

from campaign.models import Campaign, Membership, Person, Role
from volunteers import services
from volunteers.models import Shift, Signup, Skill, Volunteer

SHIFTS = {"small": 18, "large": 120}
TITLES = [
    ("canvassing", "Door knocking, North Point estates", "North Point MTR exit A"),
    ("leafleting", "Morning leafleting at the ferry pier", "North Point ferry pier"),
    ("event", "Street booth on King's Road", "King's Road / Tin Chiu Street"),
    ("phone_bank", "Phone bank evening", "Campaign office, 2/F"),
    ("canvassing", "Quarry Bay door knocking", "Quarry Bay park gate"),
]


def seed(*, campaign: Campaign, scale: str, rng: random.Random, fake_zh: Faker, fake_en: Faker) -> None:
    if Shift.objects.filter(campaign=campaign).exists():
        return
    owner = Membership.objects.filter(campaign=campaign, role=Role.OWNER).select_related("user").first()
    acting = owner.user if owner else None
    services.program_for(campaign)
    skills = list(Skill.objects.filter(campaign=campaign))

    # Every demo member with a volunteer role gets a profile, and so do a share of the contacts.
    volunteers = [
        services.volunteer_for_member(membership=m)
        for m in Membership.objects.filter(campaign=campaign, role=Role.VOLUNTEER).select_related("user", "campaign")
    ]
    linked = {v.person_id for v in volunteers}
    contacts = [p for p in Person.objects.filter(campaign=campaign).order_by("pk")[:200] if p.pk not in linked]
    for person in contacts[: len(contacts) // 2]:
        volunteer = Volunteer.objects.create(
            campaign=campaign,
            person=person,
            source="signup",
            status=rng.choice([Volunteer.Status.NEW, Volunteer.Status.ACTIVE, Volunteer.Status.INACTIVE]),
            available_weekdays=rng.random() < 0.4,
            available_evenings=rng.random() < 0.6,
            available_weekends=rng.random() < 0.7,
            tshirt_size=rng.choice(["S", "M", "L", "XL", ""]),
        )
        volunteer.skills.add(*rng.sample(skills, k=rng.randint(0, 3)), through_defaults={"campaign": campaign})
        volunteers.append(volunteer)

    tz = campaign.tzinfo
    today = timezone.localdate(timezone=tz)
    for n in range(SHIFTS[scale]):
        kind, title, location = TITLES[n % len(TITLES)]
        day = today + dt.timedelta(days=1 + n % 21)
        start = dt.datetime.combine(day, dt.time(10 if n % 2 else 18, 0), tzinfo=tz)
        (shift,) = services.shift_create(
            campaign=campaign,
            acting_user=acting,
            kind=kind,
            title=title,
            location=location,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            capacity=rng.choice([4, 6, 8, 10]),
            notes="Bring water and your volunteer badge.",
            published=n % 3 != 0,
        )
        for volunteer in rng.sample(volunteers, k=min(len(volunteers), rng.randint(2, 12))):
            services.signup_create(shift=shift, volunteer=volunteer, acting_user=acting)

    # A past shift with attendance, so hours and history have something to show.
    past_start = timezone.now() - dt.timedelta(days=3)
    past = Shift.objects.create(
        campaign=campaign,
        kind="canvassing",
        title="Kick-off canvass",
        location="Campaign office",
        starts_at=past_start,
        ends_at=past_start + dt.timedelta(hours=3),
        capacity=10,
    )
    for volunteer in volunteers[:8]:
        Signup.objects.create(
            campaign=campaign,
            shift=past,
            volunteer=volunteer,
            status=Signup.Status.CONFIRMED,
            attendance=rng.choice([Signup.Attendance.ATTENDED] * 3 + [Signup.Attendance.NO_SHOW]),
            created_at=past_start - dt.timedelta(days=2),
        )
