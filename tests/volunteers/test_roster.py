"""The coordinators' roster: search, filters, sorting, paging, bulk actions, adding, editing, the
volunteer's page with history and notes, and possible duplicates."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from campaign.models import AuditEvent, Person, PersonTag, Tag
from tests.volunteers.test_roster_helpers import make_shift, make_volunteer, url
from volunteers import selectors
from volunteers.models import Signup, Skill, Volunteer, VolunteerNote

pytestmark = pytest.mark.django_db


def names_on(response) -> list[str]:
    """The names of the volunteers listed on a roster page, in order."""
    html = response.content.decode()
    return re.findall(r'<a class="fw-semibold text-decoration-none" href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
def coordinator_client(client, team_a):
    client.force_login(team_a.coordinator.user)
    return client


class TestRosterList:
    def test_search_by_name_email_and_phone(self, coordinator_client, team_a):
        c = team_a.campaign
        make_volunteer(c, given="Ada", family="Lovelace", email="ada@example.test")
        make_volunteer(c, given="伟", family="张", email="", phone="+85291234567")
        make_volunteer(c, given="Grace", family="Hopper", email="grace@navy.test")
        roster = url("roster", c)
        assert names_on(coordinator_client.get(roster, {"q": "lovelace"})) == ["Ada Lovelace"]
        assert names_on(coordinator_client.get(roster, {"q": "Ada Lovelace"})) == ["Ada Lovelace"]
        assert names_on(coordinator_client.get(roster, {"q": "张伟"})) == ["张伟"]
        assert names_on(coordinator_client.get(roster, {"q": "9123 4567"})) == ["张伟"]
        assert names_on(coordinator_client.get(roster, {"q": "NAVY.test"})) == ["Grace Hopper"]
        assert names_on(coordinator_client.get(roster, {"q": "nobody"})) == []

    def test_filters(self, coordinator_client, team_a):
        c = team_a.campaign
        now = timezone.now()
        a = make_volunteer(
            c,
            given="A",
            family="Active",
            status="active",
            available_evenings=True,
            skills=("Driving",),
            neighbourhood="Mong Kok",
            last_activity_at=now - dt.timedelta(days=2),
        )
        b = make_volunteer(
            c,
            given="B",
            family="Month",
            status="new",
            available_weekends=True,
            neighbourhood="Sham Shui Po",
            last_activity_at=now - dt.timedelta(days=20),
        )
        make_volunteer(c, given="C", family="Never", status="inactive", last_activity_at=None)
        make_volunteer(c, given="D", family="Old", status="inactive", last_activity_at=now - dt.timedelta(days=200))
        with scope(campaign=c.pk):
            tag = Tag.objects.create(campaign=c, name="Drivers")
            PersonTag.objects.create(campaign=c, person=b.person, tag=tag)
            driving = Skill.objects.get(campaign=c, name="Driving")
        roster = url("roster", c)

        def listed(**params):
            return names_on(coordinator_client.get(roster, params))

        assert listed(status="active") == ["A Active"]
        assert listed(status="inactive") == ["C Never", "D Old"]
        assert listed(skill=str(driving.code)) == ["A Active"]
        assert listed(availability="weekends") == ["B Month"]
        assert listed(availability="evenings") == ["A Active"]
        assert listed(neighbourhood="Sham Shui Po") == ["B Month"]
        assert listed(tag=str(tag.code)) == ["B Month"]
        assert listed(activity="7") == ["A Active"]
        assert listed(activity="30") == ["A Active", "B Month"]
        assert listed(activity="never") == ["C Never"]
        assert listed(activity="stale") == ["D Old"]
        assert listed(status="new", activity="7") == []
        assert a.person.given_name == "A"

    def test_a_value_that_is_not_a_choice_is_ignored(self, coordinator_client, team_a, team_b):
        make_volunteer(team_a.campaign, given="Only", family="One")
        with scope(campaign=team_b.campaign.pk):
            foreign_tag = Tag.objects.create(campaign=team_b.campaign, name="B's tag")
        response = coordinator_client.get(
            url("roster", team_a.campaign), {"tag": str(foreign_tag.code), "status": "bogus", "sort": "x"}
        )
        assert response.status_code == 200
        assert names_on(response) == ["Only One"]

    def test_sorting(self, coordinator_client, team_a):
        c = team_a.campaign
        now = timezone.now()
        make_volunteer(c, given="Bea", family="Zed", created_at=now - dt.timedelta(days=3), last_activity_at=now)
        make_volunteer(c, given="Al", family="Young", created_at=now - dt.timedelta(days=1), last_activity_at=None)
        make_volunteer(
            c, given="Cy", family="Xu", created_at=now - dt.timedelta(days=2), last_activity_at=now - dt.timedelta(1)
        )
        roster = url("roster", c)
        assert names_on(coordinator_client.get(roster)) == ["Cy Xu", "Al Young", "Bea Zed"]
        assert names_on(coordinator_client.get(roster, {"sort": "-signed_up"})) == ["Al Young", "Cy Xu", "Bea Zed"]
        assert names_on(coordinator_client.get(roster, {"sort": "signed_up"})) == ["Bea Zed", "Cy Xu", "Al Young"]
        assert names_on(coordinator_client.get(roster, {"sort": "-last_activity"})) == ["Bea Zed", "Cy Xu", "Al Young"]

    def test_pages_of_fifty_keep_the_filter(self, coordinator_client, team_a):
        for i in range(55):
            make_volunteer(team_a.campaign, given=f"P{i:02d}", family="Page", status="active")
        make_volunteer(team_a.campaign, given="Not", family="Active", status="new")
        roster = url("roster", team_a.campaign)
        first = coordinator_client.get(roster, {"status": "active"})
        assert len(names_on(first)) == 50
        assert "status=active&amp;page=2" in first.content.decode()
        second = coordinator_client.get(roster, {"status": "active", "page": 2})
        assert len(names_on(second)) == 5 and "Not Active" not in names_on(second)

    def test_queries_do_not_grow_with_the_roster(self, coordinator_client, team_a, django_assert_num_queries):
        c = team_a.campaign

        def add(count: int, start: int) -> None:
            with scope(campaign=c.pk):
                tag, _ = Tag.objects.get_or_create(campaign=c, name="Team")
            for i in range(start, start + count):
                v = make_volunteer(c, given=f"N{i:03d}", family="Q", skills=("Events", "Design"))
                with scopes_disabled():
                    PersonTag.objects.create(campaign=c, person=v.person, tag=tag)

        roster = url("roster", c)
        add(10, 0)
        coordinator_client.get(roster)  # warm the session and the content types
        with CaptureQueriesContext(connection) as small:
            response = coordinator_client.get(roster, {"sort": "-signed_up"})
        assert len(names_on(response)) == 10
        add(290, 10)
        with django_assert_num_queries(len(small.captured_queries)):
            response = coordinator_client.get(roster, {"sort": "-signed_up"})
        assert len(names_on(response)) == 50
        assert response.content.decode().count(">Design</span>") == 50

    def test_roster_page_for_the_nav(self, coordinator_client, team_a, client):
        response = coordinator_client.get(f"/c/{team_a.campaign.slug}/")
        assert url("roster", team_a.campaign) in response.content.decode()
        client.force_login(team_a.volunteer.user)
        assert url("roster", team_a.campaign) not in client.get(f"/c/{team_a.campaign.slug}/").content.decode()


class TestBulkActions:
    def test_tag_the_selected_volunteers(self, coordinator_client, team_a):
        c = team_a.campaign
        a, b, other = (make_volunteer(c, given=n, family="T") for n in ("A", "B", "C"))
        with scope(campaign=c.pk):
            Tag.objects.create(campaign=c, name="Saturday Team")
        response = coordinator_client.post(
            url("roster_bulk", c),
            {
                "action": "tag",
                "tag": "saturday team",
                "volunteers": [a.code, b.code],
                "next": url("roster", c) + "?q=T",
            },
        )
        assert response.status_code == 302 and response["Location"] == url("roster", c) + "?q=T"
        with scope(campaign=c.pk):
            assert Tag.objects.filter(campaign=c).count() == 1  # the existing tag, whatever its case
            tagged = set(PersonTag.objects.filter(tag__name="Saturday Team").values_list("person_id", flat=True))
            assert tagged == {a.person_id, b.person_id}
            event = AuditEvent.objects.get(action="volunteers.tagged")
            assert event.data["count"] == 2 and event.actor == team_a.coordinator.user
        assert other.person_id not in tagged

    def test_new_tag_is_created(self, coordinator_client, team_a):
        c = team_a.campaign
        a = make_volunteer(c)
        coordinator_client.post(url("roster_bulk", c), {"action": "tag", "tag": "  Drivers ", "volunteers": [a.code]})
        with scope(campaign=c.pk):
            assert list(a.person.tags.values_list("name", flat=True)) == ["Drivers"]

    def test_set_status(self, coordinator_client, team_a):
        c = team_a.campaign
        a, b = make_volunteer(c), make_volunteer(c)
        coordinator_client.post(url("roster_bulk", c), {"action": "status", "status": "active", "volunteers": [a.code]})
        with scope(campaign=c.pk):
            assert Volunteer.objects.get(pk=a.pk).status == "active"
            assert Volunteer.objects.get(pk=b.pk).status == "new"

    @pytest.mark.parametrize(
        "data",
        [
            {"action": "tag", "tag": "X"},  # nobody selected
            {"action": "tag", "tag": "", "volunteers": ["A"]},  # no tag
            {"action": "tag", "tag": "x" * 61, "volunteers": ["A"]},
            {"action": "status", "status": "", "volunteers": ["A"]},
            {"action": "status", "status": "retired", "volunteers": ["A"]},
            {"action": "delete", "volunteers": ["A"]},
            {"action": "tag", "tag": "X", "volunteers": ["not-a-uuid"]},
        ],
    )
    def test_bad_input_says_so_and_changes_nothing(self, coordinator_client, team_a, data):
        c = team_a.campaign
        a = make_volunteer(c)
        data = {k: ([str(a.code) if x == "A" else x for x in v] if isinstance(v, list) else v) for k, v in data.items()}
        response = coordinator_client.post(url("roster_bulk", c), data, follow=True)
        assert "alert-danger" in response.content.decode()
        with scope(campaign=c.pk):
            assert not Tag.objects.exists() and not PersonTag.objects.exists()
            assert Volunteer.objects.get(pk=a.pk).status == "new"
            assert not AuditEvent.objects.filter(action__startswith="volunteers.").exists()

    def test_another_campaigns_volunteer_is_never_touched(self, coordinator_client, team_a, team_b):
        theirs = make_volunteer(team_b.campaign)
        response = coordinator_client.post(
            url("roster_bulk", team_a.campaign), {"action": "status", "status": "inactive", "volunteers": [theirs.code]}
        )
        assert response.status_code == 302
        with scopes_disabled():
            assert Volunteer.objects.get(pk=theirs.pk).status == "new"

    def test_next_cannot_leave_the_roster(self, coordinator_client, team_a):
        a = make_volunteer(team_a.campaign)
        response = coordinator_client.post(
            url("roster_bulk", team_a.campaign),
            {"action": "status", "status": "active", "volunteers": [a.code], "next": "https://evil.test/"},
        )
        assert response["Location"] == url("roster", team_a.campaign)


def volunteer_form(**overrides):
    data = {
        "given_name": "Mei",
        "family_name": "Chan",
        "email": "mei@example.test",
        "phone": "+852 9876 5432",
        "language": "zh-hans",
        "neighbourhood": "Tai Po",
        "consent_email": "on",
        "status": "active",
        "available_weekends": "on",
        "tshirt_size": "M",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class TestAddAndEdit:
    def test_add_a_volunteer_by_hand(self, coordinator_client, team_a):
        c = team_a.campaign
        with scope(campaign=c.pk):
            skill = Skill.objects.create(campaign=c, name="Translation")
        response = coordinator_client.post(url("volunteer_new", c), volunteer_form(skills=[str(skill.pk)]))
        with scope(campaign=c.pk):
            volunteer = Volunteer.objects.select_related("person").get()
            assert response["Location"] == url("volunteer_detail", c, code=volunteer.code)
            assert volunteer.source == "manual" and volunteer.status == "active"
            assert volunteer.available_weekends and not volunteer.available_weekdays
            assert volunteer.tshirt_size == "M"
            assert list(volunteer.skills.all()) == [skill]
            person = volunteer.person
            assert (person.given_name, person.email, str(person.phone)) == ("Mei", "mei@example.test", "+85298765432")
            assert person.consent_email and not person.consent_sms and person.consent_recorded_at
            assert AuditEvent.objects.filter(action="volunteer.created", object_code=str(volunteer.code)).exists()
        page = coordinator_client.get(response["Location"]).content.decode()
        assert "ChanMei" not in page and "Mei Chan" in page

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"email": "not-an-email"}, "email"),
            ({"phone": "12"}, "phone"),
            ({"email": "", "phone": ""}, "email"),
            ({"given_name": ""}, "given_name"),
            ({"tshirt_size": "XXXXL"}, "tshirt_size"),
            ({"status": "boss"}, "status"),
        ],
    )
    def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(
        self, coordinator_client, team_a, overrides, field
    ):
        response = coordinator_client.post(url("volunteer_new", team_a.campaign), volunteer_form(**overrides))
        assert response.status_code == 200
        assert f'id="id_{field}_errors"' in response.content.decode()
        with scopes_disabled():
            assert not Volunteer.objects.exists() and not Person.objects.exists()

    def test_someone_already_on_the_roster_is_not_added_twice(self, coordinator_client, team_a):
        existing = make_volunteer(team_a.campaign, given="Mei", family="Chan", email="MEI@example.test")
        response = coordinator_client.post(url("volunteer_new", team_a.campaign), volunteer_form())
        assert response.status_code == 200
        assert "already on the roster" in response.content.decode()
        with scopes_disabled():
            assert list(Volunteer.objects.all()) == [existing]
            assert Person.objects.count() == 1

    def test_an_existing_contact_becomes_the_volunteer(self, coordinator_client, team_a):
        with scope(campaign=team_a.campaign.pk):
            contact = Person.objects.create(campaign=team_a.campaign, given_name="Mei", email="mei@example.test")
        coordinator_client.post(url("volunteer_new", team_a.campaign), volunteer_form())
        with scope(campaign=team_a.campaign.pk):
            assert Person.objects.count() == 1
            assert Volunteer.objects.get().person_id == contact.pk

    def test_edit(self, coordinator_client, team_a):
        c = team_a.campaign
        volunteer = make_volunteer(c, given="Old", family="Name", skills=("Events",))
        form = coordinator_client.get(url("volunteer_edit", c, code=volunteer.code)).content.decode()
        assert 'value="Old"' in form
        response = coordinator_client.post(
            url("volunteer_edit", c, code=volunteer.code),
            volunteer_form(given_name="New", email=volunteer.person.email, status="inactive"),
        )
        assert response.status_code == 302
        with scope(campaign=c.pk):
            volunteer.refresh_from_db()
            volunteer.person.refresh_from_db()
            assert volunteer.person.given_name == "New" and volunteer.status == "inactive"
            assert not volunteer.skills.exists()  # no skill ticked
            event = AuditEvent.objects.get(action="volunteer.updated")
            assert "status" in event.data["fields"] and "skills" in event.data["fields"]

    def test_edit_to_another_volunteers_phone_is_refused(self, coordinator_client, team_a):
        c = team_a.campaign
        make_volunteer(c, phone="+85291110000")
        volunteer = make_volunteer(c, given="Keep", family="Me")
        response = coordinator_client.post(
            url("volunteer_edit", c, code=volunteer.code), volunteer_form(given_name="Changed", phone="+85291110000")
        )
        assert response.status_code == 200 and 'id="id_phone_errors"' in response.content.decode()
        assert "Keep Me" in response.content.decode()  # the page shows what is saved
        with scopes_disabled():
            assert Person.objects.get(pk=volunteer.person_id).given_name == "Keep"


class TestVolunteerPage:
    def test_history_hours_and_notes(self, coordinator_client, team_a):
        c = team_a.campaign
        volunteer = make_volunteer(c, given="Hana", family="Ito")
        attended = make_shift(c, title="Attended shift", days=-3, hours=3)
        corrected = make_shift(c, title="Corrected shift", days=-2, hours=4)
        missed = make_shift(c, title="Missed shift", days=-1, hours=2)
        waiting = make_shift(c, title="Waiting shift", days=4, hours=2)
        with scope(campaign=c.pk):
            rows = [
                Signup.objects.create(
                    campaign=c, shift=attended, volunteer=volunteer, status="confirmed", attendance="attended"
                ),
                Signup.objects.create(
                    campaign=c,
                    shift=corrected,
                    volunteer=volunteer,
                    status="confirmed",
                    attendance="attended",
                    hours=Decimal("1.5"),
                    hours_reason="left early",
                ),
                Signup.objects.create(
                    campaign=c, shift=missed, volunteer=volunteer, status="confirmed", attendance="no_show"
                ),
                Signup.objects.create(campaign=c, shift=waiting, volunteer=volunteer, status="waitlisted"),
            ]
            expected = sum((s.counted_hours() for s in rows), Decimal(0))
            assert expected == Decimal("4.50")
            assert selectors.volunteer_hours(volunteer) == expected
            # A date range (the dashboard's week, "my month") counts by the same rule, over the shifts it holds.
            two_days = {"start_at": corrected.starts_at, "end_at": waiting.starts_at}
            assert selectors.hours_counted(c, volunteer=volunteer, **two_days) == Decimal("1.50")
            assert selectors.hours_counted(c, **two_days) == Decimal("1.50")
            assert selectors.hours_counted(c, volunteer=volunteer, end_at=corrected.starts_at) == Decimal("3.00")
            VolunteerNote.objects.create(campaign=c, volunteer=volunteer, author=team_a.owner.user, body="Has a car")
        page = coordinator_client.get(url("volunteer_detail", c, code=volunteer.code)).content.decode()
        assert re.search(r'data-testid="hours-total">4\.50<', page)
        for text in ("Attended shift", "Corrected shift", "Missed shift", "Waiting shift", "No-show", "Waiting list"):
            assert text in page
        assert "Has a car" in page
        # Apps that do not exist yet are not shown as zeros.
        assert "visits" not in page.lower() and "materials" not in page.lower()

    def test_add_a_note(self, coordinator_client, team_a):
        c = team_a.campaign
        volunteer = make_volunteer(c)
        response = coordinator_client.post(url("note_add", c, code=volunteer.code), {"body": "Speaks Hakka."})
        assert response.status_code == 302
        with scope(campaign=c.pk):
            note = VolunteerNote.objects.get()
            assert (note.body, note.author, note.volunteer) == ("Speaks Hakka.", team_a.coordinator.user, volunteer)
            assert note.created_at is not None
            event = AuditEvent.objects.get(action="volunteer.note_added")
            assert "Hakka" not in str(event.data)
        page = coordinator_client.get(url("volunteer_detail", c, code=volunteer.code)).content.decode()
        assert "Speaks Hakka." in page and str(team_a.coordinator.user) in page

    @pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
    def test_an_empty_or_huge_note_is_refused(self, coordinator_client, team_a, body):
        volunteer = make_volunteer(team_a.campaign)
        response = coordinator_client.post(url("note_add", team_a.campaign, code=volunteer.code), {"body": body})
        assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
        with scopes_disabled():
            assert not VolunteerNote.objects.exists()


class TestDuplicates:
    def pairs(self, campaign) -> dict[frozenset, list[str]]:
        with scope(campaign=campaign.pk):
            found, _more = selectors.duplicate_pairs(campaign)
        return {frozenset((p.first.pk, p.second.pk)): p.reasons for p in found}

    def test_same_email_phone_and_similar_names(self, team_a, team_b):
        c = team_a.campaign
        e1 = make_volunteer(c, given="Amy", family="Wong", email="amy@example.test")
        e2 = make_volunteer(c, given="A.", family="W.", email="AMY@Example.test")
        p1 = make_volunteer(c, given="Bo", family="Lam", phone="+85261110000")
        p2 = make_volunteer(c, given="Bobby", family="Lam Sr", phone="+85261110000")
        n1 = make_volunteer(c, given="ada", family="LOVELACE")
        n2 = make_volunteer(c, given="Ada ", family="Lovelace")
        t1 = make_volunteer(c, given="Jon", family="Smith")
        t2 = make_volunteer(c, given="John", family="Smith")
        z1 = make_volunteer(c, given="伟", family="张")
        z2 = make_volunteer(c, given="张伟", family="")
        # Not duplicates: a different one-letter Chinese given name; same name in another campaign.
        make_volunteer(c, given="芳", family="张")
        make_volunteer(c, given="Grace", family="Hopper")
        make_volunteer(team_b.campaign, given="Grace", family="Hopper", email="amy@example.test")
        found = self.pairs(c)
        assert found == {
            frozenset((e1.pk, e2.pk)): ["email"],
            frozenset((p1.pk, p2.pk)): ["phone"],
            frozenset((n1.pk, n2.pk)): ["name"],
            frozenset((t1.pk, t2.pk)): ["name"],
            frozenset((z1.pk, z2.pk)): ["name"],
        }

    def test_a_pair_found_twice_is_listed_once_with_both_reasons(self, team_a):
        a = make_volunteer(team_a.campaign, given="Kim", family="Lee", email="kim@x.test")
        b = make_volunteer(team_a.campaign, given="Kim", family="Lee", email="kim@x.test")
        assert self.pairs(team_a.campaign) == {frozenset((a.pk, b.pk)): ["email", "name"]}

    def test_within_one_edit(self):
        assert selectors.within_one_edit("jon", "john")
        assert selectors.within_one_edit("john", "joan")
        assert selectors.within_one_edit("john", "ohn")
        assert not selectors.within_one_edit("ab", "ba")
        assert not selectors.within_one_edit("john", "jane")
        assert not selectors.within_one_edit("jo", "john")

    def test_page_lists_pairs_with_a_merge_link(self, coordinator_client, team_a):
        a = make_volunteer(team_a.campaign, given="Kim", family="Lee", email="kim@x.test")
        b = make_volunteer(team_a.campaign, given="Kimberly", family="Lee", email="KIM@x.test")
        page = coordinator_client.get(url("duplicates", team_a.campaign)).content.decode()
        assert "same email" in page
        assert f"?a={a.code}&amp;b={b.code}" in page

    def test_page_queries_do_not_grow(self, coordinator_client, team_a, django_assert_num_queries):
        def add(start: int, end: int) -> None:
            for i in range(start, end):
                # Names at least two edits apart from each other's: only the twins are pairs.
                given = "".join(chr(ord("a") + int(d)) for d in f"{i:03d}") * 2
                make_volunteer(team_a.campaign, given=given, family="Pair", email=f"twin{i}@x.test")
                make_volunteer(team_a.campaign, given=given, family="Pair", email=f"TWIN{i}@x.test")

        page = url("duplicates", team_a.campaign)
        add(0, 3)
        coordinator_client.get(page)  # the session's first request records it
        with CaptureQueriesContext(connection) as small:
            coordinator_client.get(page)
        add(3, 60)
        with django_assert_num_queries(len(small.captured_queries)):
            response = coordinator_client.get(page)
        assert response.content.decode().count('data-testid="duplicate-pair"') == 60
