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
- The mark is committed without waiting for the database's disk flush (see
  `_commits_without_flush`): it survives the worker dying, which is what it guards against; only a
  crash of the database server itself could make the last fraction of a second's messages go out
  again, under the same Message-IDs.
"""

import datetime as dt
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled

from notifications.models import Channel, Message
from notifications.rendering import RenderCache, Rendered
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


def _deliver(message: Message, rendered: Rendered, email_connection, sms_backend) -> None:  # type: ignore[no-untyped-def]
    if message.channel == Channel.EMAIL:
        email_connection.open()  # no-op while open; reconnects after a failure closed it
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


@contextmanager
def _commits_without_flush() -> Iterator[None]:
    """The marks must outlive the worker, not a crash of the database server itself.

    A commit the database has taken but not yet flushed to disk survives the worker being killed;
    only a crash of the database server could lose the last fraction of a second of marks, and those
    few messages would then go out again under their same Message-ID. Waiting for a disk flush after
    every message would cost about as much as sending it, so while a batch is sent this connection
    does not wait: PostgreSQL's `synchronous_commit = off`, SQLite's `synchronous = NORMAL` (WAL mode).
    """
    if connection.in_atomic_block:  # inside a caller's transaction, the caller's commit decides
        yield
        return
    setting = _flush_setting()
    if setting is None:
        yield
        return
    read, write, quick = setting
    with connection.cursor() as cursor:
        cursor.execute(read)
        previous = str(cursor.fetchone()[0])
        cursor.execute(write.format(quick))
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute(write.format(previous))
        except DatabaseError:  # a connection that died took its setting with it
            logger.warning("outbox: could not restore %s", read, exc_info=True)


def _flush_setting() -> tuple[str, str, str] | None:
    """(read it, set it to {}, the value that does not wait for the disk) for this database, if any."""
    if connection.vendor == "postgresql":
        return "SHOW synchronous_commit", "SET synchronous_commit TO {}", "off"
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            if cursor.fetchone()[0].lower() == "wal":  # outside WAL mode, NORMAL could lose more than marks
                return "PRAGMA synchronous", "PRAGMA synchronous = {}", "1"  # 1 is NORMAL
    return None


class _SentMark:
    """Marks one message sent, if this run still holds it: the write done once per message sent.

    One prepared UPDATE instead of a queryset built per message: building it cost more than
    running it, in a loop whose speed is the outbox's speed.
    """

    def __init__(self, run: uuid.UUID) -> None:
        meta, quote = Message._meta, connection.ops.quote_name
        names = ("sent_at", "attempts", "last_error", "claimed_until", "claimed_by", "id")
        c = {name: quote(meta.get_field(name).column) for name in names}  # type: ignore[union-attr, arg-type]
        # Table and column names come from the model; values are parameters.
        self.sql = (
            f"UPDATE {quote(meta.db_table)} SET {c['sent_at']} = %s, {c['attempts']} = {c['attempts']} + 1, "  # noqa: S608
            f"{c['last_error']} = '', {c['claimed_until']} = NULL "
            f"WHERE {c['id']} = %s AND {c['claimed_by']} = %s AND {c['sent_at']} IS NULL"
        )
        self.sent_at = meta.get_field("sent_at")
        self.run = meta.get_field("claimed_by").get_db_prep_value(run, connection)

    def __call__(self, pk: int) -> bool:
        now = self.sent_at.get_db_prep_value(timezone.now(), connection)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [now, pk, self.run])
            return cursor.rowcount == 1


def send_claimed(*, run: uuid.UUID, ids: list[int]) -> int:
    sent = 0
    with scopes_disabled(), _commits_without_flush():
        mine = Message.objects.filter(claimed_by=run, sent_at=None)
        # A message withdrawn since the claim (a cancelled signup) is left alone.
        batch = list(
            mine.filter(pk__in=ids, cancelled_at=None).select_related("campaign", "person").order_by("send_at", "pk")
        )
        email_connection = get_connection()
        sms_backend = get_sms_backend()
        renderer = RenderCache()
        mark_sent = _SentMark(run)
        renewed_at = timezone.now()
        lost: set[int] = set()
        try:
            for index, message in enumerate(batch):
                now = timezone.now()
                if now - renewed_at > lease() / 2:
                    # A slow batch renews the claim on what it has left before the lease can run out;
                    # a row whose lease ran out and that another run took is that run's now.
                    rest = [m.pk for m in batch[index:] if m.pk not in lost]
                    mine.filter(pk__in=rest).update(claimed_until=now + lease())
                    lost.update(set(rest) - set(mine.filter(pk__in=rest).values_list("pk", flat=True)))
                    renewed_at = now
                if message.pk in lost:
                    continue
                if not person_accepts(message.person, message.channel):
                    mine.filter(pk=message.pk).update(cancelled_at=now, last_error="opted out", claimed_until=None)
                    continue
                later = after_quiet_hours(message.campaign, message.channel, now)
                if later > now:
                    mine.filter(pk=message.pk).update(send_at=later, claimed_until=None)
                    continue
                try:
                    _deliver(message, renderer.render(message), email_connection, sms_backend)
                except Exception as exc:  # a provider's refusal is data for the coordinator, not a crash
                    logger.warning("outbox: message %s failed: %s", message.code, exc)
                    _close_quietly(email_connection)  # the next message starts on a fresh connection
                    attempts = message.attempts + 1
                    mine.filter(pk=message.pk).update(
                        attempts=attempts,
                        last_error=f"{exc.__class__.__name__}: {exc}"[:1000],
                        claimed_until=None,
                        send_at=now + backoff(attempts),
                        failed_at=now if attempts >= Message.MAX_ATTEMPTS else None,
                    )
                    continue
                # The one write that keeps "once": right after the provider took it, guarded by our claim.
                if not mark_sent(message.pk):
                    logger.warning("outbox: message %s was sent after its claim ran out", message.code)
                sent += 1
        finally:
            _close_quietly(email_connection)
    return sent


def _close_quietly(email_connection) -> None:  # type: ignore[no-untyped-def]
    try:
        email_connection.close()
    except Exception:  # closing a dead connection must not hide why it died
        logger.debug("outbox: closing the email connection failed", exc_info=True)


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
