"""Map pages and API as a coordinator and a volunteer use them."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from canvassing import services_maps
from canvassing.models import Area, Household, MapVersion, Turf
from tests.canvassing.maps_helpers import feature_collection, household, square

pytestmark = pytest.mark.django_db

V1 = feature_collection(("A", "Alpha", square(0, 1)), ("B", "Beta", square(1, 2)))
V2 = feature_collection(("A", "Alpha", square(0, 1.6)), ("C", "Gamma", square(1.6, 2)))


@pytest.fixture
def slug(team_a):
    return team_a.campaign.slug


@pytest.fixture
def homes(team_a):
    with scopes_disabled():
        return [
            household(team_a.campaign, f"h{n}", lon, 0.5) for n, lon in enumerate([0.2, 0.5, 0.8, 1.5, 1.7], start=1)
        ]


def applied(team_a, raw=V1):
    with scopes_disabled():
        version = services_maps.map_version_upload(
            campaign=team_a.campaign, acting_user=team_a.owner.user, name="v", source="geojson", raw=raw
        )
        return services_maps.map_version_apply(version=version, acting_user=team_a.owner.user)


def test_upload_preview_apply_in_the_browser(client, team_a, slug, homes):
    applied(team_a)
    with scopes_disabled():
        turf = Turf.objects.create(
            campaign=team_a.campaign, area=Area.objects.get(key="B", version__number=1), name="Beta walk"
        )
        Household.objects.filter(external_id__in=["h4", "h5"]).update(turf=turf)
    client.force_login(team_a.coordinator.user)
    response = client.post(
        reverse("canvassing:map_upload", args=[slug]),
        {
            "source": "geojson",
            "name": "Redrawn",
            "key_property": "code",
            "name_property": "name",
            "file": SimpleUploadedFile("map.geojson", V2, content_type="application/geo+json"),
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        draft = MapVersion.objects.get(campaign=team_a.campaign, status="draft")
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="moved-count">2<' in body
    assert "Beta walk" in body and "Areas removed:" in body
    # The list of households moving into C, by address.
    moves = client.get(response["Location"] + "?show=in&area=C").content.decode()
    assert "h5 Main Street" in moves and "h4 Main Street" not in moves

    # Apply without ticking the confirmation: nothing happens.
    apply_url = reverse("canvassing:map_version_apply", args=[slug, draft.code])
    client.post(apply_url, {})
    with scopes_disabled():
        assert MapVersion.objects.get(pk=draft.pk).status == "draft"
    client.post(apply_url, {"confirm": "yes"})
    with scopes_disabled():
        assert MapVersion.objects.get(pk=draft.pk).status == "current"
        assert Turf.objects.get(pk=turf.pk).needs_review
    after = client.get(reverse("canvassing:map_version", args=[slug, draft.code])).content.decode()
    assert 'data-testid="apply"' not in after and "These turfs were flagged for review." in after


def test_bad_upload_shows_the_problem_and_saves_nothing(client, team_a, slug, homes):
    client.force_login(team_a.coordinator.user)
    bad = feature_collection(("A", "a", square(0, 1)), ("A", "b", square(1, 2)))
    response = client.post(
        reverse("canvassing:map_upload", args=[slug]),
        {"source": "geojson", "file": SimpleUploadedFile("map.geojson", bad), "key_property": "code"},
    )
    assert response.status_code == 400
    assert "Area code A appears twice" in response.content.decode()
    with scopes_disabled():
        assert not MapVersion.objects.exists()


def test_area_page_draws_polygon_and_households(client, team_a, slug, homes):
    version = applied(team_a)
    client.force_login(team_a.coordinator.user)
    with scopes_disabled():
        area = Area.objects.get(version=version, key="A")
    response = client.get(reverse("canvassing:area_detail", args=[slug, area.code]))
    body = response.content.decode()
    assert "leaflet-1.9.4/leaflet.js" in body and "js/area_map.js" in body
    start = body.index('id="area-map-data"')
    data = json.loads(body[body.index(">", start) + 1 : body.index("</script>", start)])
    assert data["geometry"]["type"] == "Polygon"
    assert sorted(round(lon, 1) for _lat, lon, _status in data["households"]) == [0.2, 0.5, 0.8]
    assert data["tiles"] == ""  # no tile server unless the campaign sets one


def test_areas_list_counts(client, team_a, slug, homes):
    applied(team_a)
    client.force_login(team_a.coordinator.user)
    body = client.get(reverse("canvassing:areas", args=[slug])).content.decode()
    assert "3 households" in body and "2 households" in body


def _more_households(team_a, count, start):
    with scopes_disabled():
        for n in range(count):
            household(team_a.campaign, f"x{start + n}", 0.1 + 0.01 * n, 0.3)


def test_pages_run_a_fixed_number_of_queries(client, team_a, slug, homes, django_assert_max_num_queries):
    version = applied(team_a)
    client.force_login(team_a.coordinator.user)
    with scopes_disabled():
        draft = services_maps.map_version_upload(
            campaign=team_a.campaign, acting_user=team_a.owner.user, name="v2", source="geojson", raw=V2
        )
        area_code = version.areas.get(key="A").code
    urls = [
        reverse("canvassing:map_versions", args=[slug]),
        reverse("canvassing:areas", args=[slug]),
        reverse("canvassing:map_version", args=[slug, draft.code]),
        reverse("canvassing:map_version", args=[slug, draft.code]) + "?show=in&area=C",
        reverse("canvassing:area_detail", args=[slug, area_code]),
    ]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(30) as small:
            assert client.get(url).status_code == 200
        counts[url] = len(small.captured_queries)
    _more_households(team_a, 40, 100)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200


def test_map_settings_tile_server(client, team_a, slug):
    client.force_login(team_a.owner.user)
    url = reverse("canvassing:map_settings", args=[slug])
    response = client.post(url, {"map_tile_url": "http://tiles.example.org/{z}/{x}/{y}.png"})
    assert response.status_code == 400 and "https://" in response.content.decode()
    client.post(url, {"map_tile_url": "https://tiles.example.org/{z}/{x}/{y}.png", "map_tile_attribution": "Us"})
    with scopes_disabled():
        assert team_a.campaign.canvassing_settings.map_tile_url.startswith("https://tiles.example.org")


# --- API ------------------------------------------------------------------------------------------


def test_api_volunteer_reads_areas_without_household_figures(client, team_a, slug, homes):
    version = applied(team_a)
    client.force_login(team_a.volunteer.user)
    rows = client.get(reverse("api:area-list", args=[slug])).json()["results"]
    assert [row["key"] for row in rows] == ["A", "B"]
    assert "household_count" not in rows[0]
    with scopes_disabled():
        code = version.areas.get(key="A").code
    detail = client.get(reverse("api:area-detail", args=[slug, code])).json()
    assert detail["geometry"]["type"] == "Polygon" and "household_count" not in detail
    assert client.get(reverse("api:map-version-list", args=[slug])).status_code == 403


def test_api_coordinator_sees_counts_and_diff(client, team_a, slug, homes):
    version = applied(team_a)
    client.force_login(team_a.coordinator.user)
    rows = client.get(reverse("api:map-version-areas", args=[slug, version.code])).json()["results"]
    assert [(row["key"], row["household_count"]) for row in rows] == [("A", 3), ("B", 2)]
    detail = client.get(reverse("api:map-version-detail", args=[slug, version.code])).json()
    assert detail["status"] == "current" and detail["diff"]["households"]["placed"] == 5


def test_api_upload_and_apply(client, team_a, slug, homes):
    applied(team_a)
    client.force_login(team_a.coordinator.user)
    response = client.post(
        reverse("api:map-version-list", args=[slug]),
        {"source": "geojson", "file": SimpleUploadedFile("m.geojson", V2), "name": "API map"},
    )
    assert response.status_code == 201, response.content
    code = response.json()["code"]
    assert response.json()["diff"]["households"]["moved"] == 2
    applied_now = client.post(reverse("api:map-version-apply", args=[slug, code]))
    assert applied_now.status_code == 200 and applied_now.json()["status"] == "current"
    again = client.post(reverse("api:map-version-apply", args=[slug, code]))
    assert again.status_code == 400


def test_api_bad_upload_is_400_and_saves_nothing(client, team_a, slug, homes):
    client.force_login(team_a.coordinator.user)
    response = client.post(
        reverse("api:map-version-list", args=[slug]),
        {"source": "geojson", "file": SimpleUploadedFile("m.geojson", b"nope")},
    )
    assert response.status_code == 400 and "JSON" in json.dumps(response.json())
    with scopes_disabled():
        assert not MapVersion.objects.exists()


def test_compare_again_after_the_map_changed(client, team_a, slug, homes):
    with scopes_disabled():
        draft = services_maps.map_version_upload(
            campaign=team_a.campaign, acting_user=team_a.owner.user, name="v", source="geojson", raw=V2
        )
    assert draft.diff["first"] is True
    applied(team_a)  # another version becomes current after the draft was uploaded
    client.force_login(team_a.coordinator.user)
    url = reverse("canvassing:map_version", args=[slug, draft.code])
    assert "The current map changed since this was uploaded." in client.get(url).content.decode()
    client.post(reverse("canvassing:map_version_refresh", args=[slug, draft.code]))
    with scopes_disabled():
        draft.refresh_from_db()
    assert draft.diff["base"]["number"] == 2 and draft.diff["households"]["moved"] == 2
    assert "The current map changed since this was uploaded." not in client.get(url).content.decode()
