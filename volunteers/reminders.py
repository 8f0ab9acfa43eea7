"""The messages a signup brings with it: reminders before the shift, a thank-you after it."""

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from notifications.models import Channel
from notifications.services import message_enqueue, messages_withdraw
from volunteers.links import signup_action_url
from volunteers.models import Signup, VolunteerSettings

REMINDER = "volunteers/shift_reminder"
THANK_YOU = "volunteers/shift_thanks"
PROMOTED = "volunteers/signup_promoted"
CHANGED = "volunteers/shift_changed"
CANCELLED = "volunteers/shift_cancelled"
SIGNUP_TEMPLATES = [REMINDER, THANK_YOU]


def signup_topic(signup: Signup) -> str:
    return f"signup:{signup.code}"


def shift_context(signup: Signup) -> dict:
    shift = signup.shift
    slug = shift.campaign.slug

    def link(action: str) -> str:
        return signup_action_url(campaign_slug=slug, signup_code=str(signup.code), action=action)

    return {
        "shift_title": shift.title,
        "location": shift.location,
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
        "confirm_url": link("confirm"),
        "cancel_url": link("cancel"),
        "attended_url": link("attended"),
        "missed_url": link("missed"),
        "my_shifts_url": settings.SITE_URL.rstrip("/")
        + reverse("volunteers:my_shifts", kwargs={"campaign_slug": slug}),
    }


def channels_for(signup: Signup) -> list[str]:
    person = signup.volunteer.person
    return [channel for channel, address in ((Channel.EMAIL, person.email), (Channel.SMS, person.phone)) if address]


def reminders_schedule(*, signup: Signup, program: VolunteerSettings) -> None:
    """Idempotent: the dedupe key names the signup, the offset and the shift's start, so scheduling
    again changes nothing, and a moved shift gets new reminders (the old ones are withdrawn)."""
    shift = signup.shift
    now = timezone.now()
    person = signup.volunteer.person
    context = shift_context(signup)
    stamp = shift.starts_at.strftime("%Y%m%dT%H%M")
    for channel in channels_for(signup):
        for hours in program.reminder_offsets():
            send_at = shift.starts_at - dt.timedelta(hours=hours)
            if send_at <= now:
                continue  # a reminder for a moment already past would only confuse
            message_enqueue(
                campaign=shift.campaign,
                channel=channel,
                template=REMINDER,
                person=person,
                dedupe_key=f"reminder:{signup.code}:{channel}:{hours}h:{stamp}",
                send_at=send_at,
                context={**context, "hours_before": hours},
                topic=signup_topic(signup),
            )
        if program.thank_you:
            message_enqueue(
                campaign=shift.campaign,
                channel=channel,
                template=THANK_YOU,
                person=person,
                dedupe_key=f"thanks:{signup.code}:{channel}:{stamp}",
                send_at=max(shift.ends_at + dt.timedelta(minutes=30), now),
                context=context,
                topic=signup_topic(signup),
            )


def reminders_withdraw(*, signup: Signup) -> int:
    return messages_withdraw(campaign=signup.campaign, topic=signup_topic(signup), templates=SIGNUP_TEMPLATES)


def notify(*, signup: Signup, template: str, key: str, extra: dict | None = None) -> None:
    """A one-off message about this signup (promoted, shift changed or cancelled), on every channel."""
    for channel in channels_for(signup):
        message_enqueue(
            campaign=signup.campaign,
            channel=channel,
            template=template,
            person=signup.volunteer.person,
            dedupe_key=f"{template}:{signup.code}:{channel}:{key}",
            context={**shift_context(signup), **(extra or {})},
            topic=signup_topic(signup),
        )
