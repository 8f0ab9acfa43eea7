"""The coordinators' progress pages and the progress API: the numbers a user reads, the role rules, and a
fixed number of queries whatever the data size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from canvassing.models import Turf
from tests.canvassing.progress_helpers import add_visits, build

pytestmark = pytest.mark.django_db

PAGES = ["progress", "progress_areas", "progress_turfs", "progress_volunteers", "progress_days", "review"]
API = [
    "api:canvassing-progress",
    "api:canvassing-progress-turfs",
    "api:canvassing-progress-areas",
    "api:canvassing-progress-volunteers",
    "api:canvassing-progress-days",
    "api:canvassing-progress-me",
]


def page_url(name, team, **kwargs):
    return reverse(f"canvassing:{name}", kwargs={"campaign_slug": team.campaign.slug, **kwargs})


def api_url(name, team):
    return reverse(name, kwargs={"campaign_slug": team.campaign.slug})


@pytest.fixture
def built(team_a, team_b):
    build(team_b)
    return build(team_a)


def test_overview_shows_the_numbers_and_charts(client, built):
    client.force_login(built.team.coordinator.user)
    body = client.get(page_url("progress", built.team) + "?period=all").content.decode()
    assert 'data-testid="doors-knocked">7<' in body
    assert 'data-testid="contacts">3<' in body
    assert 'data-testid="contact-rate">43%<' in body
    assert 'data-testid="visits">10<' in body
    assert 'data-testid="left">2<' in body
    assert 'data-testid="turfs-completed">3 / 4<' in body
    assert "2 visits are waiting for review." in body
    assert 'data-testid="bar-chart"' in body and "<rect" in body
    assert 'data-testid="stacked-bar"' in body
    assert "per household, not per visit" in body  # the definitions are on the page


def test_overview_period_today_counts_nothing_from_earlier_days(client, built):
    client.force_login(built.team.coordinator.user)
    body = client.get(page_url("progress", built.team) + "?period=today").content.decode()
    assert 'data-testid="doors-knocked">0<' in body
    assert 'data-testid="left">2<' in body  # what is left does not depend on the period


def test_custom_period_with_a_bad_date_says_so(client, built):
    client.force_login(built.team.coordinator.user)
    body = client.get(page_url("progress", built.team) + "?period=custom&start=yesterday").content.decode()
    assert "Enter dates as YYYY-MM-DD." in body


def test_turf_pages(client, built):
    client.force_login(built.team.owner.user)
    body = client.get(page_url("progress_turfs", built.team) + "?period=all").content.decode()
    assert body.count('data-testid="turf-row"') == 4
    assert "T1 Harbour" in body and "2 of 4 (50%)" in body
    body = client.get(
        page_url("progress_turf", built.team, code=built.turfs["T1"].code) + "?period=all"
    ).content.decode()
    assert 'data-testid="doors-knocked">2<' in body
    assert 'data-testid="contact-rate">100%<' in body
    area = built.areas["A2"]
    body = client.get(page_url("progress_turfs", built.team) + f"?period=all&area={area.code}").content.decode()
    assert body.count('data-testid="turf-row"') == 2


def test_area_volunteer_and_day_pages(client, built):
    team = built.team
    client.force_login(team.coordinator.user)
    body = client.get(page_url("progress_areas", team) + "?period=all").content.decode()
    assert body.count('data-testid="area-row"') == 3 and "Outside the current map" in body
    body = client.get(page_url("progress_volunteers", team) + "?period=all").content.decode()
    assert body.count('data-testid="volunteer-row"') == 3
    assert str(team.volunteer.user) in body
    body = client.get(page_url("progress_days", team) + "?period=all").content.decode()
    assert body.count('data-testid="day-row"') == 4


def test_volunteers_may_not_see_progress_pages(client, built):
    client.force_login(built.team.volunteer.user)
    for name in PAGES:
        assert client.get(page_url(name, built.team)).status_code == 403


def test_api_summary_and_rows(client, built):
    team = built.team
    client.force_login(team.coordinator.user)
    data = client.get(api_url("api:canvassing-progress", team)).json()
    assert data["figures"] == {"visits": 10, "doors_knocked": 7, "contacts": 3, "contact_rate": pytest.approx(3 / 7)}
    assert data["coverage"] == {"households": 7, "knocked": 5, "left": 2, "percent": 71}
    assert data["support"] == [0, 1, 0, 2, 0]
    assert (data["turfs"], data["turfs_completed"], data["needs_review"]) == (4, 3, 2)
    turfs = client.get(api_url("api:canvassing-progress-turfs", team)).json()
    assert turfs["count"] == 4
    assert turfs["results"][0]["turf"]["name"] == "T1 Harbour" and turfs["results"][0]["coverage"]["left"] == 2
    areas = client.get(api_url("api:canvassing-progress-areas", team)).json()
    assert [row["area"] and row["area"]["key"] for row in areas] == ["N1", "S1", None]
    volunteers = client.get(api_url("api:canvassing-progress-volunteers", team)).json()
    assert volunteers["results"][0]["membership"] == str(team.coordinator.code)
    days = client.get(api_url("api:canvassing-progress-days", team)).json()
    assert [row["figures"]["visits"] for row in days] == [6, 3, 1, 0]
    since = client.get(
        api_url("api:canvassing-progress", team),
        {"period": "custom", "start": built.d2.isoformat(), "end": built.d2.isoformat()},
    ).json()
    assert since["figures"]["visits"] == 3
    assert client.get(api_url("api:canvassing-progress", team), {"period": "custom", "start": "x"}).status_code == 400
    assert client.get(api_url("api:canvassing-progress", team), {"period": "year"}).status_code == 400


def test_api_me_is_only_my_own_numbers(client, built):
    team = built.team
    client.force_login(team.volunteer.user)
    data = client.get(api_url("api:canvassing-progress-me", team)).json()
    assert data["figures"] == {"visits": 5, "doors_knocked": 2, "contacts": 2, "contact_rate": 1.0}
    assert data["support_recorded"] == [0, 0, 0, 2, 1]
    assert [row["figures"]["visits"] for row in data["days"]] == [3, 2, 0, 0]
    assert client.get(api_url("api:canvassing-progress", team)).status_code == 403


def _count(client, url):
    client.get(url)  # warm: session and the like
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_the_data(client, built):
    team = built.team
    client.force_login(team.coordinator.user)
    urls = [page_url(name, team) + "?period=all" for name in PAGES]
    urls.append(page_url("progress_turf", team, code=built.turfs["T1"].code))
    urls += [api_url(name, team) for name in API]
    small = {url: _count(client, url) for url in urls}
    with scopes_disabled():
        turf = Turf.objects.get(pk=built.turfs["T1"].pk)
    add_visits(team, 200, turf=turf)
    add_visits(team, 40, start=1000)
    large = {url: _count(client, url) for url in urls}
    assert large == small
