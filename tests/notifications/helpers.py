"""Building outbox rows for tests without going through a signup."""

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from campaign.models import Campaign
from notifications.models import Channel, Message

REMINDER = "volunteers/shift_reminder"
_numbers = itertools.count()


def reminder_context(starts_at: dt.datetime | None = None, **extra: Any) -> dict[str, Any]:
    """What volunteers.reminders puts in a reminder, with links that need no URLconf."""
    starts_at = starts_at or dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)  # 10:00 in Hong Kong
    site = "https://vote.example.test/p/campaign-a"
    return {
        "shift_title": "Leafleting at North Point",
        "location": "North Point MTR exit A1",
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + dt.timedelta(hours=3)).isoformat(),
        "hours_before": 24,
        "confirm_url": f"{site}/s/confirm-token/",
        "cancel_url": f"{site}/s/cancel-token/",
        "attended_url": f"{site}/s/attended-token/",
        "missed_url": f"{site}/s/missed-token/",
        "my_shifts_url": "https://vote.example.test/c/campaign-a/my/shifts/",
        **extra,
    }


def due_message(campaign: Campaign, **fields: Any) -> Message:
    """A message due a minute ago (call inside a scope or scopes_disabled)."""
    number = next(_numbers)
    values: dict[str, Any] = {
        "campaign": campaign,
        "channel": Channel.EMAIL,
        "to": f"volunteer{number}@example.test",
        "template": REMINDER,
        "context": reminder_context(),
        "language": "en",
        "dedupe_key": f"test:{number}",
        "send_at": timezone.now() - dt.timedelta(minutes=1),
    }
    values.update(fields)
    return Message.objects.create(**values)
