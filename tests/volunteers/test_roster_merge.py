"""Merging two volunteer records keeps every linked record on the kept one."""

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from campaign.models import AuditEvent, Person, PersonTag, Tag
from notifications.models import Message
from tests.factories import UserFactory
from tests.volunteers.test_roster_helpers import make_shift, make_volunteer, url
from volunteers.models import Signup, Volunteer, VolunteerNote, VolunteerSkill

pytestmark = pytest.mark.django_db


def message_for(person, key: str, **extra) -> Message:
    return Message.objects.create(
        campaign=person.campaign,
        person=person,
        channel="email",
        to=person.email or "x@example.test",
        template="volunteers/shift_reminder",
        dedupe_key=key,
        send_at=timezone.now() + timezone.timedelta(days=1),
        **extra,
    )


def row_counts() -> dict[str, int]:
    with scopes_disabled():
        return {
            model.__name__: model.objects.count()
            for model in (Person, Volunteer, Signup, VolunteerNote, VolunteerSkill, PersonTag, Tag, Message)
        }


@pytest.fixture
def coordinator_client(client, team_a):
    client.force_login(team_a.coordinator.user)
    return client


def test_merge_keeps_every_linked_record(coordinator_client, team_a, team_b):
    c = team_a.campaign
    keep = make_volunteer(c, given="Ada", family="Lovelace", email="ada@example.test", phone="", skills=("Events",))
    drop = make_volunteer(
        c,
        given="Ada",
        family="Lovelace",
        email="ADA@example.test",
        phone="+85291230000",
        neighbourhood="Tai Po",
        status="active",
        tshirt_size="L",
        available_evenings=True,
        skills=("Driving", "Events"),
    )
    bystander = make_volunteer(team_b.campaign, given="Ada", family="Lovelace", email="ada@example.test")
    account = UserFactory()
    only_drop, only_keep, better_drop, better_keep = (make_shift(c, title=f"S{i}", days=i + 1) for i in range(4))
    with scope(campaign=c.pk):
        Person.objects.filter(pk=drop.person_id).update(user=account)
        tag_a, tag_b = Tag.objects.create(campaign=c, name="A"), Tag.objects.create(campaign=c, name="B")
        PersonTag.objects.bulk_create(
            [
                PersonTag(campaign=c, person=keep.person, tag=tag_a),
                PersonTag(campaign=c, person=drop.person, tag=tag_a),
                PersonTag(campaign=c, person=drop.person, tag=tag_b),
            ]
        )
        notes = [
            VolunteerNote.objects.create(campaign=c, volunteer=keep, body="kept note"),
            VolunteerNote.objects.create(campaign=c, volunteer=drop, body="dropped note 1"),
            VolunteerNote.objects.create(campaign=c, volunteer=drop, body="dropped note 2"),
        ]

        def signup(shift, volunteer, status, **extra):
            return Signup.objects.create(campaign=c, shift=shift, volunteer=volunteer, status=status, **extra)

        s_only_drop = signup(only_drop, drop, "confirmed", attendance="attended")
        s_only_keep = signup(only_keep, keep, "confirmed")
        s_keep_waiting = signup(better_drop, keep, "waitlisted")
        s_drop_confirmed = signup(better_drop, drop, "confirmed")
        s_keep_confirmed = signup(better_keep, keep, "confirmed")
        s_drop_cancelled = signup(better_keep, drop, "cancelled", cancelled_at=timezone.now())
        messages = [
            message_for(keep.person, "m-keep"),
            message_for(drop.person, "m-drop-1"),
            message_for(drop.person, "m-drop-2", topic=f"signup:{s_drop_confirmed.code}"),
        ]
        waiting_reminder = message_for(keep.person, "m-waiting", topic=f"signup:{s_keep_waiting.code}")
    before = row_counts()

    response = coordinator_client.post(url("merge", c), {"keep": keep.code, "drop": drop.code})

    assert response.status_code == 302 and response["Location"] == url("volunteer_detail", c, code=keep.code)
    with scope(campaign=c.pk):
        assert not Volunteer.objects.filter(pk=drop.pk).exists()
        assert not Person.objects.filter(pk=drop.person_id).exists()
        kept = Volunteer.objects.select_related("person").get(pk=keep.pk)
        # Signups: one per shift; on a shared shift the better one stays, whoever had it.
        assert set(Signup.objects.filter(volunteer=kept).values_list("code", flat=True)) == {
            s_only_drop.code,
            s_only_keep.code,
            s_drop_confirmed.code,
            s_keep_confirmed.code,
        }
        assert not Signup.objects.filter(code__in=[s_keep_waiting.code, s_drop_cancelled.code]).exists()
        assert Signup.objects.get(code=s_only_drop.code).attendance == "attended"
        # Notes, skills, tags and messages all follow.
        assert set(VolunteerNote.objects.filter(volunteer=kept).values_list("pk", flat=True)) == {n.pk for n in notes}
        assert set(kept.skills.values_list("name", flat=True)) == {"Events", "Driving"}
        assert set(kept.person.tags.values_list("name", flat=True)) == {"A", "B"}
        assert set(Message.objects.filter(person=kept.person).values_list("pk", flat=True)) >= {m.pk for m in messages}
        # The dropped waiting-list place's reminder is withdrawn.
        assert Message.objects.get(pk=waiting_reminder.pk).cancelled_at is not None
        # The kept profile gains what only the other knew; its own values stay.
        person = kept.person
        assert person.email == "ada@example.test"
        assert str(person.phone) == "+85291230000" and person.neighbourhood == "Tai Po"
        assert person.user == account
        assert (kept.status, kept.tshirt_size, kept.available_evenings) == ("active", "L", True)
        event = AuditEvent.objects.get(action="volunteer.merged")
        assert event.data["kept"] == str(keep.code) and event.data["merged"] == str(drop.code)
        assert event.data["merged_person"] == str(drop.person.code)
        assert event.actor == team_a.coordinator.user
        assert "ada@example.test" not in str(event.data)
    after = row_counts()
    assert after["Person"] == before["Person"] - 1 and after["Volunteer"] == before["Volunteer"] - 1
    assert after["Signup"] == before["Signup"] - 2
    assert after["VolunteerNote"] == before["VolunteerNote"]
    assert after["Message"] == before["Message"]
    with scopes_disabled():
        assert Volunteer.objects.filter(pk=bystander.pk).exists()


def test_both_confirmed_on_a_full_shift_frees_a_place_for_the_next_in_line(coordinator_client, team_a):
    c = team_a.campaign
    keep, drop, waiting = make_volunteer(c), make_volunteer(c), make_volunteer(c, given="Next", family="InLine")
    shift = make_shift(c, capacity=2)
    with scope(campaign=c.pk):
        Signup.objects.create(campaign=c, shift=shift, volunteer=keep, status="confirmed")
        Signup.objects.create(campaign=c, shift=shift, volunteer=drop, status="confirmed")
        queued = Signup.objects.create(campaign=c, shift=shift, volunteer=waiting, status="waitlisted")
    coordinator_client.post(url("merge", c), {"keep": keep.code, "drop": drop.code})
    with scope(campaign=c.pk):
        assert list(Signup.objects.filter(shift=shift, volunteer=keep).values_list("status", flat=True)) == [
            "confirmed"
        ]
        assert Signup.objects.get(pk=queued.pk).status == "confirmed"
        assert Signup.objects.filter(shift=shift, status="confirmed").count() == 2


def test_two_accounts_cannot_be_merged_and_nothing_changes(coordinator_client, team_a):
    c = team_a.campaign
    keep, drop = make_volunteer(c), make_volunteer(c)
    with scope(campaign=c.pk):
        Person.objects.filter(pk=keep.person_id).update(user=UserFactory())
        Person.objects.filter(pk=drop.person_id).update(user=UserFactory())
        VolunteerNote.objects.create(campaign=c, volunteer=drop, body="stays put")
    before = row_counts()
    response = coordinator_client.post(url("merge", c), {"keep": keep.code, "drop": drop.code}, follow=True)
    assert "Both volunteers have their own account" in response.content.decode()
    assert row_counts() == before
    with scopes_disabled():
        assert VolunteerNote.objects.get().volunteer_id == drop.pk
        assert not AuditEvent.objects.filter(action="volunteer.merged").exists()


def test_another_campaigns_volunteer_is_a_404_and_nothing_changes(coordinator_client, team_a, team_b):
    mine, theirs = make_volunteer(team_a.campaign), make_volunteer(team_b.campaign)
    before = row_counts()
    for data in ({"keep": mine.code, "drop": theirs.code}, {"keep": theirs.code, "drop": mine.code}):
        assert coordinator_client.post(url("merge", team_a.campaign), data).status_code == 404
    assert coordinator_client.get(url("merge", team_a.campaign), {"a": mine.code, "b": theirs.code}).status_code == 404
    assert row_counts() == before


@pytest.mark.parametrize("data", [{"keep": "same", "drop": "same"}, {"keep": "x", "drop": "y"}, {}])
def test_bad_merge_requests_say_so_and_change_nothing(coordinator_client, team_a, data):
    volunteer = make_volunteer(team_a.campaign)
    data = {k: (volunteer.code if v == "same" else v) for k, v in data.items()}
    before = row_counts()
    response = coordinator_client.post(url("merge", team_a.campaign), data, follow=True)
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    assert row_counts() == before


def test_compare_page_offers_to_keep_either(coordinator_client, team_a):
    a = make_volunteer(team_a.campaign, given="Kim", family="Lee")
    b = make_volunteer(team_a.campaign, given="Kimberly", family="Lee")
    page = coordinator_client.get(url("merge", team_a.campaign), {"a": a.code, "b": b.code}).content.decode()
    assert page.count('data-testid="merge-side"') == 2
    assert f'name="keep" value="{a.code}"' in page and f'name="keep" value="{b.code}"' in page
    assert "Keep Kim Lee" in page and "Keep Kimberly Lee" in page
