"""The visits API: one visit with a client code (201, then 200 unchanged), the offline sync batch with
per-item results, and what a volunteer may not see or log."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from campaign.services import api_token_create
from canvassing.models import Visit
from tests.canvassing.visits_helpers import assign, turf_with_doors


@pytest.fixture
def walk(team_a):
    turf, doors = turf_with_doors(team_a.campaign, 6)
    assign(turf, team_a.volunteer)
    return team_a, turf, doors


def api(name, team):
    return reverse(f"api:{name}", kwargs={"campaign_slug": team.campaign.slug})


def token_client(client, membership):
    with scopes_disabled():
        _token, key = api_token_create(membership=membership, name="phone")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


def test_post_with_the_same_code_twice_is_a_no_op(client, walk):
    team, _turf, doors = walk
    token_client(client, team.volunteer)
    body = {"code": str(uuid.uuid4()), "household": str(doors[0].code), "outcome": "contacted", "support_level": 5}
    first = client.post(api("visit-list", team), body, content_type="application/json")
    assert first.status_code == 201 and first.json()["support_level"] == 5
    again = client.post(
        api("visit-list", team), {**body, "outcome": "refused", "support_level": None}, content_type="application/json"
    )
    assert again.status_code == 200 and again.json()["outcome"] == "contacted"
    with scopes_disabled():
        assert Visit.objects.count() == 1


def test_volunteer_gets_404_for_a_household_outside_their_assignments(client, walk):
    team, _turf, _doors = walk
    _other, other_doors = turf_with_doors(team.campaign, 1, name="Not mine")
    token_client(client, team.volunteer)
    body = {"code": str(uuid.uuid4()), "household": str(other_doors[0].code), "outcome": "not_home"}
    assert client.post(api("visit-list", team), body, content_type="application/json").status_code == 404
    sync = client.post(
        api("visit-sync", team),
        {"visits": [{**body, "visited_at": timezone.now().isoformat()}]},
        content_type="application/json",
    )
    assert sync.json()["results"][0]["status"] == "rejected"
    with scopes_disabled():
        assert not Visit.objects.exists()


def test_visit_list_shows_a_volunteer_only_their_own(client, walk):
    team, _turf, doors = walk
    now = timezone.now()
    with scopes_disabled():
        mine = Visit.objects.create(
            campaign=team.campaign, household=doors[0], canvasser=team.volunteer, outcome="not_home", visited_at=now
        )
        Visit.objects.create(
            campaign=team.campaign, household=doors[1], canvasser=team.coordinator, outcome="contacted", visited_at=now
        )
    token_client(client, team.volunteer)
    codes = [v["code"] for v in client.get(api("visit-list", team)).json()["results"]]
    assert codes == [str(mine.code)]
    token_client(client, team.coordinator)
    assert len(client.get(api("visit-list", team)).json()["results"]) == 2


def test_sync_batch_reports_each_item_and_a_retry_changes_nothing(client, walk):
    team, _turf, doors = walk
    client.force_login(team.volunteer.user)
    now = timezone.now().isoformat()
    visits = [
        {"code": str(uuid.uuid4()), "household": str(d.code), "outcome": "not_home", "visited_at": now}
        for d in doors[:3]
    ]
    visits.append(
        {
            "code": str(uuid.uuid4()),
            "household": str(doors[3].code),
            "outcome": "contacted",
            "support_level": 9,
            "visited_at": now,
        }
    )
    visits.append({"code": "not-a-uuid", "household": str(doors[4].code), "outcome": "not_home", "visited_at": now})
    response = client.post(api("visit-sync", team), {"visits": visits}, content_type="application/json")
    assert response.status_code == 200
    statuses = {r["code"]: r["status"] for r in response.json()["results"]}
    assert [statuses[v["code"]] for v in visits[:4]] == ["created", "created", "created", "rejected"]
    assert statuses["not-a-uuid"] == "rejected"
    retry = client.post(api("visit-sync", team), visits[:3], content_type="application/json")  # a bare list too
    assert [r["status"] for r in retry.json()["results"]] == ["exists"] * 3
    with scopes_disabled():
        assert Visit.objects.count() == 3


def test_a_null_character_in_one_note_rejects_that_visit_not_the_batch(client, walk):
    team, _turf, doors = walk
    token_client(client, team.volunteer)
    now = timezone.now().isoformat()
    visits = [
        {"code": str(uuid.uuid4()), "household": str(d.code), "outcome": "not_home", "visited_at": now, "note": note}
        for d, note in ((doors[0], "gate\u0000code"), (doors[1], "fine"))
    ]
    response = client.post(api("visit-sync", team), {"visits": visits}, content_type="application/json")
    assert response.status_code == 200
    assert [(r["status"], list(r.get("errors", {}))) for r in response.json()["results"]] == [
        ("rejected", ["note"]),
        ("created", []),
    ]


def test_session_sync_needs_the_csrf_token(walk):
    from django.test import Client

    team, _turf, doors = walk
    client = Client(enforce_csrf_checks=True)
    client.force_login(team.volunteer.user)
    visit = {
        "code": str(uuid.uuid4()),
        "household": str(doors[0].code),
        "outcome": "not_home",
        "visited_at": timezone.now().isoformat(),
    }
    assert client.post(api("visit-sync", team), [visit], content_type="application/json").status_code == 403
    client.get(reverse("canvassing:my_turfs", kwargs={"campaign_slug": team.campaign.slug}))
    token = client.cookies["csrftoken"].value
    response = client.post(api("visit-sync", team), [visit], content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and response.json()["results"][0]["status"] == "created"


@pytest.mark.parametrize("size", [5, 50])
def test_sync_queries_do_not_grow_with_the_batch(client, team_a, django_assert_max_num_queries, size):
    turf, doors = turf_with_doors(team_a.campaign, size)
    assign(turf, team_a.volunteer)
    token_client(client, team_a.volunteer)
    now = timezone.now().isoformat()
    client.get(api("visit-list", team_a))  # the token's first-use stamp out of the count
    visits = [
        {"code": str(uuid.uuid4()), "household": str(d.code), "outcome": "not_home", "visited_at": now} for d in doors
    ]
    with django_assert_max_num_queries(16):
        client.post(api("visit-sync", team_a), {"visits": visits}, content_type="application/json")
    with scopes_disabled():
        assert Visit.objects.count() == size


def test_a_member_removed_before_their_phone_syncs_is_refused_and_nothing_is_stored(client, walk):
    """The phone keeps the visits (visit_queue.js stops retrying on 401/403/404 and says why); the server
    stores nothing in the name of someone who is no longer in the campaign."""
    from campaign.services import membership_end

    team, _turf, doors = walk
    client.force_login(team.volunteer.user)
    with scopes_disabled():
        membership_end(membership=team.volunteer, acting=team.owner)
    visit = {
        "code": str(uuid.uuid4()),
        "household": str(doors[0].code),
        "outcome": "not_home",
        "visited_at": timezone.now().isoformat(),
    }
    response = client.post(api("visit-sync", team), {"visits": [visit]}, content_type="application/json")
    assert response.status_code in (403, 404)
    with scopes_disabled():
        assert not Visit.objects.exists()
