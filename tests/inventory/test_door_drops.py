"""Leaflets left at doors come out of the canvasser's bag exactly once per visit."""

import pytest
from django.db.models import Sum

from inventory import services
from inventory.models import Movement, Shortfall, StockLevel
from inventory.selectors import on_hand
from tests.inventory.helpers import issue, leaflet, office, receive, visit

pytestmark = pytest.mark.django_db


def _bag_holds(team, variant) -> int:
    return on_hand(location=services.bag_for(membership=team.volunteer), variant=variant)


def test_visit_with_leaflets_draws_from_the_bag_once(in_scope_a):
    team = in_scope_a
    variant = leaflet(team, door_default=True)
    place = office(team)
    receive(team, variant, place, 100)
    issue(team, variant, place, team.volunteer, 20)
    v = visit(team, leaflets=3)

    assert services.stock_drop_for_visit(visit=v, acting_user=team.volunteer.user) is True
    # The same visit arriving again through offline sync changes nothing.
    assert services.stock_drop_for_visit(visit=v, acting_user=team.volunteer.user) is True
    assert _bag_holds(team, variant) == 17
    drops = Movement.objects.filter(kind="dropped", visit_code=v.code)
    assert drops.count() == 1 and drops.get().quantity == 3
    assert not Shortfall.objects.exists()


def test_visit_names_its_own_edition(in_scope_a):
    team = in_scope_a
    default = leaflet(team, name="Manifesto", door_default=True)
    chinese = leaflet(team, name="Manifesto (Chinese)", language="zh")
    place = office(team)
    for variant in (default, chinese):
        receive(team, variant, place, 10)
        issue(team, variant, place, team.volunteer, 5)

    assert services.stock_drop_for_visit(visit=visit(team, leaflets=2, variant=chinese), acting_user=None)
    assert _bag_holds(team, chinese) == 3
    assert _bag_holds(team, default) == 5


def test_empty_bag_flags_a_shortfall_and_draws_what_there_is(in_scope_a):
    team = in_scope_a
    variant = leaflet(team, door_default=True)
    place = office(team)
    receive(team, variant, place, 10)
    issue(team, variant, place, team.volunteer, 2)
    v = visit(team, leaflets=5)

    assert services.stock_drop_for_visit(visit=v, acting_user=team.volunteer.user) is False
    assert services.stock_drop_for_visit(visit=v, acting_user=team.volunteer.user) is False
    assert _bag_holds(team, variant) == 0
    shortfall = Shortfall.objects.get()
    assert (shortfall.wanted, shortfall.drawn, shortfall.missing) == (5, 2, 3)
    assert shortfall.membership == team.volunteer
    assert Movement.objects.filter(kind="dropped").aggregate(n=Sum("quantity"))["n"] == 2
    # The office still holds what it held: a shortfall never takes stock from anywhere else.
    assert on_hand(location=place, variant=variant) == 8


def test_no_bag_at_all_is_a_shortfall_of_everything(in_scope_a):
    team = in_scope_a
    leaflet(team, door_default=True)
    v = visit(team, leaflets=4)
    assert services.stock_drop_for_visit(visit=v, acting_user=None) is False
    assert Shortfall.objects.get().drawn == 0
    assert not Movement.objects.filter(kind="dropped").exists()
    assert not StockLevel.objects.filter(quantity__lt=0).exists()


def test_no_default_edition_records_nothing(in_scope_a):
    team = in_scope_a
    leaflet(team)  # not marked for doors
    v = visit(team, leaflets=4)
    assert services.stock_drop_for_visit(visit=v, acting_user=None) is False
    assert not Movement.objects.filter(kind="dropped").exists()
    assert not Shortfall.objects.exists()


def test_no_leaflets_left_records_nothing(in_scope_a):
    team = in_scope_a
    variant = leaflet(team, door_default=True)
    place = office(team)
    receive(team, variant, place, 10)
    issue(team, variant, place, team.volunteer, 5)
    assert services.stock_drop_for_visit(visit=visit(team, leaflets=0), acting_user=None) is False
    assert _bag_holds(team, variant) == 5


def test_only_one_default_for_doors(in_scope_a):
    team = in_scope_a
    first = leaflet(team, name="First", door_default=True)
    second = leaflet(team, name="Second", door_default=True)
    first.refresh_from_db()
    assert not first.door_default and second.door_default
    assert services.door_default_variant(campaign=team.campaign) == second
