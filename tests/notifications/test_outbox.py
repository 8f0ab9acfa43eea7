"""The coordinator's outbox page: what went out, what waits, what failed and why; retrying a failure."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from campaign.models import AuditEvent
from notifications.models import Channel, Message
from notifications.sending import send_due
from tests.factories import PersonFactory
from tests.notifications.helpers import due_message, reminder_context

SEND_AT = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # 10 a.m. in Hong Kong


def outbox_url(team, **params):
    url = reverse("notifications:outbox", kwargs={"campaign_slug": team.campaign.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def retry_url(team, message):
    return reverse("notifications:message_retry", kwargs={"campaign_slug": team.campaign.slug, "code": message.code})


@pytest.fixture
def mailbox(team_a):
    """One message in each state, to people of campaign A."""
    with scopes_disabled():
        campaign = team_a.campaign
        person = PersonFactory(campaign=campaign, given_name="Mei", family_name="Chan", consent_email=True)
        now = timezone.now()
        return {
            "queued": due_message(campaign, to="queued@example.test", send_at=SEND_AT, person=person),
            "sent": due_message(campaign, to="sent@example.test", send_at=SEND_AT, sent_at=SEND_AT, attempts=1),
            "failed": due_message(
                campaign,
                to="failed@example.test",
                send_at=SEND_AT,
                failed_at=now,
                attempts=5,
                last_error="SMTPRecipientsRefused: mailbox unavailable",
            ),
            "withdrawn": due_message(
                campaign, to="withdrawn@example.test", channel=Channel.SMS, send_at=SEND_AT, cancelled_at=now
            ),
        }


def test_coordinator_sees_every_message_with_its_state(client, team_a, mailbox):
    client.force_login(team_a.coordinator.user)
    page = client.get(outbox_url(team_a)).content.decode()
    for state, message in mailbox.items():
        assert message.to in page, state
    assert "Shift reminder, 24 hours before" in page  # words, not a template file name
    assert "volunteers/shift_reminder" not in page
    assert "Mei" in page  # the person behind the address
    assert "SMTPRecipientsRefused: mailbox unavailable" in page
    assert "11/27/2026 10 a.m." in page and "11/27/2026 2 a.m." not in page  # the campaign's time zone
    assert page.count('type="submit">Retry<') == 1  # only the failed one can be retried
    assert f'href="{outbox_url(team_a)}"' in client.get(outbox_url(team_a)).content.decode()  # in the menu


@pytest.mark.parametrize("state", ["queued", "sent", "failed", "withdrawn"])
def test_filter_by_state_shows_only_that_state(client, team_a, mailbox, state):
    client.force_login(team_a.coordinator.user)
    page = client.get(outbox_url(team_a, status=state)).content.decode()
    for other, message in mailbox.items():
        assert (message.to in page) == (other == state), other


def test_search_by_recipient(client, team_a, mailbox):
    client.force_login(team_a.coordinator.user)
    page = client.get(outbox_url(team_a, q="Chan")).content.decode()
    assert "queued@example.test" in page and "failed@example.test" not in page


def test_the_outbox_shows_nothing_of_another_campaign(client, team_a, team_b, mailbox):
    with scopes_disabled():
        due_message(team_b.campaign, to="other-campaign@example.test")
    client.force_login(team_a.coordinator.user)
    assert "other-campaign@example.test" not in client.get(outbox_url(team_a)).content.decode()


def test_volunteers_do_not_see_the_outbox_or_its_menu_entry(client, team_a, mailbox):
    client.force_login(team_a.volunteer.user)
    assert client.get(outbox_url(team_a)).status_code == 403
    home = client.get(reverse("campaign:home", kwargs={"campaign_slug": team_a.campaign.slug})).content.decode()
    assert outbox_url(team_a) not in home


def test_retry_of_a_failed_message_sends_it_again(client, team_a, mailbox, mailoutbox):
    client.force_login(team_a.coordinator.user)
    failed = mailbox["failed"]
    response = client.post(retry_url(team_a, failed), {"status": "failed"}, follow=True)
    assert response.redirect_chain[-1][0] == outbox_url(team_a, status="failed")
    assert "will be sent again shortly" in response.content.decode()
    with scopes_disabled():
        failed.refresh_from_db()
        assert failed.status == "queued" and failed.attempts == 0 and failed.send_at <= timezone.now()
        assert AuditEvent.objects.filter(action="message.retried", actor=team_a.coordinator.user).count() == 1
        assert send_due() >= 1
        failed.refresh_from_db()
    assert failed.status == "sent"
    assert [email.to for email in mailoutbox if email.to == ["failed@example.test"]] == [["failed@example.test"]]


@pytest.mark.parametrize("state", ["queued", "sent", "withdrawn"])
def test_retry_of_a_message_that_did_not_fail_says_why_and_changes_nothing(client, team_a, mailbox, state):
    client.force_login(team_a.coordinator.user)
    message = mailbox[state]
    with scopes_disabled():
        before = list(Message.objects.order_by("pk").values())
    response = client.post(retry_url(team_a, message), follow=True)
    text = response.content.decode()
    assert response.status_code == 200
    reason = {"queued": "still queued", "sent": "already sent", "withdrawn": "was withdrawn"}[state]
    assert reason in text
    with scopes_disabled():
        assert list(Message.objects.order_by("pk").values()) == before
        assert not AuditEvent.objects.filter(action="message.retried").exists()


def test_retry_needs_a_post(client, team_a, mailbox):
    client.force_login(team_a.coordinator.user)
    assert client.get(retry_url(team_a, mailbox["failed"])).status_code == 405


def fill(campaign, count: int) -> None:
    with scopes_disabled():
        people = PersonFactory.create_batch(5, campaign=campaign, consent_email=True)
        now = timezone.now()
        Message.objects.bulk_create(
            Message(
                campaign=campaign,
                person=people[n % 5],
                channel=Channel.EMAIL,
                to=f"bulk{n}@example.test",
                template="volunteers/shift_reminder",
                context=reminder_context(),
                dedupe_key=f"bulk:{campaign.pk}:{n}",
                send_at=now - dt.timedelta(minutes=n),
                failed_at=now if n % 3 == 0 else None,
                attempts=5 if n % 3 == 0 else 0,
            )
            for n in range(count)
        )


@pytest.mark.parametrize("state", ["", "failed"])
def test_outbox_runs_the_same_queries_for_10_and_200_messages(client, team_a, team_b, state):
    fill(team_a.campaign, 10)
    fill(team_b.campaign, 200)
    counts = {}
    for team in (team_a, team_b):
        client.force_login(team.coordinator.user)
        client.get(outbox_url(team, status=state) if state else outbox_url(team))  # warm: session, first visit
        with CaptureQueriesContext(connection) as queries:
            response = client.get(outbox_url(team, status=state) if state else outbox_url(team))
        assert response.status_code == 200
        counts[team.campaign.slug] = len(queries)
    assert counts["campaign-a"] == counts["campaign-b"], counts
    assert counts["campaign-b"] <= 12, counts  # 9 of them are the session, user and campaign look-ups


def test_outbox_pages_by_50_and_keeps_the_filter(client, team_a):
    fill(team_a.campaign, 120)
    client.force_login(team_a.coordinator.user)
    first = client.get(outbox_url(team_a, status="failed")).content.decode()
    assert first.count('data-testid="message-') == 40  # 120 // 3 failed, all on one page
    page = client.get(outbox_url(team_a)).content.decode()
    assert page.count('data-testid="message-') == 50 and "Page 1 of 3" in page
    last = client.get(outbox_url(team_a, page=3)).content.decode()
    assert last.count('data-testid="message-') == 20
    second = client.get(outbox_url(team_a, status="queued", page=2)).content.decode()
    assert "Page 2 of 2" in second and "?status=queued&amp;page=1" in second
