"""Demo data for the district map: four areas around North Point, Hong Kong, applied as the current
map (placing the demo households).

The polygons are built here in code (no file to ship): a 2×2 grid around (22.29, 114.20) whose inner
edges wobble a little, like real boundaries along streets. Idempotent: nothing happens for a campaign
that already has a map version.
"""

import json
import random

from faker import Faker

from campaign.models import Campaign, Membership, Role
from canvassing import services_maps
from canvassing.models import MapVersion

WEST, EAST, SOUTH, NORTH = 114.185, 114.215, 22.280, 22.300
AREAS = [
    ("C01", "Fortress Hill", 0, 0),
    ("C02", "City Garden", 1, 0),
    ("C03", "Healthy Village", 0, 1),
    ("C04", "North Point Estate", 1, 1),
]


def _ring(x0: float, x1: float, y0: float, y1: float, wobble: list[float]) -> list[list[float]]:
    """A rectangle with one extra point on each side, nudged by `wobble` (same nudges for shared sides,
    so neighbours meet without gaps or overlaps)."""
    mid_x, mid_y = (x0 + x1) / 2, (y0 + y1) / 2
    south = [mid_x, y0 + wobble[0]] if y0 != SOUTH else [mid_x, y0]
    east = [x1 + wobble[1], mid_y] if x1 != EAST else [x1, mid_y]
    north = [mid_x, y1 + wobble[2]] if y1 != NORTH else [mid_x, y1]
    west = [x0 + wobble[3], mid_y] if x0 != WEST else [x0, mid_y]
    points = [[x0, y0], south, [x1, y0], east, [x1, y1], north, [x0, y1], west, [x0, y0]]
    return [[round(x, 6), round(y, 6)] for x, y in points]


def _grid(split_x: float, split_y: float, nudge: float) -> bytes:
    xs, ys = [WEST, split_x, EAST], [SOUTH, split_y, NORTH]
    features = []
    for key, name, col, row in AREAS:
        # Shared sides: the east side of column 0 is the west side of column 1, and so on.
        wobble = [nudge, nudge, nudge, nudge]
        ring = _ring(xs[col], xs[col + 1], ys[row], ys[row + 1], wobble)
        features.append(
            {
                "type": "Feature",
                "properties": {"code": key, "name": name},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def seed(*, campaign: Campaign, scale: str, rng: random.Random, fake_zh: Faker, fake_en: Faker) -> None:
    if MapVersion.objects.filter(campaign=campaign).exists():
        return
    owner = Membership.objects.filter(campaign=campaign, role=Role.OWNER).select_related("user").first()
    user = owner.user if owner else None
    first = services_maps.map_version_upload(
        campaign=campaign,
        acting_user=user,
        name="District Council boundaries (gazetted)",
        source="geojson",
        raw=_grid(114.200, 22.290, 0.0008),
    )
    services_maps.map_version_apply(version=first, acting_user=user)
