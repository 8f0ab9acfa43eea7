"""A volunteer's private calendar feed: an unguessable, revocable address calendar apps subscribe to."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event

from accounts.models import User
from campaign.audit import log_action
from campaign.models import Campaign
from volunteers.models import Shift, Signup, Volunteer, new_feed_token

# How far back the feed reaches: recent shifts stay in the calendar, older ones drop out of it.
PAST_DAYS = 90
MAX_EVENTS = 500


def feed_url(volunteer: Volunteer, campaign: Campaign) -> str:
    path = reverse("public:feed", kwargs={"campaign_slug": campaign.slug, "token": volunteer.feed_token})
    return settings.SITE_URL.rstrip("/") + path


@transaction.atomic
def volunteer_feed_reset(*, volunteer: Volunteer, acting_user: User) -> Volunteer:
    """A new feed address; the old one stops working at once (a leaked link is revoked this way)."""
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    volunteer.feed_token = new_feed_token()
    volunteer.save(update_fields=["feed_token"])
    log_action(campaign=volunteer.campaign, actor=acting_user, action="volunteer.feed_reset", target=volunteer)
    return volunteer


def feed_signups(volunteer: Volunteer) -> list[Signup]:
    since = timezone.now() - dt.timedelta(days=PAST_DAYS)
    signups = list(
        Signup.objects.filter(volunteer=volunteer, shift__ends_at__gte=since)
        .select_related("shift")
        .order_by("shift__starts_at", "id")[:MAX_EVENTS]
    )
    # Cancelled and signed up again: the calendar shows the shift once, as it is now.
    active = {s.shift_id for s in signups if s.status != Signup.Status.CANCELLED}
    return [s for s in signups if s.status != Signup.Status.CANCELLED or s.shift_id not in active]


def build_calendar(*, campaign: Campaign, volunteer: Volunteer, signups: list[Signup]) -> bytes:
    """One VEVENT per signup, its UID stable for the signup's life. A cancelled shift or signup stays in
    the feed as STATUS:CANCELLED so subscribed clients remove it; a place on the waiting list is TENTATIVE."""
    now = timezone.now()
    my_shifts = settings.SITE_URL.rstrip("/") + reverse("volunteers:my_shifts", kwargs={"campaign_slug": campaign.slug})
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "groundswell"
    cal = Calendar()
    cal.add("prodid", "-//Groundswell//Volunteer shifts//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("%(campaign)s: my shifts") % {"campaign": campaign.name})
    cal.add("x-wr-timezone", campaign.time_zone)
    cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for signup in signups:
        shift: Shift = signup.shift
        event = Event()
        event.add("uid", f"signup-{signup.code}@{host}")
        event.add("dtstamp", now.astimezone(dt.UTC))
        event.add("dtstart", shift.starts_at.astimezone(dt.UTC))
        event.add("dtend", shift.ends_at.astimezone(dt.UTC))
        summary = shift.title
        if shift.cancelled_at or signup.status == Signup.Status.CANCELLED:
            status = "CANCELLED"
            summary = _("Cancelled: %(title)s") % {"title": shift.title}
        elif signup.status == Signup.Status.WAITLISTED:
            status = "TENTATIVE"
            summary = _("Waiting list: %(title)s") % {"title": shift.title}
        else:
            status = "CONFIRMED"
        event.add("status", status)
        event.add("summary", summary)
        event.add("location", shift.location)
        description = [shift.get_kind_display()]
        if shift.notes:
            description.append(shift.notes)
        description.append(my_shifts)
        event.add("description", "\n\n".join(str(part) for part in description))
        event.add("url", my_shifts)
        event.add("transp", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")
        cal.add_component(event)
    return cal.to_ical()


@require_safe
def feed(request: HttpRequest, campaign_slug: str, token: str) -> HttpResponse:
    """/p/<slug>/feed/<token>.ics — no sign-in (calendar apps cannot), so the token is the only key."""
    campaign: Campaign = request.campaign  # type: ignore[attr-defined]
    volunteer = Volunteer.objects.filter(campaign=campaign, feed_token=token).first()
    if volunteer is None:
        raise Http404
    body = build_calendar(campaign=campaign, volunteer=volunteer, signups=feed_signups(volunteer))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="shifts.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
