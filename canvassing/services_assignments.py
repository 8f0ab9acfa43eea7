"""Handing turfs to canvassers: assign (to one or more members, optionally through a canvassing shift, with a
due date), withdraw, mark done. The member is told through the outbox and reminded the day before."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from campaign.audit import log_action
from campaign.models import Membership, Role
from canvassing.models import Assignment, Turf
from canvassing.reminders import assignment_notify, assignment_reminders_withdraw
from volunteers.models import Shift


@transaction.atomic
def assignment_create(
    *,
    turf: Turf,
    memberships: list[Membership],
    acting_user: User,
    due_on: dt.date | None = None,
    shift: Shift | None = None,
) -> list[Assignment]:
    """Assign the turf to each member. A member who already holds it is refused (by name), and then
    nobody is assigned: the coordinator fixes the list and sends it again."""
    campaign = turf.campaign
    if not memberships:
        raise ValidationError({"memberships": [_("Choose at least one person.")]})
    if any(m.campaign_id != campaign.pk for m in memberships):
        raise ValidationError({"memberships": [_("Choose members of this campaign.")]})
    if due_on is not None and due_on < timezone.localdate(timezone=campaign.tzinfo):
        raise ValidationError({"due_on": [_("The due date is in the past.")]})
    if shift is not None and shift.campaign_id != campaign.pk:
        raise ValidationError({"shift": [_("Choose a shift of this campaign.")]})
    holding = set(
        Assignment.objects.filter(turf=turf, membership__in=memberships, status=Assignment.Status.ACTIVE).values_list(
            "membership_id", flat=True
        )
    )
    if holding:
        names = ", ".join(sorted(str(m.user) for m in memberships if m.pk in holding))
        raise ValidationError({"memberships": [_("Already assigned to this turf: %(names)s") % {"names": names}]})
    created = []
    for membership in dict.fromkeys(memberships):  # the same person twice in the list counts once
        try:
            with transaction.atomic():
                assignment = Assignment.objects.create(
                    campaign=campaign,
                    turf=turf,
                    membership=membership,
                    shift=shift,
                    due_on=due_on,
                    assigned_by=acting_user,
                )
        except IntegrityError:  # assigned at the same moment by another coordinator
            raise ValidationError(
                {"memberships": [_("Already assigned to this turf: %(names)s") % {"names": str(membership.user)}]}
            ) from None
        log_action(
            campaign=campaign,
            actor=acting_user,
            action="canvassing.assignment.created",
            target=assignment,
            data={"turf": str(turf.code), "member": str(membership.code), "due_on": str(due_on or "")},
        )
        assignment_notify(assignment=assignment)
        created.append(assignment)
    return created


def _close(*, assignment: Assignment, status: str, acting_user: User, action: str) -> Assignment:
    assignment = Assignment.objects.select_for_update().select_related("campaign").get(pk=assignment.pk)
    if assignment.status != Assignment.Status.ACTIVE:
        raise ValidationError(_("This assignment is no longer active."))
    assignment.status = status
    assignment.closed_at = timezone.now()
    assignment.save(update_fields=["status", "closed_at"])
    assignment_reminders_withdraw(assignment=assignment)
    log_action(campaign=assignment.campaign, actor=acting_user, action=action, target=assignment)
    return assignment


@transaction.atomic
def assignment_withdraw(*, assignment: Assignment, acting_user: User) -> Assignment:
    """Take the turf back: the member no longer sees its doors, and the pending reminder is withdrawn. Visits
    their phone logged before now, still waiting in its offline queue, are accepted when it syncs."""
    return _close(
        assignment=assignment,
        status=Assignment.Status.WITHDRAWN,
        acting_user=acting_user,
        action="canvassing.assignment.withdrawn",
    )


@transaction.atomic
def assignment_done(*, assignment: Assignment, membership: Membership, acting_user: User) -> Assignment:
    """The turf is walked. The member holding it, or a coordinator, says so."""
    if assignment.membership_id != membership.pk and not membership.has_role(Role.COORDINATOR):
        raise PermissionDenied
    return _close(
        assignment=assignment,
        status=Assignment.Status.DONE,
        acting_user=acting_user,
        action="canvassing.assignment.done",
    )
