"""End to end with the canvassing map service: a second map version uploaded and applied for real
counts the signatures in its preview, re-checks them on apply, and the "fell out" page lists them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from canvassing import services_maps
from canvassing.models import MapVersion
from nominations import services
from nominations.models import Recheck, Risk, Signature
from tests.canvassing.maps_helpers import feature_collection, household, square

pytestmark = pytest.mark.django_db

# Version 1: K1 is x 0–1, K2 is x 1–2. Version 2 moves the border to x 0.6: the household at 0.8 leaves K1.
V1 = feature_collection(("K1", "North", square(0, 1)), ("K2", "South", square(1, 2)))
V2 = feature_collection(("K1", "North", square(0, 0.6)), ("K2", "South", square(0.6, 2)))


def upload_and_apply(campaign, user, raw, name):
    draft = services_maps.map_version_upload(
        campaign=campaign, acting_user=user, raw=raw, source=MapVersion.Source.GEOJSON, name=name
    )
    return draft, services_maps.map_version_apply(version=draft, acting_user=user)


def test_applying_a_new_map_rechecks_signatures_and_lists_those_that_fell_out(client, team_a):
    campaign, user = team_a.campaign, team_a.owner.user
    today = timezone.localdate(timezone=campaign.tzinfo)
    with scopes_disabled():
        stays = household(campaign, "1", 0.3, 0.5)
        leaves = household(campaign, "2", 0.8, 0.5)
        upload_and_apply(campaign, user, V1, "2026 map")
        drive = services.drive_create(
            campaign=campaign,
            acting_user=user,
            office="District Council",
            area_key="K1",
            required=5,
            opens_on=today - dt.timedelta(days=5),
            deadline=today + dt.timedelta(days=20),
        )
        stays.refresh_from_db()
        leaves.refresh_from_db()
        kept = services.signature_add(
            drive=drive, acting_user=user, full_name="Stay Put", household=stays, signed_on=today
        )
        moved = services.signature_add(
            drive=drive, acting_user=user, full_name="Moving Out", household=leaves, signed_on=today
        )
        assert kept.risks == [] and moved.risks == []

        draft = services_maps.map_version_upload(
            campaign=campaign, acting_user=user, raw=V2, source=MapVersion.Source.GEOJSON, name="Redrawn"
        )
        # The preview counts the signatures at households that change area (through nominations' selector).
        assert draft.diff["signatures"] == 1
        assert Recheck.objects.count() == 0  # nothing re-checked before applying

        applied = services_maps.map_version_apply(version=draft, acting_user=user)
        assert applied.diff["signatures_recheck"] == {"changed": 1, "codes": [str(moved.code)]}
        kept.refresh_from_db()
        moved.refresh_from_db()
        recheck = Recheck.objects.get()
    assert kept.status == Signature.Status.LIKELY_VALID and kept.risks == []
    assert moved.status == Signature.Status.AT_RISK and moved.risks == [Risk.OUT_OF_AREA]
    assert moved.fell_out_in == recheck and (recheck.checked, recheck.changed, recheck.fell_out) == (2, 1, 1)

    client.force_login(team_a.coordinator.user)
    body = client.get(reverse("nominations:fell_out", kwargs={"campaign_slug": campaign.slug})).content.decode()
    assert "Moving Out" in body and "Stay Put" not in body and "now in K2" in body
    drives = client.get(reverse("nominations:drives", kwargs={"campaign_slug": campaign.slug})).content.decode()
    assert "1 signature fell out of its area when the map changed." in drives
