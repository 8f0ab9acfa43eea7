"""50 threads × 200 movements against one item on PostgreSQL: on-hand never goes negative and matches the ledger."""

import contextlib
import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django_scopes import scope, scopes_disabled

from campaign.models import Role
from inventory import services
from inventory.models import Movement, StockLevel
from tests.conftest import require_service, using_postgres
from tests.factories import MembershipFactory
from tests.inventory.helpers import leaflet, office, receive

THREADS = 50
EACH = 200
OFFICE_START = 3000
BAG_START = 2000


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_and_drops_never_go_negative(team_a):
    require_service("PostgreSQL", using_postgres())
    team = team_a
    with scope(campaign=team.campaign.pk):
        variant = leaflet(team)
        base = office(team)
        receive(team, variant, base, OFFICE_START + BAG_START)
        shared_bag = services.bag_for(membership=team.volunteer)
        services.movement_record(
            campaign=team.campaign,
            kind="issued",
            variant=variant,
            quantity=BAG_START,
            from_location=base,
            to_location=shared_bag,
            acting_user=team.coordinator.user,
        )
    with scopes_disabled():
        members = [MembershipFactory(campaign=team.campaign, role=Role.VOLUNTEER) for _ in range(THREADS // 2)]
        bags = [services.bag_for(membership=m) for m in members]
    start_movements = 2  # the receipt and the issue into the shared bag
    results = {"ok": 0, "refused": 0, "errors": []}
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker(index: int) -> None:
        ok = refused = 0
        try:
            with scope(campaign=team.campaign.pk):
                barrier.wait()
                for _ in range(EACH):
                    try:
                        if index % 2 == 0:  # issue one from the office into this thread's own bag
                            services.movement_record(
                                campaign=team.campaign,
                                kind="issued",
                                variant=variant,
                                quantity=1,
                                from_location=base,
                                to_location=bags[index // 2],
                                acting_user=team.coordinator.user,
                            )
                        else:  # drop one at a door from the one shared bag
                            services.movement_record(
                                campaign=team.campaign,
                                kind="dropped",
                                variant=variant,
                                quantity=1,
                                from_location=shared_bag,
                                acting_user=team.volunteer.user,
                            )
                        ok += 1
                    except ValidationError:
                        refused += 1
        except Exception as exc:  # reported below: the test fails on it
            with lock:
                results["errors"].append(repr(exc))
        finally:
            connection.close()
            with lock:
                results["ok"] += ok
                results["refused"] += refused

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert results["errors"] == []
    assert results["ok"] + results["refused"] == THREADS * EACH
    with scopes_disabled():
        issued = Movement.objects.filter(kind="issued", from_location=base).count() - 1  # less the set-up issue
        dropped = Movement.objects.filter(kind="dropped").count()
        assert issued + dropped == results["ok"]
        assert Movement.objects.count() - start_movements == results["ok"]
        office_left = StockLevel.objects.get(variant=variant, location=base).quantity
        bag_left = StockLevel.objects.get(variant=variant, location=shared_bag).quantity
        # Demand (5,000 each side) exceeds stock, so both run dry exactly, and not below.
        assert office_left == OFFICE_START - issued == 0
        assert bag_left == BAG_START - dropped == 0
        assert not StockLevel.objects.filter(quantity__lt=0).exists()
        # The ledger is the truth: summing it gives every on-hand row.
        for level in StockLevel.objects.filter(variant=variant):
            ins = Movement.objects.filter(to_location=level.location).aggregate(n=Sum("quantity"))["n"] or 0
            outs = Movement.objects.filter(from_location=level.location).aggregate(n=Sum("quantity"))["n"] or 0
            assert level.quantity == ins - outs, level.location


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_opposite_transfers_and_one_client_code_sent_by_every_thread(team_a):
    """Transfers A→B and B→A at the same moment never deadlock; a client code sent by 20 clients at once
    (a phone retrying through flaky networks) is recorded once."""
    require_service("PostgreSQL", using_postgres())
    team = team_a
    clients, each = 20, 50
    with scope(campaign=team.campaign.pk):
        variant = leaflet(team)
        east, west = office(team, "East"), office(team, "West")
        receive(team, variant, east, 100)
        receive(team, variant, west, 100)
    code = uuid.uuid4()
    recorded: list[uuid.UUID] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def worker(index: int) -> None:
        try:
            with scope(campaign=team.campaign.pk):
                barrier.wait()
                receipt = services.movement_record(
                    campaign=team.campaign,
                    kind="received",
                    variant=variant,
                    quantity=7,
                    to_location=east,
                    code=code,
                    acting_user=team.coordinator.user,
                )
                with lock:
                    recorded.append(receipt.pk)
                source, target = (east, west) if index % 2 else (west, east)
                for _ in range(each):
                    # Refused when the source ran dry for a moment: nothing changes then.
                    with contextlib.suppress(ValidationError):
                        services.movement_record(
                            campaign=team.campaign,
                            kind="transferred",
                            variant=variant,
                            quantity=3,
                            from_location=source,
                            to_location=target,
                            acting_user=team.coordinator.user,
                        )
        except Exception as exc:  # a deadlock or a duplicate key would land here
            with lock:
                errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    with scopes_disabled():
        assert Movement.objects.filter(code=code).count() == 1
        assert set(recorded) == {Movement.objects.get(code=code).pk}
        levels = {level.location_id: level.quantity for level in StockLevel.objects.filter(variant=variant)}
        assert levels[east.pk] + levels[west.pk] == 207
        for place in (east, west):
            ins = Movement.objects.filter(to_location=place).aggregate(n=Sum("quantity"))["n"] or 0
            outs = Movement.objects.filter(from_location=place).aggregate(n=Sum("quantity"))["n"] or 0
            assert levels[place.pk] == ins - outs >= 0
