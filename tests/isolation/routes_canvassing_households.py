"""Household pages and the household import (canvassing/urls_households.py, api_urls_households.py)."""

from typing import Any

from django_scopes import scopes_disabled

from campaign.models import Role
from canvassing.models import Assignment, Household, ImportBatch
from tests.canvassing.turfs_helpers import current_area
from tests.conftest import Team
from tests.isolation.routes import Route


def _household(team: Team) -> Any:
    """A household in a turf assigned to the team's volunteer, so their own role reaches it."""
    from canvassing.models import Turf

    with scopes_disabled():
        household = Household.objects.filter(campaign=team.campaign, external_id="iso-household").first()
        if household is None:
            area = current_area(team.campaign)
            turf = Turf.objects.create(campaign=team.campaign, area=area, name="Isolation households turf")
            Assignment.objects.create(campaign=team.campaign, turf=turf, membership=team.volunteer)
            household = Household(
                campaign=team.campaign, external_id="iso-household", street="Java Road", house_number="1", turf=turf
            )
            household.refresh_address_fields()
            household.save()
        return household.code


def _import_batch(team: Team) -> Any:
    with scopes_disabled():
        batch, _created = ImportBatch.objects.get_or_create(
            campaign=team.campaign,
            filename="isolation.csv",
            defaults={"file_format": "csv", "created_by": team.coordinator.user, "headers": ["street"]},
        )
        return batch.code


ROUTES: dict[str, Route] = {
    "canvassing:households": Route(role=Role.COORDINATOR),
    "canvassing:household_new": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "canvassing:household_door": Route(methods=("GET", "POST")),
    "canvassing:household_review": Route(role=Role.COORDINATOR),
    "canvassing:household_detail": Route(objects={"code": _household}),
    "canvassing:household_edit": Route(role=Role.COORDINATOR, methods=("GET", "POST"), objects={"code": _household}),
    "canvassing:household_status": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _household}),
    "canvassing:household_resident_add": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _household}),
    "canvassing:household_accept": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _household}),
    "canvassing:household_merge": Route(role=Role.COORDINATOR, methods=("GET", "POST"), objects={"code": _household}),
    "canvassing:household_delete": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _household}),
    "canvassing:imports": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "canvassing:import_detail": Route(role=Role.COORDINATOR, methods=("GET", "POST"), objects={"code": _import_batch}),
    "canvassing:import_apply": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _import_batch}),
    "canvassing:import_discard": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _import_batch}),
    # API: coordinators read and write all; a volunteer reads their turfs' households and adds one at the door
    "api:household-list": Route(methods=("GET", "POST")),
    "api:household-detail": Route(methods=("GET", "PATCH", "DELETE"), objects={"code": _household}),
}
