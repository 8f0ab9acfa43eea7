"""Canvassing progress pages under /c/<slug>/canvassing/progress/, for coordinators and owners: the
overview (numbers, doors and contacts by day, support), and the same figures by area, by turf, by
volunteer and by day, for a period. Every page runs a fixed number of queries (selectors_progress)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from campaign.access import CampaignRequest, campaign_role_required
from campaign.models import Role
from canvassing import selectors_progress as progress
from canvassing.access import access_turf
from canvassing.models import Turf

PAGE_SIZE = 50
SUPPORT_COLOURS = ("#dc3545", "#fd7e14", "#adb5bd", "#75b798", "#198754")
SUPPORT_NAMES = (
    _("1 strongly against"),
    _("2 against"),
    _("3 undecided"),
    _("4 for"),
    _("5 strongly for"),
)
DAY_SERIES = [
    ("figures.doors_knocked", _("Doors knocked"), "#0d6efd"),
    ("figures.contacts", _("Contacts"), "#198754"),
]


@dataclass
class PeriodFilter:
    period: str
    start: dt.date | None
    end: dt.date | None
    since: dt.datetime | None
    until: dt.datetime | None
    error: str = ""

    @property
    def query(self) -> str:
        """The period as a query string, for links that keep it."""
        params = {"period": self.period}
        if self.period == progress.Period.CUSTOM:
            params.update(
                start=self.start.isoformat() if self.start else "", end=self.end.isoformat() if self.end else ""
            )
        return urlencode(params)


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def period_from(request: CampaignRequest, default: str = progress.Period.MONTH) -> PeriodFilter:
    """The period of ?period=today|7d|30d|all|custom&start=&end=; bad dates are ignored and said so."""
    period = request.GET.get("period") or default
    if period not in progress.Period.VALUES:
        period = default
    start = end = None
    error = ""
    if period == progress.Period.CUSTOM:
        start, end = _date(request.GET.get("start")), _date(request.GET.get("end"))
        if (request.GET.get("start") and start is None) or (request.GET.get("end") and end is None):
            error = str(_("Enter dates as YYYY-MM-DD."))
        if start and end and end < start:
            start, end = end, start
    since, until = progress.period_bounds(campaign=request.campaign, period=period, start=start, end=end)
    return PeriodFilter(period=period, start=start, end=end, since=since, until=until, error=error)


def support_parts(support: list[int]) -> list[tuple[Any, int, str]]:
    return list(zip(SUPPORT_NAMES, support, SUPPORT_COLOURS, strict=True))


def _context(request: CampaignRequest, section: str, period: PeriodFilter, **extra: Any) -> dict[str, Any]:
    return {
        "section": section,
        "period": period,
        "periods": progress.Period.CHOICES,
        "definitions": progress.DEFINITIONS,
        "day_series": DAY_SERIES,
        **extra,
    }


@campaign_role_required(Role.COORDINATOR)
def overview(request: CampaignRequest) -> HttpResponse:
    period = period_from(request)
    summary = progress.progress_summary(campaign=request.campaign, since=period.since, until=period.until)
    days = progress.progress_by_day(campaign=request.campaign, since=period.since, until=period.until)
    # The overview shows coverage and turfs per area, not the areas' visit figures (the By area page does).
    areas = progress.progress_by_area(
        campaign=request.campaign, since=period.since, until=period.until, with_figures=False
    )
    return render(
        request,
        "canvassing/progress/overview.html",
        _context(
            request,
            "overview",
            period,
            summary=summary,
            days=days,
            areas=areas,
            support=support_parts(summary.support),
        ),
    )


@campaign_role_required(Role.COORDINATOR)
def by_area(request: CampaignRequest) -> HttpResponse:
    period = period_from(request)
    areas = progress.progress_by_area(campaign=request.campaign, since=period.since, until=period.until)
    for row in areas:
        row.support_parts = support_parts(row.support)  # type: ignore[attr-defined]
    return render(request, "canvassing/progress/areas.html", _context(request, "areas", period, areas=areas))


@campaign_role_required(Role.COORDINATOR)
def by_turf(request: CampaignRequest) -> HttpResponse:
    period = period_from(request)
    area = None
    area_code = request.GET.get("area", "")
    if area_code:
        try:
            area = progress.current_areas(request.campaign).filter(code=UUID(area_code)).first()
        except ValueError:
            area = None
    turfs = Turf.objects.filter(campaign=request.campaign).select_related("area").order_by("name", "pk")
    if area is not None:
        turfs = turfs.filter(area=area)
    page = Paginator(turfs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = progress.progress_by_turf(
        campaign=request.campaign, since=period.since, until=period.until, turfs=list(page.object_list)
    )
    query = period.query + (f"&area={area.code}" if area else "")
    return render(
        request,
        "canvassing/progress/turfs.html",
        _context(request, "turfs", period, rows=rows, page=page, area=area, query=query),
    )


@campaign_role_required(Role.COORDINATOR)
def turf_detail(request: CampaignRequest, code: UUID) -> HttpResponse:
    turf = access_turf(request, code)
    period = period_from(request, default=progress.Period.ALL)
    since, until = period.since, period.until
    (row,) = progress.progress_by_turf(campaign=request.campaign, since=since, until=until, turfs=[turf])
    days = progress.progress_by_day(campaign=request.campaign, since=since, until=until, turf=turf)
    volunteers = progress.progress_by_volunteer(campaign=request.campaign, since=since, until=until, turf=turf)
    return render(
        request,
        "canvassing/progress/turf.html",
        _context(
            request,
            "turfs",
            period,
            turf=turf,
            row=row,
            days=days,
            volunteers=volunteers,
            support=support_parts(row.support),
        ),
    )


@campaign_role_required(Role.COORDINATOR)
def by_volunteer(request: CampaignRequest) -> HttpResponse:
    period = period_from(request)
    rows = progress.progress_by_volunteer(campaign=request.campaign, since=period.since, until=period.until)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "canvassing/progress/volunteers.html",
        _context(request, "volunteers", period, page=page, query=period.query),
    )


@campaign_role_required(Role.COORDINATOR)
def by_day(request: CampaignRequest) -> HttpResponse:
    period = period_from(request)
    days = progress.progress_by_day(campaign=request.campaign, since=period.since, until=period.until)
    return render(
        request,
        "canvassing/progress/days.html",
        _context(request, "days", period, days=days, recent_first=list(reversed(days))),
    )


@campaign_role_required(Role.VOLUNTEER)
def my_progress(request: CampaignRequest) -> HttpResponse:
    """Any member's own numbers: the visits they logged in the period, by day, and their turfs."""
    period = period_from(request, default=progress.Period.WEEK)
    membership = request.membership
    figures, _support = progress.progress_for_member(
        campaign=request.campaign, membership=membership, since=period.since, until=period.until
    )
    days = progress.progress_by_day(
        campaign=request.campaign, since=period.since, until=period.until, canvasser=membership
    )
    assigned, completed = progress.member_turfs(campaign=request.campaign, membership=membership)
    return render(
        request,
        "canvassing/progress/mine.html",
        _context(
            request,
            "mine",
            period,
            figures=figures,
            days=days,
            turfs_assigned=assigned,
            turfs_completed=completed,
        ),
    )
