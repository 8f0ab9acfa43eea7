"""Routes of the doorstep part of canvassing: my turfs, walk screens, the visit form, assignments, the
survey and script, and their API. Volunteer routes on an object get one the team's volunteer holds
(an active assignment), so the volunteer reaches it and the matrix checks everyone else does not."""

from typing import Any

from django_scopes import scopes_disabled

from campaign.models import Role
from canvassing.models import Assignment, Household, SurveyQuestion, Turf
from tests.canvassing.visits_helpers import assign, turf_with_doors
from tests.conftest import Team
from tests.isolation.routes import Route

TURF_NAME = "Isolation visit turf"


def _turf(team: Team) -> Turf:
    with scopes_disabled():
        turf = Turf.objects.filter(campaign=team.campaign, name=TURF_NAME).first()
        if turf is None:
            turf, _doors = turf_with_doors(team.campaign, 3, name=TURF_NAME)
        return turf


def _volunteer_assignment(team: Team) -> Assignment:
    return assign(_turf(team), team.volunteer)


def _assigned_turf(team: Team) -> Any:
    return _volunteer_assignment(team).turf.code


def _assigned_household(team: Team) -> Any:
    turf = _volunteer_assignment(team).turf
    with scopes_disabled():
        return Household.objects.filter(turf=turf).order_by("pk").first().code


def _assignment(team: Team) -> Any:
    return _volunteer_assignment(team).code


def _question(team: Team) -> Any:
    with scopes_disabled():
        question = SurveyQuestion.objects.filter(campaign=team.campaign).first() or SurveyQuestion.objects.create(
            campaign=team.campaign, kind="yes_no", prompt={"en": "Will you vote?"}
        )
        return question.code


ROUTES: dict[str, Route] = {
    # the doorstep (canvassing/views_visits.py)
    "canvassing:my_turfs": Route(),
    "canvassing:service_worker": Route(),
    "canvassing:turf_walk": Route(objects={"code": _assigned_turf}),
    "canvassing:floor_not_home": Route(methods=("POST",), objects={"code": _assigned_turf}),
    "canvassing:visit_new": Route(methods=("GET", "POST"), objects={"code": _assigned_household}),
    # assignments (canvassing/views_assignments.py)
    "canvassing:assignments": Route(role=Role.COORDINATOR),
    "canvassing:assignment_new": Route(
        role=Role.COORDINATOR, methods=("GET", "POST"), objects={"code": _assigned_turf}
    ),
    "canvassing:assignment_withdraw": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _assignment}),
    "canvassing:assignment_done": Route(methods=("POST",), objects={"code": _assignment}),
    # survey and script (canvassing/views_survey.py)
    "canvassing:survey": Route(role=Role.COORDINATOR),
    "canvassing:question_new": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    "canvassing:question_edit": Route(role=Role.COORDINATOR, methods=("GET", "POST"), objects={"code": _question}),
    "canvassing:question_move": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _question}),
    "canvassing:question_active": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _question}),
    "canvassing:script_edit": Route(role=Role.COORDINATOR, methods=("GET", "POST")),
    # API (canvassing/api_visits.py); where GET and POST need different roles, `role` is the lower one and
    # tests/canvassing/test_*_api.py checks the higher one
    "api:assignment-list": Route(methods=("GET", "POST")),
    "api:assignment-detail": Route(objects={"code": _assignment}),
    "api:assignment-withdraw": Route(role=Role.COORDINATOR, methods=("POST",), objects={"code": _assignment}),
    "api:assignment-done": Route(methods=("POST",), objects={"code": _assignment}),
    "api:visit-list": Route(methods=("GET", "POST")),
    "api:visit-sync": Route(methods=("POST",)),
    "api:survey-question-list": Route(methods=("GET", "POST")),
    "api:survey-question-detail": Route(methods=("GET", "PATCH"), objects={"code": _question}),
    "api:script-list": Route(),
}
