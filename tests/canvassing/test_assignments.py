"""Assignments: who gets a turf, the email now and the reminder the day before, withdrawing and done, the
pages and the API with their roles."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from campaign.services import api_token_create
from canvassing.models import Assignment
from canvassing.reminders import ASSIGNED, REMINDER
from canvassing.services_assignments import assignment_create, assignment_done, assignment_withdraw
from notifications.models import Message
from notifications.sending import send_due
from tests.canvassing.visits_helpers import turf_with_doors


@pytest.fixture
def turf(team_a):
    turf, _doors = turf_with_doors(team_a.campaign, 4, name="Mong Kok North")
    return turf


def due_in(days, campaign):
    return timezone.localdate(timezone=campaign.tzinfo) + dt.timedelta(days=days)


def test_assign_tells_the_member_and_schedules_a_reminder_the_day_before(team_a, turf):
    with scope(campaign=team_a.campaign.pk):
        (assignment,) = assignment_create(
            turf=turf,
            memberships=[team_a.volunteer],
            due_on=due_in(5, team_a.campaign),
            acting_user=team_a.coordinator.user,
        )
        notice = Message.objects.get(template=ASSIGNED)
        reminder = Message.objects.get(template=REMINDER)
    assert notice.to == team_a.volunteer.user.email
    local = reminder.send_at.astimezone(team_a.campaign.tzinfo)
    assert local.date() == assignment.due_on - dt.timedelta(days=1)
    send_due()
    sent = [m for m in mail.outbox if "Mong Kok North" in m.subject]
    assert len(sent) == 1 and "/walk/" in sent[0].body and "4 doors" in sent[0].body


def test_reminder_comes_in_the_members_language(team_a, turf):
    user = team_a.volunteer.user
    user.language = "zh-hans"
    user.save()
    with scope(campaign=team_a.campaign.pk):
        assignment_create(
            turf=turf,
            memberships=[team_a.volunteer],
            due_on=due_in(5, team_a.campaign),
            acting_user=team_a.coordinator.user,
        )
        assert set(Message.objects.values_list("language", flat=True)) == {"zh-hans"}


def test_withdraw_and_done_withdraw_the_pending_reminder(team_a, turf):
    with scope(campaign=team_a.campaign.pk):
        (first,) = assignment_create(
            turf=turf,
            memberships=[team_a.volunteer],
            due_on=due_in(5, team_a.campaign),
            acting_user=team_a.coordinator.user,
        )
        assignment_withdraw(assignment=first, acting_user=team_a.coordinator.user)
        reminder = Message.objects.get(template=REMINDER, topic=f"assignment:{first.code}")
        assert reminder.cancelled_at is not None
        (second,) = assignment_create(
            turf=turf,
            memberships=[team_a.volunteer],
            due_on=due_in(6, team_a.campaign),
            acting_user=team_a.coordinator.user,
        )
        assignment_done(assignment=second, membership=team_a.volunteer, acting_user=team_a.volunteer.user)
        assert Message.objects.get(template=REMINDER, topic=f"assignment:{second.code}").cancelled_at is not None
        with pytest.raises(ValidationError):
            assignment_withdraw(assignment=second, acting_user=team_a.coordinator.user)


def test_refused_assignments_change_nothing(team_a, team_b, turf):
    with scope(campaign=team_a.campaign.pk):
        for kwargs in (
            {"memberships": [team_a.volunteer], "due_on": due_in(-1, team_a.campaign)},
            {"memberships": [team_b.volunteer]},
            {"memberships": []},
        ):
            with pytest.raises(ValidationError):
                assignment_create(turf=turf, acting_user=team_a.coordinator.user, **kwargs)
        assignment_create(turf=turf, memberships=[team_a.volunteer], acting_user=team_a.coordinator.user)
        with pytest.raises(ValidationError) as caught:  # already holds it
            assignment_create(
                turf=turf, memberships=[team_a.volunteer, team_a.coordinator], acting_user=team_a.coordinator.user
            )
        assert "memberships" in caught.value.message_dict
        assert Assignment.objects.count() == 1


def test_assign_page_and_withdraw(client, team_a, turf):
    client.force_login(team_a.coordinator.user)
    slug = team_a.campaign.slug
    response = client.post(
        reverse("canvassing:assignment_new", kwargs={"campaign_slug": slug, "code": turf.code}),
        {"memberships": [team_a.volunteer.pk], "due_on": due_in(3, team_a.campaign).isoformat()},
        follow=True,
    )
    assert "assigned to 1 person" in response.content.decode()
    with scopes_disabled():
        assignment = Assignment.objects.get()
    client.post(reverse("canvassing:assignment_withdraw", kwargs={"campaign_slug": slug, "code": assignment.code}))
    assignment.refresh_from_db()
    assert assignment.status == "withdrawn"
    client.force_login(team_a.volunteer.user)
    my = client.get(reverse("canvassing:my_turfs", kwargs={"campaign_slug": slug})).content.decode()
    assert turf.name not in my


def test_api_volunteer_lists_own_assignments_and_cannot_assign(client, team_a, turf):
    with scope(campaign=team_a.campaign.pk):
        assignment_create(turf=turf, memberships=[team_a.volunteer], acting_user=team_a.coordinator.user)
        other_turf, _ = turf_with_doors(team_a.campaign, 1, name="Other")
        assignment_create(turf=other_turf, memberships=[team_a.coordinator], acting_user=team_a.coordinator.user)
        _t, volunteer_key = api_token_create(membership=team_a.volunteer, name="v")
        _t, coordinator_key = api_token_create(membership=team_a.coordinator, name="c")
    url = reverse("api:assignment-list", kwargs={"campaign_slug": team_a.campaign.slug})
    mine = client.get(url, HTTP_AUTHORIZATION=f"Bearer {volunteer_key}").json()["results"]
    assert [a["turf_name"] for a in mine] == ["Mong Kok North"]
    body = {"turf": str(other_turf.code), "memberships": [str(team_a.volunteer.code)]}
    refused = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {volunteer_key}")
    assert refused.status_code == 403
    created = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {coordinator_key}")
    assert created.status_code == 201 and created.json()[0]["membership"] == str(team_a.volunteer.code)


def test_demo_assigns_turfs_and_logs_a_week_of_visits(team_a):
    import random

    from faker import Faker

    from canvassing import demo_visits
    from canvassing.models import Visit

    with scopes_disabled():
        from campaign.models import Campaign

        Campaign.objects.filter(pk=team_a.campaign.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
        team_a.campaign.refresh_from_db()
    for n in range(3):
        turf_with_doors(team_a.campaign, 6, name=f"Demo turf {n}")
    demo_visits.seed(campaign=team_a.campaign, scale="small", rng=random.Random(1), fake_zh=Faker(), fake_en=Faker())
    with scopes_disabled():
        assert Assignment.objects.filter(membership=team_a.volunteer, status="active").exists()
        assert Visit.objects.count() > 0
        assert Visit.objects.filter(turf__name="Demo turf 0").count() == 0  # left for the person trying the demo


def test_demo_visits_on_a_campaign_made_a_moment_ago(team_a):
    """`make demo` creates the campaign and seeds a week of visits in the same minute: the visits must
    not be refused as older than the campaign (the demo showed no visits at all)."""
    import random

    from faker import Faker

    from canvassing import demo_visits
    from canvassing.models import Visit

    for n in range(3):
        turf_with_doors(team_a.campaign, 6, name=f"Fresh turf {n}")
    demo_visits.seed(campaign=team_a.campaign, scale="small", rng=random.Random(1), fake_zh=Faker(), fake_en=Faker())
    with scopes_disabled():
        assert Visit.objects.filter(campaign=team_a.campaign).count() >= 6
        team_a.campaign.refresh_from_db()
        assert team_a.campaign.created_at < Visit.objects.order_by("visited_at").first().visited_at
        # the review queue has something to show in the demo
        flags = Visit.objects.filter(campaign=team_a.campaign).values_list("flags", flat=True)
        assert sum("too_fast" in visit_flags for visit_flags in flags) == 1
