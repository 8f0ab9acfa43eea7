"""District map pages and API (canvassing/urls_maps.py, canvassing/api_urls_maps.py)."""

from typing import Any

from django_scopes import scopes_disabled

from campaign.models import Role
from tests.conftest import Team
from tests.isolation.routes import Route

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[114.19, 22.28], [114.21, 22.28], [114.21, 22.30], [114.19, 22.30], [114.19, 22.28]]],
}


def _version(team: Team, status: str) -> Any:
    from canvassing.models import Area, MapVersion

    with scopes_disabled():
        version = MapVersion.objects.filter(campaign=team.campaign, status=status).first()
        if version is None:
            number = MapVersion.objects.filter(campaign=team.campaign).count() + 1
            version = MapVersion.objects.create(
                campaign=team.campaign, number=number, name=f"Isolation {status}", source="geojson", status=status
            )
            Area.objects.create(
                campaign=team.campaign, version=version, key="NP01", name="North Point", geometry=SQUARE
            )
        return version


def _draft_version(team: Team) -> Any:
    """A draft: the one thing apply and discard act on, so a wrong caller's POST would change rows."""
    return _version(team, "draft").code


def _current_version(team: Team) -> Any:
    return _version(team, "current").code


def _area(team: Team) -> Any:
    with scopes_disabled():
        return _version(team, "current").areas.get().code


ROUTES: dict[str, Route] = {
    "canvassing:map_versions": Route(role=Role.COORDINATOR),
    "canvassing:map_upload": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "canvassing:map_settings": Route(role=Role.OWNER, methods=("GET", "POST")),
    "canvassing:map_version": Route(role=Role.COORDINATOR, objects={"code": _draft_version}),
    "canvassing:map_version_apply": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _draft_version}),
    "canvassing:map_version_refresh": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _draft_version}),
    "canvassing:map_version_discard": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _draft_version}),
    "canvassing:areas": Route(role=Role.COORDINATOR),
    "canvassing:area_detail": Route(role=Role.COORDINATOR, objects={"code": _area}),
    # API: versions for coordinators; areas for every member (volunteers without household figures)
    "api:map-version-list": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "api:map-version-detail": Route(role=Role.COORDINATOR, objects={"code": _draft_version}),
    "api:map-version-apply": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _draft_version}),
    "api:map-version-areas": Route(objects={"code": _current_version}),
    "api:area-list": Route(),
    "api:area-detail": Route(objects={"code": _area}),
}
