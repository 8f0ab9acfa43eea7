"""Households and their residents: hand edits, the door form, the review queue, and the file import.

Every write of an address goes through `Household.refresh_address_fields()`, so a household added by
hand is found again by a later import of the same address.
"""

import logging
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from campaign.audit import log_action
from campaign.jobs import job_create, job_finish, job_progress, job_run
from campaign.models import Campaign, Job, Membership, Person
from canvassing import importing
from canvassing.access import assigned_turf_ids
from canvassing.importing_apply import apply_batch
from canvassing.models import Household, ImportBatch, Resident, Turf, name_key
from notifications.services import message_enqueue

logger = logging.getLogger(__name__)

HOUSEHOLD_FIELDS = (
    "external_id",
    "district",
    "street",
    "house_number",
    "building",
    "floor",
    "unit",
    "postcode",
    "latitude",
    "longitude",
    "notes",
)


# Households by hand ----------------------------------------------------------------------------------


def _clean_household(household: Household) -> None:
    """Field checks, the address key, and a clear message when the address or id is taken."""
    household.refresh_address_fields()
    if not household.street.strip() and not household.building.strip():
        raise ValidationError({"street": _("A street or a building is needed.")})
    if (household.latitude is None) != (household.longitude is None):
        raise ValidationError({"latitude": _("Give both latitude and longitude, or neither.")})
    try:
        household.full_clean(exclude=["campaign", "area", "turf", "added_by", "address_key", "code"])
    except ValidationError:
        raise
    others = Household.objects.filter(campaign=household.campaign).exclude(pk=household.pk)
    if others.filter(address_key=household.address_key).exists():
        raise ValidationError({"street": _("The campaign already has a household at this address.")})
    if household.external_id and others.filter(external_id=household.external_id).exists():
        raise ValidationError({"external_id": _("Another household has this external id.")})


@transaction.atomic
def household_create(
    *,
    campaign: Campaign,
    acting_user: User,
    values: dict[str, Any],
    source: str = Household.Source.MANUAL,
    turf: Turf | None = None,
) -> Household:
    unknown = set(values) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    household = Household(
        campaign=campaign,
        source=source,
        needs_review=source == Household.Source.DOOR,
        added_by=acting_user,
        turf=turf,
        area=turf.area if turf is not None else None,
        **values,
    )
    _clean_household(household)
    household.save()
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="canvassing.household.created",
        target=household,
        data={"source": source},
    )
    return household


@transaction.atomic
def household_update(*, household: Household, acting_user: User, values: dict[str, Any]) -> Household:
    unknown = set(values) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    household = Household.objects.select_for_update().get(pk=household.pk)
    changed = sorted(name for name, value in values.items() if getattr(household, name) != value)
    for name, value in values.items():
        setattr(household, name, value)
    _clean_household(household)
    household.save()
    log_action(
        campaign=household.campaign,
        actor=acting_user,
        action="canvassing.household.updated",
        target=household,
        data={"fields": changed},
    )
    return household


@transaction.atomic
def household_set_status(*, household: Household, acting_user: User, status: str) -> Household:
    if status not in Household.Status.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    before = household.status
    household.status = status
    household.save(update_fields=["status", "updated_at"])
    log_action(
        campaign=household.campaign,
        actor=acting_user,
        action="canvassing.household.status",
        target=household,
        data={"from": before, "to": status},
    )
    return household


def turfs_of(membership: Membership) -> Any:
    """The turfs a member has an active assignment for."""
    return Turf.objects.filter(campaign_id=membership.campaign_id, pk__in=assigned_turf_ids(membership))


@transaction.atomic
def household_add_at_door(
    *,
    campaign: Campaign,
    membership: Membership,
    values: dict[str, Any],
    turf_code: UUID | None = None,
    resident_name: str = "",
) -> Household:
    """A household a volunteer found that the list did not have: flagged for a coordinator's review,
    placed in the volunteer's turf when they name one assigned to them."""
    turf = None
    if turf_code is not None:
        turf = turfs_of(membership).filter(code=turf_code).first()
        if turf is None:
            raise ValidationError({"turf": _("That turf is not assigned to you.")})
    household = household_create(
        campaign=campaign,
        acting_user=membership.user,
        values=values,
        source=Household.Source.DOOR,
        turf=turf,
    )
    if resident_name.strip():
        resident_add(household=household, acting_user=membership.user, name=resident_name)
    return household


@transaction.atomic
def household_accept(*, household: Household, acting_user: User) -> Household:
    household.needs_review = False
    household.save(update_fields=["needs_review", "updated_at"])
    log_action(campaign=household.campaign, actor=acting_user, action="canvassing.household.accepted", target=household)
    return household


@transaction.atomic
def household_merge(*, household: Household, into: Household, acting_user: User) -> Household:
    """The door household was one already on the list: its residents and visits move there, it goes."""
    if household.pk == into.pk or household.campaign_id != into.campaign_id:
        raise ValidationError({"into": _("Choose another household of this campaign.")})
    existing = set(Resident.objects.filter(household=into).values_list("name_key", flat=True))
    for resident in Resident.objects.filter(household=household):
        if resident.name_key and resident.name_key in existing:
            resident.delete()
            continue
        resident.household = into
        resident.save(update_fields=["household"])
    moved = household.visits.update(household=into)
    if household.notes and household.notes not in into.notes:
        into.notes = f"{into.notes}\n{household.notes}".strip()
        into.save(update_fields=["notes", "updated_at"])
    log_action(
        campaign=household.campaign,
        actor=acting_user,
        action="canvassing.household.merged",
        target=into,
        data={"merged": str(household.code), "visits": moved},
    )
    household.delete()
    return into


@transaction.atomic
def household_delete(*, household: Household, acting_user: User) -> None:
    if household.visits.exists():
        raise ValidationError(_("This household has visits; merge it into another household instead."))
    log_action(
        campaign=household.campaign,
        actor=acting_user,
        action="canvassing.household.deleted",
        target=household,
        data={"source": household.source},
    )
    household.delete()


@transaction.atomic
def resident_add(
    *, household: Household, acting_user: User, name: str, phone: str = "", age_band: str = "", notes: str = ""
) -> Resident:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Enter the resident's name.")})
    if age_band and age_band not in Resident.AgeBand.values:
        raise ValidationError({"age_band": _("Choose a valid age band.")})
    key = name_key(name)
    if Resident.objects.filter(household=household, name_key=key).exists():
        raise ValidationError({"name": _("This household already has a resident with this name.")})
    given, family = importing.split_name(name)
    person = Person(campaign=household.campaign, given_name=given[:100], family_name=family[:100], phone=phone)
    person.full_clean(exclude=["campaign", "user"])
    person.save()
    resident = Resident.objects.create(
        campaign=household.campaign, household=household, person=person, age_band=age_band, notes=notes, name_key=key
    )
    log_action(campaign=household.campaign, actor=acting_user, action="canvassing.resident.added", target=household)
    return resident


# The file import ---------------------------------------------------------------------------------------


def _batch_url(batch: ImportBatch) -> str:
    return reverse("canvassing:import_detail", kwargs={"campaign_slug": batch.campaign.slug, "code": batch.code})


@transaction.atomic
def import_upload(*, campaign: Campaign, acting_user: User, filename: str, chunks: Any) -> ImportBatch:
    """Stores the file privately and reads its header for the mapping step. A file that cannot be read
    is refused here with a clear message, and nothing is kept."""
    chunk_iter = iter(chunks)
    head = next(chunk_iter, b"")
    file_format = importing.file_format_of(filename, head[:8])
    batch = ImportBatch.objects.create(
        campaign=campaign, created_by=acting_user, filename=filename[:200], file_format=file_format
    )

    def all_chunks() -> Any:
        yield head
        yield from chunk_iter

    try:
        batch.size = importing.store_upload(batch, all_chunks())
        if file_format == ImportBatch.Format.CSV:
            batch.encoding = importing.detect_encoding(importing.source_path(batch))
        batch.headers, batch.sample = importing.read_preview(batch)
    except ValidationError:
        importing.remove_files(batch)
        raise
    batch.mapping = importing.auto_mapping(batch.headers)
    batch.save(update_fields=["size", "encoding", "headers", "sample", "mapping"])
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="canvassing.import.uploaded",
        target=batch,
        data={"format": file_format, "bytes": batch.size},
    )
    return batch


def import_preview_with_encoding(*, batch: ImportBatch, encoding: str) -> None:
    """Reads the header again in the encoding the coordinator chose."""
    if encoding not in importing.ENCODINGS:
        raise ValidationError({"encoding": _("Choose UTF-8 or GB18030.")})
    batch.encoding = encoding
    batch.headers, batch.sample = importing.read_preview(batch)


@transaction.atomic
def import_validate_start(*, batch: ImportBatch, acting_user: User, mapping: dict[str, str], encoding: str = "") -> Job:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if not batch.can_map:
        raise ValidationError(_("This import cannot be checked again now."))
    if batch.file_format == ImportBatch.Format.CSV and encoding and encoding != batch.encoding:
        import_preview_with_encoding(batch=batch, encoding=encoding)
        mapping = {k: v for k, v in mapping.items() if k.isdigit() and int(k) < len(batch.headers)}
    mapping = {index: name for index, name in mapping.items() if name}
    importing.check_mapping(mapping, len(batch.headers))
    job = job_create(
        campaign=batch.campaign,
        kind="canvassing.import.validate",
        title=_("Checking %(file)s") % {"file": batch.filename},
        created_by=acting_user,
        return_url=_batch_url(batch),
    )
    batch.mapping = mapping
    batch.status = ImportBatch.Status.VALIDATING
    batch.job = job
    batch.errors, batch.error_count = [], 0
    batch.save(update_fields=["mapping", "status", "job", "errors", "error_count", "encoding", "headers", "sample"])
    from canvassing.tasks_import import household_import_validate

    transaction.on_commit(lambda: household_import_validate.delay(str(batch.code), str(job.code)))
    return job


@transaction.atomic
def import_apply_start(*, batch: ImportBatch, acting_user: User) -> Job:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if not batch.can_apply:
        raise ValidationError(_("Only a file that was checked with no errors can be imported."))
    job = job_create(
        campaign=batch.campaign,
        kind="canvassing.import.apply",
        title=_("Importing %(file)s") % {"file": batch.filename},
        created_by=acting_user,
        total=batch.household_rows,
        return_url=_batch_url(batch),
    )
    batch.status = ImportBatch.Status.APPLYING
    batch.job = job
    batch.save(update_fields=["status", "job"])
    log_action(campaign=batch.campaign, actor=acting_user, action="canvassing.import.apply", target=batch)
    from canvassing.tasks_import import household_import_apply

    transaction.on_commit(lambda: household_import_apply.delay(str(batch.code), str(job.code)))
    return job


@transaction.atomic
def import_discard(*, batch: ImportBatch, acting_user: User) -> None:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.busy:
        raise ValidationError(_("Wait until the check or the import has finished."))
    if batch.status != ImportBatch.Status.DONE:
        batch.status = ImportBatch.Status.DISCARDED
        batch.save(update_fields=["status"])
    importing.remove_files(batch)
    log_action(campaign=batch.campaign, actor=acting_user, action="canvassing.import.discarded", target=batch)


def _notify(batch: ImportBatch, job: Job, kind: str) -> None:
    """Tells the coordinator who started it, by email, that the work is done (or failed)."""
    user = batch.created_by
    if user is None or not user.email:
        return
    message_enqueue(
        campaign=batch.campaign,
        channel="email",
        template=f"canvassing/import_{kind}",
        dedupe_key=f"canvassing:import:{batch.code}:{job.code}",
        to=user.email,
        context={
            "filename": batch.filename,
            "status": batch.get_status_display(),
            "error_count": batch.error_count,
            "household_rows": batch.household_rows,
            "created": batch.created_count,
            "updated": batch.updated_count,
            "residents_created": batch.residents_created,
            "message": batch.message,
            "url": settings.SITE_URL.rstrip("/") + _batch_url(batch),
        },
        language=getattr(user, "language", "") or batch.campaign.language,
    )


def run_validation(batch_code: str, job_code: str) -> None:
    """The validation task's body: reads the file, records errors and counts, tells the coordinator."""

    def work(job: Job) -> None:
        batch = ImportBatch.objects.select_related("campaign", "created_by").get(code=batch_code)
        try:
            result = importing.validate_file(batch, progress=lambda done: job_progress(job, done=done, total=0))
        except Exception:
            batch.status = ImportBatch.Status.FAILED
            batch.save(update_fields=["status"])
            raise
        batch.total_rows = result.total_rows
        batch.household_rows = result.household_rows
        batch.resident_rows = result.resident_rows
        batch.error_count = result.error_count
        batch.errors = result.errors
        batch.status = ImportBatch.Status.INVALID if result.error_count else ImportBatch.Status.VALID
        batch.validated_at = timezone.now()
        batch.save(
            update_fields=[
                "total_rows",
                "household_rows",
                "resident_rows",
                "error_count",
                "errors",
                "status",
                "validated_at",
            ]
        )
        if result.error_count:
            message = _("%(errors)s errors in %(rows)s rows: nothing can be imported until they are fixed.") % {
                "errors": result.error_count,
                "rows": result.total_rows,
            }
        else:
            message = _("%(rows)s rows checked, no errors: ready to import.") % {"rows": result.total_rows}
        job_finish(job, result={"rows": result.total_rows, "errors": result.error_count}, message=message)
        _notify(batch, job, "checked")

    job_run(job_code, work)


def run_apply(batch_code: str, job_code: str) -> None:
    """The apply task's body: one transaction; on any error nothing is written and the batch says why."""

    def work(job: Job) -> None:
        batch = ImportBatch.objects.select_related("campaign", "created_by").get(code=batch_code)
        total = batch.household_rows
        try:
            with transaction.atomic():
                result = apply_batch(
                    batch, progress=lambda done: job_progress(job, done=min(done * total // 2, total), total=total)
                )
                batch.created_count = result.created
                batch.updated_count = result.updated
                batch.residents_created = result.residents_created
                batch.residents_updated = result.residents_updated
                batch.status = ImportBatch.Status.DONE
                batch.applied_at = timezone.now()
                batch.message = ""
                batch.save(
                    update_fields=[
                        "created_count",
                        "updated_count",
                        "residents_created",
                        "residents_updated",
                        "status",
                        "applied_at",
                        "message",
                    ]
                )
                log_action(
                    campaign=batch.campaign,
                    actor=batch.created_by,
                    action="canvassing.import.applied",
                    target=batch,
                    data=result.as_dict(),
                )
        except (ValidationError, IntegrityError) as exc:
            message = (
                " ".join(exc.messages)
                if isinstance(exc, ValidationError)
                else _("The database refused the import (two rows clash); nothing was changed.")
            )
            ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED, message=message)
            batch.status, batch.message = ImportBatch.Status.FAILED, message
            _notify(batch, job, "failed")
            raise ValidationError(message) from exc
        except Exception:
            ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED)
            raise
        importing.remove_files(batch)
        job_finish(
            job,
            result=result.as_dict(),
            message=_("%(created)s households added, %(updated)s updated, %(residents)s residents added.")
            % {"created": result.created, "updated": result.updated, "residents": result.residents_created},
        )
        _notify(batch, job, "done")

    job_run(job_code, work)


def door_households(campaign: Campaign) -> Any:
    return Household.objects.filter(campaign=campaign, needs_review=True).filter(~Q(status=Household.Status.MOVED))
