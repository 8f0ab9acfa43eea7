"""The messages an assignment brings with it: "you have a turf" now, and a reminder the day before it is due.

They go to the member's account address (or, when the member is also one of the campaign's contacts,
through that contact, so an opt-out from email is honoured), in the member's language.
"""

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from campaign.models import Person
from canvassing.models import Assignment
from notifications.models import Channel
from notifications.services import message_enqueue, messages_withdraw

ASSIGNED = "canvassing/assignment_new"
REMINDER = "canvassing/assignment_reminder"
REMINDER_HOUR = 9  # local time, the day before the due date
PENDING_TEMPLATES = [REMINDER]


def assignment_topic(assignment: Assignment) -> str:
    return f"assignment:{assignment.code}"


def _recipient(assignment: Assignment) -> tuple[Person | None, str, str]:
    """(contact or None, address, language)."""
    user = assignment.membership.user
    person = Person.objects.filter(campaign=assignment.campaign, user=user).exclude(email="").first()
    language = user.language or (person.language if person and person.language else "") or assignment.campaign.language
    return person, user.email, language


def _context(assignment: Assignment) -> dict:
    slug = assignment.campaign.slug
    site = settings.SITE_URL.rstrip("/")
    return {
        "turf_name": assignment.turf.name,
        "due_on": assignment.due_on.isoformat() if assignment.due_on else "",
        "leaflet_run": assignment.turf.mode == assignment.turf.Mode.LEAFLET,
        "doors": assignment.turf.households.filter(status="active").count(),
        "walk_url": site
        + reverse("canvassing:turf_walk", kwargs={"campaign_slug": slug, "code": assignment.turf.code}),
        "my_turfs_url": site + reverse("canvassing:my_turfs", kwargs={"campaign_slug": slug}),
    }


def reminder_send_at(assignment: Assignment) -> dt.datetime | None:
    if assignment.due_on is None:
        return None
    tz = assignment.campaign.tzinfo
    day_before = assignment.due_on - dt.timedelta(days=1)
    return dt.datetime.combine(day_before, dt.time(REMINDER_HOUR), tzinfo=tz)


def assignment_notify(*, assignment: Assignment) -> None:
    """Tell the member now, and schedule the reminder (when there is a due date not already that close)."""
    person, address, language = _recipient(assignment)
    context = _context(assignment)
    common = {
        "campaign": assignment.campaign,
        "channel": Channel.EMAIL,
        "person": person,
        "to": "" if person else address,
        "language": language,
        "context": context,
        "topic": assignment_topic(assignment),
    }
    message_enqueue(template=ASSIGNED, dedupe_key=f"assignment:{assignment.code}:new", **common)
    send_at = reminder_send_at(assignment)
    if send_at is not None and send_at > timezone.now():
        message_enqueue(
            template=REMINDER,
            dedupe_key=f"assignment:{assignment.code}:reminder:{assignment.due_on:%Y%m%d}",
            send_at=send_at,
            **common,
        )


def assignment_reminders_withdraw(*, assignment: Assignment) -> int:
    return messages_withdraw(
        campaign=assignment.campaign, topic=assignment_topic(assignment), templates=PENDING_TEMPLATES
    )
