"""Household pages: the list and its filters, hand edits, status, the door form and the review queue."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from campaign.models import AuditEvent, Person
from canvassing.models import Household, Resident, Visit
from tests.canvassing.turfs_helpers import assign, current_area, make_households, make_turf
from tests.isolation.test_matrix import table_checksums

pytestmark = pytest.mark.django_db


def _url(team, name, *args):
    return reverse(f"canvassing:{name}", args=[team.campaign.slug, *args])


def _household(team, **fields) -> Household:
    with scopes_disabled():
        household = Household(campaign=team.campaign, **fields)
        household.refresh_address_fields()
        household.save()
        return household


def _households(team):
    with scopes_disabled():
        return Household.objects.filter(campaign=team.campaign)


FORM = {
    "external_id": "",
    "district": "Eastern",
    "street": "Java Road",
    "house_number": "12",
    "building": "",
    "floor": "",
    "unit": "",
    "postcode": "",
    "latitude": "",
    "longitude": "",
    "notes": "",
}


# The list --------------------------------------------------------------------------------------------


def test_list_search_and_filters(client, team_a):
    area = current_area(team_a.campaign)
    turf = make_turf(area, "Java turf")
    _household(team_a, street="Java Road", house_number="12", turf=turf, area=area)
    _household(team_a, street="King's Road", house_number="88", building="Harbour Heights", status="do_not_contact")
    _household(team_a, street="Marble Road", house_number="3", needs_review=True, source="door")
    client.force_login(team_a.coordinator.user)
    url = _url(team_a, "households")

    def listed(**params):
        body = client.get(url, params).content.decode()
        return {name for name in ("Java Road", "King&#x27;s Road", "Marble Road") if name in body}

    assert listed() == {"Java Road", "King&#x27;s Road", "Marble Road"}
    assert listed(q="harbour 88") == {"King&#x27;s Road"}
    assert listed(q="java 13") == set()  # every word must match
    assert listed(turf=str(turf.code)) == {"Java Road"}
    assert listed(area=str(area.code)) == {"Java Road"}
    assert listed(status="do_not_contact") == {"King&#x27;s Road"}
    assert listed(review="yes") == {"Marble Road"}
    assert listed(review="no") == {"Java Road", "King&#x27;s Road"}
    body = client.get(url).content.decode()
    assert "3 households" in body and "Do not contact" in body


def test_list_is_for_coordinators(client, team_a):
    client.force_login(team_a.volunteer.user)
    assert client.get(_url(team_a, "households")).status_code == 403


def _with_residents(team, area, turf, count, seed):
    made = make_households(area, count, turf=turf, seed=seed)
    with scopes_disabled():
        for household in made[:3]:
            person = Person.objects.create(campaign=team.campaign, given_name="Ann")
            Resident.objects.create(campaign=team.campaign, household=household, person=person, name_key="ann")


def test_list_runs_the_same_number_of_queries_at_two_sizes(client, team_a, django_assert_max_num_queries):
    area = current_area(team_a.campaign)
    turf = make_turf(area, "T1")
    _with_residents(team_a, area, turf, 5, seed=1)
    client.force_login(team_a.coordinator.user)
    url = _url(team_a, "households")
    with django_assert_max_num_queries(20) as small:
        assert client.get(url, {"q": "road"}).status_code == 200
    _with_residents(team_a, area, turf, 120, seed=2)  # more than two pages
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url, {"q": "road"}).status_code == 200
    assert "125 households" in client.get(url).content.decode()


# Hand edits -----------------------------------------------------------------------------------------


def test_coordinator_adds_and_edits_a_household(client, team_a):
    client.force_login(team_a.coordinator.user)
    response = client.post(_url(team_a, "household_new"), {**FORM, "latitude": "22.29", "longitude": "114.2"})
    assert response.status_code == 302
    household = _households(team_a).get()
    assert (household.source, household.needs_review, household.house_number_value, household.parity) == (
        "manual",
        False,
        12,
        0,
    )
    response = client.post(_url(team_a, "household_edit", household.code), {**FORM, "house_number": "13B"})
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.house_number, household.house_number_value, household.parity) == ("13B", 13, 1)
    assert household.latitude is None
    with scopes_disabled():
        actions = list(AuditEvent.objects.filter(campaign=team_a.campaign).values_list("action", flat=True))
    assert "canvassing.household.created" in actions and "canvassing.household.updated" in actions


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"street": "", "building": ""}, "A street or a building is needed."),
        ({"latitude": "22.3"}, "Give both latitude and longitude, or neither."),
        ({"latitude": "222", "longitude": "114"}, "less than or equal to 90"),
        ({"district": "", "street": "JAVA  road.", "house_number": "１２"}, "already has a household at this address"),
        ({"house_number": "x" * 21}, "at most 20 characters"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(client, team_a, change, message):
    existing = _household(team_a, street="Java Road", house_number="12")
    client.force_login(team_a.coordinator.user)
    before = table_checksums()
    response = client.post(_url(team_a, "household_new"), {**FORM, "house_number": "14", **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert table_checksums() == before
    # the same for an edit of another household
    other = _household(team_a, street="Java Road", house_number="14")
    before = table_checksums()
    response = client.post(_url(team_a, "household_edit", other.code), {**FORM, "house_number": "14", **change})
    assert response.status_code == 200 and message in response.content.decode()
    assert table_checksums() == before
    existing.refresh_from_db()
    assert existing.house_number == "12"


def test_duplicate_external_id_is_refused(client, team_a):
    _household(team_a, street="Java Road", house_number="1", external_id="E1")
    client.force_login(team_a.coordinator.user)
    response = client.post(_url(team_a, "household_new"), {**FORM, "external_id": "E1"})
    assert "Another household has this external id." in response.content.decode()
    assert _households(team_a).count() == 1


@pytest.mark.parametrize("status", ["do_not_contact", "moved", "active"])
def test_status_change(client, team_a, status):
    household = _household(
        team_a, street="Java Road", house_number="1", status="moved" if status == "active" else "active"
    )
    client.force_login(team_a.coordinator.user)
    response = client.post(_url(team_a, "household_status", household.code), {"status": status}, follow=True)
    household.refresh_from_db()
    assert household.status == status
    assert household.in_walk_lists == (status == "active")
    assert "Status changed" in response.content.decode()


def test_unknown_status_changes_nothing(client, team_a):
    household = _household(team_a, street="Java Road", house_number="1")
    client.force_login(team_a.coordinator.user)
    response = client.post(_url(team_a, "household_status", household.code), {"status": "gone"}, follow=True)
    assert "Choose a valid status." in response.content.decode()
    household.refresh_from_db()
    assert household.status == "active"


def test_coordinator_adds_a_resident(client, team_a):
    household = _household(team_a, street="Java Road", house_number="1")
    client.force_login(team_a.coordinator.user)
    url = _url(team_a, "household_resident_add", household.code)
    client.post(url, {"name": "陈大文", "age_band": "65+", "phone": "+852 9123 4567"})
    response = client.post(url, {"name": " 陈大文 "}, follow=True)
    assert "already has a resident with this name" in response.content.decode()
    with scopes_disabled():
        resident = Resident.objects.select_related("person").get(household=household)
    assert resident.person.full_name == "陈大文" and resident.age_band == "65+"
    assert str(resident.person.phone) == "+85291234567"


# The door form --------------------------------------------------------------------------------------


def test_volunteer_adds_a_door_household_in_their_turf(client, team_a):
    area = current_area(team_a.campaign)
    mine = make_turf(area, "Mine")
    assign(mine, team_a.volunteer)
    client.force_login(team_a.volunteer.user)
    page = client.get(_url(team_a, "household_door")).content.decode()
    assert "Mine" in page
    response = client.post(
        _url(team_a, "household_door"),
        {"turf": str(mine.code), "street": "Java Road", "house_number": "7", "resident_name": "Ada Lovelace"},
    )
    household = _households(team_a).get()
    assert response.status_code == 302 and response.url.endswith(f"/{household.code}/")
    assert (household.source, household.needs_review, household.turf_id, household.area_id) == (
        "door",
        True,
        mine.pk,
        area.pk,
    )
    assert household.added_by == team_a.volunteer.user
    with scopes_disabled():
        assert household.residents.get().person.full_name == "Ada Lovelace"
    # the volunteer may now read it (it is in their turf), but not change it
    assert client.get(_url(team_a, "household_detail", household.code)).status_code == 200
    assert client.get(_url(team_a, "household_edit", household.code)).status_code == 403


def test_door_form_refuses_a_turf_not_assigned(client, team_a):
    area = current_area(team_a.campaign)
    mine = make_turf(area, "Mine")
    assign(mine, team_a.volunteer)
    theirs = make_turf(area, "Someone else's")
    client.force_login(team_a.volunteer.user)
    assert "Someone else" not in client.get(_url(team_a, "household_door")).content.decode()
    before = table_checksums()
    response = client.post(
        _url(team_a, "household_door"), {"turf": str(theirs.code), "street": "Java Road", "house_number": "7"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert table_checksums() == before


def test_door_household_without_a_turf_and_with_a_missing_street(client, team_a):
    client.force_login(team_a.volunteer.user)
    response = client.post(_url(team_a, "household_door"), {"house_number": "7"})
    assert "A street or a building is needed." in response.content.decode()
    assert not _households(team_a).exists()
    response = client.post(_url(team_a, "household_door"), {"building": "Harbour Heights", "floor": "3", "unit": "B"})
    assert response.status_code == 302
    household = _households(team_a).get()
    assert household.needs_review and household.turf_id is None


# The review queue ----------------------------------------------------------------------------------


def _door(team, **fields):
    return _household(team, source="door", needs_review=True, added_by=team.volunteer.user, **fields)


def test_review_queue_accept(client, team_a):
    door = _door(team_a, street="Java Road", house_number="7")
    _household(team_a, street="Java Road", house_number="9")
    client.force_login(team_a.coordinator.user)
    page = client.get(_url(team_a, "household_review")).content.decode()
    assert "7 Java Road" in page and "9 Java Road" not in page
    client.post(_url(team_a, "household_accept", door.code))
    door.refresh_from_db()
    assert not door.needs_review
    assert "Nothing to review." in client.get(_url(team_a, "household_review")).content.decode()


def test_review_queue_merge_keeps_visits_and_residents(client, team_a):
    listed = _household(team_a, street="Java Road", house_number="7", notes="Dog")
    door = _door(team_a, street="Java Road", house_number="7", unit="Shop", notes="Shop at the front")
    with scopes_disabled():
        for household, names in ((listed, ["Ann"]), (door, ["Ann", "Bo"])):
            for name in names:
                person = Person.objects.create(campaign=team_a.campaign, given_name=name)
                Resident.objects.create(
                    campaign=team_a.campaign, household=household, person=person, name_key=name.lower()
                )
        for household in (listed, door):
            Visit.objects.create(
                campaign=team_a.campaign, household=household, outcome="contacted", visited_at=timezone.now()
            )
    client.force_login(team_a.coordinator.user)
    page = client.get(_url(team_a, "household_merge", door.code)).content.decode()
    assert str(listed.code) in page
    response = client.post(_url(team_a, "household_merge", door.code), {"into": str(listed.code)})
    assert response.status_code == 302
    with scopes_disabled():
        assert not Household.objects.filter(pk=door.pk).exists()
        assert Visit.objects.filter(household=listed).count() == 2
        assert sorted(Resident.objects.filter(household=listed).values_list("name_key", flat=True)) == ["ann", "bo"]
    listed.refresh_from_db()
    assert "Shop at the front" in listed.notes and "Dog" in listed.notes


def test_merge_into_another_campaigns_household_is_404(client, team_a, team_b):
    door = _door(team_a, street="Java Road", house_number="7")
    foreign = _household(team_b, street="Java Road", house_number="7")
    client.force_login(team_a.coordinator.user)
    before = table_checksums()
    response = client.post(_url(team_a, "household_merge", door.code), {"into": str(foreign.code)})
    assert response.status_code == 404
    assert table_checksums() == before


def test_review_queue_delete(client, team_a):
    door = _door(team_a, street="Java Road", house_number="7")
    visited = _door(team_a, street="Java Road", house_number="9")
    with scopes_disabled():
        Visit.objects.create(
            campaign=team_a.campaign, household=visited, outcome="contacted", visited_at=timezone.now()
        )
    client.force_login(team_a.coordinator.user)
    client.post(_url(team_a, "household_delete", door.code))
    assert not _households(team_a).filter(pk=door.pk).exists()
    # one with visits must be merged, not deleted: the visits are the campaign's record
    response = client.post(_url(team_a, "household_delete", visited.code), follow=True)
    assert "merge it into another household" in response.content.decode()
    assert _households(team_a).filter(pk=visited.pk).exists()
