"""Recording visits: who may log which door, what is checked, idempotent codes, household state, flags,
leaflets drawn from the bag once, and a floor nobody answered."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scope

from canvassing.models import Household, Turf, Visit
from canvassing.services_visits import VisitInput, visit_record, visits_not_home_floor, visits_record_batch
from tests.canvassing.visits_helpers import assign, questions, turf_with_doors


def started_last_week(team):
    """Campaigns in tests are made this instant; visits from earlier need an older campaign."""
    from campaign.models import Campaign

    Campaign.objects.filter(pk=team.campaign.pk).update(created_at=timezone.now() - dt.timedelta(days=7))
    team.campaign.refresh_from_db()
    for membership in (team.owner, team.coordinator, team.volunteer):
        membership.campaign = team.campaign


@pytest.fixture
def walk(team_a):
    started_last_week(team_a)
    turf, doors = turf_with_doors(team_a.campaign, 6)
    assign(turf, team_a.volunteer)
    with scope(campaign=team_a.campaign.pk):
        yield team_a, turf, doors


def record(team, household, **kwargs):
    values = {
        "household": household,
        "canvasser": team.volunteer,
        "outcome": "contacted",
        "visited_at": timezone.now(),
        "code": uuid.uuid4(),
        "acting_user": team.volunteer.user,
    }
    values.update(kwargs)
    return visit_record(**values)


def test_visit_updates_household_and_same_code_is_a_no_op(walk):
    team, turf, doors = walk
    code = uuid.uuid4()
    visit, created = record(team, doors[0], code=code, support_level=4, note="Friendly")
    assert created and visit.turf == turf and visit.assignment is not None
    doors[0].refresh_from_db()
    assert (doors[0].last_outcome, doors[0].last_support) == ("contacted", 4)
    again, created_again = record(team, doors[0], code=code, outcome="refused", support_level=None)
    assert not created_again and again.pk == visit.pk and again.outcome == "contacted"
    assert Visit.objects.filter(code=code).count() == 1
    doors[0].refresh_from_db()
    assert doors[0].last_outcome == "contacted"


def test_volunteer_cannot_log_outside_their_assignments(walk):
    team, _turf, _doors = walk
    _other_turf, other_doors = turf_with_doors(team.campaign, 2, name="Not mine")
    with pytest.raises(PermissionDenied):
        record(team, other_doors[0])
    assert not Visit.objects.filter(household=other_doors[0]).exists()
    # A coordinator may log anywhere.
    _visit, created = record(team, other_doors[0], canvasser=team.coordinator, acting_user=team.coordinator.user)
    assert created


def test_withdrawn_assignment_closes_the_doors(walk):
    team, turf, doors = walk
    turf.assignments.update(status="withdrawn")
    with pytest.raises(PermissionDenied):
        record(team, doors[0])


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"outcome": "waved"}, "outcome"),
        ({"outcome": "not_home", "support_level": 3}, "support_level"),
        ({"support_level": 6}, "support_level"),
        ({"leaflets_left": 51}, "leaflets_left"),
        ({"visited_at": timezone.now() + dt.timedelta(hours=1)}, "visited_at"),
        ({"visited_at": timezone.now() - dt.timedelta(days=40)}, "visited_at"),
        ({"visited_at": timezone.now() - dt.timedelta(days=8)}, "visited_at"),  # before the campaign began
        ({"note": "x" * 2001}, "note"),
        ({"latitude": 95.0, "longitude": 114.0}, "latitude"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(walk, kwargs, field):
    team, _turf, doors = walk
    with pytest.raises(ValidationError) as caught:
        record(team, doors[0], **kwargs)
    assert field in caught.value.message_dict
    assert not Visit.objects.exists()
    doors[0].refresh_from_db()
    assert doors[0].last_outcome == ""


def test_answers_are_checked_per_question_kind(walk):
    team, _turf, doors = walk
    q = questions(team.campaign)
    good = {str(q["vote"].code): "yes", str(q["transport"].code): "4", str(q["issue"].code): "housing"}
    visit, _created = record(team, doors[0], answers={**good, str(q["comment"].code): "  Buses! "})
    assert visit.answers == {
        str(q["vote"].code): True,
        str(q["transport"].code): 4,
        str(q["issue"].code): "housing",
        str(q["comment"].code): "Buses!",
    }
    for bad in (
        {str(q["vote"].code): "maybe"},
        {str(q["transport"].code): "7"},
        {str(q["issue"].code): "crime"},
        {str(uuid.uuid4()): "yes"},
    ):
        with pytest.raises(ValidationError) as caught:
            record(team, doors[1], answers=bad)
        assert "answers" in caught.value.message_dict
    with pytest.raises(ValidationError):  # answers only when someone was contacted
        record(team, doors[1], outcome="not_home", answers=good)
    q["vote"].active = False
    q["vote"].save()
    with pytest.raises(ValidationError):  # a switched-off question is not asked any more
        record(team, doors[1], answers={str(q["vote"].code): "yes"})


def test_do_not_contact_and_moved_leave_the_walk_list(walk):
    team, _turf, doors = walk
    record(team, doors[0], outcome="do_not_contact")
    record(team, doors[1], outcome="moved")
    doors[0].refresh_from_db()
    doors[1].refresh_from_db()
    assert doors[0].status == Household.Status.DO_NOT_CONTACT
    assert doors[1].status == Household.Status.MOVED
    assert not doors[0].in_walk_lists and not doors[1].in_walk_lists


def test_an_older_visit_synced_late_does_not_overwrite_the_latest(walk):
    team, _turf, doors = walk
    now = timezone.now()
    record(team, doors[0], outcome="contacted", support_level=5, visited_at=now)
    record(team, doors[0], outcome="not_home", visited_at=now - dt.timedelta(hours=2))
    doors[0].refresh_from_db()
    assert (doors[0].last_outcome, doors[0].last_support, doors[0].last_visited_at) == ("contacted", 5, now)


def test_too_fast_and_far_away_are_flagged(walk):
    team, _turf, doors = walk
    now = timezone.now()
    first, _ = record(team, doors[0], visited_at=now - dt.timedelta(minutes=5))
    fast, _ = record(team, doors[1], visited_at=now - dt.timedelta(minutes=5) + dt.timedelta(seconds=10))
    slow, _ = record(team, doors[2], visited_at=now)
    assert first.flags == [] and not first.needs_review
    assert fast.flags == ["too_fast"] and fast.needs_review
    assert slow.flags == []
    # ~1.1 km north of the door: far away; ~10 m: fine.
    far, _ = record(team, doors[3], latitude=doors[3].latitude + 0.01, longitude=doors[3].longitude)
    near, _ = record(
        team,
        doors[4],
        latitude=doors[4].latitude + 0.0001,
        longitude=doors[4].longitude,
        visited_at=now + dt.timedelta(minutes=2),
    )
    assert "far_away" in far.flags and "far_away" not in near.flags


def test_a_batch_records_each_item_on_its_own(walk):
    team, _turf, doors = walk
    _other_turf, other_doors = turf_with_doors(team.campaign, 1, name="Elsewhere")
    now = timezone.now()
    items = [
        VisitInput(
            code=uuid.uuid4(), household=doors[0].code, outcome="not_home", visited_at=now - dt.timedelta(minutes=3)
        ),
        VisitInput(code=uuid.uuid4(), household=doors[1].code, outcome="bogus", visited_at=now),
        VisitInput(code=uuid.uuid4(), household=other_doors[0].code, outcome="not_home", visited_at=now),
        VisitInput(code=uuid.uuid4(), household=doors[2].code, outcome="contacted", support_level=2, visited_at=now),
    ]
    results = visits_record_batch(canvasser=team.volunteer, items=items, acting_user=team.volunteer.user)
    assert [r.created for r in results] == [True, False, False, True]
    assert "outcome" in results[1].errors and results[2].forbidden
    assert Visit.objects.count() == 2
    again = visits_record_batch(canvasser=team.volunteer, items=items, acting_user=team.volunteer.user)
    assert [r.created for r in again] == [False, False, False, False]
    assert again[0].visit.pk == results[0].visit.pk
    assert Visit.objects.count() == 2


def test_a_code_reused_for_another_door_is_refused_without_showing_it(walk):
    team, _turf, doors = walk
    code = uuid.uuid4()
    record(team, doors[0], code=code)
    with pytest.raises(ValidationError) as caught:
        record(team, doors[1], code=code)
    assert "code" in caught.value.message_dict


def test_a_visit_refused_for_its_taken_code_changes_nothing_on_its_door(walk):
    team, _turf, doors = walk
    now = timezone.now()
    taken = uuid.uuid4()
    record(team, doors[1], code=taken, visited_at=now - dt.timedelta(hours=1))
    items = [
        VisitInput(code=taken, household=doors[0].code, outcome="do_not_contact", visited_at=now),
        VisitInput(code=uuid.uuid4(), household=doors[2].code, outcome="not_home", visited_at=now),
    ]
    refused, stored = visits_record_batch(canvasser=team.volunteer, items=items, acting_user=team.volunteer.user)
    assert "code" in refused.errors and stored.created
    doors[0].refresh_from_db()
    doors[2].refresh_from_db()
    assert (doors[0].last_outcome, doors[0].status, doors[0].last_visited_at) == ("", Household.Status.ACTIVE, None)
    assert (doors[2].last_outcome, doors[2].last_visited_at) == ("not_home", now)


def test_a_half_retried_batch_updates_doors_only_by_its_new_visits(walk):
    team, _turf, doors = walk
    now = timezone.now()
    first = VisitInput(code=uuid.uuid4(), household=doors[0].code, outcome="contacted", visited_at=now)
    visits_record_batch(canvasser=team.volunteer, items=[first], acting_user=team.volunteer.user)
    retry = [
        first,
        VisitInput(
            code=uuid.uuid4(), household=doors[0].code, outcome="refused", visited_at=now - dt.timedelta(hours=1)
        ),
        VisitInput(code=uuid.uuid4(), household=doors[1].code, outcome="moved", visited_at=now),
    ]
    results = visits_record_batch(canvasser=team.volunteer, items=retry, acting_user=team.volunteer.user)
    assert [r.created for r in results] == [False, True, True]
    doors[0].refresh_from_db()
    doors[1].refresh_from_db()
    assert (doors[0].last_outcome, doors[0].last_visited_at) == ("contacted", now)
    assert (doors[1].last_outcome, doors[1].status) == ("moved", Household.Status.MOVED)


def test_notes_answers_and_times_are_stored_exactly_as_sent(walk):
    team, _turf, doors = walk
    q = questions(team.campaign)
    note = 'Said "come back" at 5 \\ it\'s 6楼 🙂\nsecond line'
    comment = 'Bus 2A \\ "late" 交通'
    when = (timezone.now() - dt.timedelta(minutes=3)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    when = when.replace(microsecond=123456)
    visit, _created = record(team, doors[0], note=note, answers={str(q["comment"].code): comment}, visited_at=when)
    stored = Visit.objects.get(pk=visit.pk)
    assert (stored.note, stored.answers, stored.visited_at) == (note, {str(q["comment"].code): comment}, when)
    doors[0].refresh_from_db()
    assert doors[0].last_visited_at == when


def test_a_null_character_is_refused_not_stored(walk):
    team, _turf, doors = walk
    q = questions(team.campaign)
    with pytest.raises(ValidationError) as caught:
        record(team, doors[0], note="gate\x00code")
    assert "note" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        record(team, doors[0], answers={str(q["comment"].code): "a\x00b"})
    assert "answers" in caught.value.message_dict
    assert not Visit.objects.exists()


def test_floor_not_home_marks_every_door_of_the_floor_not_visited_today(walk):
    team, turf, doors = walk
    floor_three = [d for d in doors if d.floor == "3"]
    record(team, floor_three[0], outcome="contacted")
    visits = visits_not_home_floor(
        turf=turf, building="Block A", floor="3", canvasser=team.volunteer, acting_user=team.volunteer.user
    )
    assert {v.household_id for v in visits} == {d.pk for d in floor_three[1:]}
    assert all(v.outcome == "not_home" and v.flags == [] for v in visits)
    assert len({v.code for v in visits}) == len(visits)
    # Again: every door there was visited today, nothing more is recorded.
    assert (
        visits_not_home_floor(
            turf=turf, building="Block A", floor="3", canvasser=team.volunteer, acting_user=team.volunteer.user
        )
        == []
    )


def test_leaflet_run_tap_uses_the_runs_edition(team_a):
    from inventory.models import Item, Variant

    with scope(campaign=team_a.campaign.pk):
        item = Item.objects.create(campaign=team_a.campaign, kind="leaflet", name="Newsletter")
        edition = Variant.objects.create(campaign=team_a.campaign, item=item, label="May", edition="May")
        turf, doors = turf_with_doors(team_a.campaign, 2, mode=Turf.Mode.LEAFLET, leaflet_variant=edition)
        assign(turf, team_a.volunteer)
        visit, _ = record(team_a, doors[0], outcome="leaflet_left")
        assert (visit.leaflets_left, visit.leaflet_variant) == (1, edition)


def test_leaflets_are_drawn_from_the_bag_once_when_a_visit_arrives_twice(team_a):
    from inventory.models import Item, Movement, StockLevel, Variant
    from inventory.services import bag_for

    with scope(campaign=team_a.campaign.pk):
        item = Item.objects.create(campaign=team_a.campaign, kind="leaflet", name="Newsletter")
        edition = Variant.objects.create(campaign=team_a.campaign, item=item, label="May", edition="May")
        bag = bag_for(membership=team_a.volunteer)
        StockLevel.objects.create(campaign=team_a.campaign, variant=edition, location=bag, quantity=10)
        turf, doors = turf_with_doors(team_a.campaign, 2)
        assign(turf, team_a.volunteer)
        code = uuid.uuid4()
        for _attempt in range(2):
            record(team_a, doors[0], code=code, leaflets_left=2, leaflet_variant=edition)
        assert StockLevel.objects.get(variant=edition, location=bag).quantity == 8
        assert Movement.objects.filter(visit_code=code).count() == 1


def test_visits_made_before_the_turf_was_taken_back_still_sync(walk):
    """A phone offline in a dead spot: the coordinator withdraws the turf (or the canvasser marks it done on
    another device) before the queue is sent. What was knocked before that is kept; anything logged after
    is refused."""
    from canvassing.services_assignments import assignment_withdraw

    team, turf, doors = walk
    assignment_withdraw(assignment=turf.assignments.get(), acting_user=team.coordinator.user)
    assert turf.assignments.get().closed_at is not None
    # Walked an hour ago, taken back ten minutes ago.
    now = timezone.now()
    turf.assignments.update(created_at=now - dt.timedelta(hours=1), closed_at=now - dt.timedelta(minutes=10))
    before = now - dt.timedelta(minutes=30)
    items = [
        VisitInput(code=uuid.uuid4(), household=doors[0].code, outcome="not_home", visited_at=before),
        VisitInput(code=uuid.uuid4(), household=doors[1].code, outcome="not_home", visited_at=timezone.now()),
    ]
    kept, late = visits_record_batch(canvasser=team.volunteer, items=items, acting_user=team.volunteer.user)
    assert kept.created and kept.visit.assignment == turf.assignments.get() and kept.visit.turf_id == turf.pk
    assert late.forbidden and not late.created
    # A retry of the kept one is still "exists", not refused.
    (again,) = visits_record_batch(canvasser=team.volunteer, items=items[:1], acting_user=team.volunteer.user)
    assert again.visit.pk == kept.visit.pk and not again.created and again.errors is None


def test_a_door_re_cut_into_another_turf_after_the_visit_still_syncs_to_the_walked_turf(walk):
    from canvassing.services_turfs import turf_households_move

    team, turf, doors = walk
    other, _other_doors = turf_with_doors(team.campaign, 1, name="Re-cut neighbour")
    knocked_at = timezone.now() - dt.timedelta(seconds=30)
    # The re-cut, while the phone was offline.
    turf_households_move(households=doors[:1], to_turf=other, acting_user=team.coordinator.user)
    named = VisitInput(
        code=uuid.uuid4(), household=doors[0].code, outcome="contacted", visited_at=knocked_at, turf=turf.code
    )
    unnamed = VisitInput(code=uuid.uuid4(), household=doors[0].code, outcome="not_home", visited_at=knocked_at)
    stranger = VisitInput(
        code=uuid.uuid4(), household=doors[0].code, outcome="not_home", visited_at=knocked_at, turf=other.code
    )
    ok, refused, not_mine = visits_record_batch(
        canvasser=team.volunteer, items=[named, unnamed, stranger], acting_user=team.volunteer.user
    )
    assert ok.created and ok.visit.turf_id == turf.pk and ok.visit.assignment == turf.assignments.get()
    assert refused.forbidden and not_mine.forbidden  # no named walk, or a turf never theirs
    doors[0].refresh_from_db()
    assert doors[0].last_outcome == "contacted"
