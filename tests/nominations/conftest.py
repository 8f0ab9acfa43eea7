"""A hand-built district: two map versions' worth of areas, households in and out of area K1."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from canvassing.models import Area, Household, MapVersion
from nominations import services
from nominations.models import Drive


@dataclass
class District:
    version: MapVersion
    k1: Area
    k2: Area
    inside: list[Household]
    outside: Household  # in area K2
    nowhere: Household  # outside every area of the current map
    drive: Drive


def make_household(campaign, n: int, area: Area | None, street: str = "Nathan Road") -> Household:
    return Household.objects.create(
        campaign=campaign,
        address_key=f"{street}|{n}",
        street=street,
        house_number=str(n),
        house_number_value=n,
        area=area,
    )


def make_district(team, *, required: int = 10, **drive_values) -> District:
    campaign = team.campaign
    with scopes_disabled():
        version = MapVersion.objects.create(
            campaign=campaign, number=1, name="2026 map", source="households", status="current"
        )
        k1 = Area.objects.create(campaign=campaign, version=version, key="K1", name="Yau Ma Tei North")
        k2 = Area.objects.create(campaign=campaign, version=version, key="K2", name="Jordan")
        inside = [make_household(campaign, n, k1) for n in range(1, 6)]
        outside = make_household(campaign, 100, k2, street="Jordan Road")
        nowhere = make_household(campaign, 200, None, street="Harbour Road")
        today = timezone.localdate(timezone=campaign.tzinfo)
        values = {
            "office": "District Council",
            "area_key": "K1",
            "required": required,
            "opens_on": today - dt.timedelta(days=10),
            "deadline": today + dt.timedelta(days=10),
        }
        values.update(drive_values)
        drive = services.drive_create(campaign=campaign, acting_user=team.owner.user, **values)
    return District(version=version, k1=k1, k2=k2, inside=inside, outside=outside, nowhere=nowhere, drive=drive)


@pytest.fixture
def district(team_a) -> District:
    return make_district(team_a)
