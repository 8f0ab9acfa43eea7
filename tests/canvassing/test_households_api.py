"""/api/v1/c/<slug>/households/: the pages' permissions, through tokens."""

import json

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from campaign.models import Person
from campaign.services import api_token_create
from canvassing.models import Household, Resident, Visit
from tests.canvassing.turfs_helpers import assign, current_area, make_households, make_turf
from tests.isolation.test_matrix import table_checksums

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, team_a):
    keys = {}

    def call(membership, verb, path, data=None, **params):
        if membership.pk not in keys:
            with scope(campaign=membership.campaign_id):
                keys[membership.pk] = api_token_create(membership=membership, name="phone")[1]
        url = f"/api/v1/c/{membership.campaign.slug}/households/{path}"
        headers = {"HTTP_AUTHORIZATION": f"Bearer {keys[membership.pk]}"}
        if verb == "get":
            return client.get(url, params, **headers)
        return client.generic(verb.upper(), url, json.dumps(data or {}), content_type="application/json", **headers)

    return call


@pytest.fixture
def turfs(team_a):
    """The volunteer's turf with 3 households, another turf with 2, and one household in no turf."""
    area = current_area(team_a.campaign)
    mine = make_turf(area, "Mine", households=3)
    other = make_turf(area, "Other", households=2)
    make_households(area, 1, seed=99)
    assign(mine, team_a.volunteer)
    return mine, other


def _codes(response):
    return {row["code"] for row in response.json()["results"]}


def _turf_codes(turf):
    with scopes_disabled():
        return {str(code) for code in Household.objects.filter(turf=turf).values_list("code", flat=True)}


def test_coordinator_creates_reads_updates_and_deletes(api, team_a):
    created = api(
        team_a.coordinator,
        "post",
        "",
        {"street": "Java Road", "house_number": "12", "latitude": 22.29, "longitude": 114.2, "external_id": "E1"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["source"], body["needs_review"], body["house_number_value"], body["parity"]) == (
        "manual",
        False,
        12,
        0,
    )
    code = body["code"]
    assert api(team_a.coordinator, "get", f"{code}/").json()["address"] == "12 Java Road"
    changed = api(team_a.coordinator, "patch", f"{code}/", {"house_number": "13", "status": "do_not_contact"})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["house_number_value"], changed.json()["parity"], changed.json()["status"]) == (
        13,
        1,
        "do_not_contact",
    )
    assert api(team_a.coordinator, "delete", f"{code}/").status_code == 204
    with scopes_disabled():
        assert not Household.objects.filter(campaign=team_a.campaign).exists()


def test_coordinator_bad_input_is_400_and_changes_nothing(api, team_a):
    api(team_a.coordinator, "post", "", {"street": "Java Road", "house_number": "12"})
    before = table_checksums()
    for data, field in (
        ({"house_number": "3"}, "street"),
        ({"street": "Java Road", "house_number": "12"}, "street"),  # the address is taken
        ({"street": "Java Road", "latitude": 91, "longitude": 114}, "latitude"),
        ({"street": "Java Road", "latitude": 22.3}, "latitude"),
    ):
        response = api(team_a.coordinator, "post", "", data)
        assert response.status_code == 400 and field in response.json(), (data, response.content)
    assert api(team_a.coordinator, "get", "", status="gone").status_code == 400
    assert table_checksums() == before


def test_delete_of_a_visited_household_is_refused(api, team_a):
    code = api(team_a.coordinator, "post", "", {"street": "Java Road", "house_number": "12"}).json()["code"]
    with scopes_disabled():
        household = Household.objects.get(code=code)
        Visit.objects.create(
            campaign=team_a.campaign, household=household, outcome="contacted", visited_at=timezone.now()
        )
    response = api(team_a.coordinator, "delete", f"{code}/")
    assert response.status_code == 400 and "merge" in response.content.decode()


def test_coordinator_lists_and_filters_everything(api, team_a, turfs):
    mine, _other = turfs
    assert api(team_a.coordinator, "get", "").json()["count"] == 6
    assert _codes(api(team_a.coordinator, "get", "", turf=str(mine.code))) == _turf_codes(mine)


def test_volunteer_reads_only_their_turfs_households(api, team_a, turfs):
    mine, other = turfs
    listed = api(team_a.volunteer, "get", "")
    assert listed.status_code == 200
    assert _codes(listed) == _turf_codes(mine)
    # the other turf's households do not exist for them, even when asked for by turf or code
    assert _codes(api(team_a.volunteer, "get", "", turf=str(other.code))) == set()
    foreign = next(iter(_turf_codes(other)))
    assert api(team_a.volunteer, "get", f"{foreign}/").status_code == 404
    own = next(iter(_turf_codes(mine)))
    assert api(team_a.volunteer, "get", f"{own}/").status_code == 200


def test_volunteer_cannot_change_or_delete(api, team_a, turfs):
    mine, other = turfs
    own = next(iter(_turf_codes(mine)))
    foreign = next(iter(_turf_codes(other)))
    api(team_a.volunteer, "get", "")  # the token is made before the tables are compared
    before = table_checksums()
    assert api(team_a.volunteer, "patch", f"{own}/", {"notes": "mine now"}).status_code == 403
    assert api(team_a.volunteer, "delete", f"{own}/").status_code == 403
    assert api(team_a.volunteer, "patch", f"{foreign}/", {"notes": "x"}).status_code == 404
    assert table_checksums() == before


def test_volunteer_posts_a_door_household(api, team_a, turfs):
    mine, other = turfs
    response = api(
        team_a.volunteer,
        "post",
        "",
        {"turf": str(mine.code), "street": "Java Road", "house_number": "1001", "resident_name": "陈大文"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["source"], body["needs_review"], body["turf"]) == ("door", True, str(mine.code))
    assert [r["name"] for r in body["residents"]] == ["陈大文"]
    before = table_checksums()
    refused = api(
        team_a.volunteer, "post", "", {"turf": str(other.code), "street": "Java Road", "house_number": "1003"}
    )
    assert refused.status_code == 400 and "turf" in refused.json()
    assert table_checksums() == before


@pytest.mark.parametrize("who", ["coordinator", "volunteer"])
def test_list_runs_the_same_number_of_queries_at_two_sizes(api, team_a, django_assert_max_num_queries, who):
    area = current_area(team_a.campaign)
    turf = make_turf(area, "Mine")
    assign(turf, team_a.volunteer)
    membership = getattr(team_a, who)

    def grow(count, seed):
        made = make_households(area, count, seed=seed, turf=turf)
        with scopes_disabled():
            for household in made[:4]:
                person = Person.objects.create(campaign=team_a.campaign, given_name="Ann")
                Resident.objects.create(campaign=team_a.campaign, household=household, person=person, name_key="ann")

    grow(3, 1)
    api(membership, "get", "")  # the token is made outside the measured request
    with django_assert_max_num_queries(20) as small:
        assert api(membership, "get", "").json()["count"] == 3
    grow(80, 2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = api(membership, "get", "")
    assert response.json()["count"] == 83 and len(response.json()["results"]) == 50
