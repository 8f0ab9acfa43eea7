"""Every number on the dashboard, the overview and the API checked against a campaign built by hand."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_scopes import scope

from reports import selectors
from tests.reports.builders import build_known_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def known(team_a):
    return build_known_campaign(team_a.campaign, team_a.volunteer)


def shown(html: str, name: str) -> str:
    found = re.search(rf'data-testid="{name}"[^>]*>([^<]*)<', html)
    assert found, f"no {name} on the page"
    return found.group(1).strip()


def test_selectors_give_the_known_numbers(known):
    campaign = known.campaign
    with scope(campaign=campaign.pk):
        p = selectors.dashboard(campaign, selectors.period_for(campaign, 7))
    assert p["volunteers"] == {"total": 4, "new": 1, "active": 2, "inactive": 2, "no_shows": 1}
    s = p["shifts"]
    assert (s["shifts"], s["capacity"], s["filled"], s["fill_rate"]) == (2, 5, 2, 40)
    assert [u["title"] for u in s["underfilled"]] == ["Later leafleting", "Soon canvass"]
    assert sum(d["capacity"] for d in s["by_day"]) == 5
    c = p["canvassing"]
    assert (c["visits"], c["doors"], c["contacts"], c["contact_rate"]) == (4, 2, 1, 50)
    today, yesterday = c["by_day"][-1], c["by_day"][-2]
    assert (today["doors"], today["contacts"]) == (2, 1)
    assert (yesterday["doors"], yesterday["contacts"]) == (1, 1)
    assert sum(d["doors"] for d in c["by_day"][:-2]) == 0
    assert len(c["by_day"]) == 7
    assert [row["count"] for row in c["support"]] == [0, 0, 0, 0, 1]
    assert (c["turfs_total"], c["turfs_completed"], c["turfs_remaining"], c["flagged"]) == (2, 1, 1, 1)
    st = p["stock"]
    assert st["low_count"] == 1 and st["low"][0]["on_hand"] == 40 and st["low"][0]["threshold"] == 100
    # the inventory part's leaflet forecast: stock everywhere, the bag's 25 included; no door left unknocked
    assert {r["name"]: (r["in_stock"], r["needed"]) for r in st["forecast"]} == {
        "Manifesto · EN": (40, 0),
        "Manifesto · ZH": (925, 0),
    }
    m = p["money"]
    assert (m["raised"], m["goal"], m["goal_share"], m["held"]) == (Decimal("550.00"), Decimal("1000.00"), 55, 1)
    assert m["near_cap_count"] == 1 and m["near_cap"][0]["name"] == "Bigdonor"
    [d] = p["signatures"]["drives"]
    assert (d["required"], d["target"], d["valid"], d["at_risk"], d["struck"]) == (10, 15, 6, 2, 1)
    assert (d["margin"], d["short"], d["remaining"], d["behind"]) == (-4, 4, 9, False)
    assert d["pace"] == round(8 / 7, 1)


def test_a_longer_period_counts_older_activity(known):
    campaign = known.campaign
    with scope(campaign=campaign.pk):
        p = selectors.dashboard(campaign, selectors.period_for(campaign, 30))
    assert p["volunteers"] == {"total": 4, "new": 2, "active": 3, "inactive": 1, "no_shows": 2}
    c = p["canvassing"]
    assert (c["visits"], c["doors"], c["contacts"]) == (5, 3, 2)
    assert [row["count"] for row in c["support"]] == [0, 1, 0, 0, 1]


def test_dashboard_page_shows_the_numbers(client, team_a, known):
    client.force_login(team_a.coordinator.user)
    response = client.get(reverse("reports:dashboard", kwargs={"campaign_slug": team_a.campaign.slug}))
    assert response.status_code == 200
    html = response.content.decode()
    expected = {
        "volunteers-new": "1",
        "volunteers-active": "2",
        "volunteers-inactive": "2",
        "volunteers-no-shows": "1",
        "shifts-filled": "2",
        "shifts-capacity": "5",
        "doors": "2",
        "contacts": "1",
        "contact-rate": "50%",
        "turfs-completed": "1",
        "raised": "550.00",
        "drive-valid": "6",
    }
    for name, value in expected.items():
        assert shown(html, name) == value, name
    assert "1 turf remaining" in shown(html, "turfs-remaining")
    assert "1 visit flagged for review" in shown(html, "flagged")
    assert "1 item running low" in shown(html, "low-stock-count")
    assert "1 donor near the cap" in shown(html, "near-cap")
    assert "4 short of the requirement" in shown(html, "drive-margin")
    assert html.count("<svg") >= 3  # doors, shifts and money charts and the support bar are drawn
    # each panel links to where it is acted on
    assert reverse("volunteers:roster", kwargs={"campaign_slug": team_a.campaign.slug}) + "?activity=7" in html
    assert reverse("fundraising:summary", kwargs={"campaign_slug": team_a.campaign.slug}) in html


def test_period_changes_the_numbers_on_the_page(client, team_a, known):
    client.force_login(team_a.coordinator.user)
    url = reverse("reports:dashboard", kwargs={"campaign_slug": team_a.campaign.slug})
    html = client.get(url + "?period=30").content.decode()
    assert shown(html, "volunteers-new") == "2"
    assert shown(html, "doors") == "3"
    # an unknown period falls back to 7 days rather than failing
    assert shown(client.get(url + "?period=5000").content.decode(), "doors") == "2"


def test_dashboard_is_cached_until_refreshed(client, team_a, known):
    from django_scopes import scopes_disabled

    from canvassing.models import Visit

    client.force_login(team_a.coordinator.user)
    url = reverse("reports:dashboard", kwargs={"campaign_slug": team_a.campaign.slug})
    assert shown(client.get(url).content.decode(), "flagged").startswith("1 ")
    with scopes_disabled():
        Visit.objects.filter(campaign=team_a.campaign).update(needs_review=True)
    assert shown(client.get(url).content.decode(), "flagged").startswith("1 ")  # as of the cached time
    html = client.get(url + "?period=7&refresh=1").content.decode()
    assert shown(html, "flagged").startswith("5 ")
    assert "As of" in html


def test_api_dashboard_has_the_same_numbers(client, team_a, known):
    client.force_login(team_a.coordinator.user)
    data = client.get(f"/api/v1/c/{team_a.campaign.slug}/reports/dashboard/?period=7").json()
    assert data["volunteers"]["active"] == 2
    assert data["canvassing"]["doors"] == 2
    assert data["canvassing"]["contact_rate"] == 50
    assert data["money"]["raised"] == "550.00"
    assert data["signatures"]["drives"][0]["valid"] == 6
    assert data["shifts"]["capacity"] == 5
    assert "computed_at" in data


def test_overview_trends_and_calendar(client, team_a, known):
    client.force_login(team_a.owner.user)
    response = client.get(reverse("reports:overview", kwargs={"campaign_slug": team_a.campaign.slug}))
    assert response.status_code == 200
    trends = {t["key"]: t for t in response.context["trends"]}
    assert (trends["doors"]["now"], trends["doors"]["then"]) == (2, 0)
    assert (trends["contacts"]["now"], trends["contacts"]["then"]) == (1, 0)
    assert (trends["new_volunteers"]["now"], trends["new_volunteers"]["then"]) == (1, 0)
    assert trends["hours"]["now"] == Decimal("2.00")
    assert (trends["raised"]["now"], trends["raised"]["then"]) == (Decimal("450.00"), Decimal("100.00"))
    assert trends["raised"]["change_percent"] == 350
    assert trends["signatures"]["now"] == 8
    kinds = [e["kind"] for day in response.context["agenda"] for e in day["events"]]
    titles = [e["title"] for day in response.context["agenda"] for e in day["events"] if e["kind"] == "shift"]
    assert titles == ["Soon canvass", "Later leafleting", "Far away"]  # not the cancelled one, nor past ones
    assert {"assignment_due", "drive_deadline", "pledges_due"} <= set(kinds)
    html = response.content.decode()
    assert "Nomination filing deadline: District Council" in html
    assert "Turf “Harbour North” due" in html
    assert shown(html, "headline-doors") == "2"


def test_calendar_shows_election_day_when_it_is_near(team_a):
    import datetime as dt

    campaign = team_a.campaign
    campaign.election_date = selectors.local_today(campaign) + dt.timedelta(days=3)
    campaign.save(update_fields=["election_date"])
    with scope(campaign=campaign.pk):
        agenda = selectors.calendar(campaign)
    assert [e["kind"] for day in agenda for e in day["events"]] == ["election"]
