"""Each dashboard page runs the same number of queries with 100 visits as with 100,000."""

import datetime as dt
import random
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from canvassing.models import Household, Visit
from tests.reports.builders import build_known_campaign

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

OUTCOMES = ["contacted", "not_home", "refused", "inaccessible", "come_back"]


def add_visits(campaign, canvasser, turf, count: int, *, households: int) -> None:
    """`count` visits over the last 60 days on `households` doors of the turf, in bulk."""
    rng = random.Random(count)
    now = timezone.now()
    with scopes_disabled():
        start = Household.objects.filter(campaign=campaign).count()
        houses = Household.objects.bulk_create(
            [
                Household(
                    campaign=campaign,
                    address_key=f"bulk-{start + n}",
                    street="Bulk Street",
                    house_number=str(start + n),
                    turf=turf,
                    area=turf.area,
                    last_support=rng.choice([None, 1, 3, 5]),
                    last_visited_at=now - dt.timedelta(days=rng.randrange(60)),
                )
                for n in range(households)
            ],
            batch_size=2000,
        )
        Visit.objects.bulk_create(
            (
                Visit(
                    campaign=campaign,
                    code=uuid.UUID(int=rng.getrandbits(128), version=4),
                    household=houses[n % households],
                    turf=turf,
                    canvasser=canvasser,
                    outcome=OUTCOMES[n % len(OUTCOMES)],
                    support_level=(n % 5) + 1 if n % 5 == 0 else None,
                    visited_at=now - dt.timedelta(minutes=rng.randrange(60 * 24 * 60)),
                    needs_review=n % 97 == 0,
                )
                for n in range(count)
            ),
            batch_size=5000,
        )


def pages(team):
    slug = team.campaign.slug
    return {
        "dashboard": (team.coordinator, reverse("reports:dashboard", kwargs={"campaign_slug": slug}) + "?refresh=1"),
        "dashboard_30": (
            team.coordinator,
            reverse("reports:dashboard", kwargs={"campaign_slug": slug}) + "?period=30&refresh=1",
        ),
        "overview": (team.owner, reverse("reports:overview", kwargs={"campaign_slug": slug})),
        "home": (team.volunteer, reverse("reports:home", kwargs={"campaign_slug": slug})),
        "api_dashboard": (team.coordinator, f"/api/v1/c/{slug}/reports/dashboard/?refresh=1"),
        "api_home": (team.volunteer, f"/api/v1/c/{slug}/reports/home/"),
    }


def count_queries(client, team) -> dict[str, int]:
    counts = {}
    for name, (member, url) in pages(team).items():
        cache.clear()  # every page computes its panels: the cold path is the one that could grow
        client.force_login(member.user)
        client.get(url)  # warm: session and one-off bookkeeping out of the count
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(captured.captured_queries)
    return counts


def test_query_counts_do_not_grow_with_visits(client, team_a):
    built = build_known_campaign(team_a.campaign, team_a.volunteer)
    turf = built.turfs[0]
    add_visits(team_a.campaign, team_a.volunteer, turf, 95, households=20)  # 100 visits with the hand-built 5
    small = count_queries(client, team_a)
    add_visits(team_a.campaign, team_a.volunteer, turf, 99_900, households=2_000)  # 100,000 in all
    with scopes_disabled():
        assert Visit.objects.filter(campaign=team_a.campaign).count() == 100_000
    large = count_queries(client, team_a)
    assert large == small
    assert max(small.values()) < 60, small


def test_the_cached_dashboard_needs_few_queries(client, team_a, django_assert_max_num_queries):
    build_known_campaign(team_a.campaign, team_a.volunteer)
    client.force_login(team_a.coordinator.user)
    url = reverse("reports:dashboard", kwargs={"campaign_slug": team_a.campaign.slug})
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    with django_assert_max_num_queries(12) as warm:
        assert client.get(url).status_code == 200
    assert len(warm.captured_queries) < len(cold.captured_queries)
