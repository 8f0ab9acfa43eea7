"""Turf pages and API (canvassing/urls_turfs.py, canvassing/api_urls_turfs.py).

A volunteer reaches a turf only while it is assigned to them, so the turf made for a team here is
assigned to the team's volunteer: VOLUNTEER routes are then reachable by `team.volunteer`.
"""

from typing import Any

from django_scopes import scopes_disabled

from campaign.models import Role
from canvassing.models import Turf
from tests.canvassing.turfs_helpers import assign, current_area, make_households
from tests.conftest import Team
from tests.isolation.routes import Route


def _turf(team: Team) -> Any:
    """A turf of the team's current map with a few households, assigned to the team's volunteer."""
    with scopes_disabled():
        turf = Turf.objects.filter(campaign=team.campaign, name="Isolation turf").first()
        if turf is None:
            area = current_area(team.campaign, key="ISO")
            turf = Turf.objects.create(campaign=team.campaign, area=area, name="Isolation turf")
            for household in make_households(area, 4, seed=7):
                household.turf = turf
                household.save(update_fields=["turf"])
        assign(turf, team.volunteer)
        return turf.code


ROUTES: dict[str, Route] = {
    "canvassing:turfs": Route(role=Role.COORDINATOR),
    "canvassing:turf_cut": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "canvassing:turf_detail": Route(objects={"code": _turf}),
    "canvassing:turf_print": Route(objects={"code": _turf}),
    "canvassing:turf_settings": Route(role=Role.COORDINATOR, methods=("GET", "POST"), objects={"code": _turf}),
    "canvassing:turf_lock": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _turf}),
    "canvassing:turf_complete": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _turf}),
    "canvassing:turf_split": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _turf}),
    "canvassing:turf_merge": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _turf}),
    "canvassing:turf_move": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _turf}),
    # API: reading a turf needs only an assignment (the lower role); every write needs a coordinator
    "api:turf-list": Route(),
    "api:turf-cut": Route(role=Role.COORDINATOR, methods=("POST",)),
    "api:turf-detail": Route(methods=("GET", "PATCH"), objects={"code": _turf}),
    "api:turf-move": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _turf}),
    "api:turf-merge": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _turf}),
    "api:turf-split": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _turf}),
    "api:turf-lock": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _turf}),
}
