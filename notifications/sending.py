"""Claiming due messages and sending each exactly once, as far as a provider lets us.

How "once" is kept:
- A batch is claimed in a short transaction: its rows get `claimed_by` (this run) and a lease
  (`claimed_until`). On PostgreSQL the claim skips rows another worker has locked; SQLite runs one
  writer at a time anyway. No two runs hold the same row, and a sent row is never claimed again.
- Each message is marked sent right after the provider accepts it, in its own statement, guarded by
  `claimed_by`; a run whose lease ran out stops touching the rows it lost.
- If the process dies between the provider accepting a message and that mark, the row is claimed
  again when the lease runs out and sent a second time. That is the one message in flight at the
  instant of the kill, and both copies carry the same Message-ID (SMS: the same id to the provider),
  so the receiving side can drop the copy. We chose this over "at most once": a reminder lost
  silently is worse than one a mail server can de-duplicate.
"""

import datetime as dt
import logging
import uuid
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_scopes import scopes_disabled

from notifications.models import Channel, Message
from notifications.rendering import render_message
from notifications.services import after_quiet_hours, person_accepts
from notifications.sms import SmsMessage, get_sms_backend

logger = logging.getLogger(__name__)


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8… minutes between tries."""
    return dt.timedelta(minutes=2 ** max(attempts - 1, 0))


def claim_due(*, run: uuid.UUID, limit: int) -> list[int]:
    now = timezone.now()
    with scopes_disabled(), transaction.atomic():
        due = (
            Message.objects.filter(sent_at=None, failed_at=None, cancelled_at=None, send_at__lte=now)
            .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
            .order_by("send_at", "pk")
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if ids:
            Message.objects.filter(pk__in=ids).update(claimed_by=run, claimed_until=now + lease())
    return ids


def _deliver(message: Message, email_connection, sms_backend) -> None:  # type: ignore[no-untyped-def]
    rendered = render_message(message)
    if message.channel == Channel.EMAIL:
        email = EmailMessage(
            subject=rendered.subject,
            body=rendered.body,
            to=[message.to],
            connection=email_connection,
            headers={"Message-ID": message.message_id, "Date": formatdate(localtime=False)},
        )
        email.send()
    else:
        sms_backend.send_messages([SmsMessage(to=message.to, body=rendered.body, message_id=message.message_id)])


def send_claimed(*, run: uuid.UUID, ids: list[int]) -> int:
    sent = 0
    with scopes_disabled():
        mine = Message.objects.filter(claimed_by=run, sent_at=None)
        batch = list(Message.objects.filter(pk__in=ids).select_related("campaign", "person").order_by("send_at", "pk"))
        email_connection = get_connection()
        sms_backend = get_sms_backend()
        claimed_at = timezone.now()
        with email_connection:
            for message in batch:
                now = timezone.now()
                if now - claimed_at > lease() / 2:
                    # A slow batch renews its claim before each send, so it never outlives it.
                    if not mine.filter(pk=message.pk).update(claimed_until=now + lease()):
                        continue
                if not person_accepts(message.person, message.channel):
                    mine.filter(pk=message.pk).update(cancelled_at=now, last_error="opted out", claimed_until=None)
                    continue
                later = after_quiet_hours(message.campaign, message.channel, now)
                if later > now:
                    mine.filter(pk=message.pk).update(send_at=later, claimed_until=None)
                    continue
                try:
                    _deliver(message, email_connection, sms_backend)
                except Exception as exc:  # a provider's refusal is data for the coordinator, not a crash
                    logger.warning("outbox: message %s failed: %s", message.code, exc)
                    attempts = message.attempts + 1
                    mine.filter(pk=message.pk).update(
                        attempts=attempts,
                        last_error=f"{exc.__class__.__name__}: {exc}"[:1000],
                        claimed_until=None,
                        send_at=now + backoff(attempts),
                        failed_at=now if attempts >= Message.MAX_ATTEMPTS else None,
                    )
                    continue
                mine.filter(pk=message.pk).update(
                    sent_at=timezone.now(), attempts=F("attempts") + 1, last_error="", claimed_until=None
                )
                sent += 1
    return sent


def send_due(*, batch_size: int = 100, max_batches: int | None = None) -> int:
    """Send everything that is due now, batch by batch. Returns how many were sent."""
    run = uuid.uuid4()
    total = batches = 0
    while max_batches is None or batches < max_batches:
        ids = claim_due(run=run, limit=batch_size)
        if not ids:
            break
        total += send_claimed(run=run, ids=ids)
        batches += 1
    return total
