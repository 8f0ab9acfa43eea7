"""/api/v1/c/<slug>/ for volunteers, shifts, signups and check-in: what each role may do, what bad
input gets back, and that nothing changes when a request is refused."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from campaign.models import AuditEvent, Person, Role
from campaign.services import api_token_create
from tests.factories import MembershipFactory, PersonFactory
from volunteers import services
from volunteers.models import Shift, Signup, Skill, Volunteer, VolunteerSkill

pytestmark = pytest.mark.django_db


class Api:
    """Calls the API with a team member's personal token, as a phone app would."""

    def __init__(self, client, campaign):
        self.client, self.campaign, self.keys = client, campaign, {}

    def __call__(self, membership, method, path, data=None, **params):
        if membership.pk not in self.keys:
            with scope(campaign=membership.campaign_id):
                _token, self.keys[membership.pk] = api_token_create(membership=membership, name="phone")
        url = f"/api/v1/c/{self.campaign.slug}/{path}"
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.keys[membership.pk]}"}
        if method == "get":
            return self.client.get(url, params, **headers)
        return self.client.generic(
            method.upper(),
            url,
            data="" if data is None else json.dumps(data),
            content_type="application/json",
            **headers,
        )


@pytest.fixture
def api(client, team_a):
    return Api(client, team_a.campaign)


def soon(hours: float = 48) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


def make_shift(team, *, starts_in: float = 48, capacity: int = 5, title: str = "Market canvass", **values) -> Shift:
    with scope(campaign=team.campaign.pk):
        starts = soon(starts_in)
        return services.shift_create(
            campaign=team.campaign,
            acting_user=team.coordinator.user,
            title=title,
            location="Wet market",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=3),
            capacity=capacity,
            **values,
        )[0]


def volunteer_of(membership) -> Volunteer:
    with scope(campaign=membership.campaign_id):
        return services.volunteer_for_member(membership=membership)


def sign_up(shift, membership) -> Signup:
    with scope(campaign=shift.campaign_id):
        return services.signup_create(shift=shift, volunteer=volunteer_of(membership), acting_user=membership.user)


def count(model, team, **filters) -> int:
    with scope(campaign=team.campaign.pk):
        return model.objects.filter(campaign=team.campaign, **filters).count()


def audit_count(team) -> int:
    """Audit entries of changes (making the test's API tokens is not one)."""
    with scope(campaign=team.campaign.pk):
        return AuditEvent.objects.filter(campaign=team.campaign).exclude(action__startswith="api_token.").count()


@pytest.fixture
def skills(team_a):
    with scope(campaign=team_a.campaign.pk):
        services.program_for(team_a.campaign)
        return {skill.name: skill for skill in Skill.objects.filter(campaign=team_a.campaign)}


# Skills and volunteers


def test_skills_are_listed_for_any_member(api, team_a):
    response = api(team_a.volunteer, "get", "skills/")
    assert response.status_code == 200
    names = [skill["name"] for skill in response.json()["results"]]
    assert names[:2] == ["Canvassing", "Leafleting"]


def test_coordinator_adds_a_volunteer_with_skills(api, team_a, skills):
    response = api(
        team_a.coordinator,
        "post",
        "volunteers/",
        {
            "person": {"given_name": "Mei", "family_name": "Chan", "email": "mei@example.test", "consent_email": True},
            "status": "active",
            "available_evenings": True,
            "skills": [str(skills["Driving"].code)],
            "tshirt_size": "M",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["person"]["email"] == "mei@example.test" and body["person"]["consent_recorded_at"]
    assert body["status"] == "active" and body["available_evenings"] is True and body["tshirt_size"] == "M"
    assert body["skills"] == [str(skills["Driving"].code)]
    with scope(campaign=team_a.campaign.pk):
        volunteer = Volunteer.objects.get(code=body["code"])
        assert [s.name for s in volunteer.skills.all()] == ["Driving"]


def test_volunteer_with_an_unknown_skill_code_is_refused_and_nothing_is_saved(api, team_a, skills, team_b):
    with scope(campaign=team_b.campaign.pk):
        services.program_for(team_b.campaign)
        foreign = Skill.objects.filter(campaign=team_b.campaign).first()
    people = count(Person, team_a)
    for code in (str(foreign.code), "not-a-code"):
        response = api(
            team_a.coordinator,
            "post",
            "volunteers/",
            {"person": {"given_name": "Mei", "email": "mei@example.test"}, "skills": [code]},
        )
        assert response.status_code == 400 and "skills" in response.json(), response.content
    assert count(Person, team_a) == people and count(Volunteer, team_a) == 0


def test_a_second_volunteer_with_the_same_email_is_refused(api, team_a):
    data = {"person": {"given_name": "Mei", "email": "mei@example.test"}}
    assert api(team_a.coordinator, "post", "volunteers/", data).status_code == 201
    again = api(team_a.coordinator, "post", "volunteers/", {"person": {"given_name": "M", "email": "MEI@example.test"}})
    assert again.status_code == 400 and "email" in again.json()["person"], again.content
    assert count(Volunteer, team_a) == 1


def test_volunteer_without_a_name_or_with_a_bad_phone_is_refused(api, team_a):
    response = api(team_a.coordinator, "post", "volunteers/", {"person": {"email": "x@example.test", "phone": "12"}})
    assert response.status_code == 400
    assert {"given_name", "phone"} <= set(response.json()["person"])
    assert count(Person, team_a) == 0


def test_roster_filters_by_status_skill_and_search(api, team_a, skills):
    with scope(campaign=team_a.campaign.pk):
        ada = Volunteer.objects.create(
            campaign=team_a.campaign,
            person=PersonFactory(campaign=team_a.campaign, given_name="Ada", family_name="Lovelace"),
            status=Volunteer.Status.ACTIVE,
        )
        VolunteerSkill.objects.create(campaign=team_a.campaign, volunteer=ada, skill=skills["Design"])
        Volunteer.objects.create(
            campaign=team_a.campaign,
            person=PersonFactory(campaign=team_a.campaign, given_name="Bob", family_name="Wong"),
            status=Volunteer.Status.NEW,
        )

    def names(**params):
        response = api(team_a.coordinator, "get", "volunteers/", **params)
        assert response.status_code == 200, response.content
        return [v["person"]["given_name"] for v in response.json()["results"]]

    assert names() == ["Ada", "Bob"]
    assert names(status="new") == ["Bob"]
    assert names(skill=str(skills["Design"].code)) == ["Ada"]
    assert names(q="lovel") == ["Ada"]
    assert names(q="wong bob") == ["Bob"]
    for params in ({"status": "asleep"}, {"skill": "nope"}, {"skill": "6f1b9d4e-0000-4000-8000-000000000000"}):
        bad = api(team_a.coordinator, "get", "volunteers/", **params)
        assert bad.status_code == 400 and set(params) <= set(bad.json()), bad.content


def test_coordinator_patches_a_volunteer(api, team_a, skills):
    volunteer = volunteer_of(team_a.volunteer)
    path = f"volunteers/{volunteer.code}/"
    assert api(team_a.coordinator, "get", path).json()["code"] == str(volunteer.code)
    response = api(
        team_a.coordinator,
        "patch",
        path,
        {"status": "inactive", "skills": [str(skills["Events"].code)], "tshirt_size": "XL", "available_weekends": True},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["tshirt_size"], body["available_weekends"]) == ("inactive", "XL", True)
    assert body["skills"] == [str(skills["Events"].code)]
    with scope(campaign=team_a.campaign.pk):
        volunteer.refresh_from_db()
        assert volunteer.status == "inactive" and list(volunteer.skills.values_list("name", flat=True)) == ["Events"]


def test_patching_a_volunteer_refuses_bad_values_and_contact_details(api, team_a):
    volunteer = volunteer_of(team_a.volunteer)
    path = f"volunteers/{volunteer.code}/"
    for data, field in (
        ({"status": "asleep"}, "status"),
        ({"tshirt_size": "XXXL"}, "tshirt_size"),
        ({"skills": ["6f1b9d4e-0000-4000-8000-000000000000"]}, "skills"),
        ({"person": {"given_name": "Someone else"}}, "person"),
    ):
        response = api(team_a.coordinator, "patch", path, data)
        assert response.status_code == 400 and field in response.json(), (data, response.content)
    with scope(campaign=team_a.campaign.pk):
        volunteer.refresh_from_db()
        assert volunteer.status == Volunteer.Status.ACTIVE and volunteer.tshirt_size == ""
        assert volunteer.person.given_name != "Someone else"


def test_volunteers_cannot_read_or_change_the_roster(api, team_a):
    volunteer = volunteer_of(team_a.volunteer)
    assert api(team_a.volunteer, "get", "volunteers/").status_code == 403
    assert api(team_a.volunteer, "get", f"volunteers/{volunteer.code}/").status_code == 403
    assert api(team_a.volunteer, "patch", f"volunteers/{volunteer.code}/", {"status": "inactive"}).status_code == 403
    assert (
        api(team_a.volunteer, "post", "volunteers/", {"person": {"given_name": "Me", "email": "me@x.test"}}).status_code
        == 403
    )
    assert count(Volunteer, team_a) == 1


def test_volunteer_reads_their_own_profile_at_me(api, team_a):
    assert api(team_a.volunteer, "get", "volunteers/me/").status_code == 404  # no profile yet
    volunteer = volunteer_of(team_a.volunteer)
    response = api(team_a.volunteer, "get", "volunteers/me/")
    assert response.status_code == 200 and response.json()["code"] == str(volunteer.code)
    assert response.json()["person"]["email"] == team_a.volunteer.user.email


# Shifts


def test_coordinator_creates_a_shift_and_a_weekly_series(api, team_a, skills):
    starts = soon(72).replace(microsecond=0)
    data = {
        "kind": "leafleting",
        "title": "Station leafleting",
        "location": "MTR exit B",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
        "capacity": 4,
        "required_skill": str(skills["Leafleting"].code),
    }
    one = api(team_a.coordinator, "post", "shifts/", data)
    assert one.status_code == 201, one.content
    [shift] = one.json()
    assert shift["title"] == "Station leafleting" and shift["series"] is None
    assert (shift["filled"], shift["waitlist"], shift["capacity"]) == (0, 0, 4)
    assert shift["required_skill"] == str(skills["Leafleting"].code) and shift["checkin_code"]
    series = api(team_a.owner, "post", "shifts/", {**data, "repeat_weeks": 3})
    assert series.status_code == 201, series.content
    shifts = series.json()
    assert len(shifts) == 3 and len({s["series"] for s in shifts}) == 1 and shifts[0]["series"]
    with scope(campaign=team_a.campaign.pk):
        starts_at = sorted(Shift.objects.filter(series=shifts[0]["series"]).values_list("starts_at", flat=True))
    assert starts_at[2] - starts_at[0] >= dt.timedelta(days=13)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": "before"}, "ends_at"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": -3}, "capacity"),
        ({"required_skill": "6f1b9d4e-0000-4000-8000-000000000000"}, "required_skill"),
        ({"kind": "party"}, "kind"),
        ({"repeat_weeks": 60}, "repeat_weeks"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_shift_input_is_refused_with_the_field_named_and_nothing_created(api, team_a, change, field):
    starts = soon(72)
    data = {
        "title": "Canvass",
        "location": "Estate",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
        "capacity": 3,
    }
    if change.get("ends_at") == "before":
        change = {"ends_at": (starts - dt.timedelta(hours=1)).isoformat()}
    audit = audit_count(team_a)
    response = api(team_a.coordinator, "post", "shifts/", {**data, **change})
    assert response.status_code == 400 and field in response.json(), response.content
    assert count(Shift, team_a) == 0 and audit_count(team_a) == audit


def test_volunteer_cannot_create_change_or_cancel_shifts(api, team_a):
    shift = make_shift(team_a)
    starts = soon(72)
    data = {"title": "Mine", "location": "Here", "starts_at": starts.isoformat(), "capacity": 2}
    data["ends_at"] = (starts + dt.timedelta(hours=1)).isoformat()
    assert api(team_a.volunteer, "post", "shifts/", data).status_code == 403
    assert api(team_a.volunteer, "patch", f"shifts/{shift.code}/", {"capacity": 50}).status_code == 403
    assert api(team_a.volunteer, "delete", f"shifts/{shift.code}/").status_code == 403
    with scope(campaign=team_a.campaign.pk):
        shift.refresh_from_db()
        assert Shift.objects.count() == 1 and shift.capacity == 5 and shift.cancelled_at is None


def test_members_see_shifts_with_counts_and_only_coordinators_see_the_checkin_code(api, team_a):
    shift = make_shift(team_a, capacity=1)
    sign_up(shift, team_a.volunteer)
    other = MembershipFactory(campaign=team_a.campaign, role=Role.VOLUNTEER)
    sign_up(shift, other)  # full: waiting list
    cancelled = make_shift(team_a, starts_in=96, title="Rally")
    with scope(campaign=team_a.campaign.pk):
        services.shift_cancel(shift=cancelled, acting_user=team_a.coordinator.user)

    as_volunteer = api(team_a.volunteer, "get", "shifts/", include_cancelled=1).json()["results"]
    assert [s["title"] for s in as_volunteer] == ["Market canvass"]
    [seen] = as_volunteer
    assert (seen["filled"], seen["waitlist"], seen["capacity"]) == (1, 1, 1)
    assert seen["checkin_code"] is None
    assert seen["my_signup"]["status"] == "confirmed"
    assert api(other, "get", "shifts/").json()["results"][0]["my_signup"]["status"] == "waitlisted"
    assert api(team_a.coordinator, "get", "shifts/").json()["results"][0]["my_signup"] is None

    as_coordinator = api(team_a.coordinator, "get", "shifts/").json()["results"]
    assert [s["checkin_code"] for s in as_coordinator] == [shift.checkin_code]
    with_cancelled = api(team_a.coordinator, "get", "shifts/", include_cancelled="1").json()["results"]
    assert [s["title"] for s in with_cancelled] == ["Market canvass", "Rally"]
    assert with_cancelled[1]["cancelled_at"] is not None

    detail = api(team_a.volunteer, "get", f"shifts/{shift.code}/")
    assert detail.status_code == 200 and detail.json()["checkin_code"] is None and detail.json()["filled"] == 1


def test_coordinator_edits_a_shift_and_fewer_places_move_the_latest_to_the_waiting_list(api, team_a):
    shift = make_shift(team_a, capacity=2)
    first = sign_up(shift, team_a.volunteer)
    second = sign_up(shift, MembershipFactory(campaign=team_a.campaign, role=Role.VOLUNTEER))
    response = api(team_a.coordinator, "patch", f"shifts/{shift.code}/", {"capacity": 1, "location": "Pier 4"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["capacity"], body["location"], body["filled"], body["waitlist"]) == (1, "Pier 4", 1, 1)
    with scope(campaign=team_a.campaign.pk):
        first.refresh_from_db()
        second.refresh_from_db()
    assert (first.status, second.status) == ("confirmed", "waitlisted")


def test_editing_a_shift_to_end_before_it_starts_changes_nothing(api, team_a):
    shift = make_shift(team_a)
    before = shift.starts_at - dt.timedelta(hours=1)
    for data, field in (({"ends_at": before.isoformat()}, "ends_at"), ({"capacity": 0}, "capacity")):
        response = api(team_a.coordinator, "patch", f"shifts/{shift.code}/", data)
        assert response.status_code == 400 and field in response.json(), response.content
    with scope(campaign=team_a.campaign.pk):
        fresh = Shift.objects.get(pk=shift.pk)
    assert (fresh.ends_at, fresh.capacity) == (shift.ends_at, shift.capacity)


def test_deleting_a_shift_cancels_it_and_keeps_the_row(api, team_a):
    shift = make_shift(team_a)
    signup = sign_up(shift, team_a.volunteer)
    assert api(team_a.coordinator, "delete", f"shifts/{shift.code}/").status_code == 204
    with scope(campaign=team_a.campaign.pk):
        shift.refresh_from_db()
        assert shift.cancelled_at is not None
        assert Signup.objects.filter(pk=signup.pk).exists()
    assert api(team_a.volunteer, "get", "shifts/").json()["count"] == 0
    again = api(team_a.coordinator, "delete", f"shifts/{shift.code}/")
    assert again.status_code == 400 and "cancelled" in str(again.json())
    changed = api(team_a.coordinator, "patch", f"shifts/{shift.code}/", {"title": "Revived"})
    assert changed.status_code == 400


# Signups


def test_volunteer_signs_up_and_a_retry_is_a_no_op(api, team_a):
    shift = make_shift(team_a)
    payload = {"client_uuid": "0b7f5a52-8f3e-4a59-9d0c-2a4f1d1b9c11"}
    first = api(team_a.volunteer, "post", f"shifts/{shift.code}/signups/", payload)
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "confirmed" and first.json()["shift"] == str(shift.code)
    audit = audit_count(team_a)
    retry = api(team_a.volunteer, "post", f"shifts/{shift.code}/signups/", payload)
    assert retry.status_code == 200 and retry.json()["code"] == first.json()["code"]
    assert count(Signup, team_a) == 1 and audit_count(team_a) == audit
    assert api(team_a.volunteer, "post", f"shifts/{shift.code}/signups/").status_code == 200  # no body at all
    assert api(team_a.volunteer, "get", "volunteers/me/").json()["code"] == first.json()["volunteer"]


def test_a_retried_client_uuid_does_not_sign_up_again_after_a_cancel(api, team_a):
    """The phone sent the signup, the volunteer cancelled, then the phone's queued retry arrives."""
    shift = make_shift(team_a)
    payload = {"client_uuid": "5d0c1c1e-47a2-4f4f-a0f1-7f9a4c3e2b10"}
    first = api(team_a.volunteer, "post", f"shifts/{shift.code}/signups/", payload)
    assert api(team_a.volunteer, "delete", f"signups/{first.json()['code']}/").status_code == 204
    retry = api(team_a.volunteer, "post", f"shifts/{shift.code}/signups/", payload)
    assert retry.status_code == 200 and retry.json()["status"] == "cancelled"
    assert count(Signup, team_a) == 1


def test_a_client_uuid_reused_for_another_shift_is_refused(api, team_a):
    payload = {"client_uuid": "9a8c6d43-1f0e-4c52-9a77-2d3b4e5f6a70"}
    first_shift, other_shift = make_shift(team_a), make_shift(team_a, title="Other")
    assert api(team_a.volunteer, "post", f"shifts/{first_shift.code}/signups/", payload).status_code == 201
    reused = api(team_a.volunteer, "post", f"shifts/{other_shift.code}/signups/", payload)
    assert reused.status_code == 400 and "client_uuid" in reused.json()
    assert count(Signup, team_a) == 1


def test_a_full_shift_puts_the_next_volunteer_on_the_waiting_list(api, team_a):
    shift = make_shift(team_a, capacity=1)
    sign_up(shift, team_a.coordinator)
    response = api(team_a.volunteer, "post", f"shifts/{shift.code}/signups/", {})
    assert response.status_code == 201 and response.json()["status"] == "waitlisted"


def test_signing_up_for_a_cancelled_shift_is_refused_and_creates_nothing(api, team_a):
    shift = make_shift(team_a)
    with scope(campaign=team_a.campaign.pk):
        services.shift_cancel(shift=shift, acting_user=team_a.coordinator.user)
    response = api(team_a.volunteer, "post", f"shifts/{shift.code}/signups/", {})
    assert response.status_code == 400 and "cancelled" in str(response.json())
    assert count(Signup, team_a) == 0 and count(Volunteer, team_a) == 0  # no profile half-made either


def test_only_coordinators_sign_up_someone_else(api, team_a):
    shift = make_shift(team_a)
    other = volunteer_of(MembershipFactory(campaign=team_a.campaign, role=Role.VOLUNTEER))
    refused = api(team_a.volunteer, "post", f"shifts/{shift.code}/signups/", {"volunteer": str(other.code)})
    assert refused.status_code == 403 and count(Signup, team_a) == 0
    done = api(team_a.coordinator, "post", f"shifts/{shift.code}/signups/", {"volunteer": str(other.code)})
    assert done.status_code == 201 and done.json()["volunteer"] == str(other.code)
    unknown = api(
        team_a.coordinator,
        "post",
        f"shifts/{shift.code}/signups/",
        {"volunteer": "6f1b9d4e-0000-4000-8000-000000000000"},
    )
    assert unknown.status_code == 400 and "volunteer" in unknown.json()
    assert count(Signup, team_a) == 1


def test_coordinator_lists_a_shifts_signups_and_a_volunteer_cannot(api, team_a):
    shift = make_shift(team_a)
    mine = sign_up(shift, team_a.volunteer)
    theirs = sign_up(shift, MembershipFactory(campaign=team_a.campaign, role=Role.VOLUNTEER))
    response = api(team_a.coordinator, "get", f"shifts/{shift.code}/signups/")
    assert response.status_code == 200
    assert [s["code"] for s in response.json()["results"]] == [str(mine.code), str(theirs.code)]
    assert api(team_a.volunteer, "get", f"shifts/{shift.code}/signups/").status_code == 403


def test_a_volunteer_sees_only_their_own_signups(api, team_a):
    shift = make_shift(team_a)
    mine = sign_up(shift, team_a.volunteer)
    theirs = sign_up(shift, MembershipFactory(campaign=team_a.campaign, role=Role.VOLUNTEER))
    own = api(team_a.volunteer, "get", f"signups/{mine.code}/")
    assert own.status_code == 200 and own.json()["status"] == "confirmed"
    assert api(team_a.volunteer, "get", f"signups/{theirs.code}/").status_code == 404
    assert api(team_a.volunteer, "delete", f"signups/{theirs.code}/").status_code == 404
    assert api(team_a.coordinator, "get", f"signups/{theirs.code}/").status_code == 200
    listed = api(team_a.volunteer, "get", "volunteers/me/signups/").json()["results"]
    assert [s["code"] for s in listed] == [str(mine.code)]
    with scope(campaign=team_a.campaign.pk):
        theirs.refresh_from_db()
    assert theirs.status == "confirmed"


def test_volunteer_cancels_their_own_signup_and_the_first_waiting_gets_the_place(api, team_a):
    shift = make_shift(team_a, capacity=1)
    mine = sign_up(shift, team_a.volunteer)
    waiting = sign_up(shift, MembershipFactory(campaign=team_a.campaign, role=Role.VOLUNTEER))
    assert waiting.status == "waitlisted"
    assert api(team_a.volunteer, "delete", f"signups/{mine.code}/").status_code == 204
    with scope(campaign=team_a.campaign.pk):
        mine.refresh_from_db()
        waiting.refresh_from_db()
    assert (mine.status, waiting.status) == ("cancelled", "confirmed")
    assert api(team_a.volunteer, "delete", f"signups/{mine.code}/").status_code == 204  # already: no-op


def test_cancelling_after_the_cancel_by_time_is_refused_but_a_coordinator_may(api, team_a):
    shift = make_shift(team_a, starts_in=3)  # the campaign's cancel-by time is 12 hours before
    signup = sign_up(shift, team_a.volunteer)
    audit = audit_count(team_a)
    late = api(team_a.volunteer, "delete", f"signups/{signup.code}/")
    assert late.status_code == 400 and "12 hours" in str(late.json()), late.content
    with scope(campaign=team_a.campaign.pk):
        signup.refresh_from_db()
    assert signup.status == "confirmed" and audit_count(team_a) == audit
    assert api(team_a.coordinator, "delete", f"signups/{signup.code}/").status_code == 204
    with scope(campaign=team_a.campaign.pk):
        signup.refresh_from_db()
    assert signup.status == "cancelled"


def test_coordinator_marks_attendance_and_a_volunteer_cannot(api, team_a):
    signup = sign_up(make_shift(team_a), team_a.volunteer)
    path = f"signups/{signup.code}/attendance/"
    assert api(team_a.volunteer, "post", path, {"attendance": "attended"}).status_code == 403
    bad = api(team_a.coordinator, "post", path, {"attendance": "maybe"})
    assert bad.status_code == 400 and "attendance" in bad.json()
    with scope(campaign=team_a.campaign.pk):
        signup.refresh_from_db()
    assert signup.attendance == ""
    done = api(team_a.coordinator, "post", path, {"attendance": "no_show"})
    assert done.status_code == 200 and done.json()["attendance"] == "no_show"
    done = api(team_a.coordinator, "post", path, {"attendance": "attended"})
    assert done.json()["attendance"] == "attended" and Decimal(done.json()["counted_hours"]) == Decimal("3.00")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"hours": "25", "reason": "Stayed late"}, "hours"),
        ({"hours": "-1", "reason": "Oops"}, "hours"),
        ({"hours": "lots", "reason": "Oops"}, "hours"),
        ({"hours": "3.5"}, "reason"),
        ({"hours": "3.5", "reason": "   "}, "reason"),
    ],
)
def test_bad_hours_are_refused_with_the_field_named(api, team_a, data, field):
    signup = sign_up(make_shift(team_a), team_a.volunteer)
    response = api(team_a.coordinator, "post", f"signups/{signup.code}/hours/", data)
    assert response.status_code == 400 and field in response.json(), response.content
    with scope(campaign=team_a.campaign.pk):
        signup.refresh_from_db()
    assert signup.hours is None and signup.hours_reason == ""


def test_coordinator_corrects_hours_with_a_reason(api, team_a):
    signup = sign_up(make_shift(team_a), team_a.volunteer)
    path = f"signups/{signup.code}/hours/"
    assert api(team_a.volunteer, "post", path, {"hours": "9", "reason": "me"}).status_code == 403
    response = api(team_a.coordinator, "post", path, {"hours": "3.5", "reason": "Left early"})
    assert response.status_code == 200, response.content
    assert response.json()["counted_hours"] == "3.50" and response.json()["hours_reason"] == "Left early"


# Check-in


def test_volunteer_checks_in_with_the_shift_code(api, team_a):
    shift = make_shift(team_a, starts_in=1)
    signup = sign_up(shift, team_a.volunteer)
    wrong = api(team_a.volunteer, "post", f"shifts/{shift.code}/check-in/", {"code": "ZZZZZZ"})
    assert wrong.status_code == 400 and "code" in wrong.json()
    with scope(campaign=team_a.campaign.pk):
        signup.refresh_from_db()
    assert signup.checked_in_at is None and signup.attendance == ""
    done = api(team_a.volunteer, "post", f"shifts/{shift.code}/check-in/", {"code": shift.checkin_code.lower()})
    assert done.status_code == 200, done.content
    assert (
        done.json()["code"] == str(signup.code)
        and done.json()["checked_in_at"]
        and done.json()["attendance"] == "attended"
    )


def test_a_code_from_another_shift_or_no_place_does_not_check_in(api, team_a):
    shift = make_shift(team_a, starts_in=1)
    other = make_shift(team_a, starts_in=1, title="Other")
    with scope(campaign=team_a.campaign.pk):
        Shift.objects.filter(pk=other.pk).update(checkin_code="OTHER2")  # never the same code by chance
    other.checkin_code = "OTHER2"
    sign_up(shift, team_a.volunteer)
    response = api(team_a.volunteer, "post", f"shifts/{shift.code}/check-in/", {"code": other.checkin_code})
    assert response.status_code == 400 and "code" in response.json()
    stranger = MembershipFactory(campaign=team_a.campaign, role=Role.VOLUNTEER)
    no_place = api(stranger, "post", f"shifts/{shift.code}/check-in/", {"code": shift.checkin_code})
    assert no_place.status_code == 400 and "no confirmed place" in str(no_place.json())
    missing = api(stranger, "post", f"shifts/{shift.code}/check-in/", {})
    assert missing.status_code == 400 and "code" in missing.json()
    assert count(Signup, team_a, checked_in_at__isnull=False) == 0
    assert count(Volunteer, team_a) == 1  # the stranger got no profile from failing


def test_check_in_is_closed_long_before_the_shift(api, team_a):
    shift = make_shift(team_a, starts_in=30)
    sign_up(shift, team_a.volunteer)
    response = api(team_a.volunteer, "post", f"shifts/{shift.code}/check-in/", {"code": shift.checkin_code})
    assert response.status_code == 400 and "two hours" in str(response.json())


# Tokens and other campaigns


def test_a_token_of_another_campaign_gets_404_and_changes_nothing(api, client, team_a, team_b):
    shift = make_shift(team_a)
    signup = sign_up(shift, team_a.volunteer)
    foreign = Api(client, team_a.campaign)  # team_a's URLs, called with team_b's tokens
    for membership in (team_b.owner, team_b.volunteer):
        for method, path, data in (
            ("get", "shifts/", None),
            ("post", f"shifts/{shift.code}/signups/", {}),
            ("delete", f"signups/{signup.code}/", None),
            ("post", f"shifts/{shift.code}/check-in/", {"code": shift.checkin_code}),
            ("get", "volunteers/me/", None),
        ):
            assert foreign(membership, method, path, data).status_code == 404, (membership.role, method, path)
    assert count(Signup, team_a) == 1 and count(Signup, team_a, status="confirmed") == 1


def test_own_slug_with_another_campaigns_codes_is_404(api, team_a, team_b):
    shift_b = make_shift(team_b)
    signup_b = sign_up(shift_b, team_b.volunteer)
    assert api(team_a.owner, "get", f"shifts/{shift_b.code}/").status_code == 404
    assert api(team_a.owner, "post", f"shifts/{shift_b.code}/signups/", {}).status_code == 404
    assert (
        api(team_a.owner, "post", f"signups/{signup_b.code}/attendance/", {"attendance": "attended"}).status_code == 404
    )
    assert api(team_a.owner, "get", f"volunteers/{signup_b.volunteer.code}/").status_code == 404
    with scopes_disabled():
        assert Signup.objects.filter(shift__campaign=team_a.campaign).count() == 0
        signup_b.refresh_from_db()
    assert signup_b.attendance == ""


# A fixed number of queries, whatever the data size


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content
    return len(captured)


def grow(team, skills, n: int) -> None:
    """n more shifts with signups, and n more volunteers with two skills each."""
    with scope(campaign=team.campaign.pk):
        for i in range(n):
            shift = make_shift(team, starts_in=24 + i, capacity=1, title=f"Shift {i}")
            for _ in range(2):
                sign_up(shift, MembershipFactory(campaign=team.campaign, role=Role.VOLUNTEER))
            volunteer = Volunteer.objects.create(campaign=team.campaign, person=PersonFactory(campaign=team.campaign))
            for skill in list(skills.values())[:2]:
                VolunteerSkill.objects.create(campaign=team.campaign, volunteer=volunteer, skill=skill)


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("volunteer", "shifts/"),
        ("coordinator", "shifts/?include_cancelled=1"),
        ("coordinator", "volunteers/"),
        ("coordinator", "shifts/{shift}/signups/"),
        ("volunteer", "volunteers/me/signups/"),
        ("volunteer", "skills/"),
    ],
)
def test_list_endpoints_run_a_fixed_number_of_queries(api, team_a, skills, who, path):
    first = make_shift(team_a, starts_in=20)
    sign_up(first, team_a.volunteer)
    member = getattr(team_a, who)
    url = path.format(shift=first.code)
    grow(team_a, skills, 2)
    api(member, "get", url)  # the token's first use stamps it; count from the second call
    small = queries(lambda: api(member, "get", url))
    grow(team_a, skills, 8)
    with scope(campaign=team_a.campaign.pk):
        for shift in Shift.objects.exclude(pk=first.pk)[:4]:
            sign_up(shift, team_a.volunteer)
        for _ in range(5):
            sign_up(first, MembershipFactory(campaign=team_a.campaign, role=Role.VOLUNTEER))
    large = queries(lambda: api(member, "get", url))
    assert small == large, (small, large)
    assert large <= 8


def test_times_without_an_offset_are_the_campaigns_local_time(api, team_a):
    local = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = api(
        team_a.coordinator,
        "post",
        "shifts/",
        {
            "title": "Evening",
            "location": "Park",
            "starts_at": f"{local}T18:00",
            "ends_at": f"{local}T20:00",
            "capacity": 2,
        },
    )
    assert response.status_code == 201, response.content
    [shift] = response.json()
    assert shift["starts_at"] == f"{local}T18:00:00+08:00"  # the campaign is in Asia/Hong_Kong
    with scope(campaign=team_a.campaign.pk):
        stored = Shift.objects.get(code=shift["code"]).starts_at
    assert stored.astimezone(dt.UTC).hour == 10


def test_the_browsable_api_renders_for_a_signed_in_coordinator(client, team_a, skills):
    make_shift(team_a)
    client.force_login(team_a.coordinator.user)
    for path in ("shifts/", "volunteers/", "skills/"):
        response = client.get(f"/api/v1/c/{team_a.campaign.slug}/{path}", HTTP_ACCEPT="text/html")
        # the forms offer the campaign's own skills: the code fields look them up in this campaign
        assert response.status_code == 200 and b"Canvassing" in response.content, path


def test_a_volunteer_without_email_or_phone_is_refused(api, team_a):
    response = api(team_a.coordinator, "post", "volunteers/", {"person": {"given_name": "Unreachable"}})
    assert response.status_code == 400 and "email" in str(response.json())
    assert count(Volunteer, team_a) == 0
