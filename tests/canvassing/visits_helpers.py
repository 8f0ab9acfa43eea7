"""Turfs with doors and assignments for the visit, assignment and survey tests and their isolation routes."""

import datetime as dt
import uuid

from django.utils import timezone
from django_scopes import scopes_disabled

from campaign.models import Campaign, Membership
from canvassing.models import Area, Assignment, Household, MapVersion, SurveyQuestion, Turf


def area_of(campaign: Campaign) -> Area:
    with scopes_disabled():
        version = MapVersion.objects.filter(campaign=campaign, status=MapVersion.Status.CURRENT).first()
        if version is None:
            version = MapVersion.objects.create(
                campaign=campaign,
                number=MapVersion.objects.filter(campaign=campaign).count() + 1,
                name="Map",
                source=MapVersion.Source.GEOJSON,
                status=MapVersion.Status.CURRENT,
            )
        area, _created = Area.objects.get_or_create(
            campaign=campaign, version=version, key="V01", defaults={"name": "V"}
        )
        return area


def turf_with_doors(
    campaign: Campaign, doors: int = 6, *, name: str = "Visit turf", mode: str = Turf.Mode.CANVASS, **turf_fields
) -> tuple[Turf, list[Household]]:
    """A turf with `doors` households on one street, numbered 1..n (walking order = numbering);
    doors 1–3 are on floor 3 of Block A, the rest on floor 5; each has coordinates."""
    with scopes_disabled():
        turf = Turf.objects.create(campaign=campaign, area=area_of(campaign), name=name, mode=mode, **turf_fields)
        households = Household.objects.bulk_create(
            [
                Household(
                    campaign=campaign,
                    area=turf.area,
                    turf=turf,
                    street="Nathan Road",
                    house_number=str(n),
                    house_number_value=n,
                    parity=n % 2,
                    building="Block A",
                    floor="3" if n <= 3 else "5",
                    unit=str(n),
                    address_key=f"test|{uuid.uuid4()}",
                    latitude=22.3000 + n * 0.0001,
                    longitude=114.1700,
                )
                for n in range(1, doors + 1)
            ]
        )
        return turf, sorted(households, key=lambda h: (h.parity, h.house_number_value))


def assign(turf: Turf, membership: Membership, **fields) -> Assignment:
    with scopes_disabled():
        assignment = Assignment.objects.filter(
            turf=turf, membership=membership, status=Assignment.Status.ACTIVE
        ).first() or Assignment.objects.create(campaign=turf.campaign, turf=turf, membership=membership, **fields)
        # A walk that began a minute ago: visits logged from now on count as done on it.
        Assignment.objects.filter(pk=assignment.pk).update(created_at=timezone.now() - dt.timedelta(minutes=1))
        assignment.refresh_from_db()
        return assignment


def questions(campaign: Campaign) -> dict[str, SurveyQuestion]:
    with scopes_disabled():
        return {
            "vote": SurveyQuestion.objects.create(
                campaign=campaign, position=1, kind="yes_no", prompt={"en": "Will you vote?", "zh-hans": "你会投票吗？"}
            ),
            "transport": SurveyQuestion.objects.create(
                campaign=campaign, position=2, kind="scale", prompt={"en": "How important is transport?"}
            ),
            "issue": SurveyQuestion.objects.create(
                campaign=campaign,
                position=3,
                kind="choice",
                prompt={"en": "Top issue", "zh-hans": "最关心的问题"},
                choices=[
                    {"value": "housing", "label": {"en": "Housing", "zh-hans": "住房"}},
                    {"value": "transport", "label": {"en": "Transport", "zh-hans": "交通"}},
                ],
            ),
            "comment": SurveyQuestion.objects.create(
                campaign=campaign, position=4, kind="text", prompt={"en": "Comment"}
            ),
        }
