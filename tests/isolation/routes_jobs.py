"""Background job pages (campaign.jobs)."""

from typing import Any

from django_scopes import scopes_disabled

from campaign.models import Job, Role
from tests.conftest import Team
from tests.isolation.routes import Route


def _job(team: Team) -> Any:
    """A job the team's volunteer started, so their own role reaches it."""
    with scopes_disabled():
        job, _created = Job.objects.get_or_create(
            campaign=team.campaign,
            kind="isolation",
            defaults={"title": "Isolation job", "created_by": team.volunteer.user, "total": 10},
        )
        return job.code


ROUTES = {"campaign:job": Route(role=Role.VOLUNTEER, objects={"code": _job})}
