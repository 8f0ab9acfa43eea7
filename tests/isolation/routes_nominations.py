"""Nominations pages and API (nominations/urls.py, nominations/api_urls.py).

The drive maker also checks a sheet out to the team's volunteer, so the volunteer's own routes (the
sheet page, the household search of its drive, the API's sheets and signatures) reach it; the door
household is in a turf actively assigned to the team's volunteer.
"""

import datetime as dt
from typing import Any

from django.utils import timezone
from django_scopes import scopes_disabled

from campaign.models import Role
from tests.conftest import Team
from tests.isolation.routes import Route


def _district(team: Team) -> Any:
    from canvassing.models import Area, Assignment, Household, MapVersion, Turf

    campaign = team.campaign
    version = MapVersion.objects.filter(campaign=campaign, status="current").first()
    if version is None:
        version = MapVersion.objects.create(
            campaign=campaign, number=1, name="v1", source="households", status="current"
        )
    area, _created = Area.objects.get_or_create(
        campaign=campaign, version=version, key="N1", defaults={"name": "North"}
    )
    turf, _created = Turf.objects.get_or_create(campaign=campaign, area=area, name="Nominations turf")
    household, _created = Household.objects.get_or_create(
        campaign=campaign,
        address_key="nominations|1",
        defaults={"street": "Nathan Road", "house_number": "1", "area": area, "turf": turf},
    )
    Assignment.objects.get_or_create(campaign=campaign, turf=turf, membership=team.volunteer, status="active")
    return household


def _drive_obj(team: Team) -> Any:
    from nominations.models import Drive, Sheet

    with scopes_disabled():
        _district(team)
        drive = Drive.objects.filter(campaign=team.campaign).first()
        if drive is None:
            today = timezone.localdate()
            drive = Drive.objects.create(
                campaign=team.campaign,
                office="District Council",
                area_key="N1",
                required=10,
                opens_on=today - dt.timedelta(days=5),
                deadline=today + dt.timedelta(days=20),
            )
            Sheet.objects.create(
                campaign=team.campaign,
                drive=drive,
                number=1,
                status="checked_out",
                checked_out_to=team.volunteer,
                collector=team.volunteer,
            )
        return drive


def _drive(team: Team) -> Any:
    return _drive_obj(team).code


def _sheet(team: Team) -> Any:
    from nominations.models import Sheet

    with scopes_disabled():
        return Sheet.objects.get(drive=_drive_obj(team), number=1).code


def _signature(team: Team) -> Any:
    from nominations.models import Sheet, Signature

    with scopes_disabled():
        drive = _drive_obj(team)
        signature = Signature.objects.filter(drive=drive).first()
        if signature is None:
            signature = Signature.objects.create(
                campaign=team.campaign,
                drive=drive,
                sheet=Sheet.objects.get(drive=drive, number=1),
                line=1,
                full_name="Chan Tai Man",
                name_key="chantaiman",
                household=_district(team),
                signed_on=timezone.localdate(),
                signature_png=b"\x89PNG\r\n\x1a\n",
            )
        return signature.code


def _household(team: Team) -> Any:
    with scopes_disabled():
        _drive_obj(team)
        return _district(team).code


C, V = Role.COORDINATOR, Role.VOLUNTEER

ROUTES: dict[str, Route] = {
    "nominations:drives": Route(role=V),
    "nominations:drive_new": Route(role=C, methods=("GET", "POST")),
    "nominations:recheck": Route(role=C, methods=("POST",)),
    "nominations:fell_out": Route(role=C),
    "nominations:drive_detail": Route(role=C, objects={"code": _drive}),
    "nominations:drive_edit": Route(role=C, methods=("GET", "POST"), objects={"code": _drive}),
    "nominations:sheets": Route(role=C, methods=("GET", "POST"), objects={"code": _drive}),
    "nominations:signatures": Route(role=C, objects={"code": _drive}),
    "nominations:household_search": Route(role=V, objects={"code": _drive}),
    "nominations:export_csv": Route(role=C, objects={"code": _drive}),
    "nominations:sheet_detail": Route(role=V, methods=("GET", "POST"), objects={"code": _sheet}),
    "nominations:sheet_checkout": Route(role=C, methods=("POST",), objects={"code": _sheet}),
    "nominations:sheet_return": Route(role=C, methods=("POST",), objects={"code": _sheet}),
    "nominations:sheet_print": Route(role=C, objects={"code": _sheet}),
    "nominations:signature_review": Route(role=C, methods=("POST",), objects={"code": _signature}),
    "nominations:signature_image": Route(role=C, objects={"code": _signature}),
    "nominations:sign_at_door": Route(role=V, methods=("GET", "POST"), objects={"household": _household}),
}

ROUTES.update(
    {
        # API: where GET and POST need different roles, `role` is the lower one (tests/nominations/test_api.py
        # checks the higher one)
        "api:nomination-drive-list": Route(role=V, methods=("GET", "POST")),
        "api:nomination-drive-detail": Route(role=V, methods=("GET", "PATCH"), objects={"code": _drive}),
        "api:nomination-drive-progress": Route(role=C, objects={"code": _drive}),
        "api:nomination-sheet-list": Route(role=V, methods=("GET", "POST"), objects={"code": _drive}),
        "api:nomination-sheet-detail": Route(role=V, objects={"code": _sheet}),
        "api:nomination-signature-list": Route(role=V, methods=("GET", "POST")),
        "api:nomination-signature-detail": Route(role=V, objects={"code": _signature}),
        "api:nomination-signature-review": Route(role=C, methods=("POST",), objects={"code": _signature}),
    }
)
