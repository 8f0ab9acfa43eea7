"""Putting messages into the outbox and taking them back out. Sending is in sending.py."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from campaign.audit import log_action
from campaign.models import Campaign, Person
from notifications.models import Channel, Message


def person_accepts(person: Person | None, channel: str) -> bool:
    """Opted-out channels are never used: consent is per channel and can be withdrawn."""
    if person is None:
        return True
    return person.consent_email if channel == Channel.EMAIL else person.consent_sms


def address_for(person: Person, channel: str) -> str:
    return person.email if channel == Channel.EMAIL else (str(person.phone) if person.phone else "")


def after_quiet_hours(campaign: Campaign, channel: str, when: dt.datetime) -> dt.datetime:
    """Text messages wait until the campaign's quiet hours are over; email does not wake anyone."""
    start, end = campaign.sms_quiet_start, campaign.sms_quiet_end
    if channel != Channel.SMS or start is None or end is None or start == end:
        return when
    local = when.astimezone(campaign.tzinfo)
    clock = local.time()
    quiet = (start <= clock or clock < end) if start > end else (start <= clock < end)
    if not quiet:
        return when
    wake = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if wake <= local:
        wake += dt.timedelta(days=1)
    return wake.astimezone(dt.UTC)


def message_enqueue(
    *,
    campaign: Campaign,
    channel: str,
    template: str,
    dedupe_key: str,
    send_at: dt.datetime | None = None,
    person: Person | None = None,
    to: str = "",
    context: dict[str, Any] | None = None,
    language: str = "",
    topic: str = "",
) -> Message | None:
    """One outbox row per dedupe key: enqueueing the same thing twice returns the first row.

    Returns None when the person opted out of the channel or has no address for it.
    """
    if not person_accepts(person, channel):
        return None
    to = to or (address_for(person, channel) if person else "")
    if not to:
        return None
    send_at = after_quiet_hours(campaign, channel, send_at or timezone.now())
    existing = Message.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        if existing.cancelled_at is not None and existing.sent_at is None:
            # Withdrawn, then wanted again (a shift moved back, a place regained): the same row comes
            # back with what is true now, so its key still stands for one message.
            existing.cancelled_at = existing.failed_at = existing.claimed_until = existing.claimed_by = None
            existing.attempts, existing.last_error = 0, ""
            existing.to, existing.context, existing.send_at = to, context or {}, send_at
            existing.save(
                update_fields=[
                    "cancelled_at",
                    "failed_at",
                    "claimed_until",
                    "claimed_by",
                    "attempts",
                    "last_error",
                    "to",
                    "context",
                    "send_at",
                ]
            )
        return existing
    language = language or (person.language if person and person.language else "") or campaign.language
    message, _created = Message.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "campaign": campaign,
            "person": person,
            "channel": channel,
            "to": to,
            "template": template,
            "context": context or {},
            "language": language,
            "topic": topic,
            "send_at": send_at,
        },
    )
    return message


def messages_withdraw(*, campaign: Campaign, topic: str, templates: list[str] | None = None) -> int:
    """Withdraw what has not gone out yet about one thing (a cancelled signup, a moved shift)."""
    pending = Message.objects.filter(campaign=campaign, topic=topic, sent_at=None, failed_at=None, cancelled_at=None)
    if templates is not None:
        pending = pending.filter(template__in=templates)
    return pending.update(cancelled_at=timezone.now(), claimed_until=None)


@transaction.atomic
def message_retry(*, message: Message, acting_user: User) -> Message:
    """A coordinator sends a failed message again: it becomes due now, with fresh attempts."""
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.sent_at is not None:
        raise ValidationError(_("This message was already sent."))
    if message.cancelled_at is not None:
        raise ValidationError(_("This message was withdrawn; it is not sent any more."))
    if message.failed_at is None:
        raise ValidationError(_("This message has not failed: it is still queued and will be sent."))
    message.failed_at = None
    message.attempts = 0
    message.claimed_until = None
    message.send_at = after_quiet_hours(message.campaign, message.channel, timezone.now())
    message.save(update_fields=["failed_at", "attempts", "claimed_until", "send_at"])
    log_action(campaign=message.campaign, actor=acting_user, action="message.retried", target=message)
    return message
