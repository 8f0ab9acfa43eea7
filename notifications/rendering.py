"""Turning an outbox row into the words the recipient reads, in their language and time zone."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

from notifications.models import Channel, Message


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def render_message(message: Message) -> Rendered:
    """Templates live in templates/notifications/<template>.{subject,email,sms}.txt."""
    # Datetimes travel through JSON as ISO strings; keys ending in _at become datetimes again.
    context = {
        key: (parse_datetime(value) or value) if key.endswith("_at") and isinstance(value, str) else value
        for key, value in message.context.items()
    }
    context["campaign"] = message.campaign
    with translation.override(message.language), timezone.override(message.campaign.tzinfo):
        if message.channel == Channel.SMS:
            body = render_to_string(f"notifications/{message.template}.sms.txt", context).strip()
            return Rendered(subject="", body=body)
        subject = render_to_string(f"notifications/{message.template}.subject.txt", context).strip()
        body = render_to_string(f"notifications/{message.template}.email.txt", context).strip() + "\n"
    return Rendered(subject=" ".join(subject.split()), body=body)
