"""Security review of the reports and nominations pages and of every list API added today: query strings
with garbage or another campaign's codes are ignored or refused, never a server error or a leak."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from canvassing.models import Household
from nominations import services as nominations_services
from tests.nominations.conftest import make_district

pytestmark = pytest.mark.django_db

GARBAGE = ["not-a-uuid' or 1=1 --", "99999999999999999999", "2026-13-45"]
CODE_PARAMS = ["turf", "area", "canvasser", "volunteer", "drive", "household"]
OTHER_PARAMS = ["status", "risk", "period", "page", "panel", "start", "end", "day", "all", "needs_review", "flag"]

PAGES = [
    "reports:dashboard",
    "reports:overview",
    "reports:home",
    "reports:preferences",
    "reports:leaflet_forecast",
    "nominations:drives",
]
APIS = [
    "api:reports-dashboard",
    "api:reports-home",
    "api:nomination-drive-list",
    "api:nomination-signature-list",
    "api:household-list",
    "api:area-list",
    "api:map-version-list",
    "api:canvassing-progress",
    "api:canvassing-progress-turfs",
    "api:canvassing-progress-areas",
    "api:canvassing-progress-volunteers",
    "api:canvassing-progress-days",
    "api:canvassing-progress-me",
    "api:turf-list",
    "api:assignment-list",
    "api:visit-list",
    "api:survey-question-list",
    "api:script-list",
]


@pytest.mark.parametrize("role", ["owner", "volunteer"])
def test_filters_with_garbage_or_another_campaigns_codes_never_fail_or_leak(client, team_a, team_b, role):
    district_b = make_district(team_b)
    make_district(team_a)
    with scopes_disabled():
        b_codes = [str(district_b.drive.code), str(district_b.k1.code), str(district_b.inside[0].code)]
        Household.objects.filter(campaign=team_b.campaign).update(street="Secret Lane of B")
    client.force_login(getattr(team_a, role).user)
    for name in PAGES + APIS:
        url = reverse(name, kwargs={"campaign_slug": team_a.campaign.slug})
        for param in CODE_PARAMS + OTHER_PARAMS:
            for value in [*GARBAGE, *b_codes] if param in CODE_PARAMS else GARBAGE:
                response = client.get(url, {param: value})
                assert response.status_code in (200, 400, 403, 404), (name, param, value, response.status_code)
                body = response.content.decode()
                if value in b_codes:
                    # The code may be echoed back in a filter form, but no row of campaign B is shown.
                    assert "Secret Lane of B" not in body, (name, param)


def test_drive_pages_with_another_campaigns_codes_are_404(client, team_a, team_b):
    district_b = make_district(team_b)
    with scopes_disabled():
        (sheet_b,) = nominations_services.sheets_create(
            drive=district_b.drive, acting_user=team_b.owner.user, first=1, count=1
        )
    client.force_login(team_a.owner.user)
    for name in ("drive_detail", "sheets", "signatures", "household_search", "export_csv"):
        url = reverse(
            f"nominations:{name}", kwargs={"campaign_slug": team_a.campaign.slug, "code": district_b.drive.code}
        )
        assert client.get(url).status_code == 404, name
    url = reverse("nominations:sheet_detail", kwargs={"campaign_slug": team_a.campaign.slug, "code": sheet_b.code})
    assert client.get(url).status_code == 404
