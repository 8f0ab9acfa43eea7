"""CSV import of volunteers: upload, a preview of every row, and an all-or-nothing apply."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope, scopes_disabled

from campaign.models import AuditEvent, Person, PersonTag, Tag
from tests.factories import MembershipFactory
from tests.volunteers.test_roster_helpers import make_volunteer, url
from volunteers import services_roster
from volunteers.models import Skill, Volunteer

pytestmark = pytest.mark.django_db

ENGLISH = (
    "given_name,family_name,email,phone,language,neighbourhood,skills,tshirt_size,weekdays,evenings,weekends,tags\n"
    "Ada,Lovelace,ada@example.test,+852 9123 4567,en,Mong Kok,Driving;Events,M,yes,no,yes,Saturday; Drivers\n"
    'Grace,Hopper,grace@example.test,,english,"Sham Shui Po, north",,XL,,y,,\n'
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def coordinator_client(client, team_a):
    client.force_login(team_a.coordinator.user)
    with scope(campaign=team_a.campaign.pk):
        for i, name in enumerate(("Canvassing", "Driving", "Events")):
            Skill.objects.create(campaign=team_a.campaign, name=name, position=i)
    return client


def upload(client, campaign, content: bytes | str, name: str = "volunteers.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post(url("import", campaign), {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def batch_files(media: Path) -> list[Path]:
    return list(media.glob("imports/*/*.json"))


def counts() -> dict[str, int]:
    with scopes_disabled():
        return {
            "people": Person.objects.count(),
            "volunteers": Volunteer.objects.count(),
            "tags": Tag.objects.count(),
            "person_tags": PersonTag.objects.count(),
            "imports": AuditEvent.objects.filter(action="volunteers.imported").count(),
        }


def test_upload_preview_apply(coordinator_client, team_a, media):
    c = team_a.campaign
    response = upload(coordinator_client, c, ENGLISH)
    assert response.status_code == 302
    preview_url = response["Location"]
    assert re.fullmatch(rf"{url('import', c)}[0-9a-f-]{{36}}/", preview_url)
    assert len(batch_files(media)) == 1

    preview = coordinator_client.get(preview_url)
    html = preview.content.decode()
    assert preview.status_code == 200
    assert html.count('data-testid="preview-row"') == 2
    assert re.search(r'data-testid="count-new">2<', html) and re.search(r'data-testid="count-invalid">0<', html)
    assert counts()["volunteers"] == 0  # the preview writes nothing

    response = coordinator_client.post(preview_url, {"action": "apply"})
    assert response.status_code == 302 and response["Location"] == url("roster", c)
    with scope(campaign=c.pk):
        ada = Volunteer.objects.select_related("person").get(person__email="ada@example.test")
        assert (ada.person.given_name, ada.person.family_name, str(ada.person.phone)) == (
            "Ada",
            "Lovelace",
            "+85291234567",
        )
        assert ada.person.language == "en" and ada.person.neighbourhood == "Mong Kok"
        assert set(ada.skills.values_list("name", flat=True)) == {"Driving", "Events"}
        assert (ada.available_weekdays, ada.available_evenings, ada.available_weekends) == (True, False, True)
        assert ada.tshirt_size == "M" and ada.source == "import" and ada.status == "new"
        assert set(ada.person.tags.values_list("name", flat=True)) == {"Saturday", "Drivers"}
        grace = Volunteer.objects.select_related("person").get(person__email="grace@example.test")
        assert grace.person.neighbourhood == "Sham Shui Po, north" and grace.available_evenings
        event = AuditEvent.objects.get(action="volunteers.imported")
        assert event.data["new"] == 2 and event.data["rows"] == 2 and event.actor == team_a.coordinator.user
        assert "ada" not in str(event.data).lower()
    assert batch_files(media) == []  # applied: the upload is gone
    assert coordinator_client.get(preview_url).status_code == 404


def test_utf8_with_bom(coordinator_client, team_a):
    response = upload(coordinator_client, team_a.campaign, "\ufeff" + ENGLISH)
    coordinator_client.post(response["Location"], {"action": "apply"})
    with scopes_disabled():
        assert Person.objects.filter(given_name="Ada").exists()  # the BOM did not stick to the header


def test_gb18030_file_with_chinese_headers(coordinator_client, team_a):
    text = (
        "名,姓,邮箱,手机,语言,社区,技能,T恤尺码,可用时间,标签\n"
        "伟,张,zhang.wei@example.test,+86 138 0013 8000,中文,深水埗,Canvassing、Driving,L,工作日、周末,街站\n"
        "芳,王,,+852 6123 4567,简体中文,旺角,,S,晚上,\n"
    )
    response = upload(coordinator_client, team_a.campaign, text.encode("gb18030"))
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = coordinator_client.get(response["Location"]).content.decode()
    assert "张伟" in preview and "王芳" in preview
    coordinator_client.post(response["Location"], {"action": "apply"})
    with scope(campaign=team_a.campaign.pk):
        wei = Volunteer.objects.select_related("person").get(person__given_name="伟")
        assert wei.person.family_name == "张" and wei.person.neighbourhood == "深水埗"
        assert wei.person.language == "zh-hans" and str(wei.person.phone) == "+8613800138000"
        assert set(wei.skills.values_list("name", flat=True)) == {"Canvassing", "Driving"}
        assert wei.available_weekdays and wei.available_weekends and not wei.available_evenings
        assert list(wei.person.tags.values_list("name", flat=True)) == ["街站"]
        fang = Volunteer.objects.select_related("person").get(person__given_name="芳")
        assert fang.available_evenings and fang.tshirt_size == "S" and fang.person.email == ""


def test_every_row_error_is_listed_and_nothing_is_applied(coordinator_client, team_a, media):
    text = (
        "given_name,family_name,email,phone,skills,tshirt_size,weekends\n"
        "Ok,Row,ok@example.test,,,,\n"  # line 2: fine
        "Bad,Email,not-an-email,,,,\n"  # 3
        "Bad,Phone,,12345,,,\n"  # 4
        "Bad,Skill,skill@example.test,,Juggling,,\n"  # 5
        "Bad,Size,size@example.test,,,XXXXL,\n"  # 6
        "Twin,Row,ok@example.test,,,,\n"  # 7: same email as line 2
        ",Nameless,nameless@example.test,,,,\n"  # 8
        "No,Contact,,,,,\n"  # 9
        "Bad,Yes,yes@example.test,,,,perhaps\n"  # 10
    )
    before = counts()
    response = upload(coordinator_client, team_a.campaign, text)
    preview_url = response["Location"]
    html = coordinator_client.get(preview_url).content.decode()
    assert re.search(r'data-testid="count-invalid">8<', html)
    assert 'data-testid="import-blocked"' in html
    assert 'value="apply"' not in html  # no button to apply a file with errors
    for message in (
        "“not-an-email” is not a valid email address.",
        "“12345” is not a valid phone number.",
        "Unknown skill “Juggling”.",
        "Unknown T-shirt size “XXXXL”.",
        "The same email as line 2.",
        "The given name is missing.",
        "An email or a phone number is needed.",
        "write yes or no, not “perhaps”.",
    ):
        assert message in html, message
    errors_only = coordinator_client.get(preview_url, {"show": "errors"}).content.decode()
    assert errors_only.count('data-testid="preview-row"') == 8

    response = coordinator_client.post(preview_url, {"action": "apply"})  # applied anyway, e.g. by a stale page
    assert response.status_code == 400
    assert "Nothing was imported" in response.content.decode()
    assert counts() == before
    assert len(batch_files(media)) == 1  # still there to look at


def test_existing_people_are_updated_not_duplicated(coordinator_client, team_a):
    c = team_a.campaign
    volunteer = make_volunteer(
        c,
        given="Old",
        family="Name",
        email="kept@example.test",
        phone="+85291230001",
        tshirt_size="S",
        neighbourhood="Tai Po",
    )
    with scope(campaign=c.pk):
        contact = Person.objects.create(campaign=c, given_name="Contact", phone="+85291230002")
    text = (
        "given_name,family_name,email,phone,neighbourhood,tshirt_size\n"
        "New,Name,KEPT@example.test,,,L\n"  # the volunteer, by email in another case; empty cells keep values
        "Con,Tact,contact@example.test,+852 9123 0002,Yuen Long,\n"  # the contact, by phone
    )
    response = upload(coordinator_client, c, text)
    html = coordinator_client.get(response["Location"]).content.decode()
    assert "updates Old Name" in html and "becomes a volunteer: Contact" in html
    coordinator_client.post(response["Location"], {"action": "apply"})
    with scope(campaign=c.pk):
        assert Person.objects.count() == 2 and Volunteer.objects.count() == 2
        volunteer.refresh_from_db()
        person = Person.objects.get(pk=volunteer.person_id)
        assert (person.given_name, person.email, person.neighbourhood) == ("New", "KEPT@example.test", "Tai Po")
        assert str(person.phone) == "+85291230001" and volunteer.tshirt_size == "L"
        linked = Volunteer.objects.get(person=contact)
        assert linked.source == "import"
        contact.refresh_from_db()
        assert contact.email == "contact@example.test" and contact.neighbourhood == "Yuen Long"
        event = AuditEvent.objects.get(action="volunteers.imported")
        assert (event.data["new"], event.data["updated"], event.data["linked"]) == (0, 1, 1)


def test_email_and_phone_of_two_different_people_is_an_error(coordinator_client, team_a):
    make_volunteer(team_a.campaign, email="one@example.test", phone="+85291230011")
    make_volunteer(team_a.campaign, email="two@example.test", phone="+85291230022")
    response = upload(coordinator_client, team_a.campaign, "given_name,email,phone\nX,one@example.test,+85291230022\n")
    html = coordinator_client.get(response["Location"]).content.decode()
    assert "who are different people here" in html


def test_formula_looking_cells_are_stored_as_the_text_they_are(coordinator_client, team_a):
    text = (
        "given_name,family_name,email,neighbourhood\n"
        '"=HYPERLINK(""http://evil.test"",""x"")",+1,formula@example.test,@SUM(A1:A9)\n'
        "-2+3,=1+1,minus@example.test,=cmd|' /C calc'!A0\n"
    )
    response = upload(coordinator_client, team_a.campaign, text)
    coordinator_client.post(response["Location"], {"action": "apply"})
    with scopes_disabled():
        first = Person.objects.get(email="formula@example.test")
        assert first.given_name == '=HYPERLINK("http://evil.test","x")'
        assert first.family_name == "+1" and first.neighbourhood == "@SUM(A1:A9)"
        second = Person.objects.get(email="minus@example.test")
        assert (second.given_name, second.family_name) == ("-2+3", "=1+1")
        assert second.neighbourhood == "=cmd|' /C calc'!A0"


def test_apply_checks_again_and_applies_nothing_if_the_roster_changed(coordinator_client, team_a, media):
    response = upload(coordinator_client, team_a.campaign, ENGLISH)
    with scope(campaign=team_a.campaign.pk):
        Skill.objects.filter(name="Events").delete()  # a skill Ada's row names is removed meanwhile
    before = counts()
    response = coordinator_client.post(response["Location"], {"action": "apply"})
    assert response.status_code == 400
    assert "Unknown skill “Events”." in response.content.decode()
    assert counts() == before


def test_a_failure_half_way_rolls_everything_back(coordinator_client, team_a, monkeypatch):
    response = upload(coordinator_client, team_a.campaign, ENGLISH)

    def broken_audit(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services_roster, "log_action", broken_audit)
    before = counts()
    with pytest.raises(RuntimeError):
        coordinator_client.post(response["Location"], {"action": "apply"})
    assert counts() == before


def test_discard(coordinator_client, team_a, media):
    response = upload(coordinator_client, team_a.campaign, ENGLISH)
    discard = coordinator_client.post(response["Location"], {"action": "discard"})
    assert discard["Location"] == url("import", team_a.campaign)
    assert batch_files(media) == [] and counts()["volunteers"] == 0


def test_an_upload_belongs_to_its_uploader(coordinator_client, team_a, client):
    response = upload(coordinator_client, team_a.campaign, ENGLISH)
    with scopes_disabled():
        colleague = MembershipFactory(campaign=team_a.campaign, role="coordinator")
    client.force_login(colleague.user)
    assert client.get(response["Location"]).status_code == 404
    assert client.post(response["Location"], {"action": "apply"}).status_code == 404
    assert counts()["volunteers"] == 0


BAD_FILES = [
    ("volunteers.xlsx", b"PK\x03\x04rest-of-a-zip", "Upload a .csv file."),
    ("volunteers.csv", b"PK\x03\x04rest-of-a-zip", "spreadsheet workbook, not a CSV file"),
    ("volunteers.csv", b"\x7fELF\x02\x01\x00\x00binary", "This is not a CSV file."),
    ("volunteers.csv", b"", "The file is empty."),
    ("volunteers.csv", b"\xef\xbb\xbf\r\n", "The file is empty."),
    ("volunteers.csv", b"given_name,email\n", "The file has a header but no rows."),
    ("volunteers.csv", b"given_name,email\nA\xff\xfe\x81 ,a@example.test\n", "characters cannot be read"),
    ("volunteers.csv", "given_name,email\nA,a@example.test\n".encode("utf-16"), "This file is UTF-16."),
    ("volunteers.csv", b"name,email\nA,a@example.test\n", "needs a column for the given name"),
    ("volunteers.csv", b"given_name,neighbourhood\nA,Tai Po\n", "needs a column for the email"),
    ("volunteers.csv", b"given_name,email,Email\nA,a@example.test,b@example.test\n", "both mean email"),
    ("volunteers.csv", b'given_name,email\nA,a@example.test\n"B,b@example.test\n', "Line 3 cannot be read"),
    ("volunteers.csv", b'given_name,email\nA,"a"x@example.test\n', "Line 2 cannot be read"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[m for _n, _c, m in BAD_FILES])
def test_a_bad_file_is_refused_with_a_clear_message(coordinator_client, team_a, media, name, content, message):
    before = counts()
    response = upload(coordinator_client, team_a.campaign, content, name=name)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'id="id_file_errors"' in html
    assert batch_files(media) == [] and counts() == before


def test_a_file_over_5_mb_is_refused(coordinator_client, team_a, media):
    row = "Ada,ada@example.test," + "x" * 80 + "\n"
    content = ("given_name,email,notes\n" + row * (5 * 1024 * 1024 // len(row) + 1)).encode()
    response = upload(coordinator_client, team_a.campaign, content)
    assert response.status_code == 400 and "larger than 5 MB" in response.content.decode()
    assert batch_files(media) == []


def test_too_many_rows_is_refused(coordinator_client, team_a, media, monkeypatch):
    from volunteers import importing

    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    content = "given_name,email\n" + "".join(f"P{i},p{i}@example.test\n" for i in range(4))
    response = upload(coordinator_client, team_a.campaign, content)
    assert response.status_code == 400 and "more than 3 rows" in response.content.decode()


def test_semicolon_separated_and_extra_cells(coordinator_client, team_a):
    text = "given_name;family_name;email\nAda;Lovelace;ada@example.test\nBob;Lee;bob@example.test;surplus\n"
    response = upload(coordinator_client, team_a.campaign, text)
    html = coordinator_client.get(response["Location"]).content.decode()
    assert "This row has more cells than the header" in html
    assert re.search(r'data-testid="count-invalid">1<', html) and re.search(r'data-testid="count-new">1<', html)
