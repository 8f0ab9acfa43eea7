"""Putting messages into the outbox: once per dedupe key, never on an opted-out channel, no texts at night."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from campaign.models import AuditEvent
from notifications.models import Channel, Message
from notifications.services import after_quiet_hours, message_enqueue, message_retry, messages_withdraw
from tests.factories import PersonFactory
from tests.notifications.helpers import due_message, reminder_context

HK = zoneinfo.ZoneInfo("Asia/Hong_Kong")


def hk(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=HK)


@pytest.fixture
def person(in_scope_a):
    return PersonFactory(campaign=in_scope_a.campaign, consent_email=True, consent_sms=True, language="zh-hans")


def enqueue(campaign, person, **kwargs):
    values = {"channel": Channel.EMAIL, "template": "volunteers/shift_reminder", "dedupe_key": "reminder:1"}
    values.update(kwargs)
    return message_enqueue(campaign=campaign, person=person, context=reminder_context(), **values)


def test_enqueue_twice_with_one_dedupe_key_is_one_message(in_scope_a, person):
    first = enqueue(in_scope_a.campaign, person)
    again = enqueue(in_scope_a.campaign, person, send_at=timezone.now() + dt.timedelta(days=3))
    assert again.pk == first.pk
    assert Message.objects.filter(campaign=in_scope_a.campaign).count() == 1
    assert again.send_at == first.send_at  # the second call changed nothing
    other = enqueue(in_scope_a.campaign, person, dedupe_key="reminder:2")
    assert other.pk != first.pk


def test_enqueue_takes_address_and_language_from_the_person(in_scope_a, person):
    email = enqueue(in_scope_a.campaign, person)
    sms = enqueue(in_scope_a.campaign, person, channel=Channel.SMS, dedupe_key="sms", send_at=hk(2026, 11, 28, 12))
    assert email.to == person.email and email.language == "zh-hans"
    assert sms.to == str(person.phone)


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
def test_opted_out_channel_is_never_enqueued(in_scope_a, channel):
    person = PersonFactory(
        campaign=in_scope_a.campaign,
        consent_email=channel != Channel.EMAIL,
        consent_sms=channel != Channel.SMS,
    )
    assert enqueue(in_scope_a.campaign, person, channel=channel) is None
    assert not Message.objects.filter(campaign=in_scope_a.campaign).exists()


def test_person_without_an_address_for_the_channel_gets_nothing(in_scope_a):
    person = PersonFactory(campaign=in_scope_a.campaign, consent_email=True, email="")
    assert enqueue(in_scope_a.campaign, person) is None


def test_sms_due_at_night_waits_for_the_morning_email_does_not(in_scope_a, person, monkeypatch):
    campaign = in_scope_a.campaign  # quiet 21:00–08:00 Hong Kong time, the default
    monkeypatch.setattr(timezone, "now", lambda: hk(2026, 11, 27, 23, 0).astimezone(dt.UTC))
    sms = enqueue(campaign, person, channel=Channel.SMS, dedupe_key="night-sms")
    email = enqueue(campaign, person, channel=Channel.EMAIL, dedupe_key="night-email")
    assert sms.send_at == hk(2026, 11, 28, 8, 0)
    assert email.send_at == hk(2026, 11, 27, 23, 0)


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (hk(2026, 11, 27, 20, 59), hk(2026, 11, 27, 20, 59)),  # before quiet hours: as asked
        (hk(2026, 11, 27, 21, 0), hk(2026, 11, 28, 8, 0)),  # quiet hours start
        (hk(2026, 11, 27, 23, 30), hk(2026, 11, 28, 8, 0)),  # before midnight: next morning
        (hk(2026, 11, 28, 0, 15), hk(2026, 11, 28, 8, 0)),  # after midnight: the same morning
        (hk(2026, 11, 28, 7, 59), hk(2026, 11, 28, 8, 0)),
        (hk(2026, 11, 28, 8, 0), hk(2026, 11, 28, 8, 0)),  # quiet hours are over
    ],
)
def test_quiet_hours_wrap_around_midnight(in_scope_a, due, expected):
    assert after_quiet_hours(in_scope_a.campaign, Channel.SMS, due) == expected
    assert after_quiet_hours(in_scope_a.campaign, Channel.EMAIL, due) == due


def test_quiet_hours_within_one_day_and_switched_off(in_scope_a):
    campaign = in_scope_a.campaign
    campaign.sms_quiet_start, campaign.sms_quiet_end = dt.time(12, 0), dt.time(14, 0)  # a lunchtime rule
    assert after_quiet_hours(campaign, Channel.SMS, hk(2026, 11, 28, 13, 0)) == hk(2026, 11, 28, 14, 0)
    assert after_quiet_hours(campaign, Channel.SMS, hk(2026, 11, 28, 23, 0)) == hk(2026, 11, 28, 23, 0)
    campaign.sms_quiet_start = campaign.sms_quiet_end = None
    assert after_quiet_hours(campaign, Channel.SMS, hk(2026, 11, 28, 3, 0)) == hk(2026, 11, 28, 3, 0)


def test_quiet_hours_follow_the_campaign_time_zone(in_scope_a, person):
    campaign = in_scope_a.campaign
    campaign.time_zone = "Europe/London"
    campaign.save()
    # 23:00 in London is 07:00 the next day in Hong Kong; London's night is what counts.
    due = dt.datetime(2026, 11, 27, 23, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    message = enqueue(campaign, person, channel=Channel.SMS, send_at=due)
    assert message.send_at == dt.datetime(2026, 11, 28, 8, 0, tzinfo=zoneinfo.ZoneInfo("Europe/London"))


def test_withdraw_takes_back_only_what_has_not_gone_out(in_scope_a):
    campaign = in_scope_a.campaign
    waiting = due_message(campaign, topic="signup:1")
    sent = due_message(campaign, topic="signup:1", sent_at=timezone.now())
    other = due_message(campaign, topic="signup:2")
    assert messages_withdraw(campaign=campaign, topic="signup:1") == 1
    for message in (waiting, sent, other):
        message.refresh_from_db()
    assert waiting.status == "withdrawn" and sent.status == "sent" and other.status == "queued"


def test_retry_makes_a_failed_message_due_again_and_is_audited(in_scope_a):
    campaign = in_scope_a.campaign
    failed = due_message(campaign, failed_at=timezone.now(), attempts=5, send_at=timezone.now() + dt.timedelta(hours=1))
    message_retry(message=failed, acting_user=in_scope_a.coordinator.user)
    failed.refresh_from_db()
    assert failed.status == "queued" and failed.attempts == 0 and failed.send_at <= timezone.now()
    assert AuditEvent.objects.filter(campaign=campaign, action="message.retried", object_code=str(failed.code)).exists()


@pytest.mark.parametrize("state", ["queued", "sent", "withdrawn"])
def test_retry_of_a_message_that_did_not_fail_changes_nothing(in_scope_a, state):
    now = timezone.now()
    fields = {"sent": {"sent_at": now}, "withdrawn": {"cancelled_at": now, "failed_at": now}}.get(state, {})
    message = due_message(in_scope_a.campaign, attempts=2, **fields)
    with pytest.raises(ValidationError):
        message_retry(message=message, acting_user=in_scope_a.coordinator.user)
    before = message.send_at
    message.refresh_from_db()
    assert message.attempts == 2 and message.send_at == before
    with scope(campaign=in_scope_a.campaign.pk):
        assert not AuditEvent.objects.filter(action="message.retried").exists()
