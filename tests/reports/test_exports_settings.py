"""Panel exports (coordinator with two-factor authentication, audited) and the owner's digest hour."""

import csv
import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_scopes import scopes_disabled

from campaign.models import AuditEvent
from reports.models import ReportsSettings
from tests.reports.builders import build_known_campaign
from tests.volunteers.test_roster_helpers import enable_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def export_url(team, panel: str, period: int = 7) -> str:
    return reverse("reports:export", kwargs={"campaign_slug": team.campaign.slug}) + f"?panel={panel}&period={period}"


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_export_needs_two_factor_authentication(client, team_a):
    client.force_login(team_a.coordinator.user)
    response = client.get(export_url(team_a, "canvassing"))
    assert response.status_code == 403
    assert "two-factor" in response.content.decode()
    with scopes_disabled():
        assert not AuditEvent.objects.filter(campaign=team_a.campaign, action="reports.export").exists()


def test_each_panel_exports_its_numbers_and_is_audited(client, team_a):
    build_known_campaign(team_a.campaign, team_a.volunteer)
    enable_mfa(team_a.coordinator.user)
    client.force_login(team_a.coordinator.user)
    canvassing = rows(client.get(export_url(team_a, "canvassing")))
    assert canvassing[0] == ["day", "doors", "contacts"]
    assert len(canvassing) == 8 and canvassing[-1][1:] == ["2", "1"] and canvassing[-2][1:] == ["1", "1"]
    volunteers = dict(rows(client.get(export_url(team_a, "volunteers")))[1:])
    assert volunteers == {"total": "4", "new": "1", "active": "2", "inactive": "2", "no_shows": "1"}
    money = rows(client.get(export_url(team_a, "money")))
    assert money[-1] == ["total", "550.00", team_a.campaign.currency]
    signatures = rows(client.get(export_url(team_a, "signatures")))
    assert signatures[1][:8] == ["District Council", "A01", "10", "15", "6", "2", "1", "-4"]
    stock = rows(client.get(export_url(team_a, "stock")))
    assert stock[1] == ["Manifesto · EN", "40", "100"]
    support = rows(client.get(export_url(team_a, "support")))
    assert support[1:] == [["1", "0"], ["2", "0"], ["3", "0"], ["4", "0"], ["5", "1"]]
    for panel in ("shifts", "turfs"):
        response = client.get(export_url(team_a, panel))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    with scopes_disabled():
        events = list(AuditEvent.objects.filter(campaign=team_a.campaign, action="reports.export").order_by("id"))
    assert [e.data["panel"] for e in events] == [
        "canvassing",
        "volunteers",
        "money",
        "signatures",
        "stock",
        "support",
        "shifts",
        "turfs",
    ]
    assert events[0].actor == team_a.coordinator.user and events[0].data["rows"] == 7


def test_unknown_panel_is_refused(client, team_a):
    enable_mfa(team_a.owner.user)
    client.force_login(team_a.owner.user)
    assert client.get(export_url(team_a, "everything")).status_code == 400


def test_a_cell_that_looks_like_a_formula_is_defused(client, team_a):
    from inventory.models import Item, Variant

    with scopes_disabled():
        item = Item.objects.create(campaign=team_a.campaign, kind="leaflet", name="=HYPERLINK(1)")
        Variant.objects.create(campaign=team_a.campaign, item=item, is_low=True)
    enable_mfa(team_a.coordinator.user)
    client.force_login(team_a.coordinator.user)
    assert rows(client.get(export_url(team_a, "stock")))[1][0].startswith("'=")


def test_owner_sets_the_digest_hour(client, team_a):
    url = reverse("reports:settings", kwargs={"campaign_slug": team_a.campaign.slug})
    client.force_login(team_a.owner.user)
    assert client.get(url).status_code == 200
    assert client.post(url, {"digest_hour": "25"}).status_code == 400
    with scopes_disabled():
        assert not ReportsSettings.objects.filter(campaign=team_a.campaign).exists()
    assert client.post(url, {"digest_hour": "18"}).status_code == 302
    with scopes_disabled():
        assert ReportsSettings.objects.get(campaign=team_a.campaign).digest_hour == 18
        event = AuditEvent.objects.get(campaign=team_a.campaign, action="reports.settings.updated")
    assert event.data == {"digest_hour": [7, 18]}
