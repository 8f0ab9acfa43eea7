"""Coordinators' writes on the roster: add and edit volunteers, notes, bulk tags and status, merge,
and applying an import. One transaction each, audited inside, never with the personal values."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from campaign.audit import log_action
from campaign.models import Campaign, Person, PersonTag, Tag
from campaign.services import person_save
from volunteers import importing
from volunteers.models import Signup, Skill, Volunteer, VolunteerNote, VolunteerSkill
from volunteers.selectors import RosterFilter
from volunteers.services import signup_cancel

VOLUNTEER_FIELDS = ("status", "available_weekdays", "available_evenings", "available_weekends", "tshirt_size")


def _check_fields(values: dict[str, Any], allowed: Sequence[str]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")


def clashing_volunteer(
    campaign: Campaign, *, email: str, phone: object, exclude: Volunteer | None = None
) -> tuple[str, Volunteer] | None:
    """Another volunteer with this email (any case) or phone, and which of the two it shares."""
    for field, lookup, value in (("email", "person__email__iexact", email), ("phone", "person__phone", phone)):
        if not value:
            continue
        others = Volunteer.objects.filter(campaign=campaign, **{lookup: str(value)}).select_related("person")
        if exclude is not None:
            others = others.exclude(pk=exclude.pk)
        other = others.order_by("pk").first()
        if other is not None:
            return field, other
    return None


def _refuse_clash(campaign: Campaign, values: dict[str, Any], exclude: Volunteer | None = None) -> None:
    clash = clashing_volunteer(campaign, email=values.get("email", ""), phone=values.get("phone"), exclude=exclude)
    if clash is not None:
        field, other = clash
        raise ValidationError(
            {
                field: _(
                    "%(name)s is already on the roster with this %(what)s. Open their page instead, "
                    "or merge the two on the duplicates page."
                )
                % {"name": other.person.full_name, "what": _("email") if field == "email" else _("phone")}
            }
        )


def _set_skills(volunteer: Volunteer, skills: Iterable[Skill]) -> None:
    wanted = {skill.pk for skill in skills}
    VolunteerSkill.objects.filter(volunteer=volunteer).exclude(skill_id__in=wanted).delete()
    VolunteerSkill.objects.bulk_create(
        [VolunteerSkill(campaign=volunteer.campaign, volunteer=volunteer, skill_id=pk) for pk in wanted],
        ignore_conflicts=True,
    )


@transaction.atomic
def volunteer_create(
    *,
    campaign: Campaign,
    acting_user: User,
    person_values: dict[str, Any],
    volunteer_values: dict[str, Any],
    skills: Iterable[Skill] = (),
    consent_wording: str = "",
) -> Volunteer:
    """A volunteer added by hand. A contact already in the campaign with the same email or phone
    (but not yet a volunteer) becomes the volunteer; one already on the roster is refused."""
    _check_fields(volunteer_values, VOLUNTEER_FIELDS)
    _refuse_clash(campaign, person_values)
    email, phone = person_values.get("email", ""), person_values.get("phone")
    if not email and not phone:
        raise ValidationError({"email": _("Give an email address or a phone number, so the campaign can reach them.")})
    match = Q(pk__in=[])
    if email:
        match |= Q(email__iexact=email)
    if phone:
        match |= Q(phone=str(phone))
    existing = Person.objects.filter(match, campaign=campaign, volunteer__isnull=True).order_by("pk").first()
    person = person_save(
        campaign=campaign, acting_user=acting_user, person=existing, consent_wording=consent_wording, **person_values
    )
    volunteer = Volunteer(campaign=campaign, person=person, source="manual", **volunteer_values)
    volunteer.full_clean(exclude=["campaign", "person", "skills"])
    volunteer.save()
    _set_skills(volunteer, skills)
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="volunteer.created",
        target=volunteer,
        data={"source": "manual", "existing_contact": existing is not None},
    )
    return volunteer


@transaction.atomic
def volunteer_update(
    *,
    volunteer: Volunteer,
    acting_user: User,
    person_values: dict[str, Any],
    volunteer_values: dict[str, Any],
    skills: Iterable[Skill] | None = None,
    consent_wording: str = "",
) -> Volunteer:
    _check_fields(volunteer_values, VOLUNTEER_FIELDS)
    campaign = volunteer.campaign
    volunteer = Volunteer.objects.select_for_update().select_related("person").get(pk=volunteer.pk)
    if person_values:  # the API changes the profile only; contact details have their own endpoint
        _refuse_clash(campaign, person_values, exclude=volunteer)
        person_save(
            campaign=campaign,
            acting_user=acting_user,
            person=volunteer.person,
            consent_wording=consent_wording,
            **person_values,
        )
    changed = [name for name, value in volunteer_values.items() if getattr(volunteer, name) != value]
    for name in changed:
        setattr(volunteer, name, volunteer_values[name])
    volunteer.full_clean(exclude=["campaign", "person", "skills"])
    if changed:
        volunteer.save(update_fields=changed)
    if skills is not None:
        before = set(VolunteerSkill.objects.filter(volunteer=volunteer).values_list("skill_id", flat=True))
        skills = list(skills)
        if before != {s.pk for s in skills}:
            _set_skills(volunteer, skills)
            changed.append("skills")
    log_action(
        campaign=campaign, actor=acting_user, action="volunteer.updated", target=volunteer, data={"fields": changed}
    )
    return volunteer


@transaction.atomic
def volunteer_note_add(*, volunteer: Volunteer, body: str, acting_user: User) -> VolunteerNote:
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    if len(body) > 5000:
        raise ValidationError({"body": _("A note can be at most 5,000 characters.")})
    note = VolunteerNote.objects.create(campaign=volunteer.campaign, volunteer=volunteer, author=acting_user, body=body)
    log_action(
        campaign=volunteer.campaign,
        actor=acting_user,
        action="volunteer.note_added",
        target=volunteer,
        data={"note": str(note.code)},
    )
    return note


def _tag_named(campaign: Campaign, name: str) -> tuple[Tag, bool]:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"tag": _("Type a tag.")})
    if len(name) > Tag._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ValidationError({"tag": _("A tag can be at most 60 characters.")})
    existing = Tag.objects.filter(campaign=campaign, name__iexact=name).first()
    if existing is not None:
        return existing, False
    return Tag.objects.create(campaign=campaign, name=name), True


@transaction.atomic
def volunteers_tag(*, campaign: Campaign, volunteers: Sequence[Volunteer], tag_name: str, acting_user: User) -> Tag:
    """Tag the people behind these volunteers; the tag is created when the campaign has none by that name."""
    if not volunteers:
        raise ValidationError(_("Choose at least one volunteer."))
    tag, created = _tag_named(campaign, tag_name)
    PersonTag.objects.bulk_create(
        [PersonTag(campaign=campaign, person_id=v.person_id, tag=tag) for v in volunteers], ignore_conflicts=True
    )
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="volunteers.tagged",
        target=tag,
        data={"count": len(volunteers), "tag_created": created},
    )
    return tag


@transaction.atomic
def volunteers_set_status(
    *, campaign: Campaign, volunteers: Sequence[Volunteer], status: str, acting_user: User
) -> int:
    if not volunteers:
        raise ValidationError(_("Choose at least one volunteer."))
    if status not in Volunteer.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    changed = (
        Volunteer.objects.filter(campaign=campaign, pk__in=[v.pk for v in volunteers])
        .exclude(status=status)
        .update(status=status)
    )
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="volunteers.status_set",
        data={"status": status, "count": len(volunteers), "changed": changed},
    )
    return changed


@transaction.atomic
def volunteers_export_record(
    *, campaign: Campaign, acting_user: User, fmt: str, filters: RosterFilter, rows: int
) -> None:
    """An export is recorded before it is sent: the format, the filter and the row count, never a name."""
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="volunteers.exported",
        data={"format": fmt, "filters": filters.audit_data(), "rows": rows},
    )


# Merging -------------------------------------------------------------------------------------

STATUS_RANK = {Signup.Status.CONFIRMED: 3, Signup.Status.WAITLISTED: 2, Signup.Status.CANCELLED: 1}
PERSON_FILL_FIELDS = ("family_name", "email", "phone", "address_line", "neighbourhood", "postcode", "language")


def _signup_rank(signup: Signup, keep_pk: int) -> tuple:
    """Better status first; then the one that records more (attendance, hours, check-in); then the
    kept volunteer's own; then the earlier."""
    return (
        STATUS_RANK[Signup.Status(signup.status)],
        bool(signup.attendance),
        signup.hours is not None,
        signup.checked_in_at is not None,
        signup.volunteer_id == keep_pk,
        -signup.created_at.timestamp(),
    )


def _repoint(model_rel: Any, old: object, new: object) -> int:
    """Move every row of another model that points at `old` to `new` (links added by apps we do not know)."""
    manager = model_rel.related_model._base_manager
    return manager.filter(**{model_rel.field.name: old}).update(**{model_rel.field.name: new})


@transaction.atomic
def volunteer_merge(*, keep: Volunteer, drop: Volunteer, acting_user: User) -> Volunteer:
    """Fold `drop` into `keep`: signups, notes, skills, tags, messages and every other link to the
    dropped person or volunteer move to the kept one; on a shift both signed up for, the better
    signup stays. The dropped volunteer and person are deleted."""
    if keep.pk == drop.pk:
        raise ValidationError(_("Choose two different volunteers."))
    if keep.campaign_id != drop.campaign_id:
        raise ValidationError(_("These volunteers belong to different campaigns."))
    campaign = keep.campaign
    locked = {
        v.pk: v
        for v in Volunteer.objects.select_for_update().select_related("person").filter(pk__in=[keep.pk, drop.pk])
    }
    if len(locked) != 2:
        raise ValidationError(_("One of these volunteers no longer exists. Reload the page."))
    keep, drop = locked[keep.pk], locked[drop.pk]
    keep_person, drop_person = keep.person, drop.person
    if keep_person.user_id and drop_person.user_id and keep_person.user_id != drop_person.user_id:
        raise ValidationError(
            _("Both volunteers have their own account. Ask one of them to leave the campaign before merging.")
        )

    # Shifts both signed up for: one signup stays. A dropped place that held a seat is cancelled
    # first, so its reminders are withdrawn and the next person waiting is promoted.
    signups = list(Signup.objects.filter(volunteer__in=[keep, drop]).select_related("shift", "volunteer__person"))
    by_shift: dict[int, list[Signup]] = defaultdict(list)
    for signup in signups:
        by_shift[signup.shift_id].append(signup)
    dropped_signups = []
    for shift_signups in by_shift.values():
        if {s.volunteer_id for s in shift_signups} != {keep.pk, drop.pk}:
            continue
        winner = max(shift_signups, key=lambda s: _signup_rank(s, keep.pk))
        for loser in shift_signups:
            if loser.pk == winner.pk:
                continue
            if loser.status != Signup.Status.CANCELLED:
                signup_cancel(signup=loser, acting_user=acting_user, by_coordinator=True)
            dropped_signups.append(str(loser.code))
            loser.delete()
    moved_signups = Signup.objects.filter(volunteer=drop).update(volunteer=keep)
    moved_notes = VolunteerNote.objects.filter(volunteer=drop).update(volunteer=keep)

    VolunteerSkill.objects.bulk_create(
        [
            VolunteerSkill(campaign=campaign, volunteer=keep, skill_id=skill_id)
            for skill_id in VolunteerSkill.objects.filter(volunteer=drop).values_list("skill_id", flat=True)
        ],
        ignore_conflicts=True,
    )
    VolunteerSkill.objects.filter(volunteer=drop).delete()
    PersonTag.objects.bulk_create(
        [
            PersonTag(campaign=campaign, person=keep_person, tag_id=tag_id)
            for tag_id in PersonTag.objects.filter(person=drop_person).values_list("tag_id", flat=True)
        ],
        ignore_conflicts=True,
    )
    PersonTag.objects.filter(person=drop_person).delete()

    # Whatever else points at the dropped person or volunteer (messages; later visits, donations,
    # signatures...) follows too.
    handled = {Volunteer, PersonTag, VolunteerSkill, Signup, VolunteerNote}
    moved_links: dict[str, int] = {}
    try:
        with transaction.atomic():
            for model, old, new in ((Person, drop_person, keep_person), (Volunteer, drop, keep)):
                for rel in model._meta.related_objects:
                    if rel.related_model in handled or not (rel.one_to_many or rel.one_to_one):
                        continue
                    moved_links[rel.related_model._meta.label_lower] = _repoint(rel, old, new)
    except IntegrityError as exc:
        raise ValidationError(_("These two have records that cannot be combined automatically.")) from exc

    # The kept profile gains what only the dropped one knew.
    for name in PERSON_FILL_FIELDS:
        if not getattr(keep_person, name) and getattr(drop_person, name):
            setattr(keep_person, name, getattr(drop_person, name))
    if drop_person.user_id and not keep_person.user_id:
        keep_person.user_id = drop_person.user_id
    if drop_person.consent_recorded_at and (
        not keep_person.consent_recorded_at or drop_person.consent_recorded_at > keep_person.consent_recorded_at
    ):
        # The latest statement of consent is the one that holds, whichever record it was made on.
        for name in ("consent_email", "consent_sms", "consent_recorded_at", "consent_wording"):
            setattr(keep_person, name, getattr(drop_person, name))
    for name in ("available_weekdays", "available_evenings", "available_weekends"):
        setattr(keep, name, getattr(keep, name) or getattr(drop, name))
    keep.tshirt_size = keep.tshirt_size or drop.tshirt_size
    if Volunteer.Status.ACTIVE in (keep.status, drop.status):
        keep.status = Volunteer.Status.ACTIVE
    if drop.last_activity_at and (not keep.last_activity_at or drop.last_activity_at > keep.last_activity_at):
        keep.last_activity_at = drop.last_activity_at
    keep.created_at = min(keep.created_at, drop.created_at)

    drop_codes = {"merged": str(drop.code), "merged_person": str(drop_person.code)}
    drop.delete()
    drop_person.delete()
    keep_person.save()
    keep.save(
        update_fields=[
            "available_weekdays",
            "available_evenings",
            "available_weekends",
            "tshirt_size",
            "status",
            "last_activity_at",
            "created_at",
        ]
    )
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="volunteer.merged",
        target=keep,
        data={
            "kept": str(keep.code),
            "kept_person": str(keep_person.code),
            **drop_codes,
            "signups_moved": moved_signups,
            "signups_dropped": dropped_signups,
            "notes_moved": moved_notes,
            "links_moved": moved_links,
        },
    )
    return keep


# Import --------------------------------------------------------------------------------------


class ImportRejected(ValidationError):
    """At least one row is invalid: nothing was applied. `plan` says which rows and why."""

    def __init__(self, plan: importing.ImportPlan) -> None:
        count = len(plan.invalid)
        super().__init__(
            ngettext(
                "Nothing was imported: %(count)s row has errors.",
                "Nothing was imported: %(count)s rows have errors.",
                count,
            )
            % {"count": count}
        )
        self.plan = plan


PERSON_IMPORT_FIELDS = ("given_name", "family_name", "email", "phone", "language", "neighbourhood")
VOLUNTEER_IMPORT_FIELDS = ("tshirt_size", "available_weekdays", "available_evenings", "available_weekends")


def _apply_person(person: Person, clean: dict[str, Any], consent_wording: str, now: Any) -> None:
    """Non-empty cells win; an empty cell leaves what is there."""
    for name in PERSON_IMPORT_FIELDS:
        if clean[name]:
            setattr(person, name, clean[name])
    consent = {name: clean[name] for name in ("consent_email", "consent_sms") if clean[name] is not None}
    if consent and any(getattr(person, name) != value for name, value in consent.items()):
        for name, value in consent.items():
            setattr(person, name, value)
        person.consent_recorded_at = now
        person.consent_wording = consent_wording
    person.updated_at = now


def _apply_volunteer(volunteer: Volunteer, clean: dict[str, Any]) -> None:
    for name in VOLUNTEER_IMPORT_FIELDS:
        if clean[name] not in ("", None):
            setattr(volunteer, name, clean[name])


@transaction.atomic
def volunteers_import(
    *, campaign: Campaign, acting_user: User, parsed: importing.ParsedFile, batch: Any
) -> importing.ImportPlan:
    """All or nothing: the rows are checked again against the roster as it is now, and one invalid
    row means nothing is written. New people and volunteers are inserted in bulk."""
    plan = importing.plan_import(campaign, parsed.rows, parsed.columns)
    if plan.invalid:
        raise ImportRejected(plan)
    now = timezone.now()
    consent_wording = _("Imported from the file “%(file)s” by %(user)s, which recorded this consent.") % {
        "file": parsed.filename,
        "user": acting_user,
    }

    existing = Person.objects.select_for_update().in_bulk([row.person_id for row in plan.rows if row.person_id])
    volunteers = {v.person_id: v for v in Volunteer.objects.select_for_update().filter(person_id__in=existing)}
    new_people: list[Person] = []
    rows_by_person: list[tuple[Person, Any]] = []
    for row in plan.rows:
        if row.person_id:
            person = existing[row.person_id]
        else:
            person = Person(campaign=campaign, created_at=now)
            new_people.append(person)
        _apply_person(person, row.clean, consent_wording, now)
        rows_by_person.append((person, row))
    Person.objects.bulk_create(new_people)
    if existing:
        Person.objects.bulk_update(
            existing.values(),
            [
                *PERSON_IMPORT_FIELDS,
                "consent_email",
                "consent_sms",
                "consent_recorded_at",
                "consent_wording",
                "updated_at",
            ],
            batch_size=500,
        )

    new_volunteers: list[Volunteer] = []
    for person, row in rows_by_person:
        volunteer = volunteers.get(person.pk)
        if volunteer is None:
            volunteer = Volunteer(campaign=campaign, person=person, source="import", created_at=now)
            volunteers[person.pk] = volunteer
            new_volunteers.append(volunteer)
        _apply_volunteer(volunteer, row.clean)
    Volunteer.objects.bulk_create(new_volunteers)
    updated = [v for v in volunteers.values() if v not in new_volunteers]
    if updated:
        Volunteer.objects.bulk_update(updated, list(VOLUNTEER_IMPORT_FIELDS), batch_size=500)

    tag_names = {name.casefold(): name for _person, row in rows_by_person for name in row.clean["tags"]}
    tags = importing.tags_for(campaign, tag_names.values())
    new_tags = [Tag(campaign=campaign, name=name) for key, name in tag_names.items() if key not in tags]
    Tag.objects.bulk_create(new_tags)
    tags.update({tag.name.casefold(): tag for tag in new_tags})
    VolunteerSkill.objects.bulk_create(
        [
            VolunteerSkill(campaign=campaign, volunteer=volunteers[person.pk], skill_id=skill_id)
            for person, row in rows_by_person
            for skill_id in row.clean["skills"]
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    PersonTag.objects.bulk_create(
        [
            PersonTag(campaign=campaign, person=person, tag=tags[name.casefold()])
            for person, row in rows_by_person
            for name in row.clean["tags"]
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="volunteers.imported",
        data={
            "batch": str(batch),
            "rows": len(plan.rows),
            "new": plan.count("new"),
            "updated": plan.count("update"),
            "linked": plan.count("link"),
            "tags_created": len(new_tags),
        },
    )
    return plan
