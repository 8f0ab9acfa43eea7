"""Hand-built maps for the map tests: two unit squares side by side, and households placed in them."""

import json

from canvassing.models import Household


def square(x0: float, x1: float, y0: float = 0.0, y1: float = 1.0) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def feature_collection(*areas: tuple[str, str, dict], key: str = "code", name: str = "name") -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {key: code, name: label}, "geometry": geometry}
                for code, label, geometry in areas
            ],
        }
    ).encode()


def household(campaign, label: str, lon: float | None, lat: float | None, **extra) -> Household:
    return Household.objects.create(
        campaign=campaign,
        external_id=label,
        address_key=label,
        street="Main Street",
        house_number=label,
        longitude=lon,
        latitude=lat,
        **extra,
    )
