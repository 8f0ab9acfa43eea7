"""Shifts and signups: seats are serialised per shift, every change is audited and told."""

import datetime as dt
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from campaign.audit import log_action
from campaign.models import Campaign, Membership, Person
from volunteers import reminders
from volunteers.models import DEFAULT_SKILLS, Shift, Signup, Skill, Volunteer, VolunteerSettings

SHIFT_FIELDS = ("kind", "title", "location", "starts_at", "ends_at", "capacity", "required_skill", "notes", "published")
NOTIFY_ON_CHANGE = ("title", "location", "starts_at", "ends_at")


def program_for(campaign: Campaign) -> VolunteerSettings:
    """The campaign's volunteer settings, created with the standard skills on first use."""
    program, created = VolunteerSettings.objects.get_or_create(campaign=campaign, defaults={"reminder_hours": [24, 2]})
    if created and not Skill.objects.filter(campaign=campaign).exists():
        with translation.override(campaign.language):
            names = [_(name) for name in DEFAULT_SKILLS]
        Skill.objects.bulk_create(
            [Skill(campaign=campaign, name=name, position=i) for i, name in enumerate(names)],
            ignore_conflicts=True,
        )
    return program


def _validate_times(starts_at: dt.datetime, ends_at: dt.datetime, *, new: bool) -> None:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("A shift must end after it starts.")})
    if new and starts_at < timezone.now():
        raise ValidationError({"starts_at": _("This time is in the past.")})


@transaction.atomic
def shift_create(*, campaign: Campaign, acting_user: User, repeat_weeks: int = 1, **values: object) -> list[Shift]:
    """One shift, or the same shift on each of the next `repeat_weeks` weeks (a series)."""
    unknown = set(values) - set(SHIFT_FIELDS)
    if unknown:
        raise TypeError(f"Not shift fields: {sorted(unknown)}")
    if not 1 <= repeat_weeks <= 52:
        raise ValidationError({"repeat_weeks": _("Repeat for 1 to 52 weeks.")})
    starts_at, ends_at = values["starts_at"], values["ends_at"]
    _validate_times(starts_at, ends_at, new=True)  # type: ignore[arg-type]
    series = uuid.uuid4() if repeat_weeks > 1 else None
    shifts = []
    for week in range(repeat_weeks):
        offset = dt.timedelta(weeks=week)
        # Weekly in the campaign's wall-clock time: 10:00 stays 10:00 across a DST change.
        tz = campaign.tzinfo
        local_start = (starts_at.astimezone(tz).replace(tzinfo=None) + offset).replace(tzinfo=tz)  # type: ignore[union-attr]
        local_end = (ends_at.astimezone(tz).replace(tzinfo=None) + offset).replace(tzinfo=tz)  # type: ignore[union-attr]
        shift = Shift(campaign=campaign, series=series, **{**values, "starts_at": local_start, "ends_at": local_end})
        shift.full_clean(exclude=["campaign", "required_skill"])
        shift.save()
        shifts.append(shift)
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="shift.created",
        target=shifts[0],
        data={"count": len(shifts), "series": str(series) if series else ""},
    )
    return shifts


def _lock(shift: Shift) -> Shift:
    return Shift.objects.select_for_update().get(pk=shift.pk)


def _confirmed_count(shift: Shift) -> int:
    return Signup.objects.filter(shift=shift, status=Signup.Status.CONFIRMED).count()


def _promote_waiting(shift: Shift, program: VolunteerSettings) -> list[Signup]:
    """Fill free places from the waiting list, first come first served, and tell each person.
    A cancelled or started shift promotes nobody: a place there is no use to anyone."""
    if shift.cancelled_at or shift.starts_at <= timezone.now():
        return []
    free = shift.capacity - _confirmed_count(shift)
    if free <= 0:
        return []
    waiting = list(
        Signup.objects.filter(shift=shift, status=Signup.Status.WAITLISTED)
        .select_related("volunteer__person", "shift__campaign")
        .order_by("created_at", "id")[:free]
    )
    now = timezone.now()
    for signup in waiting:
        signup.status = Signup.Status.CONFIRMED
        signup.promoted_at = now
        signup.save(update_fields=["status", "promoted_at"])
        reminders.notify(signup=signup, template=reminders.PROMOTED, key=now.isoformat())
        reminders.reminders_schedule(signup=signup, program=program)
    return waiting


@transaction.atomic
def shift_update(*, shift: Shift, acting_user: User, **values: object) -> Shift:
    """Edits keep every signup. A change of time or place is told to everyone signed up; fewer
    places move the latest confirmed signups to the front of the waiting list, more places promote."""
    unknown = set(values) - set(SHIFT_FIELDS)
    if unknown:
        raise TypeError(f"Not shift fields: {sorted(unknown)}")
    shift = _lock(shift)
    if shift.cancelled_at:
        raise ValidationError(_("This shift is cancelled."))
    changed = [field for field, value in values.items() if getattr(shift, field) != value]
    if not changed:
        return shift
    before = {field: getattr(shift, field) for field in NOTIFY_ON_CHANGE}
    for field in changed:
        setattr(shift, field, values[field])
    _validate_times(shift.starts_at, shift.ends_at, new=False)
    shift.full_clean(exclude=["campaign", "required_skill"])
    shift.save(update_fields=changed)
    program = program_for(shift.campaign)

    confirmed = list(Signup.objects.filter(shift=shift, status=Signup.Status.CONFIRMED).order_by("-created_at", "-id"))
    demoted = confirmed[: max(len(confirmed) - shift.capacity, 0)]
    for signup in demoted:
        signup.status = Signup.Status.WAITLISTED
        signup.save(update_fields=["status"])
        reminders.reminders_withdraw(signup=signup)
    promoted = _promote_waiting(shift, program)

    told = [f for f in changed if f in NOTIFY_ON_CHANGE]
    if told:
        key = timezone.now().isoformat()
        extra = {f"old_{f}": (v.isoformat() if isinstance(v, dt.datetime) else v) for f, v in before.items()}
        extra["changed"] = told
        for signup in (
            Signup.objects.filter(shift=shift)
            .exclude(status=Signup.Status.CANCELLED)
            .select_related("volunteer__person", "shift__campaign")
        ):
            reminders.notify(signup=signup, template=reminders.CHANGED, key=key, extra=extra)
            if signup.status == Signup.Status.CONFIRMED:  # reminders carry the time, place and title
                reminders.reminders_withdraw(signup=signup)
                reminders.reminders_schedule(signup=signup, program=program)
    log_action(
        campaign=shift.campaign,
        actor=acting_user,
        action="shift.updated",
        target=shift,
        data={"fields": changed, "waitlisted": len(demoted), "promoted": len(promoted)},
    )
    return shift


@transaction.atomic
def shift_cancel(*, shift: Shift, acting_user: User) -> Shift:
    shift = _lock(shift)
    if shift.cancelled_at:
        raise ValidationError(_("This shift is already cancelled."))
    shift.cancelled_at = timezone.now()
    shift.save(update_fields=["cancelled_at"])
    for signup in (
        Signup.objects.filter(shift=shift)
        .exclude(status=Signup.Status.CANCELLED)
        .select_related("volunteer__person", "shift__campaign")
    ):
        reminders.reminders_withdraw(signup=signup)
        reminders.notify(signup=signup, template=reminders.CANCELLED, key="cancelled")
    log_action(campaign=shift.campaign, actor=acting_user, action="shift.cancelled", target=shift)
    return shift


@transaction.atomic
def signup_create(
    *, shift: Shift, volunteer: Volunteer, acting_user: User | None, client_uuid: uuid.UUID | None = None
) -> Signup:
    """A place if one is free, otherwise the waiting list. Signing up twice returns the first signup,
    and so does a repeated `client_uuid` (a phone's retry), even after that signup was cancelled."""
    shift = _lock(shift)  # serialise seats: two last-place signups cannot both get it
    if client_uuid is not None:
        replayed = Signup.objects.filter(campaign=shift.campaign, client_uuid=client_uuid).first()
        if replayed is not None:
            if replayed.shift_id != shift.pk or replayed.volunteer_id != volunteer.pk:
                raise ValidationError({"client_uuid": _("This client_uuid was already used for another signup.")})
            return replayed
    if shift.cancelled_at:
        raise ValidationError(_("This shift is cancelled."))
    if shift.starts_at <= timezone.now():
        raise ValidationError(_("This shift has already started."))
    existing = Signup.objects.filter(shift=shift, volunteer=volunteer).exclude(status=Signup.Status.CANCELLED).first()
    if existing:
        return existing
    full = _confirmed_count(shift) >= shift.capacity
    signup = Signup.objects.create(
        campaign=shift.campaign,
        shift=shift,
        volunteer=volunteer,
        status=Signup.Status.WAITLISTED if full else Signup.Status.CONFIRMED,
        client_uuid=client_uuid,
    )
    signup.shift = shift
    if signup.status == Signup.Status.CONFIRMED:
        reminders.reminders_schedule(signup=signup, program=program_for(shift.campaign))
    Volunteer.objects.filter(pk=volunteer.pk).update(last_activity_at=timezone.now())
    log_action(
        campaign=shift.campaign,
        actor=acting_user,
        action="signup.created",
        target=signup,
        data={"status": signup.status, "shift": str(shift.code)},
    )
    return signup


@transaction.atomic
def signup_cancel(*, signup: Signup, acting_user: User | None, by_coordinator: bool = False) -> Signup:
    """Volunteers cancel until the campaign's cancel-by time; coordinators at any time.
    The freed place goes to the first person waiting."""
    shift = _lock(signup.shift)
    signup = Signup.objects.select_related("volunteer__person").get(pk=signup.pk)
    if signup.status == Signup.Status.CANCELLED:
        return signup
    program = program_for(shift.campaign)
    deadline = shift.starts_at - dt.timedelta(hours=program.cancel_by_hours)
    if not by_coordinator and signup.status == Signup.Status.CONFIRMED and timezone.now() > deadline:
        raise ValidationError(
            ngettext(
                "Cancelling is possible until %(hours)s hour before the start. Please tell a coordinator.",
                "Cancelling is possible until %(hours)s hours before the start. Please tell a coordinator.",
                program.cancel_by_hours,
            )
            % {"hours": program.cancel_by_hours}
        )
    signup.status = Signup.Status.CANCELLED
    signup.cancelled_at = timezone.now()
    signup.save(update_fields=["status", "cancelled_at"])
    reminders.reminders_withdraw(signup=signup)
    promoted = _promote_waiting(shift, program)
    log_action(
        campaign=shift.campaign,
        actor=acting_user,
        action="signup.cancelled",
        target=signup,
        data={"promoted": [str(s.code) for s in promoted]},
    )
    return signup


@transaction.atomic
def signup_check_in(*, shift: Shift, volunteer: Volunteer, code: str, acting_user: User | None) -> Signup:
    """The volunteer typed or scanned the shift's code on arrival."""
    shift = _lock(shift)
    if shift.cancelled_at:
        raise ValidationError(_("This shift is cancelled."))
    if code.strip().upper() != shift.checkin_code:
        raise ValidationError({"code": _("That code is not this shift's code.")})
    now = timezone.now()
    if not shift.starts_at - dt.timedelta(hours=2) <= now <= shift.ends_at:
        raise ValidationError(_("Check-in opens two hours before the shift and closes when it ends."))
    signup = (
        Signup.objects.select_for_update()
        .filter(shift=shift, volunteer=volunteer, status=Signup.Status.CONFIRMED)
        .first()
    )
    if signup is None:
        raise ValidationError(_("You have no confirmed place on this shift."))
    if signup.checked_in_at is None:
        signup.checked_in_at = now
        signup.attendance = Signup.Attendance.ATTENDED
        signup.save(update_fields=["checked_in_at", "attendance"])
        Volunteer.objects.filter(pk=volunteer.pk).update(last_activity_at=now, status=Volunteer.Status.ACTIVE)
        log_action(campaign=shift.campaign, actor=acting_user, action="signup.checked_in", target=signup)
    return signup


@transaction.atomic
def signup_mark_attendance(*, signup: Signup, attendance: str, acting_user: User) -> Signup:
    if attendance not in (Signup.Attendance.ATTENDED, Signup.Attendance.NO_SHOW):
        raise ValidationError({"attendance": _("Choose attended or no-show.")})
    signup = Signup.objects.select_for_update().get(pk=signup.pk)
    if signup.status != Signup.Status.CONFIRMED:
        raise ValidationError(_("Only confirmed signups have an attendance."))
    signup.attendance = attendance
    signup.save(update_fields=["attendance"])
    if attendance == Signup.Attendance.ATTENDED:
        Volunteer.objects.filter(pk=signup.volunteer_id).update(status=Volunteer.Status.ACTIVE)
    log_action(
        campaign=signup.campaign,
        actor=acting_user,
        action="signup.attendance",
        target=signup,
        data={"attendance": attendance},
    )
    return signup


@transaction.atomic
def signup_correct_hours(*, signup: Signup, hours: Decimal, reason: str, acting_user: User) -> Signup:
    if hours < 0 or hours > 24:
        raise ValidationError({"hours": _("Hours must be between 0 and 24.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the hours are corrected.")})
    signup = Signup.objects.select_for_update().get(pk=signup.pk)
    before = signup.hours
    signup.hours, signup.hours_reason = hours, reason.strip()
    signup.save(update_fields=["hours", "hours_reason"])
    log_action(
        campaign=signup.campaign,
        actor=acting_user,
        action="signup.hours_corrected",
        target=signup,
        data={"from": str(before) if before is not None else None, "to": str(hours)},
    )
    return signup


@transaction.atomic
def volunteer_for_member(*, membership: Membership) -> Volunteer:
    """A member who takes a shift needs a volunteer profile: found by their account, else by their
    email among the campaign's people, else created. Idempotent."""
    user, campaign = membership.user, membership.campaign
    # One member at a time: the same form sent twice at once must find one profile, not make two.
    list(Membership.objects.select_for_update().filter(pk=membership.pk).values_list("pk", flat=True))
    volunteer = Volunteer.objects.filter(campaign=campaign, person__user=user).select_related("person").first()
    if volunteer is not None:
        return volunteer
    person = (
        Person.objects.filter(campaign=campaign, email__iexact=user.email, user=None).order_by("pk").first()
        or Person.objects.filter(campaign=campaign, user=user).first()
    )
    if person is None:
        person = Person.objects.create(
            campaign=campaign,
            user=user,
            given_name=user.display_name or user.email.split("@")[0],
            email=user.email,
            language=user.language,
            consent_email=True,
            consent_recorded_at=timezone.now(),
            consent_wording="Campaign member account",
        )
    elif person.user_id is None:
        person.user = user
        person.save(update_fields=["user"])
    volunteer, _created = Volunteer.objects.get_or_create(
        campaign=campaign, person=person, defaults={"source": "member", "status": Volunteer.Status.ACTIVE}
    )
    log_action(campaign=campaign, actor=user, action="volunteer.linked", target=volunteer)
    return volunteer
