"""50 threads × 200 movements against one item on PostgreSQL: on-hand never goes negative and matches the ledger."""

import threading

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
