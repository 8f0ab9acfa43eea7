"""Canvassing progress and quality review: the reads behind the coordinators' progress pages, the
dashboard's canvassing panels and the review queue.

Every selector runs a fixed number of SQL queries whatever the number of visits or households: the
counting is GROUP BY in the database; Python only merges a handful of grouped rows (one per turf, area,
volunteer or day), never loops over visits.

Definitions (the pages show them as help text, from `DEFINITIONS`):

- A **visit** counts unless a coordinator discarded it on review (`Visit.discarded_at`). Visits waiting
  for review count until they are discarded.
- A door (household) is **knocked** when it has at least one counted visit whose outcome is anything but
  "inaccessible" or "no access for leaflets" (`NOT_KNOCKED_OUTCOMES`): those mean the canvasser never
  reached the door. "Not home" counts: the door was knocked.
- A **contact** is a household with at least one counted visit with the outcome "contacted".
- The **contact rate** is per household, not per visit: households contacted ÷ households knocked, in the
  same period and group. Two visits to the same door count it once.
- **Visits**, **doors knocked**, **contacts** and the contact rate are counted from the visits of the chosen
  period (visited_at, the phone's clock), grouped by the turf the visit was logged in, the household's
  current area, the canvasser, or the day in the campaign's time zone.
- The **support distribution** of a campaign, area or turf counts households by their latest known
  support level (`Household.last_support`, 1–5, kept by the visit service); with a period, only the
  households whose latest visit falls in it. Per volunteer and per day it counts the support levels
  recorded in that volunteer's or day's visits (`support_recorded`, per visit).
- **Coverage** is about now, whatever the period: the active households currently in a turf, how many of
  them are knocked, and what is **left** (active, in a turf, not knocked). For coverage a household is
  knocked when its latest counted visit reached the door (`Household.last_outcome`, kept by the visit
  service and put right when a visit is discarded, is set and not inaccessible / no access): a door found
  locked on the last try is still to do. This reads one row per household, no visit, so it stays fast at
  200,000 households. Households that moved away or asked not to be contacted are not counted.
- A turf is **completed** when a coordinator or its canvasser marked it done (`Turf.completed_at`), or
  when it has active households and every one of them has been knocked.
- A turf has an **implausible contact rate** when it has at least `IMPLAUSIBLE_MIN_VISITS` counted visits
  and a contact rate above `IMPLAUSIBLE_RATE_HIGH` or below `IMPLAUSIBLE_RATE_LOW`: a made-up walk list or
  a canvasser logging every door as "not home" both look like that.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, TextField
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign, Membership
from canvassing.models import Area, Assignment, Household, MapVersion, Turf, Visit

NOT_KNOCKED_OUTCOMES = (Visit.Outcome.INACCESSIBLE, Visit.Outcome.NO_ACCESS)
SUPPORT_LEVELS = (1, 2, 3, 4, 5)

# The turf-level quality flag. One place: the review page, the API and the bench read these.
IMPLAUSIBLE_MIN_VISITS = 20
IMPLAUSIBLE_RATE_HIGH = 0.90
IMPLAUSIBLE_RATE_LOW = 0.02

DEFINITIONS = {
    "visits": _("Visits logged in the period, not counting visits a coordinator discarded on review."),
    "doors_knocked": _(
        "Households with at least one visit in the period, except visits marked inaccessible or no access."
    ),
    "contacts": _("Households with at least one visit in the period where someone was contacted."),
    "contact_rate": _("Households contacted ÷ households knocked (per household, not per visit)."),
    "support": _("Households by their latest known support level (1 = strongly against, 5 = strongly for)."),
    "support_recorded": _("Support levels recorded in these visits, one per visit."),
    "coverage": _(
        "Active households in turfs now, and how many are knocked: their latest visit reached the door. "
        "Not limited to the period."
    ),
    "left": _("Active households in turfs not knocked yet, or found inaccessible on the latest try."),
    "completed": _("A turf is completed when it was marked done, or when every active household in it was knocked."),
    "implausible": _("Turfs with at least %(visits)s visits whose contact rate is above %(high)s%% or below %(low)s%%.")
    % {
        "visits": IMPLAUSIBLE_MIN_VISITS,
        "high": round(IMPLAUSIBLE_RATE_HIGH * 100),
        "low": round(IMPLAUSIBLE_RATE_LOW * 100),
    },
}


# Periods


class Period:
    TODAY = "today"
    WEEK = "7d"
    MONTH = "30d"
    ALL = "all"
    CUSTOM = "custom"

    CHOICES = [
        (TODAY, _("Today")),
        (WEEK, _("7 days")),
        (MONTH, _("30 days")),
        (ALL, _("All")),
        (CUSTOM, _("Custom")),
    ]
    VALUES = [value for value, _label in CHOICES]


CALENDAR_START = dt.date.min + dt.timedelta(days=2)
CALENDAR_END = dt.date.max - dt.timedelta(days=2)


def local_midnight(campaign: Campaign, day: dt.date) -> dt.datetime:
    """The instant a day starts in the campaign's time zone."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=campaign.tzinfo)


def period_bounds(
    *,
    campaign: Campaign,
    period: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    now: dt.datetime | None = None,
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(since, until) for a period, as aware datetimes: since inclusive, until exclusive, None = open.

    Days are the campaign's days: "today" starts at midnight in `campaign.tzinfo`; "7 days" is today and
    the six days before. A custom period runs from the start of `start` to the end of `end`, both
    included; either may be missing. An unknown period is "all".
    """
    today = timezone.localdate(now or timezone.now(), timezone=campaign.tzinfo)
    if period == Period.TODAY:
        return local_midnight(campaign, today), None
    if period == Period.WEEK:
        return local_midnight(campaign, today - dt.timedelta(days=6)), None
    if period == Period.MONTH:
        return local_midnight(campaign, today - dt.timedelta(days=29)), None
    if period == Period.CUSTOM:
        # A day at the very ends of the calendar cannot be turned into an instant in every time zone (it
        # overflowed into a server error): there it means "open".
        since = local_midnight(campaign, start) if start and start > CALENDAR_START else None
        until = local_midnight(campaign, end + dt.timedelta(days=1)) if end and end < CALENDAR_END else None
        return since, until
    return None, None


# Figures


@dataclass
class Figures:
    """What the visits of one group and period add up to."""

    visits: int = 0
    doors_knocked: int = 0
    contacts: int = 0

    @property
    def contact_rate(self) -> float | None:
        """Households contacted ÷ households knocked, 0–1; None when no door was knocked."""
        return self.contacts / self.doors_knocked if self.doors_knocked else None

    @property
    def contact_percent(self) -> int | None:
        rate = self.contact_rate
        return None if rate is None else round(rate * 100)


@dataclass
class Coverage:
    """Active households in turfs now, how many were ever knocked, and what is left."""

    households: int = 0
    knocked: int = 0

    @property
    def left(self) -> int:
        return self.households - self.knocked

    @property
    def percent(self) -> int:
        return round(self.knocked * 100 / self.households) if self.households else 0

    def add(self, other: "Coverage") -> None:
        self.households += other.households
        self.knocked += other.knocked


def _support_list(row: dict[str, Any] | None) -> list[int]:
    return [int((row or {}).get(f"support_{level}") or 0) for level in SUPPORT_LEVELS]


@dataclass
class ProgressSummary:
    figures: Figures
    coverage: Coverage  # households in turfs
    households: int  # every active household of the campaign, in a turf or not
    support: list[int]  # households at support 1..5 (latest known)
    turfs: int
    turfs_completed: int
    needs_review: int  # visits waiting for a coordinator's review
    since: dt.datetime | None = None
    until: dt.datetime | None = None


@dataclass
class TurfProgress:
    turf: Turf
    figures: Figures = field(default_factory=Figures)
    coverage: Coverage = field(default_factory=Coverage)
    support: list[int] = field(default_factory=lambda: [0] * len(SUPPORT_LEVELS))

    @property
    def completed(self) -> bool:
        return turf_is_completed(self.turf, self.coverage)


@dataclass
class AreaProgress:
    area: Area | None  # None: households outside any area of the current map
    figures: Figures = field(default_factory=Figures)
    coverage: Coverage = field(default_factory=Coverage)
    support: list[int] = field(default_factory=lambda: [0] * len(SUPPORT_LEVELS))
    turfs: int = 0
    turfs_completed: int = 0


@dataclass
class VolunteerProgress:
    membership: Membership
    figures: Figures = field(default_factory=Figures)
    support_recorded: list[int] = field(default_factory=lambda: [0] * len(SUPPORT_LEVELS))
    turfs_assigned: int = 0  # active assignments now
    turfs_completed: int = 0  # assignments marked done, or of a turf marked completed


@dataclass
class DayProgress:
    day: dt.date
    figures: Figures = field(default_factory=Figures)
    support_recorded: list[int] = field(default_factory=lambda: [0] * len(SUPPORT_LEVELS))


@dataclass
class ImplausibleTurf:
    turf_code: Any
    turf_name: str
    figures: Figures


def turf_is_completed(turf: Turf, coverage: Coverage) -> bool:
    return turf.completed_at is not None or (coverage.households > 0 and coverage.knocked == coverage.households)


# Building blocks


KNOCKED = ~Q(outcome__in=NOT_KNOCKED_OUTCOMES)
CONTACTED = Q(outcome=Visit.Outcome.CONTACTED)


def counted_visits(
    campaign: Campaign, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> QuerySet[Visit]:
    """The visits progress counts: the campaign's, not discarded, visited in [since, until)."""
    visits = Visit.objects.filter(campaign=campaign, discarded_at__isnull=True)
    if since is not None:
        visits = visits.filter(visited_at__gte=since)
    if until is not None:
        visits = visits.filter(visited_at__lt=until)
    return visits.order_by()


def _visit_aggregates(*, recorded_support: bool = False) -> dict[str, Any]:
    aggregates: dict[str, Any] = {
        "visits": Count("id"),
        "doors_knocked": Count("household_id", distinct=True, filter=KNOCKED),
        "contacts": Count("household_id", distinct=True, filter=CONTACTED),
    }
    if recorded_support:
        for level in SUPPORT_LEVELS:
            aggregates[f"support_{level}"] = Count("id", filter=Q(support_level=level))
    return aggregates


def _figures(row: dict[str, Any] | None) -> Figures:
    row = row or {}
    return Figures(
        visits=row.get("visits") or 0, doors_knocked=row.get("doors_knocked") or 0, contacts=row.get("contacts") or 0
    )


# Coverage: the household's latest counted visit reached the door (see the module docstring).
HOUSEHOLD_KNOCKED = ~Q(last_outcome__in=["", *NOT_KNOCKED_OUTCOMES])


def _household_aggregates(campaign: Campaign, since: dt.datetime | None, until: dt.datetime | None) -> dict[str, Any]:
    """Coverage and the latest-support distribution of active households, for a GROUP BY on households."""
    in_period = Q()
    if since is not None:
        in_period &= Q(last_visited_at__gte=since)
    if until is not None:
        in_period &= Q(last_visited_at__lt=until)
    aggregates: dict[str, Any] = {
        "households": Count("id"),
        "knocked": Count("id", filter=HOUSEHOLD_KNOCKED),
    }
    for level in SUPPORT_LEVELS:
        aggregates[f"support_{level}"] = Count("id", filter=Q(last_support=level) & in_period)
    return aggregates


def _active_households(campaign: Campaign) -> QuerySet[Household]:
    return Household.objects.filter(campaign=campaign, status=Household.Status.ACTIVE).order_by()


# Selectors


def progress_summary(
    *, campaign: Campaign, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> ProgressSummary:
    """The campaign's numbers for [since, until) (None: open-ended), in 4 queries.

    Visits, doors knocked, contacts and the contact rate of the period; coverage, what is left and the
    turfs completed as of now; the support distribution of households (latest level; with a period, of
    the households whose latest visit falls in it); and the visits waiting for review. See the module's
    docstring for each definition.
    """
    figures = _figures(counted_visits(campaign, since, until).aggregate(**_visit_aggregates()))
    by_turf = list(
        _active_households(campaign).values("turf_id").annotate(**_household_aggregates(campaign, since, until))
    )
    turfs = list(Turf.objects.filter(campaign=campaign).values_list("id", "completed_at"))
    needs_review = Visit.objects.filter(campaign=campaign, needs_review=True, discarded_at__isnull=True).count()

    coverage, households, support = Coverage(), 0, [0] * len(SUPPORT_LEVELS)
    turf_coverage: dict[int, Coverage] = {}
    for row in by_turf:
        households += row["households"]
        support = [a + b for a, b in zip(support, _support_list(row), strict=True)]
        if row["turf_id"] is not None:
            turf_coverage[row["turf_id"]] = Coverage(row["households"], row["knocked"])
            coverage.add(turf_coverage[row["turf_id"]])
    completed = sum(
        1
        for turf_id, completed_at in turfs
        if completed_at is not None or _all_knocked(turf_coverage.get(turf_id, Coverage()))
    )
    return ProgressSummary(
        figures=figures,
        coverage=coverage,
        households=households,
        support=support,
        turfs=len(turfs),
        turfs_completed=completed,
        needs_review=needs_review,
        since=since,
        until=until,
    )


def _all_knocked(coverage: Coverage) -> bool:
    return coverage.households > 0 and coverage.knocked == coverage.households


def progress_by_turf(
    *,
    campaign: Campaign,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    area: Area | None = None,
    turfs: Sequence[Turf] | None = None,
) -> list[TurfProgress]:
    """One row per turf, ordered by name: the period's figures (visits logged in the turf), coverage now
    (active households currently in it), the latest-support distribution and whether it is completed.

    `turfs`: only these (a page of a paginated list; no query for the turfs themselves); `area`: only that
    area's turfs. 3 queries (2 when `turfs` is given).
    """
    if turfs is None:
        turf_qs = Turf.objects.filter(campaign=campaign).select_related("area")
        if area is not None:
            turf_qs = turf_qs.filter(area=area)
        turfs = list(turf_qs.order_by("name", "pk"))
    rows = {turf.pk: TurfProgress(turf=turf) for turf in turfs}
    if not rows:
        return []
    ids = list(rows)
    for row in (
        _active_households(campaign)
        .filter(turf_id__in=ids)
        .values("turf_id")
        .annotate(**_household_aggregates(campaign, since, until))
    ):
        progress = rows[row["turf_id"]]
        progress.coverage = Coverage(row["households"], row["knocked"])
        progress.support = _support_list(row)
    for row in (
        counted_visits(campaign, since, until).filter(turf_id__in=ids).values("turf_id").annotate(**_visit_aggregates())
    ):
        rows[row["turf_id"]].figures = _figures(row)
    return list(rows.values())


def current_areas(campaign: Campaign) -> QuerySet[Area]:
    """The areas of the campaign's current map version."""
    return Area.objects.filter(campaign=campaign, version__status=MapVersion.Status.CURRENT).order_by("key", "pk")


def progress_by_area(
    *,
    campaign: Campaign,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    with_figures: bool = True,
) -> list[AreaProgress]:
    """One row per area of the current map (by area code), then one for households in no area if there
    are any: the period's figures (visits grouped by the household's current area), coverage now, the
    latest-support distribution, and turfs and turfs completed (a turf counts in its own area). 4 queries.

    `with_figures=False` leaves the figures at zero and skips the one query that reads visits (3 queries):
    for pages that show only coverage and turfs per area. At 1,000,000 visits that query is the costliest
    of the overview (a join of every visit of the period with its household and two distinct counts).
    """
    rows: dict[int | None, AreaProgress] = {area.pk: AreaProgress(area=area) for area in current_areas(campaign)}

    def row_for(area_id: int | None) -> AreaProgress:
        if area_id not in rows:  # an area of an older map still holding households or visits
            rows[area_id] = AreaProgress(area=None)
        return rows[area_id]

    turf_coverage: dict[int, Coverage] = {}
    for row in (
        _active_households(campaign)
        .values("area_id", "turf_id")
        .annotate(**_household_aggregates(campaign, since, until))
    ):
        progress = row_for(row["area_id"])
        coverage = Coverage(row["households"], row["knocked"])
        if row["turf_id"] is not None:
            progress.coverage.add(coverage)
            turf_coverage.setdefault(row["turf_id"], Coverage()).add(coverage)
        progress.support = [a + b for a, b in zip(progress.support, _support_list(row), strict=True)]
    if with_figures:
        for row in counted_visits(campaign, since, until).values("household__area_id").annotate(**_visit_aggregates()):
            row_for(row["household__area_id"]).figures = _figures(row)
    for turf_id, area_id, completed_at in Turf.objects.filter(campaign=campaign).values_list(
        "id", "area_id", "completed_at"
    ):
        progress = row_for(area_id)
        progress.turfs += 1
        if completed_at is not None or _all_knocked(turf_coverage.get(turf_id, Coverage())):
            progress.turfs_completed += 1
    ordered = [row for key, row in rows.items() if row.area is not None]
    # Rows without a current area (None, or an area of an older map) are summed into one.
    stray = [row for row in rows.values() if row.area is None]
    if stray:
        merged = AreaProgress(area=None)
        for row in stray:
            merged.figures = Figures(
                merged.figures.visits + row.figures.visits,
                merged.figures.doors_knocked + row.figures.doors_knocked,
                merged.figures.contacts + row.figures.contacts,
            )
            merged.coverage.add(row.coverage)
            merged.support = [a + b for a, b in zip(merged.support, row.support, strict=True)]
            merged.turfs += row.turfs
            merged.turfs_completed += row.turfs_completed
        if merged.figures.visits or merged.coverage.households or merged.turfs or any(merged.support):
            ordered.append(merged)
    return ordered


def progress_by_volunteer(
    *,
    campaign: Campaign,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    turf: Turf | None = None,
) -> list[VolunteerProgress]:
    """One row per canvasser who logged a counted visit in the period (or holds an active assignment),
    most doors knocked first: the period's figures, the support levels they recorded (per visit), the
    turfs assigned to them now and the turfs they completed. `turf`: only visits logged in that turf and
    assignments of it. 3 queries.
    """
    visits = counted_visits(campaign, since, until).filter(canvasser__isnull=False)
    assignments = Assignment.objects.filter(campaign=campaign).order_by()
    if turf is not None:
        visits = visits.filter(turf=turf)
        assignments = assignments.filter(turf=turf)
    by_member = {
        row["canvasser_id"]: row
        for row in visits.values("canvasser_id").annotate(**_visit_aggregates(recorded_support=True))
    }
    assigned = {
        row["membership_id"]: row
        for row in assignments.values("membership_id").annotate(
            active=Count("id", filter=Q(status=Assignment.Status.ACTIVE)),
            completed=Count(
                "id",
                filter=Q(status=Assignment.Status.DONE)
                | (Q(turf__completed_at__isnull=False) & ~Q(status=Assignment.Status.WITHDRAWN)),
            ),
        )
    }
    wanted = set(by_member) | {member for member, row in assigned.items() if row["active"] or row["completed"]}
    members = Membership.objects.filter(campaign=campaign, pk__in=wanted).select_related("user")
    rows = []
    for membership in members:
        visit_row, assignment_row = by_member.get(membership.pk), assigned.get(membership.pk) or {}
        rows.append(
            VolunteerProgress(
                membership=membership,
                figures=_figures(visit_row),
                support_recorded=_support_list(visit_row),
                turfs_assigned=assignment_row.get("active", 0),
                turfs_completed=assignment_row.get("completed", 0),
            )
        )
    rows.sort(key=lambda row: (-row.figures.doors_knocked, -row.figures.visits, str(row.membership.user)))
    return rows


def progress_by_day(
    *,
    campaign: Campaign,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    turf: Turf | None = None,
    canvasser: Membership | None = None,
    fill: bool = True,
) -> list[DayProgress]:
    """One row per day in the campaign's time zone, oldest first: the period's figures and the support
    levels recorded that day (per visit). A door knocked on two days counts on each. With `fill`, days
    without visits between the first and the last shown are included with zeros. 1 query.
    """
    visits = counted_visits(campaign, since, until)
    if turf is not None:
        visits = visits.filter(turf=turf)
    if canvasser is not None:
        visits = visits.filter(canvasser=canvasser)
    found = {
        row["day"]: DayProgress(day=row["day"], figures=_figures(row), support_recorded=_support_list(row))
        for row in visits.annotate(day=TruncDate("visited_at", tzinfo=campaign.tzinfo))
        .values("day")
        .annotate(**_visit_aggregates(recorded_support=True))
        .order_by("day")
    }
    if not found or not fill:
        return list(found.values())
    first, last = min(found), max(found)
    if since is not None:
        first = min(first, timezone.localdate(since, timezone=campaign.tzinfo))
    today = timezone.localdate(timezone=campaign.tzinfo)
    end = timezone.localdate(until - dt.timedelta(microseconds=1), timezone=campaign.tzinfo) if until else today
    last = max(last, min(end, today))  # the chart runs to the period's end, or today, not beyond
    days = []
    day = first
    while day <= last:  # one row per calendar day shown, not per visit
        days.append(found.get(day) or DayProgress(day=day))
        day += dt.timedelta(days=1)
    return days


def progress_for_member(
    *, campaign: Campaign, membership: Membership, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> tuple[Figures, list[int]]:
    """One member's own figures and the support levels they recorded, for [since, until). 1 query."""
    row = (
        counted_visits(campaign, since, until)
        .filter(canvasser=membership)
        .aggregate(**_visit_aggregates(recorded_support=True))
    )
    return _figures(row), _support_list(row)


def member_turfs(*, campaign: Campaign, membership: Membership) -> tuple[int, int]:
    """(turfs assigned to the member now, turfs they completed): the counts of progress_by_volunteer, for
    one member. 1 query."""
    row = Assignment.objects.filter(campaign=campaign, membership=membership).aggregate(
        active=Count("id", filter=Q(status=Assignment.Status.ACTIVE)),
        completed=Count(
            "id",
            filter=Q(status=Assignment.Status.DONE)
            | (Q(turf__completed_at__isnull=False) & ~Q(status=Assignment.Status.WITHDRAWN)),
        ),
    )
    return row["active"] or 0, row["completed"] or 0


def implausible_turfs(
    *, campaign: Campaign, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[ImplausibleTurf]:
    """Turfs whose contact rate is implausible (see IMPLAUSIBLE_*), found with one GROUP BY … HAVING."""
    rows = (
        counted_visits(campaign, since, until)
        .filter(turf__isnull=False)
        .values("turf_id", "turf__code", "turf__name")
        .annotate(**_visit_aggregates())
        .filter(visits__gte=IMPLAUSIBLE_MIN_VISITS, doors_knocked__gt=0)
        .filter(
            Q(contacts__gt=F("doors_knocked") * IMPLAUSIBLE_RATE_HIGH)
            | Q(contacts__lt=F("doors_knocked") * IMPLAUSIBLE_RATE_LOW)
        )
        .order_by("turf__name", "turf_id")
    )
    return [
        ImplausibleTurf(turf_code=row["turf__code"], turf_name=row["turf__name"], figures=_figures(row)) for row in rows
    ]


# The review queue


def review_queue(
    *,
    campaign: Campaign,
    flag: str = "",
    turf: Turf | None = None,
    canvasser: Membership | None = None,
    day: dt.date | None = None,
) -> QuerySet[Visit]:
    """Visits waiting for a coordinator's review, oldest first, with their household, turf and canvasser
    in the same query. `flag` one of Visit.Flag; `day` a day in the campaign's time zone."""
    visits = (
        Visit.objects.filter(campaign=campaign, needs_review=True, discarded_at__isnull=True)
        .select_related("household", "turf", "canvasser__user")
        .order_by("visited_at", "pk")
    )
    if flag in Visit.Flag.values:
        visits = _with_flag(visits, flag)
    if turf is not None:
        visits = visits.filter(turf=turf)
    if canvasser is not None:
        visits = visits.filter(canvasser=canvasser)
    if day is not None:
        if not CALENDAR_START < day < CALENDAR_END:
            return visits.none()  # no visit was made then, and the day's bounds would overflow
        visits = visits.filter(
            visited_at__gte=local_midnight(campaign, day),
            visited_at__lt=local_midnight(campaign, day + dt.timedelta(days=1)),
        )
    return visits


def _with_flag(visits: QuerySet[Visit], flag: str) -> QuerySet[Visit]:
    """Visits whose `flags` list holds `flag`. JSON containment is PostgreSQL-only, so the list is matched
    as text, quoted, which works on SQLite too (flag values are plain identifiers)."""
    return visits.annotate(flags_text=Cast("flags", TextField())).filter(flags_text__contains=f'"{flag}"')


def canvassers(campaign: Campaign, ids: Iterable[int] | None = None) -> QuerySet[Membership]:
    """Members who logged at least one visit (for the filters), by name."""
    members = Membership.objects.filter(campaign=campaign).select_related("user")
    if ids is not None:
        return members.filter(pk__in=list(ids))
    return members.filter(pk__in=Visit.objects.filter(campaign=campaign).values("canvasser_id")).order_by(
        "user__display_name", "user__email"
    )


def support_by_level(support: Sequence[int]) -> list[tuple[int, int]]:
    """[(level, count)] for templates and the API."""
    return list(zip(SUPPORT_LEVELS, support, strict=True))
