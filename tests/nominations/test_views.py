"""The pages and API as a user meets them: who sees which sheets, fast entry, the door, the export, reminders."""

import base64
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from campaign.models import AuditEvent
from canvassing.models import Assignment, Turf
from nominations import services
from nominations.models import Signature
from nominations.reminders import behind_pace_remind
from notifications.models import Message
from tests.nominations.conftest import make_district
from tests.volunteers.test_roster_helpers import enable_mfa

pytestmark = pytest.mark.django_db
PNG = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40).decode()


def url(name, team, **kwargs):
    return reverse(f"nominations:{name}", kwargs={"campaign_slug": team.campaign.slug, **kwargs})


@pytest.fixture
def sheets(team_a, district):
    with scopes_disabled():
        made = services.sheets_create(drive=district.drive, acting_user=team_a.owner.user, first=1, count=3)
        services.sheet_checkout(sheet=made[0], membership=team_a.volunteer, acting_user=team_a.owner.user)
        services.sheet_checkout(sheet=made[1], membership=team_a.coordinator, acting_user=team_a.owner.user)
    return made


def test_volunteer_sees_only_the_sheets_checked_out_to_them(client, team_a, district, sheets):
    client.force_login(team_a.volunteer.user)
    body = client.get(url("drives", team_a)).content.decode()
    assert url("sheet_detail", team_a, code=sheets[0].code) in body
    assert url("sheet_detail", team_a, code=sheets[1].code) not in body
    assert client.get(url("sheet_detail", team_a, code=sheets[0].code)).status_code == 200
    assert client.get(url("sheet_detail", team_a, code=sheets[1].code)).status_code == 404
    assert client.get(url("sheet_detail", team_a, code=sheets[2].code)).status_code == 404
    assert client.get(url("drive_detail", team_a, code=district.drive.code)).status_code == 403
    api = reverse(
        "api:nomination-sheet-list", kwargs={"campaign_slug": team_a.campaign.slug, "code": district.drive.code}
    )
    numbers = [row["number"] for row in client.get(api).json()["results"]]
    assert numbers == [1]
    # Once returned, the sheet is gone from the volunteer's view.
    with scopes_disabled():
        services.sheet_return(sheet=sheets[0], acting_user=team_a.owner.user, location="Market")
    assert client.get(url("sheet_detail", team_a, code=sheets[0].code)).status_code == 404


def test_keyboard_entry_saves_the_line_and_clears_the_form(client, team_a, district, sheets):
    client.force_login(team_a.volunteer.user)
    today = timezone.localdate(timezone=team_a.campaign.tzinfo)
    found = client.get(url("household_search", team_a, code=district.drive.code), {"address": "Nathan 3"})
    assert str(district.inside[2].code) in found.content.decode()
    assert str(district.outside.code) not in found.content.decode()
    response = client.post(
        url("sheet_detail", team_a, code=sheets[0].code),
        {
            "full_name": "Chan Tai Man",
            "household": district.inside[2].code,
            "address": "3 Nathan Road",
            "id_fragment": "",
            "signed_on": today.isoformat(),
        },
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="entry-saved"' in body
    assert 'value="Chan Tai Man"' not in body  # cleared for the next line, the date kept
    assert f'value="{today.isoformat()}"' in body
    assert 'hx-target="#signature-rows"' in body and "Chan Tai Man" in body
    bad = client.post(
        url("sheet_detail", team_a, code=sheets[0].code),
        {
            "full_name": "Lee",
            "id_fragment": "12x",
            "signed_on": (district.drive.opens_on - dt.timedelta(days=1)).isoformat(),
        },
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 422
    assert "before the drive opened" in bad.content.decode()
    with scopes_disabled():
        saved = Signature.objects.get()
    assert saved.line == 1 and saved.sheet == sheets[0] and saved.collected_by == team_a.volunteer


def test_volunteer_cannot_search_households_without_a_sheet(client, team_a, district):
    client.force_login(team_a.volunteer.user)
    assert (
        client.get(url("household_search", team_a, code=district.drive.code), {"address": "Nathan"}).status_code == 403
    )


def test_signing_at_the_door_needs_an_assigned_turf(client, team_a, district):
    home = district.inside[0]
    client.force_login(team_a.volunteer.user)
    # 404 like the visit screen of the same household: the volunteer is not told it exists
    assert client.get(url("sign_at_door", team_a, household=home.code)).status_code == 404
    assert client.get(reverse("canvassing:visit_new", args=[team_a.campaign.slug, home.code])).status_code == 404
    with scopes_disabled():
        turf = Turf.objects.create(campaign=team_a.campaign, area=district.k1, name="North 1")
        home.turf = turf
        home.save(update_fields=["turf"])
        Assignment.objects.create(campaign=team_a.campaign, turf=turf, membership=team_a.volunteer)
    page = client.get(url("sign_at_door", team_a, household=home.code))
    assert page.status_code == 200 and "sign-pad" in page.content.decode()
    missing = client.post(
        url("sign_at_door", team_a, household=home.code), {"full_name": "Ho Ka Lok", "signature_png": ""}
    )
    assert missing.status_code == 400
    response = client.post(
        url("sign_at_door", team_a, household=home.code), {"full_name": "Ho Ka Lok", "signature_png": PNG}
    )
    assert response.status_code == 302
    with scopes_disabled():
        signature = Signature.objects.get()
    assert (
        signature.source == "door"
        and signature.household == home
        and bytes(signature.signature_png).startswith(b"\x89PNG")
    )
    # The drawing is only served to coordinators, privately.
    assert client.get(url("signature_image", team_a, code=signature.code)).status_code == 403
    client.force_login(team_a.coordinator.user)
    image = client.get(url("signature_image", team_a, code=signature.code))
    assert image["Content-Type"] == "image/png" and "no-store" in image["Cache-Control"]


def test_export_needs_mfa_is_audited_and_in_sheet_order(client, team_a, district, sheets):
    today = timezone.localdate(timezone=team_a.campaign.tzinfo)
    with scopes_disabled():
        for sheet, name in ((sheets[1], "Second Sheet"), (sheets[0], "First Sheet")):
            services.signature_add(
                drive=district.drive,
                acting_user=team_a.owner.user,
                sheet=sheet,
                full_name=name,
                household=district.inside[0],
                id_fragment="1234",
                signed_on=today,
            )
    client.force_login(team_a.coordinator.user)
    refused = client.get(url("export_csv", team_a, code=district.drive.code))
    assert refused.status_code == 403 and reverse("mfa_index") in refused.content.decode()
    enable_mfa(team_a.coordinator.user)
    with scopes_disabled():
        before = AuditEvent.objects.filter(action="nominations.exported").count()
    response = client.get(url("export_csv", team_a, code=district.drive.code))
    text = response.content.decode()
    assert response.status_code == 200
    assert text.index("First Sheet") < text.index("Second Sheet")
    assert "1234" not in text and "•••(4)" in text
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="nominations.exported").count() == before + 1


def test_api_entry_is_checked_and_idempotent(client, team_a, district, sheets):
    client.force_login(team_a.volunteer.user)
    api = reverse("api:nomination-signature-list", kwargs={"campaign_slug": team_a.campaign.slug})
    today = timezone.localdate(timezone=team_a.campaign.tzinfo).isoformat()
    payload = {
        "code": "0b8f5f0e-7c53-4a0c-9d3b-5a4b0f0e7c53",
        "sheet": str(sheets[0].code),
        "full_name": "Lee Siu Ming",
        "household": str(district.outside.code),
        "signed_on": today,
    }
    first = client.post(api, payload, content_type="application/json")
    assert first.status_code == 201 and first.json()["status"] == "at_risk" and first.json()["risks"] == ["out_of_area"]
    again = client.post(api, payload, content_type="application/json")
    assert again.status_code == 200
    other_sheet = client.post(
        api, {**payload, "code": None, "sheet": str(sheets[1].code)}, content_type="application/json"
    )
    assert other_sheet.status_code == 400  # not checked out to this volunteer
    bad = client.post(api, {**payload, "code": None, "id_fragment": "abc"}, content_type="application/json")
    assert bad.status_code == 400 and "id_fragment" in bad.json()
    review = reverse(
        "api:nomination-signature-review", kwargs={"campaign_slug": team_a.campaign.slug, "code": first.json()["code"]}
    )
    assert (
        client.post(review, {"decision": "struck", "reason": "x"}, content_type="application/json").status_code == 403
    )
    with scopes_disabled():
        assert Signature.objects.count() == 1
    client.force_login(team_a.coordinator.user)
    progress = reverse(
        "api:nomination-drive-progress", kwargs={"campaign_slug": team_a.campaign.slug, "code": district.drive.code}
    )
    data = client.get(progress).json()
    assert (data["collected"], data["at_risk"], data["target"]) == (1, 1, 15)


def test_drive_pages_run_a_fixed_number_of_queries(client, team_a, district, sheets):
    today = timezone.localdate(timezone=team_a.campaign.tzinfo)
    client.force_login(team_a.coordinator.user)
    client.get(url("drives", team_a))  # the first request of a session records it; not what is measured
    pages = [url(n, team_a, code=district.drive.code) for n in ("drive_detail", "signatures", "sheets")]
    pages += [url("sheet_detail", team_a, code=sheets[2].code), url("drives", team_a)]
    counts = {}
    for size in (2, 20):
        with scopes_disabled():
            for n in range(size):
                services.signature_add(
                    drive=district.drive,
                    acting_user=team_a.owner.user,
                    sheet=sheets[2],
                    full_name=f"Person {size} {n}",
                    household=district.inside[n % 5],
                    id_fragment=f"{n:04d}",
                    signed_on=today,
                )
        for page in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(page).status_code == 200
            counts[(page, size)] = len(queries)
    for page in pages:
        assert counts[(page, 2)] == counts[(page, 20)] <= 20, page


def test_behind_pace_reminder_once_per_coordinator_per_day(team_a):
    today = timezone.localdate(timezone=team_a.campaign.tzinfo)
    district = make_district(
        team_a, required=100, opens_on=today - dt.timedelta(days=10), deadline=today + dt.timedelta(days=10)
    )
    assert behind_pace_remind(campaign=team_a.campaign) == 2  # owner and coordinator
    assert behind_pace_remind(campaign=team_a.campaign) == 2  # same rows: dedupe keys
    with scopes_disabled():
        messages = Message.objects.filter(template="nominations/behind_pace")
        assert messages.count() == 2
        assert {m.to for m in messages} == {team_a.owner.user.email, team_a.coordinator.user.email}
    # A drive on pace gets no reminder.
    with scopes_disabled():
        services.drive_update(drive=district.drive, acting_user=team_a.owner.user, required=1)
        for n in range(2):
            services.signature_add(
                drive=district.drive,
                acting_user=team_a.owner.user,
                full_name=f"P {n}",
                household=district.inside[n],
                signed_on=today,
            )
        Message.objects.all().delete()
    assert behind_pace_remind(campaign=team_a.campaign) == 0
