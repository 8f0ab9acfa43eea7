"""A small campaign built by hand, where every dashboard number is known in advance.

Times are placed relative to the campaign's local midnight (Asia/Hong_Kong), so "today", "yesterday"
and "20 days ago" are those days in the campaign's time zone whatever the machine's clock says.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django_scopes import scopes_disabled

from campaign.models import Campaign, Membership, Person
from canvassing.models import Area, Assignment, Household, MapVersion, Turf, Visit
from fundraising.models import Donation, FundraisingSettings, Pledge
from inventory.models import Item, Location, StockLevel, Variant
from nominations.models import Drive, Signature
from volunteers.models import Shift, Signup, Volunteer


def local_midnight(campaign: Campaign, days_ago: int = 0) -> dt.datetime:
    today = timezone.localtime(timezone.now(), campaign.tzinfo).date()
    return dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time.min, tzinfo=campaign.tzinfo)


def local_today(campaign: Campaign) -> dt.date:
    return timezone.localtime(timezone.now(), campaign.tzinfo).date()


@dataclass
class Built:
    campaign: Campaign
    volunteers: list[Volunteer] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    turfs: list[Turf] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def person(campaign: Campaign, name: str, user: Any = None) -> Person:
    return Person.objects.create(campaign=campaign, given_name=name, email=f"{name.lower()}@example.test", user=user)


def volunteer(campaign: Campaign, name: str, *, created_days_ago: int, active_days_ago: int | None, user: Any = None):
    created = local_midnight(campaign, created_days_ago) + dt.timedelta(hours=10)
    if created_days_ago == 0:
        created = timezone.now() - dt.timedelta(seconds=5)
    last = None
    if active_days_ago is not None:
        last = (
            timezone.now() - dt.timedelta(seconds=5)
            if active_days_ago == 0
            else local_midnight(campaign, active_days_ago) + dt.timedelta(hours=10)
        )
    return Volunteer.objects.create(
        campaign=campaign,
        person=person(campaign, name, user),
        status=Volunteer.Status.ACTIVE,
        created_at=created,
        last_activity_at=last,
    )


def shift(campaign: Campaign, title: str, starts_at: dt.datetime, *, capacity: int, hours: int = 2, **extra) -> Shift:
    return Shift.objects.create(
        campaign=campaign,
        title=title,
        location="Market",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        capacity=capacity,
        **extra,
    )


def turf_area(campaign: Campaign) -> Area:
    version = MapVersion.objects.filter(campaign=campaign).first() or MapVersion.objects.create(
        campaign=campaign, number=1, name="2026", source=MapVersion.Source.GEOJSON, status=MapVersion.Status.CURRENT
    )
    return Area.objects.get_or_create(campaign=campaign, version=version, key="A01", defaults={"name": "North"})[0]


def household(campaign: Campaign, n: int, turf: Turf | None, **extra) -> Household:
    return Household.objects.create(
        campaign=campaign,
        address_key=f"{campaign.slug}-{n}",
        street="Harbour Road",
        house_number=str(n),
        turf=turf,
        area=turf.area if turf else None,
        **extra,
    )


def visit(campaign: Campaign, house: Household, when: dt.datetime, outcome: str, **extra) -> Visit:
    return Visit.objects.create(
        campaign=campaign,
        household=house,
        turf=house.turf,
        outcome=outcome,
        visited_at=when,
        **extra,
    )


def build_known_campaign(campaign: Campaign, canvasser: Membership) -> Built:
    """The hand-built campaign of test_numbers.py. Comments give each row's part in the expected numbers."""
    with scopes_disabled():
        built = Built(campaign=campaign)
        now = timezone.now()
        # Volunteers (period of 7 days): new = 1, active = 2, inactive = 2, total = 4.
        v_new = volunteer(campaign, "Nova", created_days_ago=0, active_days_ago=0)
        v_recent = volunteer(campaign, "Rita", created_days_ago=20, active_days_ago=2)
        v_idle = volunteer(campaign, "Ivan", created_days_ago=60, active_days_ago=None)
        v_old = volunteer(campaign, "Olga", created_days_ago=40, active_days_ago=10)
        built.volunteers = [v_new, v_recent, v_idle, v_old]

        # No-shows: one on a shift two days ago (counted), one 20 days ago (outside 7 days).
        past = shift(campaign, "Past canvass", local_midnight(campaign, 2) + dt.timedelta(hours=10), capacity=4)
        older = shift(campaign, "Old canvass", local_midnight(campaign, 20) + dt.timedelta(hours=10), capacity=4)
        Signup.objects.create(campaign=campaign, shift=past, volunteer=v_idle, status="confirmed", attendance="no_show")
        Signup.objects.create(campaign=campaign, shift=older, volunteer=v_old, status="confirmed", attendance="no_show")
        # Attended 2 hours on the past shift: 2.00 volunteer hours this week.
        Signup.objects.create(
            campaign=campaign, shift=past, volunteer=v_recent, status="confirmed", attendance="attended"
        )

        # Shifts in the next 7 days: capacity 3 + 2 = 5, filled 2 (the waitlisted place does not count).
        soon = shift(campaign, "Soon canvass", now + dt.timedelta(days=1), capacity=3)
        later = shift(campaign, "Later leafleting", now + dt.timedelta(days=3), capacity=2)
        shift(campaign, "Cancelled", now + dt.timedelta(days=2), capacity=10, cancelled_at=now)
        shift(campaign, "Far away", now + dt.timedelta(days=10), capacity=10)
        Signup.objects.create(campaign=campaign, shift=soon, volunteer=v_new, status="confirmed")
        Signup.objects.create(campaign=campaign, shift=soon, volunteer=v_recent, status="confirmed")
        Signup.objects.create(campaign=campaign, shift=soon, volunteer=v_old, status="waitlisted")
        built.extra.update(soon=soon, later=later)

        # Turfs: T1 open with four households, T2 marked completed: 2 turfs, 1 completed, 1 remaining.
        area = turf_area(campaign)
        t1 = Turf.objects.create(campaign=campaign, area=area, name="Harbour North")
        t2 = Turf.objects.create(campaign=campaign, area=area, name="Harbour South", completed_at=now)
        built.turfs = [t1, t2]
        today_noon = now - dt.timedelta(minutes=1)
        yesterday = local_midnight(campaign, 0) - dt.timedelta(hours=2)
        long_ago = local_midnight(campaign, 20) + dt.timedelta(hours=12)
        h1 = household(campaign, 1, t1, last_support=5, last_outcome="contacted", last_visited_at=today_noon)
        h2 = household(campaign, 2, t1, last_outcome="not_home", last_visited_at=today_noon)
        h3 = household(campaign, 3, t1, last_outcome="inaccessible", last_visited_at=today_noon)
        h4 = household(campaign, 4, t1, last_support=2, last_outcome="contacted", last_visited_at=long_ago)
        built.households = [h1, h2, h3, h4]
        # Period of 7 days: visits 4 (h1 twice, h2, h3); doors knocked 2 (h1, h2: h3 was inaccessible);
        # contacts 1 (h1, twice, counted once); contact rate 50%. Today: doors 2, contacts 1; yesterday: 1 and 1.
        visit(campaign, h1, today_noon, "contacted", support_level=5, canvasser=canvasser)
        visit(campaign, h2, today_noon, "not_home", canvasser=canvasser, needs_review=True, flags=["too_fast"])
        visit(campaign, h3, today_noon, "inaccessible", canvasser=canvasser)
        visit(campaign, h1, yesterday, "contacted", support_level=4, canvasser=canvasser)
        visit(campaign, h4, long_ago, "contacted", support_level=2, canvasser=canvasser)
        # Support (households whose latest visit is in the period, by latest level): one at 5.
        Assignment.objects.create(
            campaign=campaign, turf=t1, membership=canvasser, due_on=local_today(campaign) + dt.timedelta(days=5)
        )

        # Stock: one variant low (40 on hand, threshold 100), one fine.
        leaflet = Item.objects.create(campaign=campaign, kind="leaflet", name="Manifesto", low_stock_threshold=100)
        low = Variant.objects.create(campaign=campaign, item=leaflet, label="EN", is_low=True, low_crossings=1)
        fine = Variant.objects.create(campaign=campaign, item=leaflet, label="ZH")
        office = Location.objects.create(campaign=campaign, kind="office", name="Office")
        StockLevel.objects.create(campaign=campaign, variant=low, location=office, quantity=40)
        StockLevel.objects.create(campaign=campaign, variant=fine, location=office, quantity=900)
        bag = Location.objects.create(campaign=campaign, kind="bag", name="Bag", membership=canvasser)
        StockLevel.objects.create(campaign=campaign, variant=fine, location=bag, quantity=25)

        # Money: goal 1000, cap 500 (warn at 80%): raised 550 (450 + 100), 55%; one donor near the cap; one held.
        FundraisingSettings.objects.create(
            campaign=campaign, goal_amount=Decimal("1000.00"), per_donor_cap=Decimal("500.00"), near_cap_share=80
        )
        big = person(campaign, "Bigdonor")
        small = person(campaign, "Smalldonor")
        today = local_today(campaign)
        for donor, amount, status, day in (
            (big, "450.00", "accepted", today - dt.timedelta(days=1)),
            (small, "100.00", "accepted", today - dt.timedelta(days=9)),
            (small, "50.00", "held", today),
        ):
            Donation.objects.create(
                campaign=campaign,
                donor=donor,
                amount=Decimal(amount),
                currency=campaign.currency,
                received_on=day,
                method="cash",
                status=status,
            )
        Pledge.objects.create(campaign=campaign, donor=small, amount=Decimal("20.00"), due_on=today)

        # Signatures: required 10, margin 50% → target 15; 6 likely valid, 2 at risk, 1 struck: 4 short.
        drive = Drive.objects.create(
            campaign=campaign,
            office="District Council",
            area_key="A01",
            required=10,
            margin_percent=50,
            opens_on=today - dt.timedelta(days=10),
            deadline=today + dt.timedelta(days=20),
        )
        for n, status in enumerate(["likely_valid"] * 6 + ["at_risk"] * 2 + ["struck"]):
            Signature.objects.create(
                campaign=campaign,
                drive=drive,
                full_name=f"Signer {n}",
                name_key=f"signer{n}",
                signed_on=today - dt.timedelta(days=n % 3),
                status=status,
                code=uuid.uuid4(),
            )
        built.extra.update(drive=drive, low=low)
        return built
