"""/api/v1/c/<slug>/turfs/: coordinators list, cut and edit turfs; volunteers read only their own."""

import json

import pytest
from django_scopes import scope, scopes_disabled

from campaign.models import AuditEvent
from campaign.services import api_token_create
from canvassing.models import Household, Turf
from canvassing.selectors_turfs import walk_rows
from tests.canvassing.turfs_helpers import assign, current_area, make_households, make_turf

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, team_a):
    keys = {}

    def call(membership, verb, path, data=None, **params):
        if membership.pk not in keys:
            with scope(campaign=membership.campaign_id):
                keys[membership.pk] = api_token_create(membership=membership, name="phone")[1]
        url = f"/api/v1/c/{team_a.campaign.slug}/{path}"
        headers = {"HTTP_AUTHORIZATION": f"Bearer {keys[membership.pk]}"}
        if verb == "get":
            return client.get(url, params, **headers)
        return client.generic(verb.upper(), url, json.dumps(data or {}), content_type="application/json", **headers)

    return call


@pytest.fixture
def area(team_a):
    return current_area(team_a.campaign)


def test_coordinator_cuts_and_lists_turfs(api, team_a, area):
    make_households(area, 90, located=None)
    response = api(team_a.coordinator, "post", "turfs/cut/", {"area": str(area.code), "target_doors": 30})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["households"] == 90 and len(body["turfs"]) == 3
    listed = api(team_a.coordinator, "get", "turfs/", area=str(area.code)).json()
    assert listed["count"] == 3
    assert sum(t["doors"] for t in listed["results"]) == 90
    assert all(27 <= t["doors"] <= 33 for t in listed["results"])


def test_cut_input_is_checked(api, team_a, area):
    both = api(team_a.coordinator, "post", "turfs/cut/", {"area": str(area.code), "target_doors": 30, "turf_count": 2})
    assert both.status_code == 400
    unknown = api(
        team_a.coordinator, "post", "turfs/cut/", {"area": "00000000-0000-0000-0000-000000000000", "turf_count": 2}
    )
    assert unknown.status_code == 400 and "area" in unknown.json()
    assert api(team_a.volunteer, "post", "turfs/cut/", {"area": str(area.code), "turf_count": 2}).status_code == 403


def test_turf_detail_has_the_walk_list_in_order(api, team_a, area):
    turf = make_turf(area, "A", households=8)
    with scopes_disabled():
        rows = walk_rows(turf)
        Household.objects.filter(pk=rows[3].pk).update(status=Household.Status.MOVED)
    body = api(team_a.coordinator, "get", f"turfs/{turf.code}/").json()
    assert [d["code"] for d in body["walk_list"]] == [str(r.code) for r in rows if r.pk != rows[3].pk]
    assert body["doors"] == 7 and body["name"] == "A"


def test_volunteer_reads_only_assigned_turfs_and_writes_nothing(api, team_a, area):
    mine, other = make_turf(area, "Mine", households=3), make_turf(area, "Other", households=3)
    assign(mine, team_a.volunteer)
    listed = api(team_a.volunteer, "get", "turfs/").json()
    assert [t["code"] for t in listed["results"]] == [str(mine.code)]
    assert api(team_a.volunteer, "get", f"turfs/{mine.code}/").status_code == 200
    assert api(team_a.volunteer, "get", f"turfs/{other.code}/").status_code == 404
    assert api(team_a.volunteer, "patch", f"turfs/{mine.code}/", {"name": "x"}).status_code == 403
    assert api(team_a.volunteer, "post", f"turfs/{mine.code}/lock/", {"locked": True}).status_code == 403
    with scopes_disabled():
        assert Turf.objects.get(pk=mine.pk).name == "Mine"


def test_move_merge_split_lock_and_patch(api, team_a, area):
    a, b = make_turf(area, "A", households=6), make_turf(area, "B", households=2)
    with scopes_disabled():
        codes = [str(r.code) for r in walk_rows(a)[:2]]
    moved = api(team_a.coordinator, "post", f"turfs/{b.code}/households/", {"households": codes})
    assert moved.status_code == 200 and moved.json()["doors"] == 4
    split = api(team_a.coordinator, "post", f"turfs/{a.code}/split/", {"name": "A south"})
    assert split.status_code == 201 and split.json()["name"] == "A south" and split.json()["doors"] == 2
    locked = api(team_a.coordinator, "post", f"turfs/{a.code}/lock/", {"locked": True})
    assert locked.json()["locked"] is True
    refused = api(team_a.coordinator, "post", f"turfs/{b.code}/merge/", {"into": str(a.code)})
    assert refused.status_code == 400 and "locked" in json.dumps(refused.json())
    api(team_a.coordinator, "post", f"turfs/{a.code}/lock/", {"locked": False})
    merged = api(team_a.coordinator, "post", f"turfs/{b.code}/merge/", {"into": str(a.code)})
    assert merged.status_code == 200 and merged.json()["doors"] == 6
    patched = api(team_a.coordinator, "patch", f"turfs/{a.code}/", {"name": "Alpha", "completed": True})
    assert patched.status_code == 200 and patched.json()["name"] == "Alpha" and patched.json()["completed_at"]
    leaflet = api(team_a.coordinator, "patch", f"turfs/{a.code}/", {"mode": "leaflet"})
    assert leaflet.status_code == 400 and "leaflet_variant" in leaflet.json()
    with scopes_disabled():
        assert "canvassing.turf.merged" in set(AuditEvent.objects.values_list("action", flat=True))
