"""Security review of canvassing as an attacker would try it: a volunteer of campaign A reading what others
logged, a coordinator of A naming campaign B's objects by code, garbage in filters, mass assignment."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from canvassing.models import Assignment, Household, Visit
from canvassing.services_visits import visit_record
from tests.canvassing.visits_helpers import assign, turf_with_doors

pytestmark = pytest.mark.django_db


def api(name, team, **kwargs):
    return reverse(f"api:{name}", kwargs={"campaign_slug": team.campaign.slug, **kwargs})


def page(name, team, **kwargs):
    return reverse(f"canvassing:{name}", kwargs={"campaign_slug": team.campaign.slug, **kwargs})


def log(household, membership, outcome="contacted", **values):
    with scopes_disabled():
        visit, _created = visit_record(
            household=household,
            canvasser=membership,
            outcome=outcome,
            visited_at=timezone.now(),
            code=uuid.uuid4(),
            acting_user=membership.user,
            **values,
        )
    return visit


@pytest.fixture
def walk(team_a):
    turf, doors = turf_with_doors(team_a.campaign, 4)
    assign(turf, team_a.volunteer)
    return turf, doors


def test_volunteer_reads_no_other_canvassers_notes_on_a_household_page(client, team_a, walk):
    _turf, doors = walk
    log(doors[0], team_a.coordinator, support_level=5, note="Strong supporter, gave HK$500 last week")
    log(doors[0], team_a.volunteer, outcome="not_home", note="Dog in the yard")
    client.force_login(team_a.volunteer.user)
    body = client.get(page("household_detail", team_a, code=doors[0].code)).content.decode()
    assert "Dog in the yard" in body
    assert "Strong supporter" not in body
    client.force_login(team_a.coordinator.user)
    body = client.get(page("household_detail", team_a, code=doors[0].code)).content.decode()
    assert "Strong supporter" in body and "Dog in the yard" in body


def test_volunteer_api_lists_only_their_own_visits_without_other_support_levels(client, team_a, walk):
    _turf, doors = walk
    theirs = log(doors[0], team_a.coordinator, support_level=1)
    mine = log(doors[1], team_a.volunteer, support_level=4)
    client.force_login(team_a.volunteer.user)
    rows = client.get(api("visit-list", team_a)).json()["results"]
    assert [row["code"] for row in rows] == [str(mine.code)]
    assert str(theirs.code) not in client.get(api("visit-list", team_a), {"household": doors[0].code}).content.decode()
    household = client.get(api("household-detail", team_a, code=doors[0].code)).json()
    assert "last_support" not in household and "support_level" not in str(household)


def test_codes_of_another_campaign_are_refused_and_nothing_is_attached(client, team_a, team_b, walk):
    turf, _doors = walk
    b_turf, b_doors = turf_with_doors(team_b.campaign, 2, name="B turf")
    client.force_login(team_a.coordinator.user)
    with scopes_disabled():
        before = Assignment.objects.count(), Visit.objects.count()
    # An assignment of A's turf to B's member, and of B's turf to A's member.
    response = client.post(
        api("assignment-list", team_a),
        {"turf": str(turf.code), "memberships": [str(team_b.volunteer.code)]},
        content_type="application/json",
    )
    assert response.status_code == 400
    response = client.post(
        api("assignment-list", team_a),
        {"turf": str(b_turf.code), "memberships": [str(team_a.volunteer.code)]},
        content_type="application/json",
    )
    assert response.status_code == 400
    # A visit at B's door, and one at A's door leaving B's leaflet edition.
    visit = {"code": str(uuid.uuid4()), "household": str(b_doors[0].code), "outcome": "not_home"}
    assert client.post(api("visit-list", team_a), visit, content_type="application/json").status_code == 404
    # Moving B's household into A's turf.
    move = api("turf-move", team_a, code=turf.code)
    response = client.post(move, {"households": [str(b_doors[0].code)]}, content_type="application/json")
    assert response.status_code == 400
    merge = api("turf-merge", team_a, code=turf.code)
    assert client.post(merge, {"into": str(b_turf.code)}, content_type="application/json").status_code == 400
    with scopes_disabled():
        assert (Assignment.objects.count(), Visit.objects.count()) == before
        assert Household.objects.get(pk=b_doors[0].pk).turf_id == b_turf.pk


@pytest.mark.parametrize("name", ["household-list", "visit-list", "assignment-list", "turf-list"])
@pytest.mark.parametrize("param", ["turf", "area", "household"])
def test_query_filters_with_garbage_or_another_campaigns_code(client, team_a, team_b, walk, name, param):
    b_turf, _b_doors = turf_with_doors(team_b.campaign, 2, name="B turf")
    client.force_login(team_a.coordinator.user)
    garbage = client.get(api(name, team_a), {param: "not-a-uuid'; drop table"})
    assert garbage.status_code in (200, 400)
    other = client.get(api(name, team_a), {param: str(b_turf.code)})
    assert other.status_code in (200, 400)
    if other.status_code == 200:
        # Ignored or matching nothing: never a row of B.
        assert str(b_turf.code) not in other.content.decode()
        assert "B turf" not in other.content.decode()


def test_volunteer_cannot_patch_a_household_and_a_coordinator_cannot_move_it(client, team_a, team_b, walk):
    _turf, doors = walk
    url = api("household-detail", team_a, code=doors[0].code)
    client.force_login(team_a.volunteer.user)
    assert client.patch(url, {"street": "Hacked Road"}, content_type="application/json").status_code == 403
    client.force_login(team_a.coordinator.user)
    b_turf, _ = turf_with_doors(team_b.campaign, 1, name="B turf")
    response = client.patch(
        url,
        {
            "code": str(uuid.uuid4()),
            "campaign": team_b.campaign.pk,
            "turf": str(b_turf.code),
            "last_outcome": "contacted",
            "needs_review": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    with scopes_disabled():
        household = Household.objects.get(pk=doors[0].pk)
    assert household.code == doors[0].code and household.campaign_id == team_a.campaign.pk
    assert household.turf_id == walk[0].pk and household.street == "Nathan Road"
    assert household.last_outcome == "" and household.needs_review is False


PAGES_WITH_FILTERS = [
    ("turfs", {}),
    ("turf_cut", {}),
    ("households", {}),
    ("assignments", {}),
    ("review", {}),
    ("progress", {}),
    ("progress_areas", {}),
    ("progress_turfs", {}),
    ("progress_volunteers", {}),
    ("progress_days", {}),
    ("areas", {}),
    ("map_versions", {}),
    ("imports", {}),
]


@pytest.mark.parametrize("value", ["not-a-uuid", "0", "' or 1=1 --", "%00"])
def test_page_filters_with_garbage_are_ignored_not_a_500(client, team_a, team_b, walk, value):
    b_turf, _ = turf_with_doors(team_b.campaign, 1, name="B turf")
    client.force_login(team_a.coordinator.user)
    from django.urls import NoReverseMatch

    for name, kwargs in PAGES_WITH_FILTERS:
        try:
            url = page(name, team_a, **kwargs)
        except NoReverseMatch:
            continue
        for param in ("area", "turf", "volunteer", "canvasser", "status", "day", "page", "period", "flag"):
            for given in (value, str(b_turf.code), str(b_turf.area.code)):
                response = client.get(url, {param: given})
                assert response.status_code in (200, 400), (name, param, given, response.status_code)
                assert "B turf" not in response.content.decode(), (name, param)
