"""Re-versioning the district map re-checks the signatures and reports exactly the changed ones."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from canvassing.models import Area, Household, MapVersion
from nominations import selectors, services
from nominations.models import Drive, Recheck, Risk, Signature
from tests.nominations.conftest import make_district

pytestmark = pytest.mark.django_db


def reversion(district, *, move_out: list[Household], move_in: list[Household]) -> MapVersion:
    """What the canvassing apply does: a new current version with its own areas, households re-pointed."""
    campaign = district.drive.campaign
    MapVersion.objects.filter(pk=district.version.pk).update(status=MapVersion.Status.SUPERSEDED)
    v2 = MapVersion.objects.create(campaign=campaign, number=2, name="Redrawn", source="households", status="current")
    k1 = Area.objects.create(campaign=campaign, version=v2, key="K1", name="Yau Ma Tei North")
    k2 = Area.objects.create(campaign=campaign, version=v2, key="K2", name="Jordan")
    moved = {h.pk for h in move_out} | {h.pk for h in move_in}
    for household in Household.objects.filter(campaign=campaign, area__isnull=False):
        if household.pk in moved:
            continue
        household.area = k1 if household.area.key == "K1" else k2
        household.save(update_fields=["area"])
    Household.objects.filter(pk__in=[h.pk for h in move_out]).update(area=k2)
    Household.objects.filter(pk__in=[h.pk for h in move_in]).update(area=k1)
    return v2


def test_recheck_reports_exactly_the_changed_signatures(team_a):
    district = make_district(team_a)
    today = timezone.localdate(timezone=team_a.campaign.tzinfo)
    user = team_a.coordinator.user
    with scopes_disabled():
        drive = district.drive
        stays = services.signature_add(
            drive=drive, acting_user=user, full_name="Stay Put", household=district.inside[0], signed_on=today
        )
        leaves = services.signature_add(
            drive=drive, acting_user=user, full_name="Moving Out", household=district.inside[1], signed_on=today
        )
        leaves_too = services.signature_add(
            drive=drive, acting_user=user, full_name="Also Out", household=district.inside[1], signed_on=today
        )
        comes_in = services.signature_add(
            drive=drive, acting_user=user, full_name="Coming In", household=district.outside, signed_on=today
        )
        struck = services.signature_add(
            drive=drive, acting_user=user, full_name="Struck Out", household=district.inside[1], signed_on=today
        )
        services.signature_review(signature=struck, acting_user=user, decision="struck", reason="Illegible")
        assert comes_in.risks == [Risk.OUT_OF_AREA]
        # A closed drive is not re-checked.
        closed = services.drive_create(
            campaign=team_a.campaign,
            acting_user=user,
            office="Other",
            area_key="K1",
            required=5,
            opens_on=drive.opens_on,
            deadline=drive.deadline,
        )
        closed_sig = services.signature_add(
            drive=closed, acting_user=user, full_name="Closed One", household=district.inside[1], signed_on=today
        )
        services.drive_update(drive=closed, acting_user=user, status=Drive.Status.CLOSED)

        # The preview counts what the moved households carry (open drives only; struck ones still count as rows).
        assert selectors.signatures_in_households(campaign=team_a.campaign, household_ids={district.inside[1].pk}) == 3

        reversion(district, move_out=[district.inside[1]], move_in=[district.outside])
        changed = services.signatures_recheck(campaign=team_a.campaign, acting_user=user)

        assert {s.pk for s in changed} == {leaves.pk, leaves_too.pk, comes_in.pk}
        for signature in (stays, leaves, leaves_too, comes_in, struck, closed_sig):
            signature.refresh_from_db()
        assert stays.status == Signature.Status.LIKELY_VALID and stays.risks == []
        assert leaves.status == Signature.Status.AT_RISK and leaves.risks == [Risk.OUT_OF_AREA]
        assert comes_in.status == Signature.Status.LIKELY_VALID and comes_in.risks == []
        assert struck.status == Signature.Status.STRUCK  # its risk is recorded, its status stays
        assert closed_sig.risks == []  # closed drives are left as they were filed
        recheck = Recheck.objects.get()
        assert (recheck.changed, recheck.fell_out) == (3, 3)
        assert {s.pk for s in selectors.fell_out(team_a.campaign, recheck)} == {leaves.pk, leaves_too.pk, struck.pk}

        # Nothing moved since: a second re-check changes nothing and reports nothing.
        assert services.signatures_recheck(campaign=team_a.campaign, acting_user=user) == []


def test_marked_valid_reopens_when_the_map_moves_it_out(team_a):
    district = make_district(team_a)
    user = team_a.coordinator.user
    today = timezone.localdate(timezone=team_a.campaign.tzinfo)
    with scopes_disabled():
        sig = services.signature_add(
            drive=district.drive,
            acting_user=user,
            full_name="No House",
            address_text="Flat 3, Somewhere",
            signed_on=today,
        )
        assert sig.risks == [Risk.NO_HOUSEHOLD]
        services.signature_review(signature=sig, acting_user=user, decision="valid", reason="Checked the register")
        sig.refresh_from_db()
        assert sig.status == Signature.Status.LIKELY_VALID
        Signature.objects.filter(pk=sig.pk).update(household=district.inside[2])
        reversion(district, move_out=[district.inside[2]], move_in=[])
        changed = services.signatures_recheck(campaign=team_a.campaign, acting_user=user)
        sig.refresh_from_db()
    assert [s.pk for s in changed] == [sig.pk]
    assert sig.status == Signature.Status.AT_RISK and sig.risks == [Risk.OUT_OF_AREA]


def test_fell_out_page_lists_the_last_recheck(client, team_a):
    district = make_district(team_a)
    user = team_a.coordinator.user
    today = timezone.localdate(timezone=team_a.campaign.tzinfo)
    with scopes_disabled():
        services.signature_add(
            drive=district.drive,
            acting_user=user,
            full_name="Moving Out",
            household=district.inside[1],
            signed_on=today,
        )
        services.signature_add(
            drive=district.drive, acting_user=user, full_name="Stay Put", household=district.inside[0], signed_on=today
        )
        reversion(district, move_out=[district.inside[1]], move_in=[])
        services.signatures_recheck(campaign=team_a.campaign, acting_user=user)
    client.force_login(user)
    body = client.get(reverse("nominations:fell_out", kwargs={"campaign_slug": team_a.campaign.slug})).content.decode()
    assert "Moving Out" in body and "Stay Put" not in body
