"""A coordinator's review of a flagged visit: accept it as it is, or discard it.

A discarded visit stays in the database for the record (who discarded it and when), but progress no
longer counts it (every selector in canvassing.selectors_progress filters `discarded_at`), and the
household's latest outcome, support and visit time are worked out again from the visits that remain.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from campaign.audit import log_action
from canvassing.models import Household, Visit


class Decision:
    ACCEPT = "accept"
    DISCARD = "discard"
    VALUES = (ACCEPT, DISCARD)


def household_refresh_latest(*, household: Household) -> None:
    """Household.last_outcome / last_support / last_visited_at from its latest counted visit, the way the
    visit service sets them when a visit is recorded (the support level is that visit's, possibly none)."""
    latest = (
        Visit.objects.filter(household=household, discarded_at__isnull=True)
        .order_by("-visited_at", "-pk")
        .values("outcome", "support_level", "visited_at")
        .first()
    )
    household.last_outcome = latest["outcome"] if latest else ""
    household.last_support = latest["support_level"] if latest else None
    household.last_visited_at = latest["visited_at"] if latest else None
    household.save(update_fields=["last_outcome", "last_visited_at", "last_support", "updated_at"])


@transaction.atomic
def visit_review(*, visit: Visit, decision: str, acting_user: User) -> Visit:
    """Accept (the flags stay, the visit leaves the queue) or discard (it stops counting) a visit.

    A discarded visit cannot be reviewed again; accepting needs a visit that is waiting for review.
    Callers check that `acting_user` is a coordinator of the visit's campaign.
    """
    if decision not in Decision.VALUES:
        raise ValidationError({"decision": _("Choose accept or discard.")})
    visit = Visit.objects.select_for_update().select_related("campaign").get(pk=visit.pk)
    if visit.discarded_at is not None:
        raise ValidationError({"decision": _("This visit was already discarded.")})
    if decision == Decision.ACCEPT and not visit.needs_review:
        raise ValidationError({"decision": _("This visit is not waiting for review.")})
    now = timezone.now()
    visit.needs_review = False
    visit.reviewed_by = acting_user
    visit.reviewed_at = now
    fields = ["needs_review", "reviewed_by", "reviewed_at"]
    if decision == Decision.DISCARD:
        visit.discarded_at = now
        fields.append("discarded_at")
    visit.save(update_fields=fields)
    if decision == Decision.DISCARD:
        household = Household.objects.select_for_update().get(pk=visit.household_id)
        household_refresh_latest(household=household)
    log_action(
        campaign=visit.campaign,
        actor=acting_user,
        action="canvassing.visit.accepted" if decision == Decision.ACCEPT else "canvassing.visit.discarded",
        target=visit,
        data={"flags": list(visit.flags or []), "outcome": visit.outcome},
    )
    return visit
