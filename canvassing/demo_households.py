"""Demo data for households: streets of North Point, Hong Kong, with odd and even sides, a few tower
blocks with floors and flats, residents (linked `Person` rows), and a few doors a volunteer found that
wait for a coordinator's review.

Every address goes through `Household.refresh_address_fields()` (the import, the hand form and the door
form use it too), so a later import of the same addresses updates these rows instead of duplicating
them. Idempotent: nothing happens for a campaign that already has households.
"""

import random

from faker import Faker

from campaign.models import Campaign, Membership, Person, Role
from canvassing import services_households
from canvassing.models import Household, Resident, name_key

HOUSEHOLDS = {"small": 300, "large": 3000}
SOUTH, NORTH, WEST, EAST = 22.285, 22.295, 114.19, 114.21
DISTRICT = "Eastern 东区"
# (street, start (lat, lon), end (lat, lon)): rough lines across North Point, inside the demo box.
STREETS = [
    ("King's Road 英皇道", (22.2870, 114.1910), (22.2915, 114.2090)),
    ("Java Road 渣华道", (22.2905, 114.1920), (22.2940, 114.2060)),
    ("Marble Road 马宝道", (22.2880, 114.1940), (22.2925, 114.1990)),
    ("Electric Road 电气道", (22.2860, 114.1915), (22.2880, 114.1995)),
    ("North Point Road 北角道", (22.2895, 114.1975), (22.2930, 114.2005)),
    ("Tong Shui Road 糖水道", (22.2900, 114.2010), (22.2935, 114.2040)),
    ("Shu Kuk Street 书局街", (22.2885, 114.2020), (22.2920, 114.2050)),
    ("Kam Hong Street 锦康街", (22.2870, 114.2050), (22.2900, 114.2085)),
]
BUILDINGS = [
    "Harbour Heights 海峰园",
    "City Garden 城市花园",
    "North Point Centre 北角中心",
    "Provident Centre 和富中心",
    "Fortress Tower 长康大厦",
    "Kingsford Terrace 健康村",
    "Island Place 港运城",
    "Marble Mansion 马宝大厦",
]
BANDS = [band for band, _label in Resident.AgeBand.choices]


def _position(street: int, number: int, last: int) -> tuple[float, float]:
    """Along the street by number, odd numbers on one side and even on the other, a few metres apart."""
    _name, (lat0, lon0), (lat1, lon1) = STREETS[street]
    t = min(number / max(last, 1), 1.0)
    side = 0.00007 if number % 2 else -0.00007
    lat = lat0 + (lat1 - lat0) * t + side
    lon = lon0 + (lon1 - lon0) * t - side
    return round(min(max(lat, SOUTH), NORTH), 6), round(min(max(lon, WEST), EAST), 6)


def _addresses(total: int, rng: random.Random) -> list[Household]:
    top_floor = max(4, total // 150)  # small: low-rise blocks; large: towers
    numbers = [0] * len(STREETS)
    last = max(40, total // (len(STREETS) * 3))
    buildings = iter(BUILDINGS * 4)
    rows: list[Household] = []
    street = 0
    while len(rows) < total:
        numbers[street] += 1 if rng.random() < 0.7 else 2
        number = numbers[street]
        name = STREETS[street][0]
        lat, lon = _position(street, number, last)
        building = next(buildings, "") if rng.random() < 0.06 else ""
        if building:
            floors, units = rng.randint(3, top_floor), rng.sample("ABCDEFGH", rng.randint(2, 4))
            for floor in range(1, floors + 1):
                for unit in sorted(units):
                    rows.append(
                        Household(
                            street=name,
                            house_number=str(number),
                            building=building,
                            floor=str(floor),
                            unit=unit,
                            latitude=lat,
                            longitude=lon,
                        )
                    )
        else:
            rows.append(
                Household(
                    street=name,
                    house_number=f"{number}{'A' if rng.random() < 0.05 else ''}",
                    floor="G" if rng.random() < 0.3 else "",
                    latitude=lat,
                    longitude=lon,
                )
            )
        street = (street + 1) % len(STREETS)
    return rows[:total]


def _resident_names(rng: random.Random, fake_zh: Faker, fake_en: Faker) -> tuple[str, str]:
    if rng.random() < 0.75:
        return fake_zh.first_name(), fake_zh.last_name()
    return fake_en.first_name(), fake_en.last_name()


def seed(*, campaign: Campaign, scale: str, rng: random.Random, fake_zh: Faker, fake_en: Faker) -> None:
    if Household.objects.filter(campaign=campaign).exists():
        return
    households = _addresses(HOUSEHOLDS[scale], rng)
    for household in households:
        household.campaign = campaign
        household.district = DISTRICT
        household.source = Household.Source.IMPORT
        household.refresh_address_fields()
        roll = rng.random()
        if roll < 0.02:
            household.status = Household.Status.DO_NOT_CONTACT
        elif roll < 0.04:
            household.status = Household.Status.MOVED
    Household.objects.bulk_create(households, batch_size=1000)
    households = list(Household.objects.filter(campaign=campaign).order_by("pk"))

    people: list[Person] = []
    placements: list[tuple[Household, str, str]] = []
    for household in households:
        if rng.random() >= 0.4:
            continue
        seen: set[str] = set()
        for _ in range(rng.randint(1, 3)):
            given, family = _resident_names(rng, fake_zh, fake_en)
            person = Person(campaign=campaign, given_name=given, family_name=family)
            key = name_key(person.full_name)
            if key in seen:
                continue
            seen.add(key)
            if rng.random() < 0.3:
                person.phone = f"+8529{len(people):07d}"
            people.append(person)
            placements.append((household, key, rng.choice(BANDS) if rng.random() < 0.7 else ""))
    Person.objects.bulk_create(people, batch_size=1000)
    Resident.objects.bulk_create(
        [
            Resident(campaign=campaign, household=household, person=person, name_key=key, age_band=band)
            for person, (household, key, band) in zip(people, placements, strict=True)
        ],
        batch_size=1000,
    )

    # Doors a volunteer found that the list did not have: the review queue has something to show,
    # one of them beside a listed address (a merge candidate).
    volunteer = (
        Membership.objects.filter(campaign=campaign, role=Role.VOLUNTEER).select_related("user").order_by("pk").first()
    )
    if volunteer is None:
        return
    listed = next(h for h in households if h.street and not h.building)
    doors = [
        {"street": listed.street, "house_number": listed.house_number, "unit": "Shop 2", "notes": "Ground-floor shop"},
        {"street": STREETS[1][0], "house_number": "999", "notes": "New building, not on the list"},
        {"building": "Harbour Heights 海峰园", "floor": "15", "unit": "Z", "notes": ""},
    ]
    for values in doors:
        household = services_households.household_create(
            campaign=campaign, acting_user=volunteer.user, values=values, source=Household.Source.DOOR
        )
        if not values["notes"]:
            services_households.resident_add(household=household, acting_user=volunteer.user, name=fake_zh.name())
