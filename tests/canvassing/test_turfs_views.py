"""The turf pages as coordinators and volunteers use them."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from campaign.models import Job
from canvassing import services_turfs, views_turfs
from canvassing.models import CanvassingSettings, Household, Turf
from canvassing.selectors_turfs import walk_rows
from tests.canvassing.turfs_helpers import assign, current_area, make_households, make_turf

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(team_a):
    return current_area(team_a.campaign)


def url(name, team, *args):
    return reverse(f"canvassing:{name}", args=[team.campaign.slug, *args])


def test_coordinator_cuts_an_area_and_sees_the_turfs(client, team_a, area):
    make_households(area, 120)
    client.force_login(team_a.coordinator.user)
    page = client.get(url("turf_cut", team_a))
    assert page.status_code == 200 and "K01" in page.content.decode()
    response = client.post(url("turf_cut", team_a), {"area": str(area.code), "target_doors": "40"}, follow=True)
    body = response.content.decode()
    assert "120 households cut into 3 turfs" in body
    assert body.count('data-testid="turf-row"') == 3
    sizes = [int(n) for n in re.findall(r'data-testid="turf-doors">(\d+) doors', body)]
    assert sum(sizes) == 120 and all(36 <= n <= 44 for n in sizes)  # cuts may move to a street boundary


def test_cut_form_needs_a_size_or_a_count(client, team_a, area):
    make_households(area, 10)
    client.force_login(team_a.coordinator.user)
    response = client.post(url("turf_cut", team_a), {"area": str(area.code)})
    assert response.status_code == 200
    assert "Give a number of doors per turf, or a number of turfs." in response.content.decode()
    with scopes_disabled():
        assert not Turf.objects.exists()


def test_a_large_area_is_cut_in_the_background_with_a_job(
    client, team_a, area, monkeypatch, django_capture_on_commit_callbacks
):
    make_households(area, 30)
    monkeypatch.setattr(services_turfs, "BACKGROUND_THRESHOLD", 10)
    client.force_login(team_a.coordinator.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("turf_cut", team_a), {"area": str(area.code), "turf_count": "3"})
    with scopes_disabled():
        job = Job.objects.get()
        assert response.status_code == 302 and str(job.code) in response["Location"]
        job.refresh_from_db()
        assert job.status == Job.Status.DONE and job.result["turfs"] == 3
        assert Turf.objects.filter(area=area).count() == 3


def test_turf_page_shows_the_walk_list_in_order_with_status_colours(client, team_a, area):
    turf = make_turf(area, "Temple", households=12)
    with scopes_disabled():
        rows = walk_rows(turf)
        Household.objects.filter(pk=rows[0].pk).update(last_outcome="contacted")
        Household.objects.filter(pk=rows[1].pk).update(status=Household.Status.DO_NOT_CONTACT)
    client.force_login(team_a.coordinator.user)
    body = client.get(url("turf_detail", team_a, turf.code)).content.decode()
    listed = re.findall(r'id="h-([0-9a-f-]+)" data-outcome="(\w+)"', body)
    expected = [str(r.code) for r in rows if r.pk != rows[1].pk]
    assert [code for code, _o in listed] == expected  # walk order, do-not-contact gone
    assert listed[0][1] == "contacted" and listed[1][1] == "not_visited"
    assert "11 doors" in body
    walk_list = re.search(r'<ol [^>]*id="walk-list"[^>]*>(.*?)</ol>', body, re.S).group(1)
    assert re.findall(r'id="h-([0-9a-f-]+)"', walk_list) == expected  # the rows sit in the list, once
    # Each located row carries its position for the map, in millionths of a degree (turf_map.js divides back).
    positions = re.findall(r'data-lat="(-?\d+)" data-lon="(-?\d+)"', walk_list)
    assert len(positions) == 11
    assert positions[0] == (str(round(rows[0].latitude * 1e6)), str(round(rows[0].longitude * 1e6)))
    data = map_data(body)
    assert data["others"] == []  # every door is on the page
    assert data["tiles"] == {}  # blank canvas unless the campaign set a tile server
    assert "/households/" + expected[0] + "/visit/" in body  # each door links to the visit form
    assert 'name="households"' in body  # coordinators can tick doors to move


def map_data(body):
    return json.loads(re.search(r'<script id="turf-map-data" type="application/json">(.*?)</script>', body).group(1))


def test_a_long_walk_list_is_paginated_and_its_map_has_every_door(client, team_a, area, monkeypatch):
    monkeypatch.setattr(views_turfs, "FULL_LIST_LIMIT", 5)
    turf = make_turf(area, "Long", households=12)
    with scopes_disabled():
        rows = walk_rows(turf)
    client.force_login(team_a.coordinator.user)
    body = client.get(url("turf_detail", team_a, turf.code) + "?page=2").content.decode()
    walk_list = re.search(r'<ol [^>]*id="walk-list"[^>]*>(.*?)</ol>', body, re.S).group(1)
    assert re.findall(r'id="h-([0-9a-f-]+)"', walk_list) == [str(r.code) for r in rows[5:10]]
    assert re.findall(r'<span class="walk-no">(\d+)</span>', walk_list) == ["6", "7", "8", "9", "10"]
    assert len(re.findall(r"data-lat=", walk_list)) == 5
    others = map_data(body)["others"]  # the doors on the other pages, numbered in the whole list
    assert [door[3] for door in others] == [1, 2, 3, 4, 5, 11, 12]
    assert others[0] == [
        round(rows[0].latitude * 1e6),
        round(rows[0].longitude * 1e6),
        "not_visited",
        1,
        rows[0].street_line,
    ]


def test_turf_map_uses_the_campaigns_tile_server_when_set(client, team_a, area):
    turf = make_turf(area, "Temple", households=2)
    with scopes_disabled():
        CanvassingSettings.objects.create(
            campaign=team_a.campaign, map_tile_url="https://tiles.example.org/{z}/{x}/{y}.png"
        )
    client.force_login(team_a.coordinator.user)
    body = client.get(url("turf_detail", team_a, turf.code)).content.decode()
    assert "https://tiles.example.org/{z}/{x}/{y}.png" in body


def test_volunteer_sees_only_turfs_assigned_to_them(client, team_a, area):
    mine, other = make_turf(area, "Mine", households=3), make_turf(area, "Other", households=3)
    assign(mine, team_a.volunteer)
    client.force_login(team_a.volunteer.user)
    response = client.get(url("turf_detail", team_a, mine.code))
    assert response.status_code == 200
    assert 'name="households"' not in response.content.decode()  # no editing for volunteers
    assert client.get(url("turf_print", team_a, mine.code)).status_code == 200
    assert client.get(url("turf_detail", team_a, other.code)).status_code == 404
    assert client.get(url("turf_print", team_a, other.code)).status_code == 404
    assert client.get(url("turfs", team_a)).status_code == 403
    assert client.post(url("turf_lock", team_a, mine.code), {"locked": "1"}).status_code == 403


def _queries(client, address):
    client.get(address)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


def test_turf_page_runs_the_same_queries_whatever_its_size(client, team_a, area):
    small, large = make_turf(area, "Small", households=5), make_turf(area, "Large", households=300)
    client.force_login(team_a.coordinator.user)
    assert _queries(client, url("turf_detail", team_a, small.code)) == _queries(
        client, url("turf_detail", team_a, large.code)
    )
    assert _queries(client, url("turf_print", team_a, small.code)) == _queries(
        client, url("turf_print", team_a, large.code)
    )
    assert _queries(client, url("turfs", team_a)) <= 15


def test_turf_page_does_not_read_the_areas_boundary(client, team_a, area):
    """An area's boundary can be a large GeoJSON polygon that no turf page shows."""
    turf = make_turf(area, "Temple", households=2)
    client.force_login(team_a.coordinator.user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url("turf_detail", team_a, turf.code)).status_code == 200
    assert not [q for q in captured.captured_queries if '"canvassing_area"."geometry"' in q["sql"]]


def test_print_page_has_the_rows_and_a_qr_code_of_the_turf_page(client, team_a, area):
    turf = make_turf(area, "Temple", households=7)
    client.force_login(team_a.coordinator.user)
    body = client.get(url("turf_print", team_a, turf.code)).content.decode()
    assert body.count('data-testid="print-row"') == 7
    assert "<svg" in body and "print_walklist.css" in body
    assert "http://testserver" + url("turf_detail", team_a, turf.code) in body


def test_move_split_merge_and_lock_from_the_page(client, team_a, area):
    a, b = make_turf(area, "A", households=6), make_turf(area, "B", households=2)
    client.force_login(team_a.coordinator.user)
    with scopes_disabled():
        codes = [str(r.code) for r in walk_rows(a)[:2]]
    client.post(url("turf_move", team_a, a.code), {"to_turf": str(b.code), "households": codes})
    with scopes_disabled():
        assert b.households.count() == 4 and a.households.count() == 4
    client.post(url("turf_split", team_a, a.code))
    with scopes_disabled():
        assert Turf.objects.filter(name="A (part 2)").get().households.count() == 2
    response = client.post(url("turf_merge", team_a, b.code), {"into": str(a.code)}, follow=True)
    assert "B merged into A." in response.content.decode()
    client.post(url("turf_lock", team_a, a.code), {"locked": "1"})
    response = client.post(url("turf_split", team_a, a.code), follow=True)
    assert "Turf A is locked" in response.content.decode()
    with scopes_disabled():
        assert Turf.objects.get(pk=a.pk).locked and a.households.count() == 6


def test_settings_rename_and_leaflet_mode(client, team_a, area):
    from inventory.models import Item, Variant

    turf = make_turf(area, "A", households=1)
    with scopes_disabled():
        item = Item.objects.create(campaign=team_a.campaign, kind="leaflet", name="Manifesto")
        edition = Variant.objects.create(campaign=team_a.campaign, item=item, edition="May")
    client.force_login(team_a.coordinator.user)
    response = client.post(
        url("turf_settings", team_a, turf.code),
        {"name": "North", "mode": "leaflet", "leaflet_variant": ""},
        follow=True,
    )
    assert "Choose the leaflet edition" in response.content.decode()
    with scopes_disabled():
        assert Turf.objects.get(pk=turf.pk).name == "A"  # nothing half-saved
    client.post(
        url("turf_settings", team_a, turf.code),
        {"name": "North", "mode": "leaflet", "leaflet_variant": str(edition.code)},
    )
    with scopes_disabled():
        turf.refresh_from_db()
        assert (turf.name, turf.mode, turf.leaflet_variant_id) == ("North", "leaflet", edition.pk)


def test_move_and_merge_offer_the_turfs_next_to_this_one_by_name(client, team_a, area):
    """An area cut into thousands of turfs must not put thousands of options in the page: the targets are the
    turfs named next to this one (a cut names them along the ground), NEAR_TURFS on each side."""
    from canvassing.selectors_turfs import NEAR_TURFS

    with scopes_disabled():
        turfs = Turf.objects.bulk_create(
            [Turf(campaign=team_a.campaign, area=area, name=f"K01-{n:03d}") for n in range(1, 101)]
        )
        other_area = current_area(team_a.campaign, "K02")
        Turf.objects.create(campaign=team_a.campaign, area=other_area, name="K01-049b")
    client.force_login(team_a.coordinator.user)

    def options(turf):
        body = client.get(url("turf_detail", team_a, turf.code)).content.decode()
        select = re.search(r'<select class="form-select w-auto" id="move-to" name="to_turf">(.*?)</select>', body)
        return re.findall(r'<option value="([0-9a-f-]{36})">([^<]+)</option>', select.group(1))

    middle = options(turfs[49])  # K01-050
    assert [name for _c, name in middle] == [f"K01-{n:03d}" for n in range(50 - NEAR_TURFS, 51 + NEAR_TURFS) if n != 50]
    assert middle[0][0] == str(turfs[49 - NEAR_TURFS].code)
    first = options(turfs[0])
    assert [name for _c, name in first] == [f"K01-{n:03d}" for n in range(2, 2 + NEAR_TURFS)]


def test_settings_page_shows_the_form_and_keeps_a_bad_entry_in_place(client, team_a, area):
    turf = make_turf(area, "A", households=1)
    client.force_login(team_a.coordinator.user)
    detail = client.get(url("turf_detail", team_a, turf.code)).content.decode()
    assert url("turf_settings", team_a, turf.code) in detail
    page = client.get(url("turf_settings", team_a, turf.code)).content.decode()
    assert 'name="name"' in page and 'value="A"' in page
    response = client.post(url("turf_settings", team_a, turf.code), {"name": "", "mode": "canvass"})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    with scopes_disabled():
        assert Turf.objects.get(pk=turf.pk).name == "A"


def test_turf_page_names_its_assignees_and_links_every_edit_form(client, team_a, team_b, area):
    turf = make_turf(area, "Temple", households=4)
    with scopes_disabled():
        team_a.volunteer.user.display_name = "<b>Vol</b>"
        team_a.volunteer.user.save(update_fields=["display_name"])
        team_a.coordinator.user.display_name = ""
        team_a.coordinator.user.save(update_fields=["display_name"])
    assign(turf, team_a.volunteer)
    assign(turf, team_a.coordinator)
    client.force_login(team_a.owner.user)
    body = client.get(url("turf_detail", team_a, turf.code)).content.decode()
    # Oldest assignment first; a name is escaped; no display name shows the email.
    assert f"Assigned to &lt;b&gt;Vol&lt;/b&gt;, {team_a.coordinator.user.email}" in body
    for name in ("turf_print", "turf_move", "turf_settings", "turf_lock", "turf_complete", "turf_split"):
        assert f'"{url(name, team_a, turf.code)}"' in body, name
    # The walk list's statement, compiled once, serves another campaign's turf with that turf's own doors.
    with scopes_disabled():
        other_area = current_area(team_b.campaign)
    other = make_turf(other_area, "Elsewhere", households=3)
    client.force_login(team_b.owner.user)
    other_body = client.get(url("turf_detail", team_b, other.code)).content.decode()
    with scopes_disabled():
        other_codes = [str(r.code) for r in walk_rows(other)]
    assert re.findall(r'id="h-([0-9a-f-]+)"', other_body) == other_codes
    assert "Assigned to" not in other_body


def test_walk_list_rows_escape_every_address_part(client, team_a, area):
    # The rows are written by the view, not the template, so its escaping is tested here.
    turf = make_turf(area, "Escapes", households=3)
    hostile = '<script>alert("x")</script>'
    with scopes_disabled():
        Household.objects.filter(turf=turf).update(
            street=hostile, building=f'"><img src=x onerror=alert(1)>{hostile}', unit="<b>", floor="&"
        )
    client.force_login(team_a.coordinator.user)
    body = client.get(url("turf_detail", team_a, turf.code)).content.decode()
    walk_list = re.search(r'<ol [^>]*id="walk-list"[^>]*>(.*?)</ol>', body, re.S).group(1)
    assert "<script>" not in walk_list and "<img" not in walk_list and "<b>" not in walk_list
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in walk_list
    assert "&lt;b&gt;" in walk_list
