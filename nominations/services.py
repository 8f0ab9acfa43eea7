"""Drives, sheets and signatures: every change is one transaction, checked, and audited.

Bad input (a sheet number used twice, a date before the drive opens, an address outside every area,
ID digits in the wrong shape) raises ValidationError naming the field, and nothing is saved. What
the election committee might question (out of area, a likely duplicate, a missing field, outside the
date window) is saved with the risk named, for a coordinator to review.

Audit data holds codes, numbers and choices, never a signer's name, address or ID digits.
"""

import base64
import binascii
import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from campaign.audit import log_action
from campaign.models import Campaign, Membership
from canvassing.models import Household
from nominations import selectors, validation
from nominations.models import Drive, Recheck, Risk, Sheet, Signature

DRIVE_FIELDS = (
    "office",
    "area_key",
    "required",
    "margin_percent",
    "opens_on",
    "deadline",
    "status",
    "check_area",
    "min_age",
    "check_duplicates",
    "require_id_fragment",
    "id_fragment_length",
    "require_address",
    "window_days",
)
RULE_FIELDS = {
    "area_key",
    "deadline",
    "check_area",
    "min_age",
    "check_duplicates",
    "require_id_fragment",
    "id_fragment_length",
    "require_address",
    "window_days",
}
MAX_SHEETS_PER_BATCH = 500
MAX_SHEET_NUMBER = 10_000_000
MAX_SIGNATURE_PNG = 200_000  # bytes: a small canvas drawing is 5–30 kB
PNG_PREFIX = "data:image/png;base64,"
MAX_REVIEW_GROUP = 200  # beyond this many related signatures a review re-checks the whole drive


def today_for(campaign: Campaign) -> dt.date:
    return timezone.localdate(timezone=campaign.tzinfo)


# --- drives --------------------------------------------------------------------------------------


def _check_drive(drive: Drive) -> None:
    drive.full_clean(exclude=["campaign", "created_by"])
    if not drive.area_key.strip():
        raise ValidationError({"area_key": _("Enter the area code.")})


@transaction.atomic
def drive_create(*, campaign: Campaign, acting_user: User, **values: Any) -> Drive:
    unknown = set(values) - set(DRIVE_FIELDS)
    if unknown:
        raise TypeError(f"Not drive fields: {sorted(unknown)}")
    drive = Drive(campaign=campaign, created_by=acting_user, **values)
    drive.area_key = (drive.area_key or "").strip()
    if drive.opens_on and drive.deadline and drive.deadline < drive.opens_on:
        raise ValidationError({"deadline": _("The filing deadline is before collection opens.")})
    _check_drive(drive)
    drive.save()
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="nominations.drive.created",
        target=drive,
        data={"area_key": drive.area_key, "required": drive.required},
    )
    return drive


@transaction.atomic
def drive_update(*, drive: Drive, acting_user: User, **values: Any) -> Drive:
    """Changing a rule re-checks the drive's signatures against it."""
    unknown = set(values) - set(DRIVE_FIELDS)
    if unknown:
        raise TypeError(f"Not drive fields: {sorted(unknown)}")
    drive = Drive.objects.select_for_update().get(pk=drive.pk)
    if "area_key" in values:
        values["area_key"] = (values["area_key"] or "").strip()
    changed = [name for name, value in values.items() if getattr(drive, name) != value]
    if not changed:
        return drive
    for name in changed:
        setattr(drive, name, values[name])
    if drive.deadline < drive.opens_on:
        raise ValidationError({"deadline": _("The filing deadline is before collection opens.")})
    if "opens_on" in changed and drive.signatures.filter(signed_on__lt=drive.opens_on).exists():
        raise ValidationError({"opens_on": _("Some signatures are dated before this day; they would not count.")})
    _check_drive(drive)
    drive.save(update_fields=changed)
    log_action(
        campaign=drive.campaign,
        actor=acting_user,
        action="nominations.drive.updated",
        target=drive,
        data={"fields": changed},
    )
    if RULE_FIELDS & set(changed):
        rejudge(drives=[drive])
    return drive


# --- sheets --------------------------------------------------------------------------------------


@transaction.atomic
def sheets_create(*, drive: Drive, acting_user: User, first: int, count: int) -> list[Sheet]:
    """Numbered sheets first…first+count-1. A number the drive already has is refused, with which."""
    if count < 1 or count > MAX_SHEETS_PER_BATCH:
        raise ValidationError({"count": _("Make between 1 and %(n)d sheets at a time.") % {"n": MAX_SHEETS_PER_BATCH}})
    if first < 1:
        raise ValidationError({"first": _("Sheet numbers start at 1.")})
    if first + count - 1 > MAX_SHEET_NUMBER:
        raise ValidationError({"first": _("Sheet numbers go up to %(n)d.") % {"n": MAX_SHEET_NUMBER}})
    numbers = range(first, first + count)
    taken = list(
        Sheet.objects.filter(drive=drive, number__in=numbers).order_by("number").values_list("number", flat=True)[:10]
    )
    if taken:
        raise ValidationError(
            {
                "first": _("Sheet number already used in this drive: %(numbers)s.")
                % {"numbers": ", ".join(str(n) for n in taken)}
            }
        )
    try:
        with transaction.atomic():
            sheets = Sheet.objects.bulk_create([Sheet(campaign=drive.campaign, drive=drive, number=n) for n in numbers])
    except IntegrityError:
        # Another coordinator made the same numbers at the same moment.
        raise ValidationError({"first": _("Some of these sheet numbers were just used. Try again.")}) from None
    log_action(
        campaign=drive.campaign,
        actor=acting_user,
        action="nominations.sheets.created",
        target=drive,
        data={"first": first, "count": count},
    )
    return sheets


def next_sheet_number(drive: Drive) -> int:
    return (Sheet.objects.filter(drive=drive).aggregate(m=Max("number"))["m"] or 0) + 1


@transaction.atomic
def sheet_checkout(*, sheet: Sheet, membership: Membership, acting_user: User) -> Sheet:
    sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if membership.campaign_id != sheet.campaign_id:
        raise ValidationError({"membership": _("This person is not on this campaign's team.")})
    if sheet.status == Sheet.Status.CHECKED_OUT and sheet.checked_out_to_id != membership.pk:
        raise ValidationError(_("This sheet is checked out to someone else. Have it returned first."))
    sheet.status = Sheet.Status.CHECKED_OUT
    sheet.checked_out_to = membership
    sheet.collector = membership
    sheet.checked_out_at = timezone.now()
    sheet.returned_at = None
    sheet.save(update_fields=["status", "checked_out_to", "collector", "checked_out_at", "returned_at"])
    log_action(
        campaign=sheet.campaign,
        actor=acting_user,
        action="nominations.sheet.checked_out",
        target=sheet,
        data={"number": sheet.number, "membership": str(membership.code)},
    )
    return sheet


@transaction.atomic
def sheet_return(
    *, sheet: Sheet, acting_user: User, location: str = "", collected_on: dt.date | None = None, notes: str = ""
) -> Sheet:
    sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if sheet.status != Sheet.Status.CHECKED_OUT:
        raise ValidationError(_("This sheet is not checked out."))
    if collected_on is not None and collected_on > today_for(sheet.campaign):
        raise ValidationError({"collected_on": _("This date is in the future.")})
    sheet.status = Sheet.Status.RETURNED
    sheet.checked_out_to = None
    sheet.returned_at = timezone.now()
    sheet.location = (location or sheet.location).strip()[:200]
    sheet.collected_on = collected_on or sheet.collected_on
    sheet.notes = notes or sheet.notes
    sheet.save(update_fields=["status", "checked_out_to", "returned_at", "location", "collected_on", "notes"])
    log_action(
        campaign=sheet.campaign,
        actor=acting_user,
        action="nominations.sheet.returned",
        target=sheet,
        data={"number": sheet.number},
    )
    return sheet


# --- signatures ----------------------------------------------------------------------------------


def decode_signature_png(data_url: str) -> bytes:
    """The canvas drawing as sent by the browser (a PNG data URL), checked to be a small PNG."""
    if not data_url or not data_url.startswith(PNG_PREFIX):
        raise ValidationError({"signature_png": _("Ask the signer to sign in the box.")})
    try:
        raw = base64.b64decode(data_url[len(PNG_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({"signature_png": _("The drawn signature could not be read. Try again.")}) from None
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValidationError({"signature_png": _("The drawn signature could not be read. Try again.")})
    if len(raw) > MAX_SIGNATURE_PNG:
        raise ValidationError({"signature_png": _("The drawn signature is too large.")})
    return raw


def _already_entered(*, code: uuid.UUID, campaign: Campaign, drive: Drive, sheet: Sheet | None) -> Signature | None:
    """The signature saved earlier with this client code; a code used for another drive or sheet is refused
    (it would otherwise hand back a signature the caller may not see)."""
    existing = Signature.objects.filter(campaign=campaign, code=code).defer("signature_png").first()
    if existing is None:
        return None
    if existing.drive_id != drive.pk or existing.sheet_id != (sheet.pk if sheet else None):
        raise ValidationError({"code": _("This code was already used for another signature.")})
    existing.replayed = True
    return existing


def _check_household(drive: Drive, household: Household | None) -> None:
    if household is None:
        return
    if household.campaign_id != drive.campaign_id:
        raise ValidationError({"household": _("Choose a household of this campaign.")})
    if drive.check_area and household.area_id is None:
        raise ValidationError(
            {"household": _("This address is outside every area of the current map: it cannot count for this drive.")}
        )


@transaction.atomic
def signature_add(
    *,
    drive: Drive,
    acting_user: User,
    full_name: str,
    signed_on: dt.date,
    sheet: Sheet | None = None,
    line: int | None = None,
    household: Household | None = None,
    address_text: str = "",
    id_fragment: str = "",
    birth_year: int | None = None,
    collected_by: Membership | None = None,
    signature_png: bytes | None = None,
    source: str = Signature.Source.SHEET,
    code: uuid.UUID | None = None,
) -> Signature:
    """Check and save one signature. Its risks are saved with it; bad input saves nothing."""
    campaign = drive.campaign
    if sheet is not None and sheet.drive_id == drive.pk:
        # Lines are numbered per sheet, and a form sent twice at once must find its first copy: one
        # entry per sheet at a time.
        Sheet.objects.select_for_update().filter(pk=sheet.pk).first()
    if code is not None:
        existing = _already_entered(code=code, campaign=campaign, drive=drive, sheet=sheet)
        if existing is not None:
            return existing  # the phone (or a double click) sent it again
    errors: dict[str, str] = {}
    if not drive.is_open:
        raise ValidationError(_("This drive is not collecting signatures any more."))
    full_name = " ".join((full_name or "").split())
    key = validation.name_key(full_name)
    if not key:
        errors["full_name"] = _("Enter the signer's name.")
    elif len(full_name) > 200:
        errors["full_name"] = _("The name is too long.")
    today = today_for(campaign)
    if signed_on is None:
        errors["signed_on"] = _("Enter the date signed.")
    elif signed_on < drive.opens_on:
        errors["signed_on"] = _("This date is before the drive opened on %(day)s.") % {
            "day": drive.opens_on.isoformat()
        }
    elif signed_on > today:
        errors["signed_on"] = _("This date is in the future.")
    if birth_year is not None and not (today.year - 130 <= birth_year <= today.year):
        errors["birth_year"] = _("Enter a year of birth such as 1975.")
    address_text = " ".join((address_text or "").split())[:300]
    if household is None and address_text:
        # Typed, not picked: the household it names, when exactly one has that address.
        household = selectors.household_for_address(campaign=campaign, text=address_text)
        if household is not None and drive.check_area and household.area_id is None:
            errors["address_text"] = _(
                "%(address)s is outside every area of the current map: it cannot count for this drive."
            ) % {"address": household.address}
            household = None
    try:
        fragment = validation.clean_id_fragment(id_fragment, length=drive.id_fragment_length)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
        fragment = ""
    try:
        _check_household(drive, household)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if sheet is not None:
        if sheet.drive_id != drive.pk:
            errors["sheet"] = _("This sheet belongs to another drive.")
        elif line is not None and (line < 1 or line > 999):
            errors["line"] = _("Enter a line number between 1 and 999.")
        elif line is not None and Signature.objects.filter(sheet=sheet, line=line).exists():
            errors["line"] = _("Line %(line)d of sheet %(sheet)d is already entered.") % {
                "line": line,
                "sheet": sheet.number,
            }
    if errors:
        raise ValidationError(errors)
    if sheet is not None and line is None:
        line = (Signature.objects.filter(sheet=sheet).aggregate(m=Max("line"))["m"] or 0) + 1
    hashed = validation.id_hash(campaign=campaign, fragment=fragment) if fragment else ""
    verdict = validation.judge(
        drive,
        key=key,
        household=household,
        address_text=address_text,
        id_hash_value=hashed,
        birth_year=birth_year,
        signed_on=signed_on,
    )
    signature = Signature(
        code=code or uuid.uuid4(),
        campaign=campaign,
        drive=drive,
        sheet=sheet,
        line=line if sheet is not None else None,
        source=source,
        full_name=full_name,
        name_key=key,
        household=household,
        address_text=address_text,
        birth_year=birth_year,
        id_hash=hashed,
        id_last=fragment[-1:] if fragment else "",
        signed_on=signed_on,
        signature_png=signature_png,
        risks=verdict.risks,
        duplicate_of=verdict.duplicate_of,
        status=Signature.Status.AT_RISK if verdict.risks else Signature.Status.LIKELY_VALID,
        collected_by=collected_by or (sheet.collector if sheet is not None else None),
        entered_by=acting_user,
    )
    try:
        if code is None:
            # No savepoint: on a clash this transaction (or the caller's savepoint) is rolled back as the
            # ValidationError leaves it, and a savepoint per signature costs two round trips.
            signature.save(force_insert=True)
        else:
            with transaction.atomic():  # a savepoint, so the first copy can still be read after a clash
                signature.save(force_insert=True)
    except IntegrityError:
        existing = _already_entered(code=code, campaign=campaign, drive=drive, sheet=sheet) if code else None
        if existing is not None:
            return existing  # the same signature, sent twice at the same moment (a door form)
        raise ValidationError({"line": _("This line was just entered by someone else. Check the sheet.")}) from None
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="nominations.signature.added",
        target=signature,
        data={"drive": str(drive.code), "sheet": sheet.number if sheet else None, "line": line, "risks": verdict.risks},
    )
    return signature


@transaction.atomic
def signature_review(*, signature: Signature, acting_user: User, decision: str, reason: str) -> Signature:
    """Mark valid (the risks seen are accepted) or struck, with a reason; "" undoes the review."""
    if decision not in Signature.Review.values:
        raise ValidationError({"decision": _("Choose valid or struck.")})
    reason = " ".join((reason or "").split())[:300]
    if decision and not reason:
        raise ValidationError({"reason": _("Say why, for whoever checks the papers next.")})
    signature = Signature.objects.select_for_update().select_related("drive").get(pk=signature.pk)
    signature.review = decision
    signature.review_reason = reason if decision else ""
    signature.reviewed_risks = list(signature.risks) if decision == Signature.Review.VALID else []
    signature.reviewed_by = acting_user if decision else None
    signature.reviewed_at = timezone.now() if decision else None
    signature.status = validation.status_for(signature, signature.risks)
    signature.save(update_fields=["review", "review_reason", "reviewed_risks", "reviewed_by", "reviewed_at", "status"])
    log_action(
        campaign=signature.campaign,
        actor=acting_user,
        action="nominations.signature.reviewed",
        target=signature,
        data={"decision": decision or "undone", "status": signature.status},
    )
    # Striking (or un-striking) one signature changes whether others are its duplicates: only those
    # at its household or with its name and ID digits, so only they are checked again.
    rejudge(drives=[signature.drive], around=signature)
    return signature


# --- re-checking ---------------------------------------------------------------------------------

SIGNATURE_CHECK_FIELDS = ["risks", "status", "duplicate_of"]


def _duplicate_group(signature: Signature) -> Q:
    """The signatures that can be, or have, a duplicate in common with this one."""
    group = Q(pk=signature.pk)
    if signature.household_id is not None:
        group |= Q(household_id=signature.household_id)
    if signature.id_hash:
        group |= Q(name_key=signature.name_key, id_hash=signature.id_hash)
    return group


def rejudge(
    *, drives: Iterable[Drive], recheck: Recheck | None = None, around: Signature | None = None
) -> list[Signature]:
    """Check every signature of these drives again, in a few queries per drive: households with their
    area come in one join, duplicates are found in memory in entry order. Saves what changed and returns
    the signatures whose status changed.

    With `around`, only the signatures whose duplicate could change with that one's status are checked
    (those at its household or with its name and ID digits), each beside every signature it is compared
    with (those at its own household or with its own name and digits): a review stays a few rows."""
    status_changed: list[Signature] = []
    for drive in drives:
        rows = Signature.objects.filter(drive=drive)
        affected: set[int] | None = None
        group = []
        if around is not None:
            group = list(rows.filter(_duplicate_group(around)).values_list("pk", "household_id", "name_key", "id_hash"))
        if 0 < len(group) <= MAX_REVIEW_GROUP:
            affected = {pk for pk, *_rest in group}
            context = Q(pk__in=affected)
            for _pk, household_id, key, hashed in group:
                if household_id is not None:
                    context |= Q(household_id=household_id)
                if hashed:
                    context |= Q(name_key=key, id_hash=hashed)
            rows = rows.filter(context)
        signatures = list(rows.select_related("household__area").defer("signature_png").order_by("pk"))
        at_household: dict[int, list[tuple[int, str]]] = {}
        by_name_id: dict[tuple[str, str], int] = {}
        changed: list[Signature] = []
        for signature in signatures:
            risks = validation.area_risks(drive, signature.household, address_text=signature.address_text)
            risks += validation.field_risks(
                drive, id_hash_value=signature.id_hash, birth_year=signature.birth_year, signed_on=signature.signed_on
            )
            duplicate_pk = None
            if drive.check_duplicates and signature.name_key:
                if signature.household_id is not None:
                    duplicate_pk = next(
                        (
                            pk
                            for pk, key in at_household.get(signature.household_id, [])
                            if validation.names_similar(signature.name_key, key)
                        ),
                        None,
                    )
                if duplicate_pk is None and signature.id_hash:
                    duplicate_pk = by_name_id.get((signature.name_key, signature.id_hash))
            if duplicate_pk is not None:
                risks.append(Risk.DUPLICATE)
            risks = [str(r) for r in risks]
            status = validation.status_for(signature, risks)
            if status != Signature.Status.STRUCK:
                if signature.household_id is not None:
                    at_household.setdefault(signature.household_id, []).append((signature.pk, signature.name_key))
                if signature.id_hash:
                    by_name_id.setdefault((signature.name_key, signature.id_hash), signature.pk)
            if affected is not None and signature.pk not in affected:
                continue  # only there to be compared with
            if risks == signature.risks and status == signature.status and duplicate_pk == signature.duplicate_of_id:
                continue
            if recheck is not None and Risk.OUT_OF_AREA in risks and Risk.OUT_OF_AREA not in signature.risks:
                signature.fell_out_in = recheck
            if status != signature.status:
                status_changed.append(signature)
            signature.risks, signature.status, signature.duplicate_of_id = risks, status, duplicate_pk
            changed.append(signature)
        fields = [*SIGNATURE_CHECK_FIELDS, "fell_out_in"] if recheck is not None else SIGNATURE_CHECK_FIELDS
        Signature.objects.bulk_update(changed, fields, batch_size=500)
    return status_changed


@transaction.atomic
def signatures_recheck(*, campaign: Campaign, acting_user: User | None) -> list[Signature]:
    """After the district map was re-versioned: check every signature of the campaign's open drives
    against the now-current map, save the changed risks, and return exactly the signatures whose
    status changed. Those that fell out of the area are marked with this re-check (see the page)."""
    drives = list(Drive.objects.filter(campaign=campaign, status=Drive.Status.OPEN).order_by("pk"))
    recheck = Recheck.objects.create(campaign=campaign, ran_by=acting_user)
    changed = rejudge(drives=drives, recheck=recheck)
    recheck.checked = Signature.objects.filter(drive__in=drives).count()
    recheck.changed = len(changed)
    recheck.fell_out = Signature.objects.filter(campaign=campaign, fell_out_in=recheck).count()
    recheck.save(update_fields=["checked", "changed", "fell_out"])
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="nominations.signatures.rechecked",
        target=recheck,
        data={"checked": recheck.checked, "changed": recheck.changed, "fell_out": recheck.fell_out},
    )
    return changed


def export_record(*, campaign: Campaign, acting_user: User, drive: Drive, rows: int) -> None:
    """The filing export is recorded before it is sent: which drive and how many rows, never a name."""
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="nominations.exported",
        target=drive,
        data={"rows": rows},
    )
