"""Sending what is due: once, in the recipient's language, with a Message-ID that survives a resend."""

import datetime as dt
import socket
import threading
import uuid

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from notifications.models import Channel, Message
from notifications.sending import backoff, claim_due, send_claimed, send_due
from notifications.sms import LocmemSmsBackend
from notifications.tasks import outbox_send_due
from tests.conftest import require_service, using_postgres
from tests.factories import PersonFactory
from tests.notifications import backends
from tests.notifications.helpers import due_message


@pytest.fixture(autouse=True)
def _sms_in_memory(settings):
    settings.SMS_BACKEND = "notifications.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox.clear()
    yield
    LocmemSmsBackend.outbox.clear()


def reload(message: Message) -> Message:
    with scopes_disabled():
        message.refresh_from_db()
    return message


def test_send_due_sends_each_due_message_once(in_scope_a):
    campaign = in_scope_a.campaign
    now = timezone.now()
    due = [due_message(campaign) for _ in range(3)]
    later = due_message(campaign, send_at=now + dt.timedelta(hours=1))
    done = due_message(campaign, sent_at=now - dt.timedelta(minutes=5))
    withdrawn = due_message(campaign, cancelled_at=now)
    failed = due_message(campaign, failed_at=now, attempts=5)

    assert send_due() == 3
    assert sorted(email.to[0] for email in mail.outbox) == sorted(m.to for m in due)
    for message in due:
        assert reload(message).sent_at is not None and message.attempts == 1 and message.claimed_until is None
    assert reload(later).status == "queued" and later.attempts == 0
    assert reload(done).sent_at == now - dt.timedelta(minutes=5) and done.attempts == 0
    assert reload(withdrawn).status == "withdrawn" and withdrawn.attempts == 0
    assert reload(failed).status == "failed" and failed.attempts == 5

    assert send_due() == 0  # a second run finds nothing more to do
    assert len(mail.outbox) == 3


def test_the_beat_task_sends_what_is_due(in_scope_a):
    due_message(in_scope_a.campaign)
    outbox_send_due.delay()  # eager in tests: the same code a worker runs
    assert len(mail.outbox) == 1


def test_a_sent_row_is_never_claimed_again(in_scope_a):
    long_ago = timezone.now() - dt.timedelta(days=1)
    message = due_message(in_scope_a.campaign, sent_at=long_ago, claimed_by=uuid.uuid4(), claimed_until=long_ago)
    assert claim_due(run=uuid.uuid4(), limit=100) == []
    assert send_due() == 0 and mail.outbox == []
    assert reload(message).sent_at == long_ago


def test_message_id_header_is_the_rows_and_the_same_on_a_resend(in_scope_a, settings):
    message = due_message(in_scope_a.campaign)
    settings.EMAIL_BACKEND = "tests.notifications.backends.DiesAfterDeliveryBackend"
    with pytest.raises(backends.ProcessKilled):
        send_due()  # the provider took it, then the process died before recording it
    assert reload(message).sent_at is None
    assert send_due() == 0  # its claim still holds: nobody sends it while the dead run might

    Message.objects.filter(pk=message.pk).update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_due() == 1  # the lease ran out: sent again, as the same message
    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"] == message.message_id
    assert first.message()["Message-ID"] == message.message_id
    assert reload(message).sent_at is not None


def test_each_recipient_gets_their_language_and_the_campaign_time_zone(in_scope_a, settings, tmp_path):
    probe = tmp_path / "notifications" / "test"
    probe.mkdir(parents=True)
    (probe / "probe.subject.txt").write_text(
        "{% load i18n tz %}{% get_current_language as lang %}{% get_current_timezone as zone %}{{ lang }} {{ zone }}"
    )
    (probe / "probe.email.txt").write_text('{{ starts_at|date:"Y-m-d H:i" }}')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    campaign = in_scope_a.campaign
    chinese = PersonFactory(campaign=campaign, language="zh-hans", consent_email=True)
    english = PersonFactory(campaign=campaign, language="en", consent_email=True)
    start = {"starts_at": "2026-11-28T02:00:00+00:00"}
    for person in (chinese, english):
        due_message(
            campaign, person=person, to=person.email, language=person.language, template="test/probe", context=start
        )
        due_message(campaign, person=person, to=person.email, language=person.language, dedupe_key=f"real:{person.pk}")

    assert send_due() == 4
    probes = {email.to[0]: email for email in mail.outbox if "Asia/Hong_Kong" in email.subject}
    reminders = {email.to[0]: email.body for email in mail.outbox if "Asia/Hong_Kong" not in email.subject}
    assert probes[chinese.email].subject == "zh-hans Asia/Hong_Kong"
    assert probes[english.email].subject == "en Asia/Hong_Kong"
    assert probes[chinese.email].body.strip() == probes[english.email].body.strip() == "2026-11-28 10:00"
    # The real reminder: Django's own Chinese date formats, whatever our catalog holds yet.
    assert "2026年11月28日" in reminders[chinese.email] and "星期六" in reminders[chinese.email]
    assert "Nov. 28, 2026" in reminders[english.email] and "年" not in reminders[english.email]


def test_a_failing_backend_counts_attempts_and_backs_off_then_gives_up(in_scope_a, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.BrokenEmailBackend"
    message = due_message(in_scope_a.campaign)
    for attempt in range(1, Message.MAX_ATTEMPTS + 1):
        before = timezone.now()
        assert send_due() == 0
        reload(message)
        assert message.attempts == attempt
        assert "mail server said no" in message.last_error and "ConnectionRefusedError" in message.last_error
        assert message.sent_at is None and message.claimed_until is None
        if attempt < Message.MAX_ATTEMPTS:
            assert message.failed_at is None and message.status == "queued"
            assert before + backoff(attempt) <= message.send_at <= timezone.now() + backoff(attempt)
            assert send_due() == 0 and reload(message).attempts == attempt  # not due again before the backoff
        Message.objects.filter(pk=message.pk).update(send_at=timezone.now() - dt.timedelta(seconds=1))
    assert message.failed_at is not None and message.status == "failed"
    assert send_due() == 0 and reload(message).attempts == Message.MAX_ATTEMPTS  # given up: never tried again
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]


def test_an_unreachable_mail_server_is_an_attempt_not_a_crash(in_scope_a, settings):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    first, second = due_message(in_scope_a.campaign), due_message(in_scope_a.campaign)
    assert send_due() == 0
    for message in (first, second):
        assert reload(message).attempts == 1 and "ConnectionRefusedError" in message.last_error


def test_consent_withdrawn_after_enqueue_means_the_message_is_withdrawn_unsent(in_scope_a):
    campaign = in_scope_a.campaign
    campaign.sms_quiet_start = campaign.sms_quiet_end = None  # texts at any hour, whenever the test runs
    campaign.save()
    person = PersonFactory(campaign=campaign, consent_email=True, consent_sms=True)
    email = due_message(campaign, person=person, to=person.email)
    sms = due_message(campaign, person=person, to=str(person.phone), channel=Channel.SMS)
    person.consent_email = False
    person.save()

    assert send_due() == 1
    assert mail.outbox == []
    assert [m.to for m in LocmemSmsBackend.outbox] == [str(person.phone)]
    assert reload(email).status == "withdrawn" and email.last_error == "opted out" and email.sent_at is None
    assert reload(sms).status == "sent"


def test_a_message_withdrawn_after_the_claim_is_not_sent(in_scope_a):
    message = due_message(in_scope_a.campaign, topic="signup:x")
    run = uuid.uuid4()
    ids = claim_due(run=run, limit=10)
    assert ids == [message.pk]
    Message.objects.filter(pk=message.pk).update(cancelled_at=timezone.now())  # the signup was cancelled
    assert send_claimed(run=run, ids=ids) == 0
    assert mail.outbox == [] and reload(message).status == "withdrawn"


def test_sms_due_in_quiet_hours_waits_even_when_already_queued(in_scope_a):
    campaign = in_scope_a.campaign
    local_now = timezone.now().astimezone(campaign.tzinfo)
    # Quiet hours around this very moment (an hour either side), whatever time the test runs.
    campaign.sms_quiet_start = (local_now - dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    campaign.sms_quiet_end = (local_now + dt.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    campaign.save()
    sms = due_message(campaign, channel=Channel.SMS, to="+85291234567")
    email = due_message(campaign)

    assert send_due() == 1
    assert LocmemSmsBackend.outbox == [] and len(mail.outbox) == 1
    reload(sms)
    assert sms.status == "queued" and sms.attempts == 0
    assert sms.send_at.astimezone(campaign.tzinfo).time() == campaign.sms_quiet_end
    assert reload(email).status == "sent"


def test_text_messages_go_through_the_sms_backend_with_the_rows_id(in_scope_a):
    message = due_message(in_scope_a.campaign, channel=Channel.SMS, to="+85291234567")
    in_scope_a.campaign.sms_quiet_start = in_scope_a.campaign.sms_quiet_end = None
    in_scope_a.campaign.save()
    assert send_due() == 1
    (sms,) = LocmemSmsBackend.outbox
    assert sms.to == "+85291234567" and sms.message_id == message.message_id
    assert "Leafleting at North Point" in sms.body and len(sms.body) < 459


class TakeOverBackend(backends.SlowLocmemBackend):
    """The first send is slow, and meanwhile another run takes over one row whose lease ran out."""

    steal: int | None = None

    def send_messages(self, email_messages):
        if TakeOverBackend.steal is not None:
            Message.objects.filter(pk=TakeOverBackend.steal).update(claimed_by=uuid.uuid4())
            TakeOverBackend.steal = None
            threading.Event().wait(0.6)  # more than half the lease
        return super().send_messages(email_messages)


def test_a_slow_batch_renews_its_claim_and_leaves_rows_another_run_took(in_scope_a, settings):
    settings.OUTBOX_LEASE_SECONDS = 1
    settings.EMAIL_BACKEND = "tests.notifications.test_sending.TakeOverBackend"
    messages = [
        due_message(in_scope_a.campaign, send_at=timezone.now() - dt.timedelta(minutes=10 - n)) for n in range(4)
    ]
    TakeOverBackend.steal = messages[2].pk
    run = uuid.uuid4()
    ids = claim_due(run=run, limit=10)
    assert send_claimed(run=run, ids=ids) == 3
    assert sorted(email.to[0] for email in mail.outbox) == sorted(m.to for i, m in enumerate(messages) if i != 2)
    taken = reload(messages[2])
    assert taken.sent_at is None and taken.claimed_by != run


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_senders_never_send_a_message_twice(settings):
    require_service("PostgreSQL (DATABASE_URL)", using_postgres())
    from tests.conftest import make_team

    settings.EMAIL_BACKEND = "tests.notifications.backends.SlowLocmemBackend"
    team = make_team("concurrent")
    with scope(campaign=team.campaign.pk):
        messages = [due_message(team.campaign) for _ in range(300)]
    start = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            start.wait()
            counts.append(send_due(batch_size=5))
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert sum(counts) == 300 and all(counts), counts  # both worked, and between them sent each once
    ids = [email.extra_headers["Message-ID"] for email in mail.outbox]
    assert len(ids) == len(set(ids)) == 300
    with scopes_disabled():
        assert Message.objects.filter(pk__in=[m.pk for m in messages], sent_at=None).count() == 0
    # The sender relaxes the disk flush of its marks only while it sends, and puts it back.
    with scope(campaign=team.campaign.pk):
        due_message(team.campaign)
    assert send_due() == 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
