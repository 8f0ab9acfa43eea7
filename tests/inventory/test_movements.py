"""The ledger: movements change on-hand, never below zero; bad input changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django_scopes import scope

from fundraising.models import Expense
from inventory import services
from inventory.models import Item, Location, Movement, StockLevel, Variant
from inventory.selectors import on_hand
from notifications.models import Message
from tests.conftest import require_service, using_postgres
from tests.inventory.helpers import issue, leaflet, office, receive, tshirt

pytestmark = pytest.mark.django_db


def ledger_sum(variant, location) -> int:
    ins = Movement.objects.filter(variant=variant, to_location=location).aggregate(n=Sum("quantity"))["n"] or 0
    outs = Movement.objects.filter(variant=variant, from_location=location).aggregate(n=Sum("quantity"))["n"] or 0
    return ins - outs


def test_every_kind_of_movement_keeps_on_hand_equal_to_the_ledger(in_scope_a):
    team = in_scope_a
    variant = leaflet(team)
    base = office(team)
    store = services.location_create(campaign=team.campaign, acting_user=team.owner.user, kind="storage", name="Shed")
    receive(team, variant, base, 500)
    issue(team, variant, base, team.volunteer, 50)
    bag = services.bag_for(membership=team.volunteer)
    common = {"campaign": team.campaign, "variant": variant, "acting_user": team.coordinator.user}
    services.movement_record(kind="returned", from_location=bag, to_location=base, quantity=10, **common)
    services.movement_record(kind="transferred", from_location=base, to_location=store, quantity=100, **common)
    services.movement_record(kind="given", from_location=store, quantity=5, **common)
    services.movement_record(kind="written_off", from_location=store, quantity=3, reason="Rain", **common)
    services.movement_record(kind="adjusted", to_location=base, quantity=2, reason="Found a box", **common)

    for place in (base, store, bag):
        assert on_hand(location=place, variant=variant) == ledger_sum(variant, place)
    assert on_hand(location=base, variant=variant) == 500 - 50 + 10 - 100 + 2
    assert on_hand(location=store, variant=variant) == 92
    assert on_hand(location=bag, variant=variant) == 40


def test_unit_cost_supplier_and_expense_of_the_same_campaign(in_scope_a, team_b):
    team = in_scope_a
    variant = leaflet(team)
    base = office(team)
    expense = Expense.objects.create(
        campaign=team.campaign,
        spent_on=dt.date.today(),
        payee="Printer",
        category="printing",
        amount=100,
        currency="HKD",
    )
    movement = services.movement_record(
        campaign=team.campaign,
        kind="received",
        variant=variant,
        quantity=1000,
        to_location=base,
        unit_cost="0.10",
        supplier="Print Co",
        expense=expense,
        acting_user=team.coordinator.user,
    )
    assert (movement.unit_cost, movement.supplier, movement.expense) == (Decimal("0.10"), "Print Co", expense)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"quantity": -5}, "quantity", "cannot be negative"),
        ({"quantity": 0}, "quantity", "at least 1"),
        ({"quantity": "lots"}, "quantity", "whole number"),
        ({"quantity": 11}, "quantity", "holds only 10"),
        ({"unit_cost": "-1"}, "unit_cost", "cannot be negative"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(in_scope_a, changes, field, words):
    team = in_scope_a
    variant = leaflet(team)
    base = office(team)
    receive(team, variant, base, 10)
    kind = "received" if "unit_cost" in changes else "written_off"
    values = {"from_location": base} if kind == "written_off" else {"to_location": base}
    before = (Movement.objects.count(), list(StockLevel.objects.values_list("quantity", flat=True)))
    with pytest.raises(ValidationError) as caught:
        services.movement_record(
            campaign=team.campaign,
            kind=kind,
            variant=variant,
            acting_user=team.coordinator.user,
            reason="test",
            **{"quantity": 1, **values, **changes},
        )
    assert words in " ".join(caught.value.message_dict[field])
    assert (Movement.objects.count(), list(StockLevel.objects.values_list("quantity", flat=True))) == before


def test_from_a_place_that_does_not_hold_the_variant(in_scope_a):
    team = in_scope_a
    variant = leaflet(team)
    base = office(team)
    with pytest.raises(ValidationError) as caught:
        services.movement_record(
            campaign=team.campaign,
            kind="issued",
            variant=variant,
            quantity=1,
            from_location=base,
            to_location=services.bag_for(membership=team.volunteer),
            acting_user=team.coordinator.user,
        )
    assert "does not hold any" in caught.value.message_dict["from_location"][0]
    assert not Movement.objects.exists()
    assert not StockLevel.objects.filter(quantity__gt=0).exists()


def test_transfer_to_a_place_of_another_campaign_is_refused(team_a, team_b):
    with scope(campaign=team_b.campaign.pk):
        foreign = office(team_b, "B office")
    with scope(campaign=team_a.campaign.pk):
        variant = leaflet(team_a)
        base = office(team_a)
        receive(team_a, variant, base, 10)
        with pytest.raises(ValidationError) as caught:
            services.movement_record(
                campaign=team_a.campaign,
                kind="transferred",
                variant=variant,
                quantity=5,
                from_location=base,
                to_location=foreign,
                acting_user=team_a.coordinator.user,
            )
        assert "another campaign" in caught.value.message_dict["to_location"][0]
        assert on_hand(location=base, variant=variant) == 10
        assert Movement.objects.count() == 1


def test_expense_of_another_campaign_is_refused(team_a, team_b):
    with scope(campaign=team_b.campaign.pk):
        foreign = Expense.objects.create(
            campaign=team_b.campaign, spent_on=dt.date.today(), payee="X", category="printing", amount=1, currency="HKD"
        )
    with scope(campaign=team_a.campaign.pk):
        variant = leaflet(team_a)
        base = office(team_a)
        with pytest.raises(ValidationError) as caught:
            services.movement_record(
                campaign=team_a.campaign,
                kind="received",
                variant=variant,
                quantity=5,
                to_location=base,
                expense=foreign,
                acting_user=team_a.coordinator.user,
            )
        assert "another campaign" in caught.value.message_dict["expense"][0]
        assert not Movement.objects.exists()


def test_unknown_size_is_refused(in_scope_a):
    team = in_scope_a
    (shirt,) = tshirt(team, sizes=("M",))
    with pytest.raises(ValidationError) as caught:
        services.variant_create(item=shirt.item, acting_user=team.coordinator.user, size="XXXL")
    assert "Unknown size" in caught.value.message_dict["size"][0]
    assert shirt.item.variants.count() == 1


def test_count_for_a_deleted_item_is_refused(in_scope_a):
    team = in_scope_a
    variant = leaflet(team)
    base = office(team)
    receive(team, variant, base, 10)
    services.item_delete(item=variant.item, acting_user=team.coordinator.user)
    variant.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.stock_count_record(
            location=base, variant=variant, counted=7, reason="Count", acting_user=team.coordinator.user
        )
    assert "was deleted" in " ".join(caught.value.messages)
    assert on_hand(location=base, variant=variant) == 10
    assert Movement.objects.count() == 1


def test_stock_count_becomes_an_adjustment_with_the_reason(in_scope_a):
    team = in_scope_a
    variant = leaflet(team)
    base = office(team)
    receive(team, variant, base, 100)
    down = services.stock_count_record(
        location=base, variant=variant, counted=93, reason="Monthly count", acting_user=team.coordinator.user
    )
    assert (down.kind, down.quantity, down.from_location, down.to_location) == ("adjusted", 7, base, None)
    assert "Monthly count" in down.reason
    up = services.stock_count_record(
        location=base, variant=variant, counted=95, reason="Recount", acting_user=team.coordinator.user
    )
    assert (up.quantity, up.to_location) == (2, base)
    same = services.stock_count_record(
        location=base, variant=variant, counted=95, reason="Again", acting_user=team.coordinator.user
    )
    assert same is None
    assert on_hand(location=base, variant=variant) == 95


def test_low_stock_alert_goes_once_per_crossing(in_scope_a):
    team = in_scope_a
    variant = leaflet(team, threshold=20)
    base = office(team)
    receive(team, variant, base, 100)
    common = {"campaign": team.campaign, "variant": variant, "from_location": base, "acting_user": team.owner.user}

    def alerts() -> int:
        return Message.objects.filter(template="inventory/low_stock").count()

    services.movement_record(kind="written_off", quantity=70, reason="Damp", **common)
    assert alerts() == 0
    services.movement_record(kind="written_off", quantity=15, reason="Damp", **common)  # 15 left: crossed
    assert alerts() == 2  # the owner and the coordinator
    services.movement_record(kind="written_off", quantity=5, reason="Damp", **common)  # still low: no new alert
    assert alerts() == 2
    to = set(Message.objects.values_list("to", flat=True))
    assert to == {team.owner.user.email, team.coordinator.user.email}
    receive(team, variant, base, 50)  # back above
    services.movement_record(kind="written_off", quantity=45, reason="Damp", **common)  # crossed again
    assert alerts() == 4


def test_transfer_does_not_change_the_total_so_does_not_alert(in_scope_a):
    team = in_scope_a
    variant = leaflet(team, threshold=5)
    base = office(team)
    receive(team, variant, base, 10)
    issue(team, variant, base, team.volunteer, 10)
    assert not Message.objects.filter(template="inventory/low_stock").exists()


def test_client_code_records_a_movement_once(in_scope_a):
    import uuid

    team = in_scope_a
    variant = leaflet(team)
    base = office(team)
    code = uuid.uuid4()
    for _ in range(2):
        services.movement_record(
            campaign=team.campaign,
            kind="received",
            variant=variant,
            quantity=10,
            to_location=base,
            code=code,
            acting_user=team.coordinator.user,
        )
    assert on_hand(location=base, variant=variant) == 10
    assert Movement.objects.filter(~Q(code=None)).count() == 1


def test_archived_place_takes_nothing_and_must_be_empty(in_scope_a):
    team = in_scope_a
    variant = leaflet(team)
    base = office(team)
    receive(team, variant, base, 1)
    with pytest.raises(ValidationError):
        services.location_archive(location=base, acting_user=team.coordinator.user)
    spare = office(team, "Spare")
    services.location_archive(location=spare, acting_user=team.coordinator.user)
    with pytest.raises(ValidationError) as caught:
        receive(team, variant, Location.objects.get(pk=spare.pk), 5)
    assert "archived" in caught.value.message_dict["to_location"][0]


def test_issue_of_an_item_deleted_since_the_form_loaded_it_is_refused(in_scope_a):
    team = in_scope_a
    variant = leaflet(team)
    base = office(team)
    receive(team, variant, base, 10)
    stale = Variant.objects.select_related("item").get(pk=variant.pk)  # what a form loaded a moment ago
    services.item_delete(item=Item.objects.get(pk=variant.item_id), acting_user=team.coordinator.user)
    with pytest.raises(ValidationError) as caught:
        issue(team, stale, base, team.volunteer, 3)
    assert "was deleted" in " ".join(caught.value.messages)
    assert on_hand(location=base, variant=variant) == 10
    assert Movement.objects.count() == 1
    # Its stock can still go out: written off, say.
    services.movement_record(
        campaign=team.campaign,
        kind="written_off",
        variant=stale,
        quantity=10,
        from_location=base,
        reason="Withdrawn",
        acting_user=team.coordinator.user,
    )
    assert on_hand(location=base, variant=variant) == 0


def test_client_code_of_another_campaigns_movement_is_refused(team_a, team_b):
    with scope(campaign=team_b.campaign.pk):
        theirs = receive(team_b, leaflet(team_b), office(team_b), 5)
    with scope(campaign=team_a.campaign.pk):
        variant = leaflet(team_a)
        base = office(team_a)
        with pytest.raises(ValidationError) as caught:
            services.movement_record(
                campaign=team_a.campaign,
                kind="received",
                variant=variant,
                quantity=10,
                to_location=base,
                code=theirs.code,
                acting_user=team_a.coordinator.user,
            )
        assert "already used" in caught.value.message_dict["code"][0]
        assert on_hand(location=base, variant=variant) == 0
        assert not Movement.objects.filter(campaign=team_a.campaign).exists()


@pytest.mark.django_db(transaction=True)  # no transaction around it, as in a view
def test_a_movement_is_one_statement_on_postgresql(in_scope_a, django_assert_num_queries):
    """Issue, transfer, door drop with its low-stock check: each one round trip to PostgreSQL."""
    require_service("PostgreSQL", using_postgres())
    team = in_scope_a
    variant = Variant.objects.select_related("item").get(pk=leaflet(team, threshold=5).pk)
    base = office(team)
    store = office(team, "Shed")
    receive(team, variant, base, 20)
    bag = services.bag_for(membership=team.volunteer)
    common = {"campaign": team.campaign, "variant": variant, "acting_user": team.coordinator.user}
    with django_assert_num_queries(1):
        services.movement_record(kind="issued", from_location=base, to_location=bag, quantity=8, **common)
    with django_assert_num_queries(1):
        services.movement_record(kind="transferred", from_location=base, to_location=store, quantity=2, **common)
    with django_assert_num_queries(1):
        services.movement_record(kind="dropped", from_location=bag, quantity=3, **common)  # 17 left: not low
    assert [on_hand(location=p, variant=variant) for p in (base, store, bag)] == [10, 2, 5]
    variant.refresh_from_db()
    assert not variant.is_low
    services.movement_record(kind="dropped", from_location=bag, quantity=5, **common)  # 12 left
    services.movement_record(kind="written_off", from_location=base, quantity=7, reason="Rain", **common)  # 5 left
    variant.refresh_from_db()
    assert (variant.is_low, variant.low_crossings) == (True, 1)
    assert Message.objects.filter(template="inventory/low_stock").count() == 2


def test_a_transfer_that_loses_a_race_inside_a_callers_transaction_is_refused_cleanly(in_scope_a, monkeypatch):
    """Opposite transfers racing on one row can get past the stock check and stop at the not-negative check.
    Inside a caller's transaction that is the same refusal as too little stock, and the transaction goes on."""
    require_service("PostgreSQL", using_postgres())
    team = in_scope_a
    variant = leaflet(team)
    base = office(team)
    store = office(team, "Shed")
    receive(team, variant, base, 5)
    movement_sql = services._pg_movement_sql
    # The race's outcome without the race: the stock check passes, the decrement then breaks the constraint.
    monkeypatch.setattr(
        services, "_pg_movement_sql", lambda **flags: movement_sql(**flags).replace("quantity >= %(quantity)s", "true")
    )
    common = {"campaign": team.campaign, "variant": variant, "acting_user": team.coordinator.user}
    with transaction.atomic():
        with pytest.raises(ValidationError) as refused:
            services.movement_record(kind="transferred", from_location=base, to_location=store, quantity=8, **common)
        assert "from_location" in refused.value.message_dict
        assert on_hand(location=base, variant=variant) == 5  # the caller's transaction is still usable
        services.movement_record(kind="transferred", from_location=base, to_location=store, quantity=2, **common)
    assert [on_hand(location=p, variant=variant) for p in (base, store)] == [3, 2]
