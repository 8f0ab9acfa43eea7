"""Reads for the doorstep: a member's turfs with their progress, a turf's doors in walking order, the
editions each door already had, and the survey and script in the canvasser's language.

A door is **done** on a walk when it was *knocked* since the walk began (the assignment's creation, or the
start of today for a coordinator walking without one): its latest visit is from this walk and reached the
door. "Knocked" is the progress pages' definition (`selectors_progress.NOT_KNOCKED_OUTCOMES`): a door found
inaccessible, or with no access for leaflets, on the latest try is still to do, on the walk screen, in My
turfs and on the coordinators' pages alike. **Left** is the rest of the turf's active doors. Doors that
moved away or asked not to be contacted drop out of the walk, unless they were visited on this walk (then
they stay, so the numbers add up).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from campaign.models import Campaign, Membership, Role
from canvassing.models import Assignment, Household, Script, SurveyQuestion, Turf, Visit
from canvassing.selectors_progress import NOT_KNOCKED_OUTCOMES

try:  # the turfs part owns walking order; until it is there, the index's order is the walking order
    from canvassing.selectors_turfs import walk_order as _walk_order  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    _walk_order = None

WALK_ORDER = ["street", "parity", "house_number_value", "building", "unit", "floor", "pk"]


def done_on_walk(since: Any, prefix: str = "") -> Q:
    """Doors done on a walk that began at `since` (a datetime or an expression such as F("created_at")):
    their latest visit is from the walk and reached the door. `prefix` reaches households through a
    relation ("turf__households__")."""
    return Q(**{f"{prefix}last_visited_at__gte": since}) & ~Q(**{f"{prefix}last_outcome__in": NOT_KNOCKED_OUTCOMES})


def is_done_on_walk(household: Household, since: dt.datetime) -> bool:
    """`done_on_walk` for one household already loaded (same definition, in Python)."""
    return (
        household.last_visited_at is not None
        and household.last_visited_at >= since
        and household.last_outcome not in NOT_KNOCKED_OUTCOMES
    )


def walk_started(*, turf: Turf, membership: Membership) -> dt.datetime:
    """When this member's walk of the turf began: their active assignment, or today's start."""
    assignment = (
        Assignment.objects.filter(turf=turf, membership=membership, status=Assignment.Status.ACTIVE)
        .order_by("-created_at")
        .first()
    )
    if assignment is not None:
        return assignment.created_at
    return today_start(turf.campaign)


def today_start(campaign: Campaign) -> dt.datetime:
    tz = campaign.tzinfo
    return dt.datetime.combine(timezone.localdate(timezone=tz), dt.time.min, tzinfo=tz)


def walk_households(turf: Turf, *, since: dt.datetime) -> QuerySet[Household]:
    households = Household.objects.filter(campaign_id=turf.campaign_id, turf=turf).filter(
        Q(status=Household.Status.ACTIVE) | Q(last_visited_at__gte=since)
    )
    if _walk_order is not None:
        return _walk_order(households)
    return households.order_by(*WALK_ORDER)


@dataclass
class Progress:
    total: int
    done: int

    @property
    def left(self) -> int:
        return self.total - self.done

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def turf_progress(turf: Turf, *, since: dt.datetime) -> Progress:
    counts = Household.objects.filter(campaign_id=turf.campaign_id, turf=turf).aggregate(
        total=Count("pk", filter=Q(status=Household.Status.ACTIVE) | Q(last_visited_at__gte=since)),
        done=Count("pk", filter=done_on_walk(since)),
    )
    return Progress(total=counts["total"], done=counts["done"])


def my_assignments(membership: Membership) -> list[Assignment]:
    """Active assignments with `doors_total`, `doors_done` (knocked since assigned) and `progress`, in one query."""
    since = F("created_at")
    active = Q(turf__households__status=Household.Status.ACTIVE)
    visited = Q(turf__households__last_visited_at__gte=since)
    done = done_on_walk(since, prefix="turf__households__")
    assignments = list(
        Assignment.objects.filter(
            campaign_id=membership.campaign_id, membership=membership, status=Assignment.Status.ACTIVE
        )
        .select_related("turf", "turf__leaflet_variant__item", "shift")
        .annotate(
            doors_total=Count("turf__households", filter=active | visited),
            doors_done=Count("turf__households", filter=done),
        )
        .order_by(F("due_on").asc(nulls_last=True), "turf__name", "pk")
    )
    for assignment in assignments:
        assignment.progress = Progress(total=assignment.doors_total, done=assignment.doors_done)  # type: ignore[attr-defined]
    return assignments


def turf_assignments(turf: Turf) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(campaign_id=turf.campaign_id, turf=turf)
        .select_related("membership__user", "shift")
        .order_by("-created_at", "pk")
    )


def editions_by_household(turf: Turf) -> dict[int, list[dict[str, Any]]]:
    """Which leaflet editions each door of the turf already received, from visits that left one."""
    rows = (
        Visit.objects.filter(campaign_id=turf.campaign_id, household__turf=turf, leaflet_variant__isnull=False)
        .filter(discarded_at__isnull=True)
        .values(
            "household_id",
            "leaflet_variant_id",
            "leaflet_variant__label",
            "leaflet_variant__edition",
            "leaflet_variant__item__name",
        )
        .distinct()
        .order_by("household_id", "leaflet_variant_id")
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        name = row["leaflet_variant__edition"] or row["leaflet_variant__label"] or row["leaflet_variant__item__name"]
        found.setdefault(row["household_id"], []).append({"id": row["leaflet_variant_id"], "name": name})
    return found


def household_recent_visits(household: Household, limit: int = 5) -> list[Visit]:
    return list(
        Visit.objects.filter(campaign_id=household.campaign_id, household=household)
        .select_related("canvasser__user", "leaflet_variant__item")
        .order_by("-visited_at")[:limit]
    )


def pick_language(texts: dict[str, str], language: str, fallback: str) -> str:
    """The text in the reader's language, else the campaign's, else any."""
    texts = texts or {}
    return texts.get(language) or texts.get(fallback) or next((v for v in texts.values() if v), "")


def survey_for(campaign: Campaign, language: str) -> list[dict[str, Any]]:
    """The active questions, each with its prompt and choices in the reader's language."""
    questions = SurveyQuestion.objects.filter(campaign=campaign, active=True).order_by("position", "id")
    return [
        {
            "code": str(q.code),
            "kind": q.kind,
            "prompt": pick_language(q.prompt, language, campaign.language),
            "choices": [
                {"value": c["value"], "label": pick_language(c.get("label") or {}, language, campaign.language)}
                for c in q.choices or []
            ],
        }
        for q in questions
    ]


def script_for(campaign: Campaign, language: str) -> Script | None:
    scripts = {s.language: s for s in Script.objects.filter(campaign=campaign)}
    return scripts.get(language) or scripts.get(campaign.language) or next(iter(scripts.values()), None)


def visits_for(membership: Membership) -> QuerySet[Visit]:
    """Coordinators: every visit of the campaign; a volunteer: the visits they logged."""
    visits = Visit.objects.filter(campaign_id=membership.campaign_id).select_related(
        "household", "turf", "canvasser", "leaflet_variant"
    )
    if not membership.has_role(Role.COORDINATOR):
        visits = visits.filter(canvasser=membership)
    return visits.order_by("-visited_at", "-pk")


def floors_of(turf: Turf) -> list[tuple[str, str]]:
    """(building, floor) pairs of the turf's active doors that have a floor, for the floor-not-home button."""
    return list(
        Household.objects.filter(campaign_id=turf.campaign_id, turf=turf, status=Household.Status.ACTIVE)
        .exclude(floor="")
        .values_list("building", "floor")
        .distinct()
        .order_by("building", "floor")
    )
