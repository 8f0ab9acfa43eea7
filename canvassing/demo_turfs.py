"""Demo turfs: each area of the demo campaign's current map cut into turfs of about 40 doors.

Called by canvassing/demo.py after the households and the map, inside the campaign's scope. Without a
current map it does nothing. Idempotent: an area that already has turfs is left as it is.
"""

import random

from faker import Faker

from campaign.models import Campaign, Membership, Role
from canvassing.models import Area, MapVersion, Turf
from canvassing.services_turfs import turfs_cut

DOORS_PER_TURF = 40


def seed(*, campaign: Campaign, scale: str, rng: random.Random, fake_zh: Faker, fake_en: Faker) -> None:
    owner = Membership.objects.filter(campaign=campaign, role=Role.OWNER).select_related("user").first()
    areas = Area.objects.filter(campaign=campaign, version__status=MapVersion.Status.CURRENT).order_by("key")
    for area in areas:
        if Turf.objects.filter(campaign=campaign, area=area).exists():
            continue
        turfs_cut(area=area, target_doors=DOORS_PER_TURF, acting_user=owner.user if owner else None)
