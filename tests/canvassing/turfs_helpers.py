"""Areas of a current map with generated households, for the turf tests and the isolation routes."""

import random

from django_scopes import scopes_disabled

from campaign.models import Campaign, Membership
from canvassing.models import Area, Assignment, Household, MapVersion, Turf, address_derived

STREETS = ["Nathan Road", "Argyle Street", "Shanghai Street", "Temple Street", "Canton Road", "Reclamation Street"]


def current_area(campaign: Campaign, key: str = "K01") -> Area:
    """An area of the campaign's current map version (made if there is none)."""
    with scopes_disabled():
        version = MapVersion.objects.filter(campaign=campaign, status=MapVersion.Status.CURRENT).first()
        if version is None:
            number = MapVersion.objects.filter(campaign=campaign).count() + 1
            version = MapVersion.objects.create(
                campaign=campaign, number=number, name="Test map", source=MapVersion.Source.GEOJSON, status="current"
            )
        area, _created = Area.objects.get_or_create(
            campaign=campaign, version=version, key=key, defaults={"name": f"Area {key}"}
        )
        return area


def make_households(
    area: Area, count: int, *, located: bool | None = True, seed: int = 1, streets: list[str] | None = None, **extra
) -> list[Household]:
    """`count` households in the area; located=None mixes with and without coordinates."""
    rng = random.Random(seed)
    streets = streets or STREETS
    rows = []
    start = rng.randrange(10**9)
    for n in range(count):
        street = streets[n % len(streets)]
        number = str(rng.randrange(1, 400)) + rng.choice(["", "", "", "A"])
        building = rng.choice(["", "", "Block A", "Block B"])
        unit = rng.choice(["", "1", "2"])
        floor = rng.choice(["", "3", "7"])
        has_coords = located if located is not None else rng.random() < 0.7
        key, value, parity = address_derived(
            street=street, house_number=number, building=building, unit=unit, floor=floor
        )
        rows.append(
            Household(
                campaign_id=area.campaign_id,
                area=area,
                street=street,
                house_number=number,
                house_number_value=value,
                parity=parity,
                building=building,
                unit=unit,
                floor=floor,
                address_key=f"{key}|{area.pk}|{start}|{n}",
                latitude=22.30 + rng.random() * 0.02 if has_coords else None,
                longitude=114.16 + rng.random() * 0.02 if has_coords else None,
                **extra,
            )
        )
    with scopes_disabled():
        return Household.objects.bulk_create(rows)


def make_turf(area: Area, name: str = "T-001", households: int = 0, **fields) -> Turf:
    with scopes_disabled():
        turf = Turf.objects.create(campaign_id=area.campaign_id, area=area, name=name, **fields)
        if households:
            made = make_households(area, households, seed=hash(name) % 1000)
            Household.objects.filter(pk__in=[h.pk for h in made]).update(turf=turf)
        return turf


def assign(turf: Turf, membership: Membership) -> Assignment:
    with scopes_disabled():
        assignment, _created = Assignment.objects.get_or_create(
            campaign_id=turf.campaign_id, turf=turf, membership=membership, status=Assignment.Status.ACTIVE
        )
        return assignment
