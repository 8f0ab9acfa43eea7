"""What a campaign would hit: a form sent twice, a client code reused, a drive with the in-area rule off,
out-of-range sheet numbers, ID digits in another script, "today" in the campaign's time zone, and a
volunteer reaching only the sheets checked out to them."""

import datetime as dt
import uuid
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from canvassing.models import Assignment, Turf
from nominations import services, validation
from nominations.models import Risk, Sheet, Signature
from tests.nominations.conftest import make_district
from tests.nominations.test_views import PNG

pytestmark = pytest.mark.django_db


def url(name, team, **kwargs):
    return reverse(f"nominations:{name}", kwargs={"campaign_slug": team.campaign.slug, **kwargs})


def api(name, team, **kwargs):
    return reverse(f"api:{name}", kwargs={"campaign_slug": team.campaign.slug, **kwargs})


@pytest.fixture
def held(team_a, district):
    """Sheet 1 checked out to the volunteer, sheet 2 to the coordinator."""
    with scopes_disabled():
        sheets = services.sheets_create(drive=district.drive, acting_user=team_a.owner.user, first=1, count=2)
        services.sheet_checkout(sheet=sheets[0], membership=team_a.volunteer, acting_user=team_a.owner.user)
        services.sheet_checkout(sheet=sheets[1], membership=team_a.coordinator, acting_user=team_a.owner.user)
    return sheets


def test_entry_form_sent_twice_saves_one_line(client, team_a, district, held):
    client.force_login(team_a.volunteer.user)
    page = client.get(url("sheet_detail", team_a, code=held[0].code)).content.decode()
    assert 'name="code" value="' in page
    today = timezone.localdate(timezone=team_a.campaign.tzinfo)
    form = {
        "code": str(uuid.uuid4()),
        "full_name": "Chan Tai Man",
        "address": "77 Unknown Street",
        "signed_on": today.isoformat(),
    }
    first = client.post(url("sheet_detail", team_a, code=held[0].code), form, HTTP_HX_REQUEST="true")
    again = client.post(url("sheet_detail", team_a, code=held[0].code), form, HTTP_HX_REQUEST="true")
    assert "Line 1 saved." in first.content.decode() and 'hx-target="#signature-rows"' in first.content.decode()
    body = again.content.decode()
    assert again.status_code == 200 and "Line 1 was already saved." in body
    assert 'hx-target="#signature-rows"' not in body  # the row is not added to the table a second time
    # Each answer carries a fresh code for the next line.
    sent = f'name="code" value="{form["code"]}"'
    assert 'name="code" value="' in body and sent not in first.content.decode() and sent not in body
    # Without htmx (a double click on a plain form) the same.
    plain = client.post(url("sheet_detail", team_a, code=held[0].code), form)
    assert plain.status_code == 302
    with scopes_disabled():
        assert Signature.objects.count() == 1


def test_door_form_sent_twice_saves_one_signature(client, team_a, district):
    home = district.inside[0]
    client.force_login(team_a.coordinator.user)
    form = {"full_name": "Ho Ka Lok", "signature_png": PNG, "code": str(uuid.uuid4())}
    assert client.post(url("sign_at_door", team_a, household=home.code), form).status_code == 302
    assert client.post(url("sign_at_door", team_a, household=home.code), form).status_code == 302
    with scopes_disabled():
        assert Signature.objects.filter(source=Signature.Source.DOOR).count() == 1


def test_api_code_of_a_signature_on_someone_elses_sheet_is_refused_not_leaked(client, team_a, district, held):
    today = timezone.localdate(timezone=team_a.campaign.tzinfo)
    with scopes_disabled():
        theirs = services.signature_add(
            drive=district.drive,
            acting_user=team_a.coordinator.user,
            sheet=held[1],
            full_name="Secret Signer",
            household=district.inside[0],
            signed_on=today,
        )
    client.force_login(team_a.volunteer.user)
    response = client.post(
        api("nomination-signature-list", team_a),
        {"code": str(theirs.code), "sheet": str(held[0].code), "full_name": "Someone", "signed_on": str(today)},
        content_type="application/json",
    )
    assert response.status_code == 400 and "code" in response.json()
    assert "Secret Signer" not in response.content.decode()
    assert client.get(api("nomination-signature-detail", team_a, code=theirs.code)).status_code == 404
    listed = client.get(api("nomination-signature-list", team_a)).json()["results"]
    assert listed == []
    with scopes_disabled():
        assert Signature.objects.count() == 1


def test_volunteer_searches_households_only_for_the_drive_of_a_sheet_they_hold(client, team_a, district, held):
    with scopes_disabled():
        other = services.drive_create(
            campaign=team_a.campaign,
            acting_user=team_a.owner.user,
            office="Other seat",
            area_key="K2",
            required=5,
            opens_on=district.drive.opens_on,
            deadline=district.drive.deadline,
        )
    client.force_login(team_a.volunteer.user)
    mine = client.get(url("household_search", team_a, code=district.drive.code), {"address": "Nathan"})
    assert mine.status_code == 200 and str(district.inside[0].code) in mine.content.decode()
    assert client.get(url("household_search", team_a, code=other.code), {"address": "Jordan"}).status_code == 403


def test_drive_with_the_in_area_rule_off(client, team_a):
    """Anyone may sign: the household search covers every household, the door offers the drive at a
    household of another area (or of none), and nothing is at risk for where the signer lives."""
    district = make_district(team_a, check_area=False)
    client.force_login(team_a.coordinator.user)
    found = client.get(url("household_search", team_a, code=district.drive.code), {"address": "Harbour"})
    assert str(district.nowhere.code) in found.content.decode()
    found = client.get(url("household_search", team_a, code=district.drive.code), {"address": "Jordan"})
    assert str(district.outside.code) in found.content.decode()
    for home in (district.outside, district.nowhere):
        page = client.get(url("sign_at_door", team_a, household=home.code))
        assert 'data-testid="door-form"' in page.content.decode()
        response = client.post(
            url("sign_at_door", team_a, household=home.code), {"full_name": f"Signer {home.pk}", "signature_png": PNG}
        )
        assert response.status_code == 302
    with scopes_disabled():
        saved = list(Signature.objects.order_by("pk"))
    assert [(s.household, s.risks, s.status) for s in saved] == [
        (district.outside, [], Signature.Status.LIKELY_VALID),
        (district.nowhere, [], Signature.Status.LIKELY_VALID),
    ]
    # With the rule on, the household outside every area has no drive to sign at the door.
    with scopes_disabled():
        services.drive_update(drive=district.drive, acting_user=team_a.owner.user, check_area=True)
        saved[1].refresh_from_db()
    assert saved[1].risks == [Risk.OUT_OF_AREA]
    assert (
        'data-testid="no-drive"'
        in client.get(url("sign_at_door", team_a, household=district.nowhere.code)).content.decode()
    )


def test_sheet_numbers_beyond_the_largest_are_refused(client, team_a, district):
    client.force_login(team_a.coordinator.user)
    response = client.post(
        api("nomination-sheet-list", team_a, code=district.drive.code),
        {"first": 2_147_483_647, "count": 5},
        content_type="application/json",
    )
    assert response.status_code == 400 and "first" in response.json()
    with scopes_disabled():
        assert Sheet.objects.count() == 0


def test_id_digits_in_another_script_are_refused_full_width_ones_read():
    with pytest.raises(Exception) as error:
        validation.clean_id_fragment("١٢٣٤", length=4)
    assert "id_fragment" in error.value.message_dict
    assert validation.clean_id_fragment("１２３（４）", length=4) == "1234"
    assert validation.clean_id_fragment("123a", length=4) == "123A"


def test_date_signed_follows_the_campaign_time_zone(client, team_a, monkeypatch):
    """At 20:00 UTC it is already tomorrow morning in Auckland: the door signature is dated with the
    campaign's day, and a sheet dated that day is not "in the future"."""
    with scopes_disabled():
        team_a.campaign.time_zone = "Pacific/Auckland"
        team_a.campaign.save(update_fields=["time_zone"])
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")
    moment = dt.datetime(2026, 11, 20, 20, 0, tzinfo=dt.UTC)
    local_day = moment.astimezone(auckland).date()
    assert local_day == dt.date(2026, 11, 21)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    district = make_district(team_a, opens_on=dt.date(2026, 11, 1), deadline=dt.date(2026, 12, 31))
    home = district.inside[0]
    with scopes_disabled():
        turf = Turf.objects.create(campaign=team_a.campaign, area=district.k1, name="North 1")
        home.turf = turf
        home.save(update_fields=["turf"])
        Assignment.objects.create(campaign=team_a.campaign, turf=turf, membership=team_a.volunteer)
        sheet = services.sheets_create(drive=district.drive, acting_user=team_a.owner.user, first=1, count=1)[0]
        services.sheet_checkout(sheet=sheet, membership=team_a.volunteer, acting_user=team_a.owner.user)
    client.force_login(team_a.volunteer.user)
    assert (
        f'value="{local_day.isoformat()}"' in client.get(url("sheet_detail", team_a, code=sheet.code)).content.decode()
    )
    client.post(url("sign_at_door", team_a, household=home.code), {"full_name": "Door Signer", "signature_png": PNG})
    typed = client.post(
        url("sheet_detail", team_a, code=sheet.code),
        {"full_name": "Sheet Signer", "address": "1 Nathan Road", "signed_on": local_day.isoformat()},
    )
    assert typed.status_code == 302
    tomorrow = client.post(
        url("sheet_detail", team_a, code=sheet.code),
        {"full_name": "Too Early", "signed_on": (local_day + dt.timedelta(days=1)).isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert tomorrow.status_code == 422 and "in the future" in tomorrow.content.decode()
    with scopes_disabled():
        assert {s.full_name: s.signed_on for s in Signature.objects.all()} == {
            "Door Signer": local_day,
            "Sheet Signer": local_day,
        }
