"""Reading a volunteer CSV, checking every row, and keeping it between preview and apply.

The flow is upload → preview → apply. The upload is read and parsed once; its rows (strings only)
are kept in a JSON file under MEDIA_ROOT/imports/<campaign code>/<batch code>.json together with
the campaign and user it belongs to. Only that user, in that campaign, can preview, apply or
discard it; it is deleted when applied or discarded, and left-overs older than a day are removed
at the next upload. The preview and the apply both check the rows against the roster as it is at
that moment, so the apply never does something the preview did not show.

Cells are strings and stay strings: a cell that starts with =, +, - or @ is stored as the text it
is, never evaluated; the export neutralises such cells for spreadsheets.
"""

import csv
import datetime as dt
import io
import json
import os
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from campaign.csvfiles import header_key as _key
from campaign.csvfiles import parse_phone as _phone
from campaign.csvfiles import sniff_delimiter as _delimiter
from campaign.models import Campaign, Person, Tag
from volunteers.models import Skill, Volunteer

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
BATCH_LIFETIME = dt.timedelta(days=1)


# canonical name → what a header may say (English or Chinese)
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "given_name": ("given_name", "given name", "first name", "firstname", "forename", "名", "名字"),
    "family_name": ("family_name", "family name", "last name", "lastname", "surname", "姓", "姓氏"),
    "email": ("email", "e-mail", "email address", "电子邮件", "邮箱", "电子邮箱", "电邮", "邮件"),
    "phone": ("phone", "mobile", "phone number", "telephone", "tel", "电话", "手机", "手机号", "电话号码", "手机号码"),
    "language": ("language", "preferred language", "语言", "首选语言"),
    "neighbourhood": ("neighbourhood", "neighborhood", "area", "社区", "街区", "小区"),
    "skills": ("skills", "skill", "技能", "特长"),
    "tags": ("tags", "tag", "标签"),
    "tshirt_size": ("tshirt_size", "t-shirt size", "tshirt", "t-shirt", "shirt size", "t恤尺码", "t恤", "尺码"),
    "availability": ("availability", "available", "可用时间", "空闲时间", "有空时间"),
    "available_weekdays": ("weekdays", "available_weekdays", "工作日", "平日"),
    "available_evenings": ("evenings", "available_evenings", "晚上", "晚间"),
    "available_weekends": ("weekends", "available_weekends", "周末"),
    "consent_email": ("consent_email", "email consent", "agrees to email", "同意邮件", "同意电邮"),
    "consent_sms": ("consent_sms", "sms consent", "agrees to text messages", "同意短信"),
}
HEADER_MAP = {_key(alias): name for name, aliases in COLUMN_ALIASES.items() for alias in aliases}
COLUMN_LABELS = {
    "given_name": gettext_lazy("given name"),
    "family_name": gettext_lazy("family name"),
    "email": gettext_lazy("email"),
    "phone": gettext_lazy("phone"),
    "language": gettext_lazy("language"),
    "neighbourhood": gettext_lazy("neighbourhood"),
    "skills": gettext_lazy("skills"),
    "tags": gettext_lazy("tags"),
    "tshirt_size": gettext_lazy("T-shirt size"),
    "availability": gettext_lazy("availability"),
    "available_weekdays": gettext_lazy("weekdays"),
    "available_evenings": gettext_lazy("evenings"),
    "available_weekends": gettext_lazy("weekends"),
    "consent_email": gettext_lazy("agrees to email"),
    "consent_sms": gettext_lazy("agrees to text messages"),
}
LIST_SEPARATORS = re.compile(r"[;；、,，/|]")
YES = {"yes", "y", "true", "1", "x", "✓", "✔", "√", "是", "有", "可以", "对", "同意"}
NO = {"no", "n", "false", "0", "否", "不", "没有", "无", "不同意"}
LANGUAGE_ALIASES = {
    "en": ("en", "english", "英语", "英文"),
    "zh-hans": (
        "zh-hans",
        "zh",
        "zh-cn",
        "zh_hans",
        "chinese",
        "simplified chinese",
        "中文",
        "简体中文",
        "汉语",
        "普通话",
    ),
}
LANGUAGES = {_key(alias): code for code, aliases in LANGUAGE_ALIASES.items() for alias in aliases}
AVAILABILITY = {
    **{_key(a): "available_weekdays" for a in ("weekdays", "weekday", "工作日", "平日")},
    **{_key(a): "available_evenings" for a in ("evenings", "evening", "晚上", "晚间", "夜间")},
    **{_key(a): "available_weekends" for a in ("weekends", "weekend", "周末")},
}
SIZES: dict[str, str] = {**{s.casefold(): s for s in Volunteer.Size.values}, "2xl": "XXL"}
MAX_LENGTHS = {"given_name": 100, "family_name": 100, "neighbourhood": 100}


TOO_BIG = gettext_lazy("The file is larger than 5 MB. Split it into smaller files.")


class ImportFileError(ValidationError):
    """The file as a whole cannot be read; the message says why and what to do."""


# Reading the file ----------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(_("This file is UTF-16. Save it as “CSV UTF-8” and upload it again."))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise ImportFileError(
        _("The file's characters cannot be read. Save it as “CSV UTF-8” (or GB18030) and upload it again.")
    )


@dataclass
class ParsedFile:
    filename: str
    columns: list[str]  # canonical name of each mapped column, in file order
    ignored: list[str]  # headers we did not recognise
    rows: list[dict[str, Any]]  # {"line": n, "cells": {canonical: text}, "extra": bool}


def map_headers(headers: list[str]) -> tuple[dict[int, str], list[str]]:
    mapping: dict[int, str] = {}
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for index, header in enumerate(headers):
        name = HEADER_MAP.get(_key(header))
        if name is None:
            if header.strip():
                ignored.append(header.strip())
            continue
        if name in seen:
            raise ImportFileError(
                _("The columns “%(a)s” and “%(b)s” both mean %(what)s. Keep one of them.")
                % {"a": seen[name], "b": header.strip(), "what": COLUMN_LABELS[name]}
            )
        seen[name] = header.strip()
        mapping[index] = name
    if "given_name" not in seen:
        raise ImportFileError(
            _("The file needs a column for the given name (“given_name” or “名”). Columns found: %(found)s.")
            % {"found": ", ".join(h.strip() for h in headers if h.strip()) or "-"}
        )
    if "email" not in seen and "phone" not in seen:
        raise ImportFileError(
            _("The file needs a column for the email (“email” or “邮箱”) or the phone (“phone” or “手机”).")
        )
    return mapping, ignored


def parse_upload(upload: UploadedFile) -> ParsedFile:
    """The upload's header and rows, or an ImportFileError saying what is wrong with the file."""
    name = os.path.basename(upload.name or "")
    if not name.lower().endswith(".csv"):
        raise ImportFileError(_("Upload a .csv file. In a spreadsheet, use “Save as” → “CSV UTF-8”."))
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ImportFileError(TOO_BIG)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportFileError(TOO_BIG)
    if not data.strip(b"\xef\xbb\xbf \r\n\t"):
        raise ImportFileError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError(_("This is a spreadsheet workbook, not a CSV file. Save it as “CSV UTF-8” first."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        _decode(data)
    if b"\x00" in data:
        raise ImportFileError(_("This is not a CSV file."))
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line), strict=True)
    try:
        headers = next(reader, None)
        if headers is None:
            raise ImportFileError(_("The file is empty."))
        mapping, ignored = map_headers(headers)
        rows: list[dict[str, Any]] = []
        line = reader.line_num
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(max)s rows. Split it into smaller files.") % {"max": f"{MAX_ROWS:,}"}
                )
            rows.append(
                {
                    "line": start,
                    "cells": {name: cells[i].strip() for i, name in mapping.items() if i < len(cells)},
                    "extra": len(cells) > len(headers) and any(c.strip() for c in cells[len(headers) :]),
                }
            )
    except csv.Error as exc:
        raise ImportFileError(
            _(
                "Line %(line)s cannot be read: a quotation mark is not closed or is misplaced. "
                "Check that line in a text editor, or save the file again from the spreadsheet."
            )
            % {"line": reader.line_num}
        ) from exc
    if not rows:
        raise ImportFileError(_("The file has a header but no rows."))
    return ParsedFile(filename=name[:200], columns=list(mapping.values()), ignored=ignored, rows=rows)


# Checking the rows ---------------------------------------------------------------------------


@dataclass
class RowPlan:
    line: int
    cells: dict[str, str]
    errors: list[str] = field(default_factory=list)
    clean: dict[str, Any] = field(default_factory=dict)
    action: str = ""  # "new", "update" (an existing volunteer) or "link" (an existing contact becomes one)
    person_id: int | None = None
    existing_name: str = ""

    @property
    def name(self) -> str:
        given, family = self.cells.get("given_name", ""), self.cells.get("family_name", "")
        if given and family and (given + family).isascii():
            return f"{given} {family}"
        return f"{family}{given}"


@dataclass
class ImportPlan:
    rows: list[RowPlan]
    columns: list[str]

    @property
    def invalid(self) -> list[RowPlan]:
        return [row for row in self.rows if row.errors]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action and not row.errors)


def _yes_no(text: str) -> bool | None:
    key = _key(text)
    if not key:
        return None
    if key in YES:
        return True
    if key in NO:
        return False
    raise ValueError


def _skill_names(campaign: Campaign) -> dict[str, Skill]:
    """A skill by its name as the campaign wrote it, or as it reads in any of our languages."""
    names: dict[str, Skill] = {}
    for skill in Skill.objects.filter(campaign=campaign):
        names[_key(skill.name)] = skill
        for code, _label in settings.LANGUAGES:
            with translation.override(code):
                names.setdefault(_key(_(skill.name)), skill)
    return names


def _check_cells(row: RowPlan, skills: dict[str, Skill]) -> None:
    cells, clean, errors = row.cells, row.clean, row.errors

    def label(name: str) -> str:
        return str(COLUMN_LABELS[name])

    for name in ("given_name", "family_name", "neighbourhood"):
        value = cells.get(name, "")
        if len(value) > MAX_LENGTHS[name]:
            errors.append(
                _("%(column)s: longer than %(max)s characters.") % {"column": label(name), "max": MAX_LENGTHS[name]}
            )
        clean[name] = value
    if not clean["given_name"]:
        errors.append(_("The given name is missing."))

    email = cells.get("email", "")
    clean["email"] = ""
    if email:
        try:
            validate_email(email)
            if len(email) > 254:
                raise ValidationError("too long")
            clean["email"] = email
        except ValidationError:
            errors.append(_("“%(value)s” is not a valid email address.") % {"value": email[:80]})
    phone_text = cells.get("phone", "")
    clean["phone"] = ""
    if phone_text:
        number = _phone(phone_text)
        if number is None:
            errors.append(
                _("“%(value)s” is not a valid phone number. Write it with the country code, e.g. +852 9123 4567.")
                % {"value": phone_text[:40]}
            )
        else:
            clean["phone"] = number.as_e164
    if not email and not phone_text:
        errors.append(_("An email or a phone number is needed."))

    language = cells.get("language", "")
    clean["language"] = ""
    if language:
        code = LANGUAGES.get(_key(language))
        if code is None:
            errors.append(
                _("Unknown language “%(value)s”. Use %(choices)s.")
                % {"value": language[:40], "choices": ", ".join(code for code, _label in settings.LANGUAGES)}
            )
        else:
            clean["language"] = code

    size = cells.get("tshirt_size", "")
    clean["tshirt_size"] = ""
    if size:
        size_value = SIZES.get(_key(size))
        if not size_value:
            errors.append(
                _("Unknown T-shirt size “%(value)s”. Use %(choices)s.")
                % {"value": size[:20], "choices": ", ".join(Volunteer.Size.values)}
            )
        else:
            clean["tshirt_size"] = size_value

    clean["skills"] = []
    for token in filter(None, (t.strip() for t in LIST_SEPARATORS.split(cells.get("skills", "")))):
        skill = skills.get(_key(token))
        if skill is None:
            errors.append(_("Unknown skill “%(value)s”.") % {"value": token[:60]})
        elif skill.pk not in clean["skills"]:
            clean["skills"].append(skill.pk)

    clean["tags"] = []
    for token in filter(None, (" ".join(t.split()) for t in LIST_SEPARATORS.split(cells.get("tags", "")))):
        if len(token) > 60:
            errors.append(_("A tag can be at most 60 characters."))
        elif token.casefold() not in {t.casefold() for t in clean["tags"]}:
            clean["tags"].append(token)

    for name in ("available_weekdays", "available_evenings", "available_weekends", "consent_email", "consent_sms"):
        try:
            clean[name] = _yes_no(cells.get(name, ""))
        except ValueError:
            errors.append(
                _("%(column)s: write yes or no, not “%(value)s”.") % {"column": label(name), "value": cells[name][:20]}
            )
            clean[name] = None
    for token in filter(None, (t.strip() for t in LIST_SEPARATORS.split(cells.get("availability", "")))):
        target = AVAILABILITY.get(_key(token))
        if target is None:
            errors.append(
                _("Unknown availability “%(value)s”. Use weekdays, evenings or weekends.") % {"value": token[:30]}
            )
        else:
            clean[target] = True


def _chunks(values: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _existing_people(campaign: Campaign, emails: set[str], phones: set[str]) -> tuple[dict, dict]:
    """The campaign's people with these emails (any case) or phones, in a few bounded queries."""
    by_email: dict[str, dict] = {}
    by_phone: dict[str, dict] = {}
    fields = ("pk", "_email", "phone", "given_name", "family_name", "volunteer__pk")
    people = Person.objects.filter(campaign=campaign).annotate(_email=Lower("email"))
    found: list[dict] = []
    for chunk in _chunks(sorted(emails)):
        found += people.filter(_email__in=chunk).order_by("pk").values(*fields)
    for chunk in _chunks(sorted(phones)):
        found += people.filter(phone__in=chunk).order_by("pk").values(*fields)
    for person in sorted(found, key=lambda p: p["pk"]):
        if person["_email"]:
            by_email.setdefault(person["_email"], person)
        if person["phone"]:
            by_phone.setdefault(str(person["phone"]), person)
    return by_email, by_phone


def plan_import(campaign: Campaign, rows: list[dict[str, Any]], columns: list[str]) -> ImportPlan:
    """Check every row and say what applying it would do, against the roster as it is now."""
    skills = _skill_names(campaign)
    plans = [RowPlan(line=row["line"], cells=row["cells"]) for row in rows]
    first_seen: dict[tuple[str, str], int] = {}
    for plan, row in zip(plans, rows, strict=True):
        if row.get("extra"):
            plan.errors.append(_("This row has more cells than the header: is a comma missing its quotes?"))
        _check_cells(plan, skills)
        for kind, value in (("email", plan.clean["email"].casefold()), ("phone", plan.clean["phone"])):
            if not value:
                continue
            earlier = first_seen.setdefault((kind, value), plan.line)
            if earlier != plan.line:
                plan.errors.append(
                    _("The same %(what)s as line %(line)s.")
                    % {"what": _("email") if kind == "email" else _("phone"), "line": earlier}
                )

    by_email, by_phone = _existing_people(
        campaign,
        {p.clean["email"].casefold() for p in plans if p.clean["email"]},
        {p.clean["phone"] for p in plans if p.clean["phone"]},
    )
    for plan in plans:
        email_match = by_email.get(plan.clean["email"].casefold()) if plan.clean["email"] else None
        phone_match = by_phone.get(plan.clean["phone"]) if plan.clean["phone"] else None
        if email_match and phone_match and email_match["pk"] != phone_match["pk"]:
            plan.errors.append(
                _(
                    "The email belongs to %(a)s and the phone to %(b)s, who are different people here. "
                    "Merge them first, or correct the row."
                )
                % {"a": _person_name(email_match), "b": _person_name(phone_match)}
            )
            continue
        match = email_match or phone_match
        if match is None:
            plan.action = "new"
        else:
            plan.person_id = match["pk"]
            plan.existing_name = _person_name(match)
            plan.action = "update" if match["volunteer__pk"] else "link"
    return ImportPlan(rows=plans, columns=columns)


def _person_name(values: dict) -> str:
    given, family = values["given_name"], values["family_name"]
    if given and family and (given + family).isascii():
        return f"{given} {family}"
    return f"{family}{given}"


# Keeping the parsed rows between preview and apply --------------------------------------------


def _imports_dir(campaign: Campaign) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / str(campaign.code)


def _batch_path(campaign: Campaign, code: uuid.UUID) -> Path:
    return _imports_dir(campaign) / f"{uuid.UUID(str(code))}.json"


def _remove_stale(campaign: Campaign) -> None:
    folder = _imports_dir(campaign)
    if not folder.is_dir():
        return
    cutoff = timezone.now().timestamp() - BATCH_LIFETIME.total_seconds()
    for path in folder.glob("*.json"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass


def batch_save(*, campaign: Campaign, user: User, parsed: ParsedFile) -> uuid.UUID:
    _remove_stale(campaign)
    code = uuid.uuid4()
    path = _batch_path(campaign, code)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    payload = {
        "campaign": str(campaign.code),
        "user": str(user.code),
        "created_at": timezone.now().isoformat(),
        "filename": parsed.filename,
        "columns": parsed.columns,
        "ignored": parsed.ignored,
        "rows": parsed.rows,
    }
    # Personal data: readable by the server's user only, and never under a served URL.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False)
    return code


def batch_load(*, campaign: Campaign, user: User, code: uuid.UUID) -> ParsedFile | None:
    """The batch, if it belongs to this campaign and this user and has not expired."""
    path = _batch_path(campaign, code)
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if payload.get("campaign") != str(campaign.code) or payload.get("user") != str(user.code):
        return None
    if dt.datetime.fromisoformat(payload["created_at"]) < timezone.now() - BATCH_LIFETIME:
        path.unlink(missing_ok=True)
        return None
    return ParsedFile(
        filename=payload["filename"], columns=payload["columns"], ignored=payload["ignored"], rows=payload["rows"]
    )


def batch_delete(*, campaign: Campaign, code: uuid.UUID) -> None:
    _batch_path(campaign, code).unlink(missing_ok=True)


def tags_for(campaign: Campaign, names: Iterable[str]) -> dict[str, Tag]:
    """Existing tags by folded name."""
    wanted = {name.casefold() for name in names}
    return {tag.name.casefold(): tag for tag in Tag.objects.filter(campaign=campaign) if tag.name.casefold() in wanted}
