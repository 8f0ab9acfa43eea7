"""Demo data for nominations: a drive for the demo campaign's area, numbered sheets (some out with
volunteers, some returned), and signatures entered through the service, so the checks and risks are
real: a few duplicates, a few out of area, a few without the ID digits.

Needs the canvassing demo's current map version and households; without them it does nothing and says
so. Idempotent: nothing is added to a campaign that already has a drive.
"""

import datetime as dt
import random
from collections import Counter

from django.core.exceptions import ValidationError
from faker import Faker

from campaign.models import Campaign, Membership, Role
from canvassing.models import Household, MapVersion
from nominations import services
from nominations.models import Drive

SIGNATURES = {"small": 120, "large": 1500}


def seed(*, campaign: Campaign, scale: str, rng: random.Random, fake_zh: Faker, fake_en: Faker) -> None:
    if Drive.objects.filter(campaign=campaign).exists():
        return
    version = MapVersion.objects.filter(campaign=campaign, status=MapVersion.Status.CURRENT).first()
    households = list(
        Household.objects.filter(campaign=campaign, area__version=version).select_related("area__version")[:5000]
        if version
        else []
    )
    if not households:
        print("nominations demo: skipped, the campaign has no current map version with households yet")
        return
    area_key = Counter(h.area.key for h in households).most_common(1)[0][0]
    owner = Membership.objects.filter(campaign=campaign, role=Role.OWNER).select_related("user").first()
    acting = owner.user if owner else None
    volunteers = list(Membership.objects.filter(campaign=campaign, role=Role.VOLUNTEER).order_by("pk")[:6])
    today = services.today_for(campaign)
    count = SIGNATURES.get(scale, SIGNATURES["small"])
    drive = services.drive_create(
        campaign=campaign,
        acting_user=acting,
        office=campaign.office or "District Council",
        area_key=area_key,
        required=max(count // 2, 10),
        opens_on=today - dt.timedelta(days=21),
        deadline=today + dt.timedelta(days=14),
        require_id_fragment=True,
        min_age=18,
    )
    sheets = services.sheets_create(drive=drive, acting_user=acting, first=1, count=max(count // 15 + 4, 6))
    for index, volunteer in enumerate((volunteers * 3)[: len(sheets)]):
        # The service answers with the sheet as stored: its collector is what the signatures below
        # are credited to, and its status is what decides which sheets come back.
        sheets[index] = services.sheet_checkout(sheet=sheets[index], membership=volunteer, acting_user=acting)
    entered = []
    for n in range(count):
        sheet = sheets[n // 15]
        if n and rng.random() < 0.05:
            earlier = rng.choice(entered)  # signed twice
            values = dict(earlier)
        else:
            fake = fake_zh if rng.random() < 0.6 else fake_en
            values = {
                "full_name": fake.name(),
                "household": rng.choice(households),
                "id_fragment": "" if rng.random() < 0.05 else f"{rng.randrange(1000):03d}{rng.choice('0123456789A')}",
                "birth_year": today.year - rng.randint(16, 85),
            }
            entered.append(values)
        try:
            services.signature_add(
                drive=drive,
                acting_user=acting,
                sheet=sheet,
                signed_on=today - dt.timedelta(days=rng.randrange(20)),
                **values,
            )
        except ValidationError:
            continue  # a household outside every area: refused, as on the entry page
    for sheet in sheets[len(volunteers) : len(volunteers) + 3]:
        if sheet.status == sheet.Status.CHECKED_OUT:
            services.sheet_return(sheet=sheet, acting_user=acting, location="MTR exit", collected_on=today)
