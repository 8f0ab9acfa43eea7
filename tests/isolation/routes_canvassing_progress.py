"""Isolation routes of canvassing progress and the review queue (canvassing/urls_progress.py,
canvassing/api_urls_progress.py)."""

from typing import Any

from django.utils import timezone
from django_scopes import scopes_disabled

from campaign.models import Role
from tests.conftest import Team
from tests.isolation.routes import Route


def _progress_turf(team: Team) -> Any:
    """A turf of the team's campaign, in an area of a map version made for it."""
    from canvassing.models import Area, MapVersion, Turf

    with scopes_disabled():
        turf = Turf.objects.filter(campaign=team.campaign, name="Progress isolation turf").first()
        if turf is None:
            version = MapVersion.objects.filter(campaign=team.campaign).order_by("-number").first()
            if version is None:
                version = MapVersion.objects.create(
                    campaign=team.campaign, number=900, name="Isolation", source=MapVersion.Source.GEOJSON
                )
            area, _created = Area.objects.get_or_create(
                campaign=team.campaign, version=version, key="ISO-P", defaults={"name": "Isolation area"}
            )
            turf = Turf.objects.create(campaign=team.campaign, area=area, name="Progress isolation turf")
        return turf.code


def _flagged_visit(team: Team) -> Any:
    """A visit waiting for review in that turf, logged by the team's volunteer."""
    from canvassing.models import Household, Turf, Visit

    with scopes_disabled():
        turf = Turf.objects.get(code=_progress_turf(team))
        household, _created = Household.objects.get_or_create(
            campaign=team.campaign,
            address_key=f"isolation-progress:{team.campaign.slug}",
            defaults={"street": "Review Road", "turf": turf, "area": turf.area},
        )
        visit = Visit.objects.filter(household=household).first() or Visit.objects.create(
            campaign=team.campaign,
            household=household,
            turf=turf,
            canvasser=team.volunteer,
            outcome=Visit.Outcome.NOT_HOME,
            visited_at=timezone.now(),
            flags=[Visit.Flag.TOO_FAST.value],
            needs_review=True,
        )
        return visit.code


ROUTES: dict[str, Route] = {
    "canvassing:progress": Route(role=Role.COORDINATOR),
    "canvassing:progress_areas": Route(role=Role.COORDINATOR),
    "canvassing:progress_turfs": Route(role=Role.COORDINATOR),
    "canvassing:progress_turf": Route(role=Role.COORDINATOR, objects={"code": _progress_turf}),
    "canvassing:progress_volunteers": Route(role=Role.COORDINATOR),
    "canvassing:progress_days": Route(role=Role.COORDINATOR),
    "canvassing:my_progress": Route(),
    "canvassing:review": Route(role=Role.COORDINATOR),
    "canvassing:review_decide": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _flagged_visit}),
    "api:canvassing-progress": Route(role=Role.COORDINATOR),
    "api:canvassing-progress-turfs": Route(role=Role.COORDINATOR),
    "api:canvassing-progress-areas": Route(role=Role.COORDINATOR),
    "api:canvassing-progress-volunteers": Route(role=Role.COORDINATOR),
    "api:canvassing-progress-days": Route(role=Role.COORDINATOR),
    "api:canvassing-progress-me": Route(),
    "api:canvassing-visit-review": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _flagged_visit}),
}
