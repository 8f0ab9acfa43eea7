"""A member's own numbers (canvassing:my_progress): only the visits they logged, by day, their turfs; the
same figures the API's progress/me/ gives; linked from "My turfs"; a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from canvassing.models import Turf
from tests.canvassing.progress_helpers import add_visits, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(team_a, team_b):
    build(team_b)
    return build(team_a)


def mine_url(team):
    return reverse("canvassing:my_progress", kwargs={"campaign_slug": team.campaign.slug})


def shown(body, testid):
    marker = f'data-testid="{testid}">'
    start = body.index(marker) + len(marker)
    return body[start : body.index("<", start)].strip()


def test_a_volunteer_sees_only_their_own_numbers(client, built):
    team = built.team
    client.force_login(team.volunteer.user)
    body = client.get(mine_url(team)).content.decode()
    # vol: h1 twice, h2 twice, h3 inaccessible (not a knock); h4's discarded visit does not count
    assert (shown(body, "visits"), shown(body, "doors-knocked"), shown(body, "contacts")) == ("5", "2", "2")
    assert shown(body, "contact-rate") == "100%"
    assert (shown(body, "my-turfs-assigned"), shown(body, "my-turfs-completed")) == ("1", "0")  # T4 was withdrawn
    assert body.count('data-testid="my-day-row"') == 7  # the default period: today and the 6 days before
    assert "<svg" in body


def test_a_coordinator_sees_their_own_doors_not_the_campaigns(client, built):
    team = built.team
    client.force_login(team.coordinator.user)
    body = client.get(mine_url(team), {"period": "all"}).content.decode()
    assert (shown(body, "visits"), shown(body, "doors-knocked"), shown(body, "contacts")) == ("5", "5", "1")
    assert (shown(body, "my-turfs-assigned"), shown(body, "my-turfs-completed")) == ("0", "1")  # T2 done


def test_period_today_shows_no_visits(client, built):
    team = built.team
    client.force_login(team.volunteer.user)
    body = client.get(mine_url(team), {"period": "today"}).content.decode()
    assert shown(body, "visits") == "0" and 'data-testid="my-no-visits"' in body
    custom = client.get(
        mine_url(team), {"period": "custom", "start": built.d2.isoformat(), "end": built.d2.isoformat()}
    )
    assert shown(custom.content.decode(), "visits") == "2"


def test_my_turfs_links_to_my_numbers(client, built):
    team = built.team
    client.force_login(team.volunteer.user)
    body = client.get(reverse("canvassing:my_turfs", kwargs={"campaign_slug": team.campaign.slug})).content.decode()
    assert mine_url(team) in body


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_query_count_does_not_grow(client, built):
    team = built.team
    client.force_login(team.volunteer.user)
    url = mine_url(team) + "?period=all"
    small = _count(client, url)
    with scopes_disabled():
        turf = Turf.objects.get(pk=built.turfs["T1"].pk)
    add_visits(team, 150, turf=turf)
    body = client.get(url).content.decode()
    assert shown(body, "visits") == str(5 + 75)  # add_visits gives the volunteer every odd one
    assert _count(client, url) == small
