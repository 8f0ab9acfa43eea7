"""The household file import: what a coordinator sees and what ends up in the database."""

import io

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import Workbook

from campaign.models import Job, Person
from canvassing import importing
from canvassing.models import ADDRESS_KEY_PARTS, Household, ImportBatch, Resident, address_derived
from notifications.models import Message
from tests.canvassing.households_helpers import apply, check, import_file, upload
from tests.isolation.test_matrix import table_checksums

pytestmark = pytest.mark.django_db

CSV = (
    "External ID,District,Street,House number,Building,Floor,Unit,Postcode,Latitude,Longitude,Resident,Age band,Phone\n"
    "H1,Eastern,King's Road,88,Harbour Heights,12,A,,22.291,114.201,Ada Lovelace,30-44,+852 9123 4567\n"
    "H2,Eastern,King's Road,90,,,,,22.292,114.202,,,\n"
    'H3,Eastern,=HYPERLINK("http://x"),7,@SUM(A1),,,,,,陈大文;李小明,65+;18-29,\n'
    "H1,Eastern,King's Road,88,Harbour Heights,12,A,,22.291,114.201,Bob Lovelace,,\n"
)


@pytest.fixture(autouse=True)
def _private_var(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def _households(team):
    with scope(campaign=team.campaign.pk):
        return list(Household.objects.filter(campaign=team.campaign).order_by("external_id"))


def test_csv_import_creates_households_and_residents(team_a, django_capture_on_commit_callbacks):
    batch = upload(team_a, CSV.encode())
    assert batch.encoding == "utf-8"
    assert batch.mapping["0"] == "external_id" and batch.mapping["10"] == "resident_name"
    batch = check(team_a, batch, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.VALID, batch.errors
    assert (batch.total_rows, batch.household_rows, batch.resident_rows) == (4, 4, 4)
    batch = apply(team_a, batch, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.DONE, batch.message
    assert (batch.created_count, batch.updated_count, batch.residents_created) == (3, 0, 4)
    h1, _h2, h3 = _households(team_a)
    assert h1.house_number_value == 88 and h1.parity == 0 and h1.latitude == pytest.approx(22.291)
    assert h1.source == Household.Source.IMPORT and not h1.needs_review
    # formula-looking cells are kept as the text they are
    assert h3.street == '=HYPERLINK("http://x")' and h3.building == "@SUM(A1)"
    with scope(campaign=team_a.campaign.pk):
        names = sorted(r.person.full_name for r in Resident.objects.filter(household=h1).select_related("person"))
        assert names == ["Ada Lovelace", "Bob Lovelace"]
        ada = Person.objects.get(given_name="Ada")
        assert str(ada.phone) == "+85291234567"
        assert sorted(Resident.objects.filter(household=h3).values_list("age_band", flat=True)) == ["18-29", "65+"]
        # the coordinator is told by email, and the job says it is done
        assert Message.objects.filter(to=team_a.coordinator.user.email, template="canvassing/import_done").exists()
        assert batch.job.status == Job.Status.DONE


def test_reimport_updates_instead_of_duplicating(team_a, django_capture_on_commit_callbacks):
    import_file(team_a, CSV.encode(), django_capture_on_commit_callbacks)
    changed = CSV.replace("H2,Eastern,King's Road,90,", "H2,Eastern,King's Road,92,").replace("+852 9123 4567", "")
    changed += "H4,Eastern,Java Road,1,,,,,,,,,\n"
    batch = import_file(team_a, changed.encode(), django_capture_on_commit_callbacks)
    assert (batch.created_count, batch.updated_count, batch.residents_created) == (1, 3, 0)
    households = _households(team_a)
    assert [h.external_id for h in households] == ["H1", "H2", "H3", "H4"]
    assert households[1].house_number == "92"
    with scope(campaign=team_a.campaign.pk):
        assert Resident.objects.filter(campaign=team_a.campaign).count() == 4
        assert Person.objects.filter(campaign=team_a.campaign).count() == 4
        assert str(Person.objects.get(given_name="Ada").phone) == "+85291234567"  # an empty cell keeps the phone


def test_reimport_without_ids_matches_the_normalised_address(team_a, django_capture_on_commit_callbacks):
    import_file(team_a, b"street,house number,unit\nKing's Road,88,A\n", django_capture_on_commit_callbacks)
    batch = import_file(
        team_a, "街道,门牌号,单位\n  KING'S   ROAD ,８８,a.\n".encode(), django_capture_on_commit_callbacks
    )
    assert (batch.created_count, batch.updated_count) == (0, 1)
    assert len(_households(team_a)) == 1


def test_gb18030_with_chinese_headers(team_a, django_capture_on_commit_callbacks):
    text = (
        "编号,区,街道,门牌号,楼宇,楼层,单位,邮编,纬度,经度,住户\n"
        "A-1,东区,英皇道,233,北角大厦,5,B,,22.29,114.20,陈大文\n"
    )
    batch = upload(team_a, text.encode("gb18030"))
    assert batch.encoding == "gb18030"
    assert set(batch.mapping.values()) >= {"external_id", "district", "street", "house_number", "building", "floor"}
    batch = apply(team_a, check(team_a, batch, django_capture_on_commit_callbacks), django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.DONE
    (household,) = _households(team_a)
    assert (household.street, household.building, household.district) == ("英皇道", "北角大厦", "东区")
    with scope(campaign=team_a.campaign.pk):
        assert household.residents.get().person.full_name == "陈大文"


def test_xlsx_import_keeps_formulas_as_text(team_a, django_capture_on_commit_callbacks):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["street", "house number", "floor", "latitude", "longitude"])
    sheet.append(["Java Road", 12, 3, 22.29, 114.2])
    sheet.append(["=1+1", "+5", "-2", None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    batch = import_file(team_a, buffer.getvalue(), django_capture_on_commit_callbacks, filename="list.xlsx")
    assert batch.file_format == "xlsx" and batch.created_count == 2
    streets = {h.street: h for h in _households(team_a)}
    assert streets["Java Road"].house_number == "12" and streets["Java Road"].floor == "3"
    assert streets["=1+1"].house_number == "+5" and streets["=1+1"].floor == "-2"


def test_user_can_change_the_mapping(team_a, django_capture_on_commit_callbacks):
    batch = upload(team_a, b"col a,col b\nJava Road,12\n")
    assert batch.mapping == {}
    batch = check(team_a, batch, django_capture_on_commit_callbacks, mapping={"0": "street", "1": "house_number"})
    assert batch.status == ImportBatch.Status.VALID
    apply(team_a, batch, django_capture_on_commit_callbacks)
    assert _households(team_a)[0].house_number == "12"


# Malformed files: nothing changes, and the rows are reported --------------------------------------------


def test_undecodable_file_is_refused_at_upload(team_a):
    before = table_checksums()
    with pytest.raises(ValidationError) as error:
        upload(team_a, b"street,number\n\x80\xff\x80 road,1\n")
    assert "UTF-8" in " ".join(error.value.messages)
    assert table_checksums() == before


def test_bad_bytes_after_the_sniffed_part_are_reported_with_their_row(
    team_a, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(importing, "SNIFF_BYTES", 64)
    data = b"street,number\n" + b"".join(b"Road %d,%d\n" % (n, n) for n in range(2, 40)) + b"Bad \xff road,1\n"
    batch = upload(team_a, data)
    before = table_checksums()
    batch = check(team_a, batch, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.errors[0]["row"] == 40 and "UTF-8" in batch.errors[0]["message"]
    with pytest.raises(ValidationError):
        apply(team_a, batch, django_capture_on_commit_callbacks)
    after = table_checksums()
    assert {
        k: v for k, v in after.items() if k not in ("canvassing.ImportBatch", "campaign.Job", "notifications.Message")
    } == {
        k: v for k, v in before.items() if k not in ("canvassing.ImportBatch", "campaign.Job", "notifications.Message")
    }
    assert _households(team_a) == []


def test_missing_columns_are_refused_before_checking(team_a, django_capture_on_commit_callbacks):
    batch = upload(team_a, b"name,phone\nAda,+85291234567\n")
    with pytest.raises(ValidationError) as error:
        check(team_a, batch, django_capture_on_commit_callbacks)
    assert "street" in " ".join(error.value.messages)
    with scopes_disabled():
        assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.UPLOADED
    assert _households(team_a) == []


def test_unbalanced_quotes_report_the_line(team_a, django_capture_on_commit_callbacks):
    data = b"street,number\nJava Road,1\n\"King's Road,2\nMarble Road,3\n"
    batch = check(team_a, upload(team_a, data), django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.errors[-1]["row"] == 3 and "quotation mark" in batch.errors[-1]["message"]
    assert not batch.can_apply
    assert _households(team_a) == []


def test_row_errors_are_listed_and_counted(team_a, django_capture_on_commit_callbacks):
    data = (
        b"id,street,number,latitude,longitude,resident,phone,age\n"
        b"1,Java Road,1,91,114,,,\n"
        b"2,,,,,,,\n"
        b"3,Java Road,3,22.3,,,,\n"
        b"4,Java Road,4,,,,12,\n"
        b"5,Java Road,5,,,Ada,not a phone,\n"
        b"6,Java Road,6,,,Bo,,elderly\n"
        b"9,Java Road,7,,,,,\n"
        b"8,Java Road,8,,,,,,extra\n"
        b"9,Java Road,9,,,,,\n"
    )
    before = table_checksums()
    batch = check(team_a, upload(team_a, data), django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.total_rows == 9
    assert sorted({error["row"] for error in batch.errors}) == [2, 3, 4, 5, 6, 7, 9, 10]
    assert "different address" in batch.errors[-1]["message"]
    assert batch.error_count == 8
    changed = {k for k in table_checksums() if table_checksums()[k] != before.get(k)}
    assert changed <= {"canvassing.ImportBatch", "campaign.Job", "notifications.Message", "campaign.AuditEvent"}
    assert _households(team_a) == []


def test_apply_that_clashes_changes_nothing(team_a, django_capture_on_commit_callbacks):
    import_file(team_a, b"id,street,number\nA,Java Road,1\nB,Java Road,2\n", django_capture_on_commit_callbacks)
    before = [(h.external_id, h.house_number) for h in _households(team_a)]
    # A now claims B's address: two households would become one
    batch = check(
        team_a, upload(team_a, b"id,street,number\nA,Java Road,2\nC,Java Road,3\n"), django_capture_on_commit_callbacks
    )
    assert batch.status == ImportBatch.Status.VALID
    batch = apply(team_a, batch, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.FAILED and "2" in batch.message
    assert [(h.external_id, h.house_number) for h in _households(team_a)] == before
    with scopes_disabled():
        assert batch.job.status == Job.Status.FAILED
        assert Message.objects.filter(template="canvassing/import_failed").exists()


@pytest.mark.slow
def test_fifty_megabyte_file_with_one_bad_row(team_a, django_capture_on_commit_callbacks, tmp_path):
    row = (
        "Harbour Heights Tower,King's Road,{n},Eastern District,12,A,22.29,114.20,Resident {n},45-64,notes " + "x" * 20
    )
    lines = ["building,street,house number,district,floor,unit,latitude,longitude,resident,age band,resident notes"]
    size, n = 0, 0
    while size < 50 * 1024 * 1024:
        n += 1
        line = row.format(n=n)
        if n == 300_000:
            line = line.replace("22.29", "north")
        lines.append(line)
        size += len(line) + 1
    data = ("\n".join(lines) + "\n").encode()
    before = table_checksums()
    batch = check(team_a, upload(team_a, data), django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.INVALID
    assert batch.error_count == 1 and batch.errors[0]["row"] == 300_001
    assert batch.total_rows == n
    changed = {k for k, v in table_checksums().items() if v != before.get(k)}
    assert changed <= {"canvassing.ImportBatch", "campaign.Job", "notifications.Message", "campaign.AuditEvent"}


# The lean check gives what every other write gives -------------------------------------------------------

_part = st.text(alphabet=st.sampled_from("aZ 1９.-'\\\t#号Ｂ楼ß\u0301"), max_size=12)


@given(parts=st.lists(_part, min_size=7, max_size=7))
@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_import_address_key_is_the_models(parts):
    """A re-import finds a household added by hand only if both compute the same key and walking order."""
    expected = address_derived(**dict(zip(ADDRESS_KEY_PARTS, parts, strict=True)))
    normaliser = importing.Normaliser()
    assert normaliser.derived(parts) == expected
    assert normaliser.derived(parts) == expected  # and again, from what it remembered
    assert normaliser.keys([[part] for part in parts]) == [expected[0]]  # a block's keys, a column at a time


def test_cells_with_tabs_backslashes_and_line_breaks_arrive_intact(team_a, django_capture_on_commit_callbacks):
    data = b'street,number,notes,resident\n"Java\\Road",1,"first line\nsecond\tline","Ann\\Lee"\n'
    import_file(team_a, data, django_capture_on_commit_callbacks)
    (household,) = _households(team_a)
    assert household.street == "Java\\Road" and household.notes == "first line\nsecond\tline"
    with scope(campaign=team_a.campaign.pk):
        assert household.residents.get().person.given_name == "Ann\\Lee"


def test_rows_with_one_address_are_one_household_with_the_last_rows_values(team_a, django_capture_on_commit_callbacks):
    data = (
        "street,number,notes,latitude,longitude,resident,phone\n"
        "Java Road,1,first,22.1,114.1,Ann,+852 9123 4567\n"
        "Marble Road,2,,,,,\n"
        " JAVA ROAD ,1,second,22.2,114.2,Bo,\n"
        "java road,1,third,,,Ann,+852 9123 4568\n"
    )
    batch = import_file(team_a, data.encode(), django_capture_on_commit_callbacks)
    assert (batch.created_count, batch.updated_count, batch.residents_created) == (2, 0, 2)
    java = next(h for h in _households(team_a) if h.house_number == "1")
    assert (java.street, java.notes, java.latitude) == ("java road", "third", None)
    with scope(campaign=team_a.campaign.pk):
        phones = {r.person.given_name: str(r.person.phone) for r in java.residents.select_related("person")}
    assert phones == {"Ann": "+85291234568", "Bo": ""}
