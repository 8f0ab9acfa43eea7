"""Cutting an area into turfs in the database, re-cutting, and the coordinator's edits."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaign.models import AuditEvent
from canvassing import services_turfs as services
from canvassing.cutting import tolerance
from canvassing.models import Household, MapVersion, Turf, Visit
from canvassing.selectors_turfs import walk_list, walk_rows
from inventory.models import Item, Variant
from tests.canvassing.turfs_helpers import assign, current_area, make_households, make_turf

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(in_scope_a):
    return current_area(in_scope_a.campaign)


def turf_sizes(area):
    return list(
        Turf.objects.filter(area=area).annotate(n=Count("households")).order_by("name").values_list("n", flat=True)
    )


def test_cut_puts_every_active_household_in_exactly_one_turf_within_the_bound(area, team_a):
    make_households(area, 415, located=None)
    dnc = make_households(area, 5, seed=9, status=Household.Status.DO_NOT_CONTACT)
    result = services.turfs_cut(area=area, target_doors=40, acting_user=team_a.coordinator.user)
    assert len(result.turfs) == 10 and result.households == 415
    active = Household.objects.filter(area=area, status=Household.Status.ACTIVE)
    assert not active.filter(turf=None).exists()
    low, high = tolerance(40)
    assert all(low <= n <= high for n in turf_sizes(area))
    assert Household.objects.filter(pk__in=[h.pk for h in dnc], turf__isnull=False).count() == 0
    names = sorted(t.name for t in result.turfs)
    assert names[0] == "K01-001" and names[-1] == "K01-010"
    event = AuditEvent.objects.get(action="canvassing.turf.cut")
    assert event.data["turfs"] == 10 and event.object_code == str(area.code)


def test_cut_by_number_of_turfs(area, team_a):
    make_households(area, 100, located=False)
    result = services.turfs_cut(area=area, turf_count=4, acting_user=team_a.coordinator.user)
    assert sorted(turf_sizes(area)) == [25, 25, 25, 25] or all(22 <= n <= 28 for n in turf_sizes(area))
    assert len(result.turfs) == 4


def test_fewer_doors_than_the_target_make_one_turf(area, team_a):
    make_households(area, 12)
    result = services.turfs_cut(area=area, target_doors=40, acting_user=team_a.coordinator.user)
    assert turf_sizes(area) == [12] and len(result.turfs) == 1


def test_recut_keeps_locked_assigned_and_visited_turfs_and_replaces_the_rest(area, team_a):
    make_households(area, 200)
    first = services.turfs_cut(area=area, target_doors=40, acting_user=team_a.coordinator.user)
    locked, assigned, visited, *others = sorted(first.turfs, key=lambda t: t.name)
    services.turf_lock(turf=locked, locked=True, acting_user=None)
    assign(assigned, team_a.volunteer)
    household = visited.households.first()
    Visit.objects.create(
        campaign=area.campaign, household=household, turf=visited, outcome="contacted", visited_at=household.created_at
    )
    kept_members = {t.pk: set(t.households.values_list("pk", flat=True)) for t in (locked, assigned, visited)}
    second = services.turfs_cut(area=area, target_doors=20, acting_user=team_a.coordinator.user)
    assert (
        second.kept == 3
        and second.replaced == len(others)
        and second.households == 200 - sum(len(v) for v in kept_members.values())
    )
    for turf in (locked, assigned, visited):
        assert set(Turf.objects.get(pk=turf.pk).households.values_list("pk", flat=True)) == kept_members[turf.pk]
    assert not Turf.objects.filter(pk__in=[t.pk for t in others]).exists()
    assert not Household.objects.filter(area=area, turf=None).exists()
    new_names = {t.name for t in second.turfs}
    assert not new_names & {locked.name, assigned.name, visited.name}


def test_cut_refuses_bad_input_and_changes_nothing(area, team_a):
    make_households(area, 30)
    with pytest.raises(ValidationError):
        services.turfs_cut(area=area, target_doors=40, turf_count=2, acting_user=None)
    with pytest.raises(ValidationError) as info:
        services.turfs_cut(area=area, target_doors=0, acting_user=None)
    assert "target_doors" in info.value.message_dict
    MapVersion.objects.filter(pk=area.version_id).update(status=MapVersion.Status.SUPERSEDED)
    area.refresh_from_db()
    with pytest.raises(ValidationError) as info:
        services.turfs_cut(area=area, target_doors=10, acting_user=None)
    assert "area" in info.value.message_dict
    assert not Turf.objects.exists()


def test_cut_an_empty_area_makes_no_turfs(area):
    assert services.turfs_cut(area=area, target_doors=40, acting_user=None).turfs == []


def test_move_households_between_turfs_of_the_area(area, team_a):
    a, b = make_turf(area, "A", households=6), make_turf(area, "B", households=4)
    moving = list(a.households.all()[:2])
    assert services.turf_households_move(households=moving, to_turf=b, acting_user=None) == 2
    assert b.households.count() == 6 and a.households.count() == 4
    other_area = current_area(area.campaign, key="K02")
    far = make_turf(other_area, "Far", households=1)
    with pytest.raises(ValidationError, match="own area"):
        services.turf_households_move(households=list(a.households.all()[:1]), to_turf=far, acting_user=None)


def test_a_locked_turf_refuses_moves_merges_and_splits(area):
    a, b = make_turf(area, "A", households=6), make_turf(area, "B", households=4)
    services.turf_lock(turf=a, locked=True, acting_user=None)
    a.refresh_from_db()
    with pytest.raises(ValidationError, match="Turf A is locked"):
        services.turf_households_move(households=list(a.households.all()[:1]), to_turf=b, acting_user=None)
    with pytest.raises(ValidationError, match="Turf A is locked"):
        services.turf_households_move(households=list(b.households.all()[:1]), to_turf=a, acting_user=None)
    with pytest.raises(ValidationError, match="locked"):
        services.turfs_merge(turf=b, into=a, acting_user=None)
    with pytest.raises(ValidationError, match="locked"):
        services.turf_split(turf=a, acting_user=None)
    assert a.households.count() == 6 and b.households.count() == 4


def test_merge_moves_households_and_visits_and_removes_the_turf(area, team_a):
    a, b = make_turf(area, "A", households=5), make_turf(area, "B", households=3)
    h = b.households.first()
    Visit.objects.create(campaign=area.campaign, household=h, turf=b, outcome="not_home", visited_at=h.created_at)
    services.turfs_merge(turf=b, into=a, acting_user=team_a.coordinator.user)
    assert a.households.count() == 8
    assert not Turf.objects.filter(pk=b.pk).exists()
    assert Visit.objects.get().turf_id == a.pk


def test_merge_refuses_an_assigned_turf(area, team_a):
    a, b = make_turf(area, "A", households=2), make_turf(area, "B", households=2)
    assign(b, team_a.volunteer)
    with pytest.raises(ValidationError, match="assigned"):
        services.turfs_merge(turf=b, into=a, acting_user=None)


def test_split_by_walk_order_halves(area):
    a = make_turf(area, "A", households=9)
    order = list(walk_list(a).values_list("pk", flat=True))
    new = services.turf_split(turf=a, acting_user=None)
    assert list(walk_list(a).values_list("pk", flat=True)) == order[:4]
    assert list(walk_list(new).values_list("pk", flat=True)) == order[4:]
    assert new.name == "A (part 2)" and new.area_id == area.pk


def test_rename_mode_and_complete(area, team_a):
    turf = make_turf(area, "A", households=2)
    services.turf_rename(turf=turf, name="  Temple North ", acting_user=None)
    turf.refresh_from_db()
    assert turf.name == "Temple North"
    with pytest.raises(ValidationError):
        services.turf_rename(turf=turf, name="  ", acting_user=None)
    item = Item.objects.create(campaign=area.campaign, kind=Item.Kind.LEAFLET, name="Manifesto")
    edition = Variant.objects.create(campaign=area.campaign, item=item, edition="May")
    shirt = Variant.objects.create(
        campaign=area.campaign, item=Item.objects.create(campaign=area.campaign, kind="tshirt", name="Tee"), size="M"
    )
    with pytest.raises(ValidationError) as info:
        services.turf_mode_set(turf=turf, mode=Turf.Mode.LEAFLET, acting_user=None)
    assert "leaflet_variant" in info.value.message_dict
    with pytest.raises(ValidationError):
        services.turf_mode_set(turf=turf, mode=Turf.Mode.LEAFLET, leaflet_variant=shirt, acting_user=None)
    services.turf_mode_set(turf=turf, mode=Turf.Mode.LEAFLET, leaflet_variant=edition, acting_user=None)
    turf.refresh_from_db()
    assert turf.mode == "leaflet" and turf.leaflet_variant == edition
    services.turf_mode_set(turf=turf, mode=Turf.Mode.CANVASS, leaflet_variant=edition, acting_user=None)
    turf.refresh_from_db()
    assert turf.leaflet_variant is None
    services.turf_complete(turf=turf, completed=True, acting_user=team_a.coordinator.user)
    turf.refresh_from_db()
    assert turf.completed_at is not None
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"canvassing.turf.renamed", "canvassing.turf.mode_changed", "canvassing.turf.completed"} <= actions


def test_walk_list_drops_do_not_contact_and_moved(area):
    turf = make_turf(area, "A", households=5)
    first, second, *_rest = walk_rows(turf)
    Household.objects.filter(pk=first.pk).update(status=Household.Status.DO_NOT_CONTACT)
    Household.objects.filter(pk=second.pk).update(status=Household.Status.MOVED)
    rows = walk_rows(turf)
    assert len(rows) == 3 and {first.pk, second.pk}.isdisjoint(r.pk for r in rows)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    doors=st.lists(
        st.tuples(
            st.sampled_from(["Nathan Road", "Argyle Street", "Canton Road"]),
            st.one_of(st.integers(1, 120).map(str), st.sampled_from(["", "12A", "7B", "No. 9"])),
            st.sampled_from(["", "Block A", "Block B"]),
            st.sampled_from(["", "1", "2"]),
            st.sampled_from(["", "3", "10"]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_walk_order_keeps_sides_apart_and_numbers_ascending(area, doors):
    from canvassing.models import address_derived

    turf = Turf.objects.create(campaign=area.campaign, area=area, name="W")
    try:
        rows = []
        for n, (street, number, building, unit, floor) in enumerate(doors):
            key, value, parity = address_derived(
                street=street, house_number=number, building=building, unit=unit, floor=floor
            )
            rows.append(
                Household(
                    campaign=area.campaign,
                    area=area,
                    turf=turf,
                    address_key=f"{key}#{n}",
                    street=street,
                    house_number=number,
                    house_number_value=value,
                    parity=parity,
                    building=building,
                    unit=unit,
                    floor=floor,
                )
            )
        Household.objects.bulk_create(rows)
        listed = list(walk_list(turf).values_list("street", "parity", "house_number_value"))
        assert len(listed) == len(doors)
        # Each street's doors come together; within it, one side, then the other, never interleaved.
        streets_seen = [s for i, (s, _p, _v) in enumerate(listed) if i == 0 or listed[i - 1][0] != s]
        assert len(streets_seen) == len(set(streets_seen))
        for street in set(streets_seen):
            sides = [(p, v) for s, p, v in listed if s == street]
            parities = [p for p, _v in sides]
            changes = sum(1 for a, b in itertools.pairwise(parities) if a != b)
            assert changes <= 2  # even side, odd side, then doors without a number
            for parity in (0, 1):
                numbers = [v for p, v in sides if p == parity]
                assert numbers == sorted(numbers)
                assert all(v % 2 == parity for v in numbers)
    finally:
        Household.objects.filter(turf=turf).delete()
        turf.delete()


def test_assigning_turfs_in_bulk_records_the_turf_each_door_left(area):
    """The cut's one UPDATE also keeps each door's earlier turf (for visits logged offline before it), and a
    door that had no turf keeps the record of the last turf it did leave."""
    import datetime as dt

    from django.utils import timezone

    households = make_households(area, 3)
    old, new = (Turf.objects.create(campaign=area.campaign, area=area, name=name) for name in ("Old", "New"))
    earlier = timezone.now() - dt.timedelta(hours=2)
    moving, orphan, staying = households[:3]
    Household.objects.filter(pk=moving.pk).update(turf=old)
    Household.objects.filter(pk=orphan.pk).update(turf=None, previous_turf=old, turf_changed_at=earlier)
    Household.objects.filter(pk=staying.pk).update(turf=new)
    before = timezone.now()
    services.households_assign_turfs([(moving.pk, new.pk), (orphan.pk, new.pk), (staying.pk, new.pk)])
    rows = {h.pk: h for h in Household.objects.filter(pk__in=[moving.pk, orphan.pk, staying.pk])}
    assert all(h.turf_id == new.pk for h in rows.values())
    assert rows[moving.pk].previous_turf_id == old.pk and rows[moving.pk].turf_changed_at >= before
    assert (rows[orphan.pk].previous_turf_id, rows[orphan.pk].turf_changed_at) == (old.pk, earlier)
    assert (rows[staying.pk].previous_turf_id, rows[staying.pk].turf_changed_at) == (None, None)


def test_recut_forgets_the_replaced_turfs_and_keeps_the_others_doors_left(area, team_a):
    """A replaced turf is deleted, and the record of a door having left it goes with it (on PostgreSQL the cut's
    one UPDATE writes that straight away rather than the deletion writing every door a second time). A door
    that left a turf the re-cut keeps still remembers it."""
    import datetime as dt

    from django.utils import timezone

    make_households(area, 120)
    first = services.turfs_cut(area=area, target_doors=40, acting_user=None)
    kept, replaced, other = sorted(first.turfs, key=lambda t: t.name)
    services.turf_lock(turf=kept, locked=True, acting_user=None)
    was_in_turf = replaced.households.first()
    left_kept, left_replaced = other.households.all()[:2]
    earlier = timezone.now() - dt.timedelta(hours=2)
    Household.objects.filter(pk=left_kept.pk).update(turf=None, previous_turf=kept, turf_changed_at=earlier)
    Household.objects.filter(pk=left_replaced.pk).update(turf=None, previous_turf=replaced, turf_changed_at=earlier)
    before = timezone.now()

    second = services.turfs_cut(area=area, target_doors=20, acting_user=None)

    assert second.kept == 1 and second.replaced == 2
    rows = {h.pk: h for h in Household.objects.filter(pk__in=[was_in_turf.pk, left_kept.pk, left_replaced.pk])}
    assert all(h.turf_id in {t.pk for t in second.turfs} for h in rows.values())
    assert rows[was_in_turf.pk].previous_turf_id is None and rows[was_in_turf.pk].turf_changed_at >= before
    assert (rows[left_kept.pk].previous_turf_id, rows[left_kept.pk].turf_changed_at) == (kept.pk, earlier)
    assert (rows[left_replaced.pk].previous_turf_id, rows[left_replaced.pk].turf_changed_at) == (None, earlier)
    assert not Household.objects.filter(area=area, previous_turf__isnull=False).exclude(previous_turf=kept).exists()


def test_cut_turfs_are_stored_as_made(area):
    """The cut saves its turfs in one statement on PostgreSQL: each row holds what the model made."""
    make_households(area, 90)
    result = services.turfs_cut(area=area, target_doors=30, acting_user=None)
    fields = [f.attname for f in Turf._meta.concrete_fields]
    stored = {t.pk: t for t in Turf.objects.filter(area=area)}
    assert len(stored) == len(result.turfs) == 3
    for turf in result.turfs:
        assert [getattr(stored[turf.pk], name) for name in fields] == [getattr(turf, name) for name in fields]
        assert (turf.mode, turf.locked, turf.leaflet_variant_id, turf.completed_at) == (
            Turf.Mode.CANVASS,
            False,
            None,
            None,
        )
