"""The roster as CSV or XLSX, safe to open in a spreadsheet.

A cell a spreadsheet would read as a formula (one starting with =, +, -, @, |, % or a tab or
carriage return) is written with a leading apostrophe, so it shows as the text it is and is never
evaluated: defusedcsv does this for CSV, `neutralise` for XLSX. The header uses the import's
column names, so an export can be imported again.

The rows are produced in chunks (prefetching per chunk) and the CSV is streamed, so a large roster
never sits in memory. A streamed response is iterated after the view has returned, outside the
request's campaign scope and time zone, so the generator enters both itself.
"""

import datetime as dt
import io
import re
from collections.abc import Iterator

from defusedcsv import csv
from django.db.models import QuerySet
from django.utils import timezone
from django_scopes import scope
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from campaign.models import Campaign
from volunteers.models import Volunteer

COLUMNS = [
    "given_name",
    "family_name",
    "email",
    "phone",
    "language",
    "neighbourhood",
    "status",
    "weekdays",
    "evenings",
    "weekends",
    "skills",
    "tags",
    "tshirt_size",
    "consent_email",
    "consent_sms",
    "signed_up",
    "last_activity",
    "source",
]
CHUNK = 1000
FORMULA_START = ("=", "+", "-", "@", "|", "%", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^-?[0-9,.]+$")
PLAIN_PHONE = re.compile(r"^\+[0-9]{6,15}$")


def neutralise(value: str) -> str:
    """The same rule as defusedcsv: a formula-looking cell gets an apostrophe in front. Plain
    numbers and E.164 phone numbers stay as they are: a spreadsheet reads them as numbers at worst."""
    if value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value) and not PLAIN_PHONE.match(value):
        return "'" + value.replace("|", "\\|")
    return value


def _when(value: dt.datetime | None, campaign: Campaign) -> str:
    return timezone.localtime(value, campaign.tzinfo).strftime("%Y-%m-%d %H:%M") if value else ""


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def rows(campaign: Campaign, volunteers: QuerySet[Volunteer]) -> Iterator[list[str]]:
    """One list of strings per volunteer, header first. Call inside the campaign's scope."""
    yield list(COLUMNS)
    for volunteer in volunteers.iterator(chunk_size=CHUNK):
        person = volunteer.person
        yield [
            person.given_name,
            person.family_name,
            person.email,
            str(person.phone) if person.phone else "",
            person.language,
            person.neighbourhood,
            volunteer.status,
            _yes_no(volunteer.available_weekdays),
            _yes_no(volunteer.available_evenings),
            _yes_no(volunteer.available_weekends),
            "; ".join(skill.name for skill in volunteer.skills.all()),
            "; ".join(tag.name for tag in person.tags.all()),
            volunteer.tshirt_size,
            _yes_no(person.consent_email),
            _yes_no(person.consent_sms),
            _when(volunteer.created_at, campaign),
            _when(volunteer.last_activity_at, campaign),
            volunteer.source,
        ]


class _Line:
    """A file-like object that hands back what the csv writer wrote."""

    def __init__(self) -> None:
        self.value = ""

    def write(self, text: str) -> None:
        self.value += text

    def take(self) -> str:
        value, self.value = self.value, ""
        return value


def csv_stream(campaign: Campaign, volunteers: QuerySet[Volunteer]) -> Iterator[bytes]:
    """UTF-8 with a BOM, so spreadsheets show Chinese names correctly."""
    buffer = _Line()
    writer = csv.writer(buffer)
    yield "\ufeff".encode()
    with scope(campaign=campaign.pk):
        batch: list[str] = []
        for row in rows(campaign, volunteers):
            writer.writerow(row)
            batch.append(buffer.take())
            if len(batch) >= 200:
                yield "".join(batch).encode()
                batch = []
        if batch:
            yield "".join(batch).encode()


def xlsx_bytes(campaign: Campaign, volunteers: QuerySet[Volunteer], *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Volunteers")
    for row in rows(campaign, volunteers):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=neutralise(value))
            cell.data_type = "s"  # text, never a formula, whatever it starts with
            cells.append(cell)
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
