"""Reading a household file as a stream, mapping its columns, checking every row.

The flow is upload → map the columns (a preview of the first rows) → validate in the background →
apply in the background. Nothing here writes to the database: validation reads the stored file
once, row by row (the csv module over a decoded text stream, or openpyxl in read-only mode), counts
every bad row and keeps the first few hundred errors, and writes the rows that passed to staging
files in PostgreSQL's COPY text format. The apply (canvassing/importing_apply.py) loads those as
they are, so it writes exactly what the validation checked.

Rows are checked a block at a time (`RowChecker.check_rows`): each column of the block is screened
and worked out with C-level map/zip/join (strip, address keys, coordinates, staging lines), and only
a row that a screen flags (a control character or a backslash, a cell too long, no street, odd
coordinates, a ragged row, a resident's bad phone or age band) goes through `RowChecker.check`, the
row-at-a-time check that words every error. The two give the same output row for row
(tests/canvassing/test_import_check_rows.py).

Cells are strings and stay strings: one that starts with =, +, - or @ is stored as the text it is,
never evaluated (openpyxl in read-only mode without data_only gives a formula's text, not its
value).

Header names, the phone check and delimiter sniffing are shared with the volunteer roster import
(campaign/csvfiles.py).
"""

import codecs
import csv
import io
import math
import operator
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.csvfiles import header_key, parse_phone, sniff_delimiter
from canvassing.models import (
    ADDRESS_KEY_PARTS,
    Household,
    ImportBatch,
    Resident,
    house_number_value,
    name_key,
    normalise_text,
)

MAX_BYTES = 400 * 1024 * 1024
MAX_ROWS = 1_000_000
KEEP_ERRORS = 300
BLOCK = 1000  # rows checked together
SAMPLE_ROWS = 5
SNIFF_BYTES = 1024 * 1024
ENCODINGS = {"utf-8": gettext_lazy("UTF-8"), "gb18030": gettext_lazy("GB18030 (Simplified Chinese)")}

# canonical name → what a header may say (English or Chinese)
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": ("external_id", "external id", "id", "household id", "ref", "编号", "住户编号", "户号"),
    "district": ("district", "area", "region", "区", "地区", "区域", "行政区"),
    "street": ("street", "road", "street name", "街道", "街", "道路", "路", "街道名称"),
    "house_number": ("house number", "house_number", "number", "no", "street number", "门牌号", "门牌", "号"),
    "building": ("building", "estate", "block", "楼宇", "大厦", "大楼", "楼", "屋苑", "楼栋"),
    "floor": ("floor", "storey", "楼层", "层"),
    "unit": ("unit", "flat", "door", "room", "unit/door", "单位", "室", "房号", "门"),
    "postcode": ("postcode", "postal code", "post code", "zip", "zip code", "邮编", "邮政编码"),
    "latitude": ("latitude", "lat", "纬度"),
    "longitude": ("longitude", "lng", "lon", "long", "经度"),
    "notes": ("notes", "household notes", "note", "备注", "住户备注"),
    "resident_name": ("resident", "resident name", "residents", "name", "住户", "住户姓名", "姓名", "居民", "居民姓名"),
    "resident_age_band": ("age band", "age", "age group", "年龄段", "年龄", "年龄组"),
    "resident_phone": ("phone", "resident phone", "mobile", "telephone", "电话", "手机", "手机号", "电话号码"),
    "resident_notes": ("resident notes", "resident note", "居民备注", "住户个人备注"),
}
HEADER_MAP = {header_key(alias): name for name, aliases in COLUMN_ALIASES.items() for alias in aliases}
COLUMN_LABELS = {
    "external_id": gettext_lazy("external id"),
    "district": gettext_lazy("district"),
    "street": gettext_lazy("street"),
    "house_number": gettext_lazy("house number"),
    "building": gettext_lazy("building"),
    "floor": gettext_lazy("floor"),
    "unit": gettext_lazy("unit / door"),
    "postcode": gettext_lazy("postcode"),
    "latitude": gettext_lazy("latitude"),
    "longitude": gettext_lazy("longitude"),
    "notes": gettext_lazy("household notes"),
    "resident_name": gettext_lazy("resident name"),
    "resident_age_band": gettext_lazy("resident age band"),
    "resident_phone": gettext_lazy("resident phone"),
    "resident_notes": gettext_lazy("resident notes"),
}
TEXT_FIELDS = ("external_id", "district", "street", "house_number", "building", "floor", "unit", "postcode")
MAX_LENGTHS = {name: Household._meta.get_field(name).max_length for name in TEXT_FIELDS}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LIST_SEPARATORS = ";；、|"
AGE_BANDS: dict[str, str] = {
    **{normalise_text(a): Resident.AgeBand.UNDER_18 for a in ("u18", "under 18", "<18", "0-17", "18岁以下", "未满18")},
    **{normalise_text(a): Resident.AgeBand.AGE_18_29 for a in ("18-29", "18–29", "18至29")},
    **{normalise_text(a): Resident.AgeBand.AGE_30_44 for a in ("30-44", "30–44", "30至44")},
    **{normalise_text(a): Resident.AgeBand.AGE_45_64 for a in ("45-64", "45–64", "45至64")},
    **{normalise_text(a): Resident.AgeBand.AGE_65_PLUS for a in ("65+", "65 and over", "65岁以上", "65岁及以上")},
}
AGE_BANDS = {text: str(band.value) for text, band in AGE_BANDS.items()}  # plain strings for the staging file

HOUSEHOLD_COLUMNS = (
    "line",
    "external_id",
    "address_key",
    "district",
    "street",
    "house_number",
    "house_number_value",
    "parity",
    "building",
    "floor",
    "unit",
    "postcode",
    "latitude",
    "longitude",
    "notes",
)
RESIDENT_COLUMNS = (
    "line",
    "address_key",
    "given_name",
    "family_name",
    "name_key",
    "phone",
    "age_band",
    "notes",
)


class ImportFileError(ValidationError):
    """The file as a whole cannot be read (or no further); `row` says where, when known."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row


# Where files live ------------------------------------------------------------------------------


def batch_dir(batch: ImportBatch) -> Path:
    """Private: var/imports/households/<campaign>/<batch>/, never under MEDIA_ROOT or a served URL."""
    return Path(settings.VAR_DIR) / "imports" / "households" / str(batch.campaign.code) / str(batch.code)


def source_path(batch: ImportBatch) -> Path:
    return batch_dir(batch) / f"source.{batch.file_format}"


def staging_paths(batch: ImportBatch) -> tuple[Path, Path]:
    folder = batch_dir(batch)
    return folder / "households.copy", folder / "residents.copy"


def store_upload(batch: ImportBatch, chunks: Iterator[bytes]) -> int:
    """Writes the upload, readable by the server's user only. Refuses one larger than MAX_BYTES."""
    folder = batch_dir(batch)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    size = 0
    descriptor = os.open(source_path(batch), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_BYTES:
                raise ImportFileError(
                    _("The file is larger than %(max)s MB. Split it into smaller files.")
                    % {"max": MAX_BYTES // (1024 * 1024)}
                )
            handle.write(chunk)
    return size


def remove_files(batch: ImportBatch) -> None:
    folder = batch_dir(batch)
    if folder.is_dir():
        for path in folder.iterdir():
            path.unlink(missing_ok=True)
        folder.rmdir()


# Reading ----------------------------------------------------------------------------------------


def file_format_of(filename: str, head: bytes) -> str:
    name = filename.lower()
    if name.endswith(".xlsx") or head.startswith(b"PK\x03\x04"):
        if not head.startswith(b"PK\x03\x04"):
            raise ImportFileError(_("This file is not a valid XLSX workbook."))
        return ImportBatch.Format.XLSX
    if name.endswith((".csv", ".txt", ".tsv")):
        return ImportBatch.Format.CSV
    raise ImportFileError(_("Upload a .csv or .xlsx file."))


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or GB18030, judged on the first megabyte; anything else is refused."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(_("This file is UTF-16. Save it as “CSV UTF-8” and upload it again."), row=1)
    if not head.strip(b"\xef\xbb\xbf \r\n\t"):
        raise ImportFileError(_("The file is empty."))
    if b"\x00" in head:
        raise ImportFileError(_("This is not a text (CSV) file."), row=1)
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=len(head) < SNIFF_BYTES)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ImportFileError(
        _("The file's characters cannot be read as UTF-8 or GB18030. Save it as “CSV UTF-8” and upload it again."),
        row=1,
    )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class _DecodedLines:
    """The file's lines decoded one by one, so a bad byte is reported on its own line. Splitting the
    bytes at newlines is safe for both encodings: neither uses 0x0A inside a multi-byte character."""

    def __init__(self, handle: Any, encoding: str) -> None:
        self.handle, self.encoding, self.line = handle, encoding, 0

    def __iter__(self) -> Iterator[str]:
        for raw in self.handle:
            self.line += 1
            if self.line == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
            try:
                yield raw.decode(self.encoding)
            except UnicodeDecodeError as exc:
                raise ImportFileError(
                    _(
                        "Line %(line)s has characters that are not %(encoding)s. Choose the right encoding, "
                        "or save the file as “CSV UTF-8” and upload it again."
                    )
                    % {"line": self.line, "encoding": ENCODINGS.get(self.encoding, self.encoding)},
                    row=self.line,
                ) from exc


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    with open(path, "rb") as handle:
        first = handle.readline(64 * 1024).decode(encoding, errors="replace")
        handle.seek(0)
        lines = _DecodedLines(handle, encoding)
        reader = csv.reader(lines, delimiter=sniff_delimiter(first), strict=True)
        line = 0
        try:
            for cells in reader:
                start, line = line + 1, reader.line_num
                yield start, cells
        except csv.Error as exc:
            raise ImportFileError(
                _(
                    "Line %(line)s cannot be read: a quotation mark is not closed or is misplaced. "
                    "Check that line in a text editor, or save the file again from the spreadsheet."
                )
                % {"line": line + 1},
                row=line + 1,
            ) from exc


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(_("This file is not a valid XLSX workbook."), row=1) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value) for value in row]
    finally:
        workbook.close()


def read_rows(batch: ImportBatch) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of every row, the header first. Raises ImportFileError where reading stops."""
    if batch.file_format == ImportBatch.Format.XLSX:
        return _xlsx_rows(source_path(batch))
    return _csv_rows(source_path(batch), batch.encoding or "utf-8")


def auto_mapping(headers: list[str]) -> dict[str, str]:
    """{column index: field} for the headers we recognise; the first of two same-meaning columns wins."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        name = HEADER_MAP.get(header_key(header or ""))
        if name and name not in taken:
            mapping[str(index)] = name
            taken.add(name)
    return mapping


def read_preview(batch: ImportBatch) -> tuple[list[str], list[list[str]]]:
    """The header and the first few rows, for the mapping page."""
    headers: list[str] = []
    sample: list[list[str]] = []
    try:
        for number, cells in read_rows(batch):
            if number == 1 or not headers:
                headers = [cell.strip() for cell in cells]
                continue
            if any(cell.strip() for cell in cells):
                sample.append([cell[:100] for cell in cells[: len(headers)]])
            if len(sample) >= SAMPLE_ROWS:
                break
    except ImportFileError:
        if not headers:
            raise  # a broken row further down is reported by the check, with every other error
    if not any(headers):
        raise ImportFileError(_("The file is empty."))
    return headers, sample


def check_mapping(mapping: dict[str, str], column_count: int) -> None:
    """A mapping names each field at most once, points at real columns, and names an address."""
    fields = [name for name in mapping.values() if name]
    for name in fields:
        if name not in COLUMN_ALIASES:
            raise ValidationError({"mapping": _("Unknown field “%(name)s”.") % {"name": name}})
    duplicated = sorted({str(COLUMN_LABELS[name]) for name in fields if fields.count(name) > 1})
    if duplicated:
        raise ValidationError(
            {"mapping": _("Each field can come from one column only: %(fields)s.") % {"fields": ", ".join(duplicated)}}
        )
    if any(not index.isdigit() or int(index) >= column_count for index in mapping):
        raise ValidationError({"mapping": _("The mapping names a column the file does not have.")})
    if "street" not in fields and "building" not in fields:
        raise ValidationError(
            {"mapping": _("Map a column to the street (“street” / “街道”) or the building (“building” / “楼宇”).")}
        )
    if ("latitude" in fields) != ("longitude" in fields):
        raise ValidationError({"mapping": _("Map both latitude and longitude, or neither.")})


# Checking rows ---------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ValidationResult:
    total_rows: int = 0
    household_rows: int = 0
    resident_rows: int = 0
    error_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < KEEP_ERRORS:
            self.errors.append(error.as_dict())


def _coordinate(text: str, low: float, high: float) -> float | None:
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None
    value = float(text)  # ValueError for anything not a number
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError
    return value


def split_name(name: str) -> tuple[str, str]:
    """(given, family): “Ada Lovelace” → (“Ada”, “Lovelace”); a Chinese name stays whole as given."""
    name = " ".join(name.split())
    if " " in name and name.isascii():
        given, family = name.split(" ", 1)
        return given, family
    return name, ""


_LIST_SEPARATOR = re.compile(f"[{re.escape(LIST_SEPARATORS)}]")


def _split_list(text: str) -> list[str]:
    if not _LIST_SEPARATOR.search(text):  # the usual cell: one value (or none)
        text = text.strip()
        return [text] if text else []
    return [part.strip() for part in _LIST_SEPARATOR.split(text) if part.strip()]


class _Memo(dict[str, Any]):
    """`function(text)` by lookup once seen: a file repeats its streets, districts, buildings, floors, units,
    age bands and often its phone numbers on row after row. Stops remembering at `limit` entries."""

    def __init__(self, function: Callable[[str], Any], limit: int) -> None:
        super().__init__()
        self.function, self.limit = function, limit

    def __missing__(self, text: str) -> Any:
        value = self.function(text)
        if len(self) < self.limit:
            self[text] = value
        return value


def _number_texts(house_number: str) -> tuple[str, str]:
    """house_number_value and parity of a house number, as staged."""
    value = house_number_value(house_number)
    return ("\\N", "\\N") if value is None else (str(value), str(value % 2))


def _e164(phone: str) -> str | None:
    parsed = parse_phone(phone)
    return None if parsed is None else parsed.as_e164


class Normaliser:
    """`address_derived` of canvassing.models, remembering the parts it has seen (most parts are one dictionary
    lookup). The result is the same as address_derived's (tests/canvassing/test_import_households.py checks it)."""

    LIMIT = 500_000

    def __init__(self) -> None:
        self.texts = _Memo(normalise_text, self.LIMIT)
        self.numbers = _Memo(house_number_value, self.LIMIT)
        self.number_texts = _Memo(_number_texts, self.LIMIT)

    def text(self, value: str) -> str:
        return self.texts[value]

    def number(self, house_number: str) -> int | None:
        return self.numbers[house_number]

    def derived(self, parts: list[str]) -> tuple[str, int | None, int | None]:
        """(address_key, house_number_value, parity) of the parts in ADDRESS_KEY_PARTS order."""
        key = "|".join(map(self.texts.__getitem__, parts))[:400]
        value = self.numbers[parts[2]]
        return key, value, (None if value is None else value % 2)

    def keys(self, columns: list[Sequence[str]]) -> list[str]:
        """The address key of each row, from the stripped parts' columns in ADDRESS_KEY_PARTS order."""
        normalised = [list(map(self.texts.__getitem__, column)) for column in columns]
        keys = list(map("|".join, zip(*normalised, strict=True)))
        if keys and max(map(len, keys)) > 400:
            keys = [key[:400] for key in keys]
        return keys


_SPECIAL = re.compile(r"[\\\t\n\r]")
# What sends a cell down the row-at-a-time path: a control character (an error) or a character that needs
# escaping in the staging file.
_UNUSUAL = re.compile(r"[\x00-\x1f\x7f\\]")


class RowChecker:
    """Checks rows and gives their staging lines; remembers just enough (64-bit hashes) to spot contradictions
    between rows. Lean on purpose (a million rows): no model instances, no dictionaries per row, repeated
    address parts, age bands and phone numbers worked out once.

    `check` takes one row at a time and says everything that is wrong with it. `check_rows` gives the same for
    a block of rows, working a column at a time (C-level map, zip and join over each column instead of a dozen
    Python calls per cell) for the rows that pass, and handing any row that a column's screen flags to `check`;
    tests/canvassing/test_import_check_rows.py holds the two to the same output."""

    def __init__(self, mapping: dict[str, str], column_count: int) -> None:
        self.columns = [(int(index), name) for index, name in mapping.items() if name]
        self.column_count = column_count
        self.index = {name: int(index) for index, name in mapping.items() if name}
        # Rows are padded to the header's width plus one empty cell, which every unmapped field points at.
        self.width = column_count + 1

        def at(name: str) -> int:
            return self.index.get(name, column_count)

        self.text_indexes = [at(name) for name in TEXT_FIELDS]
        self.address_indexes = [at(name) for name in ADDRESS_KEY_PARTS]
        self.limits = [(self.index[name], name, MAX_LENGTHS[name]) for name in TEXT_FIELDS if name in self.index]
        self.notes_index, self.latitude_index, self.longitude_index = at("notes"), at("latitude"), at("longitude")
        self.resident_indexes = [at(name) for name in ("resident_name", "resident_phone", "resident_age_band")]
        self.resident_notes_index = at("resident_notes")
        self.normaliser = Normaliser()
        self.phones = _Memo(_e164, Normaliser.LIMIT)
        # hash(external id) → (hash(address key), row); hash(address key) → (hash(external id) or None, row)
        self.address_of_external: dict[int, tuple[int, int]] = {}
        self.external_of_address: dict[int, tuple[int | None, int]] = {}

    def check(self, number: int, cells: list[str]) -> tuple[list[RowError], str | None, list[str]]:
        """(errors, the household's staging line or None, the residents' staging lines)."""
        errors: list[RowError] = []

        def fail(column: str, message: str) -> None:
            errors.append(RowError(number, str(COLUMN_LABELS.get(column, column)) if column else "", message))

        if len(cells) > self.column_count and any(cell.strip() for cell in cells[self.column_count :]):
            fail("", _("This row has more cells than the header: is a comma missing its quotes?"))
        joined = "".join(cells)
        if len(cells) == self.column_count:
            cells.append("")
        else:
            cells = [*(cells + [""] * self.width)[: self.width - 1], ""]
        if _CONTROL.search(joined):
            for index, name in self.columns:
                if _CONTROL.search(cells[index]):
                    fail(name, _("Contains a control character."))
        for index, name, limit in self.limits:
            if len(cells[index]) > limit and len(cells[index].strip()) > limit:
                fail(name, _("Longer than %(max)s characters.") % {"max": limit})
        texts = [cells[index].strip() for index in self.text_indexes]
        # TEXT_FIELDS: external_id, district, street, house_number, building, floor, unit, postcode
        if not texts[2] and not texts[4]:
            fail("street", _("A street or a building is needed."))
        notes = cells[self.notes_index].strip()
        latitude = longitude = None
        raw_latitude, raw_longitude = cells[self.latitude_index].strip(), cells[self.longitude_index].strip()
        if raw_latitude or raw_longitude:
            try:
                latitude = _coordinate(raw_latitude, -90, 90)
            except ValueError:
                fail("latitude", _("“%(value)s” is not a latitude (−90 to 90).") % {"value": raw_latitude[:30]})
            try:
                longitude = _coordinate(raw_longitude, -180, 180)
            except ValueError:
                fail("longitude", _("“%(value)s” is not a longitude (−180 to 180).") % {"value": raw_longitude[:30]})
            if (latitude is None) != (longitude is None) and not errors:
                fail("latitude", _("Give both latitude and longitude, or neither."))
        resident_cells = [cells[index].strip() for index in self.resident_indexes]
        resident_notes = cells[self.resident_notes_index].strip()
        residents = []
        if resident_notes or any(resident_cells):
            residents = self._residents(*resident_cells, resident_notes, fail)
        if errors:
            return errors, None, []
        parts = [cells[index].strip() for index in self.address_indexes]
        key, value, parity = self.normaliser.derived(parts)
        external_id = texts[0]
        message = self._identity_error(number, key, external_id)
        if message:
            fail("external_id", message)
            return errors, None, []
        if _SPECIAL.search(joined):  # rare: a cell with a backslash, tab or line break is escaped for COPY
            texts = [text.translate(_ESCAPES) for text in texts]
            notes, key = notes.translate(_ESCAPES), key.translate(_ESCAPES)
            residents = [[text.translate(_ESCAPES) for text in resident] for resident in residents]
        line = str(number)
        household = [line, texts[0], key, texts[1], texts[2], texts[3], _n(value), _n(parity)]
        household += [texts[4], texts[5], texts[6], texts[7], _n(latitude), _n(longitude), notes]
        return [], "\t".join(household) + "\n", ["\t".join([line, key, *resident]) + "\n" for resident in residents]

    def check_rows(self, rows: list[tuple[int, list[str]]]) -> tuple[list[RowError], list[str], list[str]]:
        """(errors, household staging lines, resident staging lines) of (row number, cells) pairs: what `check`
        gives for each row in turn, concatenated."""
        count, size = self.column_count, len(rows)
        if not size:
            return [], [], []
        suspect = bytearray(size)  # 1: the row goes through check()
        table = [cells for _, cells in rows]
        if set(map(len, table)) != {count}:
            for position, cells in enumerate(table):
                if len(cells) != count:
                    suspect[position] = 1
                    table[position] = (cells + [""] * count)[:count]
        by_index = list(zip(*table, strict=True))
        empty = ("",) * size

        def raw(name: str) -> Sequence[str]:
            index = self.index.get(name)
            return empty if index is None else by_index[index]

        mapped = [by_index[index] for index, _name in self.columns]
        if _UNUSUAL.search(" ".join(map(" ".join, mapped))):
            for column in mapped:
                for position, cell in enumerate(column):
                    if _UNUSUAL.search(cell):
                        suspect[position] = 1
        for index, _name, limit in self.limits:
            if max(map(len, by_index[index])) > limit:
                for position, cell in enumerate(by_index[index]):
                    if len(cell) > limit:
                        suspect[position] = 1
        stripped = {name: empty if name not in self.index else list(map(str.strip, raw(name))) for name in FIELDS}
        if not all(map(operator.or_, map(bool, stripped["street"]), map(bool, stripped["building"]))):
            for position, (street, building) in enumerate(zip(stripped["street"], stripped["building"], strict=True)):
                if not street and not building:
                    suspect[position] = 1
        latitudes, longitudes = self._coordinate_texts(stripped["latitude"], stripped["longitude"], suspect)
        keys = self.normaliser.keys([stripped[name] for name in ADDRESS_KEY_PARTS])
        numbers = list(map(self.normaliser.number_texts.__getitem__, stripped["house_number"]))
        lines = list(map(str, (number for number, _ in rows)))
        households = list(
            map(
                "\t".join,
                zip(
                    lines,
                    stripped["external_id"],
                    keys,
                    stripped["district"],
                    stripped["street"],
                    stripped["house_number"],
                    [value for value, _ in numbers],
                    [parity for _, parity in numbers],
                    stripped["building"],
                    stripped["floor"],
                    stripped["unit"],
                    stripped["postcode"],
                    latitudes,
                    longitudes,
                    stripped["notes"],
                    strict=True,
                ),
            )
        )
        names, phones, ages, resident_notes = resident_columns = [stripped[name] for name in RESIDENT_FIELDS]
        has_residents = bytearray(size)
        if any(name in self.index for name in RESIDENT_FIELDS):
            for position, text in enumerate(map("".join, zip(*resident_columns, strict=True))):
                if text:
                    has_residents[position] = 1
        externals = stripped["external_id"]
        addresses = list(map(hash, keys))
        external_hashes = [hash(text) if text else None for text in externals]
        # When no row of the block shares its address or its external id with another row, of the block or
        # before it, no row can contradict another and the order they are remembered in does not matter: the
        # rows that pass are remembered together after the loop instead of one at a time.
        all_new = self._all_new(addresses, external_hashes)
        remembered: list[int] = []

        errors: list[RowError] = []
        household_lines: list[str] = []
        resident_lines: list[str] = []
        external_label = str(COLUMN_LABELS["external_id"])
        row_errors: list[str] = []

        def note_error(column: str, message: str) -> None:
            row_errors.append(message)

        for position in range(size):
            if not suspect[position]:
                residents: list[list[str]] = []
                if has_residents[position]:
                    residents = self._residents(
                        names[position], phones[position], ages[position], resident_notes[position], note_error
                    )
                if not row_errors:
                    if all_new:
                        remembered.append(position)
                    else:
                        number = rows[position][0]
                        message = self._identity_error(number, keys[position], externals[position])
                        if message:
                            errors.append(RowError(number, external_label, message))
                            continue
                    household_lines.append(households[position] + "\n")
                    for resident in residents:
                        resident_lines.append("\t".join([lines[position], keys[position], *resident]) + "\n")
                    continue
                row_errors.clear()  # check() says them again, with every other error of the row
            row_found, household, people = self.check(rows[position][0], rows[position][1])
            errors += row_found
            if household is not None:
                household_lines.append(household)
                resident_lines += people
        if remembered:
            self.external_of_address.update(
                (addresses[position], (external_hashes[position], rows[position][0])) for position in remembered
            )
            for position in remembered:
                external = external_hashes[position]
                if external is not None:
                    self.address_of_external[external] = (addresses[position], rows[position][0])
        return errors, household_lines, resident_lines

    def _all_new(self, addresses: list[int], externals: list[int | None]) -> bool:
        """Whether every address (hash) and every external id (hash, None for none) of a block is its own,
        within the block and against every row remembered so far."""
        distinct = set(addresses)
        if len(distinct) != len(addresses) or any(map(self.external_of_address.__contains__, distinct)):
            return False
        named = [external for external in externals if external is not None]
        distinct = set(named)
        return len(distinct) == len(named) and not any(map(self.address_of_external.__contains__, distinct))

    def _coordinate_texts(
        self, latitudes: Sequence[str], longitudes: Sequence[str], suspect: bytearray
    ) -> tuple[list[str], list[str]]:
        """The staged latitude and longitude of each row; a row `check` would refuse or would read differently
        (one of the two given, out of range, not plain ASCII, so NFKC might change it) is marked suspect."""
        size = len(latitudes)
        if "latitude" not in self.index and "longitude" not in self.index:
            return ["\\N"] * size, ["\\N"] * size
        try:
            if not ("".join(latitudes) + "".join(longitudes)).isascii():
                raise ValueError
            norths, easts = list(map(float, latitudes)), list(map(float, longitudes))  # ValueError on any ""
            if not all(map(math.isfinite, norths + easts)):  # min() and max() would step over a NaN
                raise ValueError
            if min(norths) < -90 or max(norths) > 90 or min(easts) < -180 or max(easts) > 180:
                raise ValueError
            return list(map(repr, norths)), list(map(repr, easts))
        except ValueError:
            pass
        texts: tuple[list[str], list[str]] = (["\\N"] * size, ["\\N"] * size)
        for position, (north_text, east_text) in enumerate(zip(latitudes, longitudes, strict=True)):
            if not north_text and not east_text:
                continue
            try:
                if not (north_text + east_text).isascii():
                    raise ValueError
                north, east = float(north_text), float(east_text)
                if not (-90 <= north <= 90 and -180 <= east <= 180):
                    raise ValueError
            except ValueError:
                suspect[position] = 1
                continue
            texts[0][position], texts[1][position] = repr(north), repr(east)
        return texts

    def _residents(
        self, names_text: str, phones_text: str, ages_text: str, notes: str, fail: Callable[[str, str], None]
    ) -> list[list[str]]:
        """Staging cells of each resident after (line, address_key): RESIDENT_COLUMNS[2:]."""
        names = _split_list(names_text)
        phones = _split_list(phones_text)
        ages = _split_list(ages_text)
        if not names:
            if phones or ages or notes:
                fail("resident_name", _("A resident's phone, age band or notes need the resident's name."))
            return []
        for label, items in (("resident_phone", phones), ("resident_age_band", ages)):
            if len(items) > 1 and len(items) != len(names):
                fail(label, _("Give one value per resident, in the same order as the names, or one for all."))
                return []
        residents = []
        for position, name in enumerate(names):
            given, family = split_name(name)
            if len(given) > 100 or len(family) > 100:
                fail("resident_name", _("A name can be at most 100 characters."))
                continue
            phone = phones[position] if len(phones) > 1 else (phones[0] if phones else "")
            clean_phone = ""
            if phone:
                clean_phone = self.phones[phone]
                if clean_phone is None:
                    fail(
                        "resident_phone",
                        _(
                            "“%(value)s” is not a valid phone number. "
                            "Write it with the country code, e.g. +852 9123 4567."
                        )
                        % {"value": phone[:40]},
                    )
                    continue
            age = ages[position] if len(ages) > 1 else (ages[0] if ages else "")
            band = ""
            if age:
                band = AGE_BANDS.get(self.normaliser.text(age), "")
                if not band:
                    fail(
                        "resident_age_band",
                        _("Unknown age band “%(value)s”. Use %(choices)s.")
                        % {"value": age[:20], "choices": ", ".join(Resident.AgeBand.values)},
                    )
                    continue
            residents.append([given, family, name_key(name), clean_phone, band, notes])
        return residents

    def _identity_error(self, number: int, key: str, external_id: str) -> str | None:
        """Rows with the same address are one household; an external id must not point at two addresses.
        Keys are remembered as 64-bit hashes, as short as the 8-byte digests they replace and free to compute."""
        address = hash(key)
        external = hash(external_id) if external_id else None
        if external is not None:
            seen = self.address_of_external.setdefault(external, (address, number))
            if seen[0] != address:
                return _("The same external id as row %(row)s, with a different address.") % {"row": seen[1]}
        seen_address = self.external_of_address.get(address)
        if seen_address is None or (external is not None and seen_address[0] is None):
            self.external_of_address[address] = (external, number)
        elif external is not None and seen_address[0] is not None and seen_address[0] != external:
            return _("The same address as row %(row)s, with a different external id.") % {"row": seen_address[1]}
        return None


FIELDS = (
    *TEXT_FIELDS,
    "notes",
    "latitude",
    "longitude",
    *(f"resident_{name}" for name in ("name", "phone", "age_band", "notes")),
)
RESIDENT_FIELDS = ("resident_name", "resident_phone", "resident_age_band", "resident_notes")


def _n(value: Any) -> str:
    return "\\N" if value is None else str(value)


# Staging files (PostgreSQL COPY text format) ------------------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_line(values: list[Any]) -> str:
    return "\t".join("\\N" if value is None else str(value).translate(_ESCAPES) for value in values) + "\n"


def _unescape(text: str) -> str | None:
    if text == "\\N":
        return None
    if "\\" not in text:
        return text
    out, chars = [], iter(text)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}.get(nxt, nxt))
        else:
            out.append(char)
    return "".join(out)


def read_copy_file(path: Path, columns: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8", newline="\n") as handle:
        for line in handle:
            yield dict(zip(columns, (_unescape(part) for part in line.rstrip("\n").split("\t")), strict=True))


def validate_file(
    batch: ImportBatch, *, progress: Callable[[int], None] | None = None, every: int = 5000
) -> ValidationResult:
    """Reads the whole file once; writes the staging files; returns counts and the first errors."""
    result = ValidationResult()
    households_path, residents_path = staging_paths(batch)
    mapping = {index: name for index, name in batch.mapping.items() if name}
    checker: RowChecker | None = None
    try:
        check_mapping(mapping, len(batch.headers))
    except ValidationError as exc:
        result.add(RowError(1, "", " ".join(exc.messages)))
        return result
    block: list[tuple[int, list[str]]] = []  # rows are checked BLOCK at a time (RowChecker.check_rows)
    reported = 0
    with (
        open(households_path, "w", encoding="utf-8", newline="\n") as households,
        open(residents_path, "w", encoding="utf-8", newline="\n") as residents,
    ):

        def check_block() -> None:
            nonlocal reported
            if checker is None or not block:
                return
            errors, household_lines, resident_lines = checker.check_rows(block)
            block.clear()
            for error in errors:
                result.add(error)
            result.household_rows += len(household_lines)
            result.resident_rows += len(resident_lines)
            households.writelines(household_lines)
            residents.writelines(resident_lines)
            if progress is not None and result.total_rows - reported >= every:
                reported = result.total_rows
                progress(reported)

        try:
            for number, cells in read_rows(batch):
                if checker is None:
                    checker = RowChecker(mapping, len(cells))
                    continue
                if not "".join(cells).strip():  # a blank row
                    continue
                result.total_rows += 1
                if result.total_rows > MAX_ROWS:
                    raise ImportFileError(
                        _("The file has more than %(max)s rows. Split it into smaller files.")
                        % {"max": f"{MAX_ROWS:,}"},
                        row=number,
                    )
                block.append((number, cells))
                if len(block) == BLOCK:
                    check_block()
            check_block()
        except ImportFileError as exc:
            check_block()  # the rows before it, so their errors come first
            result.add(RowError(exc.row or 0, "", " ".join(exc.messages)))
    if checker is None:
        result.add(RowError(1, "", _("The file is empty.")))
    elif result.total_rows == 0 and not result.error_count:
        result.add(RowError(2, "", _("The file has a header but no rows.")))
    return result


def upload_chunks(upload: Any) -> Iterator[bytes]:
    yield from upload.chunks()


def bytes_chunks(data: bytes, size: int = 1 << 20) -> Iterator[bytes]:
    stream = io.BytesIO(data)
    while chunk := stream.read(size):
        yield chunk
