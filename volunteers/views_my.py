"""A volunteer's own pages: "My shifts" (open shifts, mine, my hours, my calendar feed), signing up and
cancelling. Phone first: one big button per action."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.access import CampaignRequest, campaign_role_required
from campaign.models import Role
from volunteers.access import access_shift, access_signup, my_volunteer
from volunteers.ical import feed_url, volunteer_feed_reset
from volunteers.models import Shift, Signup, Volunteer, VolunteerSkill
from volunteers.services import program_for, signup_cancel, signup_create, volunteer_for_member
from volunteers.views_shifts import error_text, with_counts

OPEN_PAGE_SIZE = 20
PAST_SHOWN = 20
CHECKIN_OPENS = dt.timedelta(hours=2)  # as signup_check_in allows


def waiting_position() -> CombinedExpression:
    """1 for the first person waiting: how many wait on the same shift ahead of this signup, plus one."""
    ahead = (
        Signup.objects.filter(shift=OuterRef("shift"), status=Signup.Status.WAITLISTED)
        .filter(Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id")))
        .order_by()
        .values("shift")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1


def my_hours(volunteer: Volunteer, *, now: dt.datetime) -> tuple[Decimal, Decimal]:
    """(all time, this month) — counted as Signup.counted_hours does, in one query."""
    rows = (
        Signup.objects.filter(
            volunteer=volunteer, status=Signup.Status.CONFIRMED, shift__cancelled_at=None, shift__ends_at__lte=now
        )
        .filter(Q(hours__isnull=False) | Q(attendance=Signup.Attendance.ATTENDED))
        .values_list("hours", "shift__starts_at", "shift__ends_at")
    )
    local_now = timezone.localtime(now)
    total = month = Decimal(0)
    for hours, starts_at, ends_at in rows:
        if hours is None:
            hours = Shift(starts_at=starts_at, ends_at=ends_at).duration_hours
        total += hours
        local_start = timezone.localtime(starts_at)
        if (local_start.year, local_start.month) == (local_now.year, local_now.month):
            month += hours
    return total, month


@campaign_role_required(Role.VOLUNTEER)
def my_shifts(request: CampaignRequest) -> HttpResponse:
    campaign = request.campaign
    now = timezone.now()
    program = program_for(campaign)
    volunteer = my_volunteer(request)

    open_shifts = with_counts(
        Shift.objects.filter(campaign=campaign, cancelled_at=None, starts_at__gt=now).select_related("required_skill")
    ).order_by("starts_at", "id")
    my_skills: set[int] = set()
    upcoming: list[Signup] = []
    past: list[Signup] = []
    total_hours = month_hours = Decimal(0)
    if volunteer is not None:
        active = Signup.objects.filter(
            volunteer=volunteer, status__in=[Signup.Status.CONFIRMED, Signup.Status.WAITLISTED]
        )
        open_shifts = open_shifts.exclude(pk__in=active.values("shift_id"))
        my_skills = set(VolunteerSkill.objects.filter(volunteer=volunteer).values_list("skill_id", flat=True))
        upcoming = list(
            active.filter(shift__ends_at__gt=now)
            .select_related("shift")
            .annotate(position=waiting_position())
            .order_by("shift__starts_at", "id")
        )
        cancel_by = dt.timedelta(hours=program.cancel_by_hours)
        for signup in upcoming:
            shift = signup.shift
            signup.cancel_until = shift.starts_at - cancel_by  # type: ignore[attr-defined]
            signup.can_cancel = not shift.cancelled_at and (  # type: ignore[attr-defined]
                signup.status == Signup.Status.WAITLISTED or now <= signup.cancel_until  # type: ignore[attr-defined]
            )
            signup.can_check_in = (  # type: ignore[attr-defined]
                not shift.cancelled_at
                and signup.status == Signup.Status.CONFIRMED
                and shift.starts_at - CHECKIN_OPENS <= now <= shift.ends_at
            )
        past = list(
            Signup.objects.filter(volunteer=volunteer, status=Signup.Status.CONFIRMED, shift__ends_at__lte=now)
            .select_related("shift")
            .order_by("-shift__starts_at", "-id")[:PAST_SHOWN]
        )
        total_hours, month_hours = my_hours(volunteer, now=now)

    page = Paginator(open_shifts, OPEN_PAGE_SIZE).get_page(request.GET.get("page"))
    for shift in page:
        shift.places_left = max(shift.capacity - shift.confirmed_count, 0)  # type: ignore[attr-defined]
        shift.lacks_skill = bool(shift.required_skill_id and shift.required_skill_id not in my_skills)  # type: ignore[attr-defined]
    url = feed_url(volunteer, campaign) if volunteer else ""
    return render(
        request,
        "volunteers/my/shifts.html",
        {
            "page": page,
            "volunteer": volunteer,
            "upcoming": upcoming,
            "past": past,
            "total_hours": total_hours,
            "month_hours": month_hours,
            "program": program,
            "feed_url": url,
            "feed_webcal": "webcal://" + url.split("://", 1)[1] if url else "",
        },
    )


@campaign_role_required(Role.VOLUNTEER)
@require_POST
def shift_signup(request: CampaignRequest, code: UUID) -> HttpResponse:
    shift = access_shift(request, code)
    volunteer = volunteer_for_member(membership=request.membership)
    already = Signup.objects.filter(shift=shift, volunteer=volunteer).exclude(status=Signup.Status.CANCELLED).exists()
    try:
        signup = signup_create(shift=shift, volunteer=volunteer, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("volunteers:my_shifts", campaign_slug=request.campaign.slug)
    except IntegrityError:
        # The same form sent twice at once, on a database without row locks: the other request won.
        already = True
        signup = Signup.objects.filter(shift=shift, volunteer=volunteer).exclude(status=Signup.Status.CANCELLED).get()
    when = date_format(timezone.localtime(shift.starts_at), "DATETIME_FORMAT")
    if signup.status == Signup.Status.CONFIRMED:
        text = (
            _("You're already signed up for “%(title)s” (%(when)s).")
            if already
            else _("You're in: “%(title)s” (%(when)s). See you there!")
        )
        messages.success(request, text % {"title": shift.title, "when": when})
    else:
        position = (
            Signup.objects.filter(shift=shift, status=Signup.Status.WAITLISTED)
            .filter(Q(created_at__lt=signup.created_at) | Q(created_at=signup.created_at, id__lt=signup.id))
            .count()
            + 1
        )
        messages.info(
            request,
            _(
                "“%(title)s” is full. You're on the waiting list, number %(position)d. "
                "We'll tell you if a place frees up."
            )
            % {"title": shift.title, "position": position},
        )
    return redirect("volunteers:my_shifts", campaign_slug=request.campaign.slug)


@campaign_role_required(Role.VOLUNTEER)
@require_POST
def my_signup_cancel(request: CampaignRequest, code: UUID) -> HttpResponse:
    signup = access_signup(request, code, own=True)
    try:
        signup_cancel(signup=signup, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("You are no longer signed up for “%(title)s”.") % {"title": signup.shift.title})
    return redirect("volunteers:my_shifts", campaign_slug=request.campaign.slug)


@campaign_role_required(Role.VOLUNTEER)
@require_POST
def my_feed_reset(request: CampaignRequest) -> HttpResponse:
    volunteer = volunteer_for_member(membership=request.membership)
    volunteer_feed_reset(volunteer=volunteer, acting_user=request.user)
    messages.success(
        request,
        _("Your calendar link is new and the old one has stopped working. Subscribe again with the new link."),
    )
    return redirect(reverse("volunteers:my_shifts", kwargs={"campaign_slug": request.campaign.slug}) + "#calendar")
