"""The outsider test: another campaign's objects are never reachable, and roles are enforced."""

import hashlib
import json

import pytest
from django.apps import apps
from django.urls import reverse
from django_scopes import scopes_disabled

from campaign.models import Role
from campaign.services import api_token_create
from tests.isolation.routes import ROUTES, Route, discovered_patterns

pytestmark = pytest.mark.isolation

CAMPAIGN_ROUTES = sorted(name for name, route in ROUTES.items() if route.campaign_wide)


OUR_APPS = {
    "accounts",
    "campaign",
    "notifications",
    "volunteers",
    "fundraising",
    "canvassing",
    "inventory",
    "nominations",
    "reports",
}
BOOKKEEPING = {"last_used_at", "last_login"}  # touched by reading, not by changing anything


def table_checksums() -> dict[str, str]:
    """A fingerprint of every row of every table of our apps: any write changes it."""
    sums = {}
    with scopes_disabled():
        for model in apps.get_models():
            if model._meta.app_label not in OUR_APPS:
                continue
            fields = [f.attname for f in model._meta.concrete_fields if f.name not in BOOKKEEPING]
            rows = list(model._base_manager.order_by("pk").values_list(*fields))
            sums[model._meta.label] = hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()
    return sums


def url_for(name: str, route: Route, slug_team, object_team) -> str:
    kwargs = {"campaign_slug": slug_team.campaign.slug}
    kwargs.update({key: make(object_team) for key, make in route.objects.items()})
    return reverse(name, kwargs=kwargs)


def test_every_route_is_covered():
    missing = sorted(set(discovered_patterns()) - set(ROUTES))
    assert not missing, f"URL patterns missing from tests/isolation/routes.py: {missing}"
    stale = sorted(set(ROUTES) - set(discovered_patterns()))
    assert not stale, f"Routes listed but no longer in the URLconf: {stale}"


@pytest.mark.parametrize("name", CAMPAIGN_ROUTES)
def test_member_of_other_campaign_gets_404(name, client, team_a, team_b):
    """A member of B — even B's owner — asking for campaign A's objects gets 404, and nothing changes."""
    route = ROUTES[name]
    url = url_for(name, route, team_a, team_a)
    client.force_login(team_b.owner.user)
    before = table_checksums()
    for method in route.methods:
        response = client.generic(method, url, data="{}", content_type="application/json")
        assert response.status_code == 404, (method, url, response.status_code)
    assert table_checksums() == before


@pytest.mark.parametrize("name", [n for n in CAMPAIGN_ROUTES if ROUTES[n].objects])
def test_own_campaign_slug_with_other_campaigns_object_gets_404(name, client, team_a, team_b):
    """A's owner putting B's object code under A's slug gets 404: lookups are scoped, not just guarded."""
    route = ROUTES[name]
    url = url_for(name, route, team_a, team_b)
    client.force_login(team_a.owner.user)
    before = table_checksums()
    for method in route.methods:
        response = client.generic(method, url, data="{}", content_type="application/json")
        assert response.status_code == 404, (method, url, response.status_code)
    assert table_checksums() == before


@pytest.mark.parametrize("name", [n for n in CAMPAIGN_ROUTES if n.startswith("api:")])
def test_api_token_of_other_campaign_gets_404(name, client, team_a, team_b):
    route = ROUTES[name]
    with scopes_disabled():
        _token, key = api_token_create(membership=team_b.owner, name="b")
    url = url_for(name, route, team_a, team_a)
    before = table_checksums()
    for method in route.methods:
        response = client.generic(
            method, url, data="{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
        )
        assert response.status_code == 404, (method, url, response.status_code)
    assert table_checksums() == before


@pytest.mark.parametrize("name", [n for n in CAMPAIGN_ROUTES if ROUTES[n].role != Role.VOLUNTEER])
def test_role_too_low_gets_403_and_changes_nothing(name, client, team_a):
    route = ROUTES[name]
    lower = team_a.volunteer if route.role == Role.COORDINATOR else team_a.coordinator
    url = url_for(name, route, team_a, team_a)
    client.force_login(lower.user)
    before = table_checksums()
    for method in route.methods:
        response = client.generic(method, url, data="{}", content_type="application/json")
        assert response.status_code == 403, (method, url, response.status_code)
    assert table_checksums() == before


@pytest.mark.parametrize("name", CAMPAIGN_ROUTES)
def test_anonymous_is_sent_to_sign_in(name, client, team_a):
    route = ROUTES[name]
    url = url_for(name, route, team_a, team_a)
    before = table_checksums()
    for method in route.methods:
        response = client.generic(method, url)
        if name.startswith("api:"):
            assert response.status_code in (401, 403), (method, url)
        else:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], (method, url)
    assert table_checksums() == before


def test_my_memberships_never_lists_other_campaigns(client, team_a, team_b):
    client.force_login(team_b.owner.user)
    body = client.get(reverse("api:my-memberships")).content.decode()
    assert team_b.campaign.slug in body
    assert team_a.campaign.slug not in body


def test_unknown_campaign_slug_is_404_like_a_foreign_one(client, team_b):
    client.force_login(team_b.owner.user)
    assert client.get("/c/no-such-campaign/").status_code == 404
    assert client.get("/api/v1/c/no-such-campaign/").status_code == 404
