"""Security review of the nominations pages: where a form's `next` may send the browser."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from nominations import services
from nominations.models import Signature

pytestmark = pytest.mark.django_db

OFFSITE = ["https://evil.example/phish", "//evil.example/phish", "/\\evil.example/phish", "///evil.example"]


def url(name, team, **kwargs):
    return reverse(f"nominations:{name}", kwargs={"campaign_slug": team.campaign.slug, **kwargs})


def offsite(response) -> bool:
    location = response["Location"]
    return "evil.example" in location


@pytest.mark.parametrize("target", OFFSITE)
def test_sheet_checkout_never_redirects_off_the_site(client, team_a, district, target):
    with scopes_disabled():
        (sheet,) = services.sheets_create(drive=district.drive, acting_user=team_a.owner.user, first=1, count=1)
        member_code = team_a.volunteer.code
    client.force_login(team_a.coordinator.user)
    response = client.post(url("sheet_checkout", team_a, code=sheet.code), {"membership": member_code, "next": target})
    assert response.status_code == 302
    assert not offsite(response)
    # A page of our own is still honoured.
    with scopes_disabled():
        services.sheet_return(sheet=sheet, acting_user=team_a.owner.user, location="Market")
    own = url("drive_detail", team_a, code=district.drive.code)
    response = client.post(url("sheet_checkout", team_a, code=sheet.code), {"membership": member_code, "next": own})
    assert response["Location"] == own


@pytest.mark.parametrize("target", OFFSITE)
def test_signature_review_never_redirects_off_the_site(client, team_a, district, target):
    today = timezone.localdate(timezone=team_a.campaign.tzinfo)
    with scopes_disabled():
        signature = services.signature_add(
            drive=district.drive,
            acting_user=team_a.owner.user,
            full_name="Chan Tai Man",
            household=district.inside[0],
            signed_on=today - dt.timedelta(days=1),
        )
    client.force_login(team_a.coordinator.user)
    response = client.post(
        url("signature_review", team_a, code=signature.code), {"decision": "valid", "reason": "ID seen", "next": target}
    )
    assert response.status_code == 302
    assert not offsite(response)
    with scopes_disabled():
        assert Signature.objects.get(pk=signature.pk).review == "valid"
