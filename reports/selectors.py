"""The numbers the dashboards show, each read in SQL with a fixed number of queries whatever the data size.

Where another app has a selector for a number (fundraising's summary and donors near the cap, the
volunteer's hours) that selector is called, so each number has one definition. The rest reads the
models directly and says what it counts.

Days are the campaign's days: a period of 7 days ends today in the campaign's time zone and starts at
local midnight six days earlier; visits, signups and shifts are placed on a day by their local date.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from campaign.models import Campaign, Membership, Role
from canvassing import selectors_progress as progress
from canvassing.models import Assignment
from fundraising import selectors as fundraising_selectors
from fundraising.models import Donation, Pledge
from inventory import selectors as inventory_selectors
from inventory.models import Variant
from nominations import selectors as nomination_selectors
from nominations.models import Drive, Signature
from volunteers import selectors as volunteer_selectors
from volunteers.models import Shift, Signup, Volunteer

PERIODS = (7, 14, 30, 90)
DEFAULT_PERIOD = 7
SHIFT_WINDOW_DAYS = 7
UNDERFILLED_SHOWN = 10
LOW_STOCK_SHOWN = 10
NEAR_CAP_SHOWN = 5
SUPPORT_LEVELS = (1, 2, 3, 4, 5)
PACE_DAYS = 7  # signatures' pace: the average per day over the last week


@dataclass(frozen=True)
class Period:
    """`days` local days ending with `end` (inclusive), and the UTC instants that bound them."""

    days: int
    start: dt.date
    end: dt.date
    start_at: dt.datetime
    end_at: dt.datetime

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range(self.days)]


def local_midnight(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def local_today(campaign: Campaign, now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now(), campaign.tzinfo).date()


def period_for(campaign: Campaign, days: int, *, end: dt.date | None = None) -> Period:
    """The `days` days ending `end` (default today), in the campaign's time zone."""
    end = end or local_today(campaign)
    start = end - dt.timedelta(days=days - 1)
    tz = campaign.tzinfo
    return Period(
        days=days,
        start=start,
        end=end,
        start_at=local_midnight(start, tz),
        end_at=local_midnight(end + dt.timedelta(days=1), tz),
    )


def parse_period(value: str | None) -> int:
    try:
        days = int(value or DEFAULT_PERIOD)
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _rate(part: int, whole: int) -> int | None:
    """A whole percentage, or None when there is nothing to divide by."""
    return round(part * 100 / whole) if whole else None


# --- volunteers ----------------------------------------------------------------------------------


def volunteers_panel(campaign: Campaign, period: Period) -> dict[str, Any]:
    """new: signed up in the period; active: any activity (signup, check-in, visit…) in the period, as
    the roster's activity filter counts it; inactive: the rest; no-shows: signups marked "no-show" on
    shifts that started in the period. Two queries."""
    totals = Volunteer.objects.filter(campaign=campaign).aggregate(
        total=Count("id"),
        new=Count("id", filter=Q(created_at__gte=period.start_at, created_at__lt=period.end_at)),
        active=Count("id", filter=Q(last_activity_at__gte=period.start_at)),
    )
    no_shows = Signup.objects.filter(
        campaign=campaign,
        attendance=Signup.Attendance.NO_SHOW,
        shift__starts_at__gte=period.start_at,
        shift__starts_at__lt=period.end_at,
    ).count()
    return {
        "total": totals["total"],
        "new": totals["new"],
        "active": totals["active"],
        "inactive": totals["total"] - totals["active"],
        "no_shows": no_shows,
    }


# --- shifts --------------------------------------------------------------------------------------


def upcoming_shifts(campaign: Campaign, *, days: int, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Shifts starting within `days` from now (not cancelled), each with its confirmed places. One query."""
    now = now or timezone.now()
    rows = (
        Shift.objects.filter(
            campaign=campaign, cancelled_at=None, starts_at__gte=now, starts_at__lt=now + dt.timedelta(days=days)
        )
        .annotate(filled=Count("signups", filter=Q(signups__status=Signup.Status.CONFIRMED)))
        .order_by("starts_at", "id")
        .values("code", "title", "location", "starts_at", "capacity", "filled")
    )
    return [{**row, "code": str(row["code"])} for row in rows]


def shifts_panel(campaign: Campaign, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Places filled against places offered over the next 7 days, by local day, and the emptiest shifts."""
    now = now or timezone.now()
    shifts = upcoming_shifts(campaign, days=SHIFT_WINDOW_DAYS, now=now)
    tz = campaign.tzinfo
    today = local_today(campaign, now)
    by_day = {today + dt.timedelta(days=n): {"capacity": 0, "filled": 0} for n in range(SHIFT_WINDOW_DAYS + 1)}
    for shift in shifts:
        day = timezone.localtime(shift["starts_at"], tz).date()
        slot = by_day.setdefault(day, {"capacity": 0, "filled": 0})
        slot["capacity"] += shift["capacity"]
        slot["filled"] += min(shift["filled"], shift["capacity"])
    capacity = sum(s["capacity"] for s in shifts)
    filled = sum(min(s["filled"], s["capacity"]) for s in shifts)
    underfilled = sorted(
        (s for s in shifts if s["filled"] < s["capacity"]), key=lambda s: (s["filled"] / s["capacity"], s["starts_at"])
    )
    return {
        "shifts": len(shifts),
        "capacity": capacity,
        "filled": filled,
        "fill_rate": _rate(filled, capacity),
        "by_day": [{"day": day, **values} for day, values in sorted(by_day.items()) if day >= today][
            :SHIFT_WINDOW_DAYS
        ],
        "underfilled": underfilled[:UNDERFILLED_SHOWN],
        "underfilled_count": len(underfilled),
    }


# --- canvassing ----------------------------------------------------------------------------------


def door_figures(campaign: Campaign, start_at: dt.datetime, end_at: dt.datetime) -> dict[str, Any]:
    """Visits, doors knocked and contacts in [start_at, end_at), as canvassing's progress counts them:
    doors and contacts are households (a door knocked twice counts once), discarded visits do not count."""
    row = progress.counted_visits(campaign, start_at, end_at).aggregate(
        visits=Count("id"),
        doors=Count("household_id", distinct=True, filter=progress.KNOCKED),
        contacts=Count("household_id", distinct=True, filter=progress.CONTACTED),
    )
    return {**row, "contact_rate": _rate(row["contacts"], row["doors"])}


def canvassing_panel(campaign: Campaign, period: Period) -> dict[str, Any]:
    """Canvassing's own progress selectors (canvassing/selectors_progress.py holds the definitions):
    doors knocked and contacts (households) of the period and by local day, the contact rate (per
    household), the support distribution (households by latest support, latest visit in the period),
    turfs completed and remaining, and visits waiting for review. Five queries."""
    summary = progress.progress_summary(campaign=campaign, since=period.start_at, until=period.end_at)
    days = {
        row.day: row
        for row in progress.progress_by_day(campaign=campaign, since=period.start_at, until=period.end_at, fill=False)
    }
    by_day = []
    for day in period.dates():
        row = days.get(day)
        by_day.append(
            {
                "day": day,
                "doors": row.figures.doors_knocked if row else 0,
                "contacts": row.figures.contacts if row else 0,
                "visits": row.figures.visits if row else 0,
            }
        )
    support = [{"level": level, "count": count} for level, count in zip(SUPPORT_LEVELS, summary.support, strict=True)]
    return {
        "visits": summary.figures.visits,
        "doors": summary.figures.doors_knocked,
        "contacts": summary.figures.contacts,
        "contact_rate": summary.figures.contact_percent,
        "by_day": by_day,
        "support": support,
        "support_total": sum(summary.support),
        "turfs_total": summary.turfs,
        "turfs_completed": summary.turfs_completed,
        "turfs_remaining": summary.turfs - summary.turfs_completed,
        "doors_left": summary.coverage.left,
        "flagged": summary.needs_review,
    }


# --- stock ---------------------------------------------------------------------------------------


def low_stock(campaign: Campaign, *, limit: int = LOW_STOCK_SHOWN) -> tuple[list[dict[str, Any]], int]:
    """Variants at or below their item's low-stock threshold (inventory keeps `Variant.is_low` in step
    with every movement), with what is on hand everywhere, bags included. Two queries."""
    low = Variant.objects.filter(campaign=campaign, is_low=True, deleted_at=None, item__deleted_at=None)
    count = low.count()
    rows = (
        low.annotate(on_hand=Sum("stock_levels__quantity"))
        .order_by("item__name", "label")
        .values("code", "item__name", "label", "item__low_stock_threshold", "on_hand")[:limit]
    )
    return [
        {
            "code": str(row["code"]),
            "name": f"{row['item__name']} · {row['label']}" if row["label"] else row["item__name"],
            "threshold": row["item__low_stock_threshold"],
            "on_hand": row["on_hand"] or 0,
        }
        for row in rows
    ], count


def leaflet_forecast(campaign: Campaign) -> Any:
    """The inventory part's forecast (reports/forecast.py), when it is there."""
    try:
        from reports.forecast import leaflet_forecast as forecast
    except ImportError:
        return None
    return [
        {
            "code": str(row.variant.code),
            "name": str(row.variant),
            "doors_left": row.doors_left,
            "needed": row.needed,
            "in_stock": row.in_stock,
            "short": row.short,
            "per_day": row.per_day,
            "runs_out_on": row.runs_out_on,
            "covered_share": row.covered_share,
        }
        for row in forecast(campaign=campaign)
    ]


def stock_panel(campaign: Campaign) -> dict[str, Any]:
    rows, count = low_stock(campaign)
    return {"low": rows, "low_count": count, "forecast": leaflet_forecast(campaign)}


# --- money ---------------------------------------------------------------------------------------


def money_panel(campaign: Campaign) -> dict[str, Any]:
    """Raised against the goal, by week, and the donors near their cap: fundraising's own selectors."""
    figures = fundraising_selectors.summary(campaign)
    near = fundraising_selectors.donors_near_cap(campaign)
    near_rows = [
        {"code": str(p.code), "name": p.full_name, "cap_total": p.cap_total, "room": p.room}
        for p in near[:NEAR_CAP_SHOWN]
    ]
    share = figures["goal_share"]
    return {
        "currency": figures["currency"],
        "raised": figures["raised"],
        "goal": figures["goal"],
        "goal_share": share,
        "goal_deadline": figures["goal_deadline"],
        "donors": figures["donors"],
        "held": figures["held"],
        "by_week": [{"week": row["week"], "total": row["total"]} for row in figures["by_week"]][-12:],
        "near_cap": near_rows,
        "near_cap_count": near.count(),  # always counted: the same queries whatever the data
        "per_donor_cap": fundraising_selectors.settings_of(campaign).per_donor_cap,
    }


# --- signatures ----------------------------------------------------------------------------------


def drive_progress(campaign: Campaign, *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Each drive still collecting, by nominations' own Progress: likely-valid signatures (what counts
    today) against the requirement and the target (requirement plus margin), the margin won so far,
    what each remaining day needs and whether the drive is behind its straight line to the target; beside
    it the pace, the signatures (not struck) signed per day over the last 7 days. Two queries."""
    today = today or local_today(campaign)
    drives = list(
        nomination_selectors.drives_with_counts(campaign).filter(status=Drive.Status.OPEN).order_by("deadline", "id")
    )
    if not drives:
        return []
    since = today - dt.timedelta(days=PACE_DAYS - 1)
    recent = dict(
        Signature.objects.filter(campaign=campaign, drive__in=drives, signed_on__gte=since, signed_on__lte=today)
        .exclude(status=Signature.Status.STRUCK)
        .values("drive")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("drive", "n")
    )
    result = []
    for drive in drives:
        p = nomination_selectors.progress_of_annotated(drive, today=today)
        result.append(
            {
                "code": str(drive.code),
                "office": drive.office,
                "area_key": drive.area_key,
                "required": drive.required,
                "target": p.target,
                "collected": p.collected,
                "valid": p.likely_valid,
                "at_risk": p.at_risk,
                "struck": p.struck,
                "margin": p.likely_valid - drive.required,
                "short": max(drive.required - p.likely_valid, 0),
                "remaining": p.remaining,
                "deadline": drive.deadline,
                "days_left": p.days_left,
                "pace": round(recent.get(drive.pk, 0) / PACE_DAYS, 1),
                "need_per_day": p.per_day_needed,
                "expected_by_today": p.expected_by_today,
                "behind": p.behind,
            }
        )
    return result


def signatures_panel(campaign: Campaign) -> dict[str, Any]:
    drives = drive_progress(campaign)
    return {"drives": drives, "behind": sum(1 for d in drives if d["behind"])}


# --- the whole dashboard -------------------------------------------------------------------------


def dashboard(campaign: Campaign, period: Period, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Every panel of the coordinator dashboard, as plain values (cacheable, JSON-able)."""
    return {
        "period": {"days": period.days, "start": period.start, "end": period.end},
        "volunteers": volunteers_panel(campaign, period),
        "shifts": shifts_panel(campaign, now=now),
        "canvassing": canvassing_panel(campaign, period),
        "stock": stock_panel(campaign),
        "money": money_panel(campaign),
        "signatures": signatures_panel(campaign),
    }


# --- week on week --------------------------------------------------------------------------------


def week_on_week(campaign: Campaign, *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The last 7 local days against the 7 before them: doors, contacts, new volunteers, volunteer
    hours, money raised and signatures. One query per figure, each counting both weeks at once."""
    today = today or local_today(campaign)
    this_week = period_for(campaign, 7, end=today)
    last_week = period_for(campaign, 7, end=today - dt.timedelta(days=7))

    def between(field: str, p: Period, *, dates: bool = False) -> Q:
        if dates:
            return Q(**{f"{field}__gte": p.start, f"{field}__lte": p.end})
        return Q(**{f"{field}__gte": p.start_at, f"{field}__lt": p.end_at})

    doors_now = door_figures(campaign, this_week.start_at, this_week.end_at)
    doors_then = door_figures(campaign, last_week.start_at, last_week.end_at)
    people = Volunteer.objects.filter(campaign=campaign).aggregate(
        now=Count("id", filter=between("created_at", this_week)),
        then=Count("id", filter=between("created_at", last_week)),
    )
    hours_now = volunteer_selectors.hours_counted(campaign, start_at=this_week.start_at, end_at=this_week.end_at)
    hours_then = volunteer_selectors.hours_counted(campaign, start_at=last_week.start_at, end_at=last_week.end_at)
    money = fundraising_selectors.accepted_entries(campaign).aggregate(
        now=fundraising_selectors.money_sum("amount", filter=between("received_on", this_week, dates=True)),
        then=fundraising_selectors.money_sum("amount", filter=between("received_on", last_week, dates=True)),
    )
    signatures = (
        Signature.objects.filter(campaign=campaign)
        .exclude(status=Signature.Status.STRUCK)
        .aggregate(
            now=Count("id", filter=between("signed_on", this_week, dates=True)),
            then=Count("id", filter=between("signed_on", last_week, dates=True)),
        )
    )
    rows = [
        ("doors", doors_now["doors"], doors_then["doors"]),
        ("contacts", doors_now["contacts"], doors_then["contacts"]),
        ("new_volunteers", people["now"], people["then"]),
        ("hours", hours_now, hours_then),
        ("raised", money["now"], money["then"]),
        ("signatures", signatures["now"], signatures["then"]),
    ]
    return [
        {
            "key": key,
            "now": now,
            "then": then,
            "change": now - then,
            "change_percent": round((now - then) * 100 / then) if then else None,
        }
        for key, now, then in rows
    ]


# --- the campaign's calendar ---------------------------------------------------------------------

CALENDAR_DAYS = 42


def calendar(campaign: Campaign, *, today: dt.date | None = None, days: int = CALENDAR_DAYS) -> list[dict[str, Any]]:
    """What is coming in the next `days` days, by local date: shifts, assignments due, nomination drives
    opening and closing, pledges due, the fundraising goal's deadline and election day. Five queries."""
    today = today or local_today(campaign)
    last = today + dt.timedelta(days=days - 1)
    tz = campaign.tzinfo
    start_at, end_at = local_midnight(today, tz), local_midnight(last + dt.timedelta(days=1), tz)
    events: list[dict[str, Any]] = []
    shifts = (
        Shift.objects.filter(campaign=campaign, cancelled_at=None, starts_at__gte=start_at, starts_at__lt=end_at)
        .annotate(filled=Count("signups", filter=Q(signups__status=Signup.Status.CONFIRMED)))
        .order_by("starts_at")
        .values("code", "title", "starts_at", "capacity", "filled")[:300]
    )
    for shift in shifts:
        local = timezone.localtime(shift["starts_at"], tz)
        events.append({"day": local.date(), "time": local.time(), "kind": "shift", **shift, "code": str(shift["code"])})
    due = (
        Assignment.objects.filter(
            campaign=campaign, status=Assignment.Status.ACTIVE, due_on__gte=today, due_on__lte=last
        )
        .values("due_on", "turf__name", "turf__code")
        .annotate(n=Count("id"))
        .order_by("due_on", "turf__name")[:300]
    )
    for row in due:
        events.append({"day": row["due_on"], "kind": "assignment_due", "title": row["turf__name"], "count": row["n"]})
    drives = Drive.objects.filter(campaign=campaign).filter(
        Q(deadline__gte=today, deadline__lte=last) | Q(opens_on__gte=today, opens_on__lte=last)
    )
    for drive in drives.values("code", "office", "area_key", "opens_on", "deadline"):
        if today <= drive["opens_on"] <= last:
            events.append({"day": drive["opens_on"], "kind": "drive_opens", "title": drive["office"], **drive})
        if today <= drive["deadline"] <= last:
            events.append({"day": drive["deadline"], "kind": "drive_deadline", "title": drive["office"], **drive})
    pledges = (
        Pledge.objects.filter(campaign=campaign, status=Pledge.Status.OPEN, due_on__gte=today, due_on__lte=last)
        .values("due_on")
        .annotate(n=Count("id"))
        .order_by("due_on")
    )
    for row in pledges:
        events.append({"day": row["due_on"], "kind": "pledges_due", "title": "", "count": row["n"]})
    goal_deadline = fundraising_selectors.settings_of(campaign).goal_deadline
    if goal_deadline and today <= goal_deadline <= last:
        events.append({"day": goal_deadline, "kind": "goal_deadline", "title": ""})
    if today <= campaign.election_date <= last:
        events.append({"day": campaign.election_date, "kind": "election", "title": campaign.office})
    for event in events:
        event["code"] = str(event.get("code", ""))
    events.sort(key=lambda e: (e["day"], e.get("time") or dt.time.min, e["kind"]))
    agenda: dict[dt.date, list[dict[str, Any]]] = {}
    for event in events:
        agenda.setdefault(event["day"], []).append(event)
    return [{"day": day, "events": items} for day, items in agenda.items()]


# --- the volunteer's own home --------------------------------------------------------------------

MY_SHIFTS_SHOWN = 5
LEADERBOARD_SHOWN = 10


def my_volunteer(membership: Membership) -> Volunteer | None:
    return (
        Volunteer.objects.filter(campaign_id=membership.campaign_id, person__user_id=membership.user_id)
        .select_related("person")
        .first()
    )


def my_next_shifts(membership: Membership, volunteer: Volunteer | None, *, now: dt.datetime | None = None) -> list:
    if volunteer is None:
        return []
    now = now or timezone.now()
    return list(
        Signup.objects.filter(
            campaign_id=membership.campaign_id,
            volunteer=volunteer,
            status__in=[Signup.Status.CONFIRMED, Signup.Status.WAITLISTED],
            shift__cancelled_at=None,
            shift__ends_at__gt=now,
        )
        .select_related("shift")
        .order_by("shift__starts_at", "id")[:MY_SHIFTS_SHOWN]
    )


def my_turfs(membership: Membership) -> list[dict[str, Any]]:
    """The member's active assignments, each with its turf's doors and what is left: canvassing's
    coverage (active households in the turf, and those nobody has knocked yet). Three queries."""
    assignments = list(
        Assignment.objects.filter(
            campaign_id=membership.campaign_id, membership=membership, status=Assignment.Status.ACTIVE
        )
        .select_related("turf")
        .order_by("due_on", "turf__name", "id")
    )
    if not assignments:
        return []
    turfs = {a.turf_id: a.turf for a in assignments}
    coverage = {
        row.turf.pk: row.coverage
        for row in progress.progress_by_turf(campaign=membership.campaign, turfs=list(turfs.values()))
    }
    rows = []
    for a in assignments:
        c = coverage.get(a.turf_id) or progress.Coverage()
        rows.append({"assignment": a, "turf": a.turf, "doors": c.households, "left": c.left, "done": c.knocked})
    return rows


def my_bag(membership: Membership) -> list[dict[str, Any]]:
    """What the member's bag holds: inventory's own reading of it."""
    return [
        {"name": str(level.variant), "quantity": level.quantity}
        for level in inventory_selectors.bag_contents(membership=membership)
    ]


def month_bounds(campaign: Campaign, today: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    today = today or local_today(campaign)
    first = today.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return local_midnight(first, campaign.tzinfo), local_midnight(following, campaign.tzinfo)


def my_month(membership: Membership, volunteer: Volunteer | None, *, today: dt.date | None = None) -> dict[str, Any]:
    """My hours (shifts that started this month) and my doors (visits I logged this month)."""
    campaign = membership.campaign
    start_at, end_at = month_bounds(campaign, today)
    hours = (
        volunteer_selectors.hours_counted(campaign, volunteer=volunteer, start_at=start_at, end_at=end_at)
        if volunteer
        else Decimal("0.00")
    )
    figures, _support = progress.progress_for_member(
        campaign=campaign, membership=membership, since=start_at, until=end_at
    )
    return {"hours": hours, "doors": figures.doors_knocked, "contacts": figures.contacts, "month": start_at.date()}


def leaderboard(campaign: Campaign, *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Doors this month of the members who chose to appear, under the name they chose. Nobody else is
    listed, and nothing but that name and the number is shown. One query."""
    start_at, end_at = month_bounds(campaign, today)
    # Doors as canvassing counts them: households knocked (counted visits, the door reached), each once.
    in_month = Q(
        visits__visited_at__gte=start_at,
        visits__visited_at__lt=end_at,
        visits__discarded_at__isnull=True,
    ) & ~Q(visits__outcome__in=progress.NOT_KNOCKED_OUTCOMES)
    rows = (
        Membership.objects.filter(campaign=campaign, report_prefs__leaderboard_opt_in=True)
        .exclude(report_prefs__leaderboard_name="")
        .annotate(doors=Count("visits__household", distinct=True, filter=in_month))
        .filter(doors__gt=0)
        .values("pk", "report_prefs__leaderboard_name", "doors")
        .order_by("-doors", "report_prefs__leaderboard_name", "pk")[:LEADERBOARD_SHOWN]
    )
    return [{"member": row["pk"], "name": row["report_prefs__leaderboard_name"], "doors": row["doors"]} for row in rows]


def coordinators(campaign: Campaign) -> list[Membership]:
    return list(
        Membership.objects.filter(campaign=campaign, role__in=[Role.OWNER, Role.COORDINATOR])
        .select_related("user", "report_prefs")
        .order_by("id")
    )


def pledges_due(campaign: Campaign, day: dt.date) -> int:
    """Open pledges due on or before `day`."""
    return Pledge.objects.filter(campaign=campaign, status=Pledge.Status.OPEN, due_on__lte=day).count()


def yesterday_numbers(campaign: Campaign, *, today: dt.date) -> dict[str, Any]:
    """Yesterday in the campaign's time zone: doors, contacts, new volunteers, money raised, signatures."""
    day = period_for(campaign, 1, end=today - dt.timedelta(days=1))
    v = door_figures(campaign, day.start_at, day.end_at)
    new = Volunteer.objects.filter(campaign=campaign, created_at__gte=day.start_at, created_at__lt=day.end_at).count()
    raised = (
        fundraising_selectors.accepted_entries(campaign)
        .filter(received_on=day.start)
        .aggregate(
            total=fundraising_selectors.money_sum("amount"),
            gifts=Count("id", filter=Q(kind=Donation.Kind.DONATION)),
        )
    )
    signatures = (
        Signature.objects.filter(campaign=campaign, signed_on=day.start).exclude(status=Signature.Status.STRUCK).count()
    )
    return {
        "day": day.start,
        "doors": v["doors"],
        "contacts": v["contacts"],
        "contact_rate": _rate(v["contacts"], v["doors"]),
        "new_volunteers": new,
        "raised": raised["total"],
        "gifts": raised["gifts"],
        "signatures": signatures,
    }
