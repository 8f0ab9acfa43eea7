"""Real concurrency on PostgreSQL: a phone that sends its queue twice at the same moment (a retry after a
timeout, two tabs) stores each visit once, and both requests answer for every item."""

import datetime as dt
import threading
import uuid
from collections.abc import Callable

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from campaign.models import Campaign
from canvassing.models import Household, Visit
from canvassing.services_visits import VisitInput, visits_record_batch
from tests.canvassing.visits_helpers import assign, turf_with_doors
from tests.conftest import require_service, using_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    require_service("PostgreSQL", using_postgres())


def run_together(jobs: list[Callable[[], object]]) -> list[object]:
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def worker(i: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = job()
        except Exception as exc:  # looked at below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


@pytest.mark.parametrize("lock", [True, False])
def test_the_same_batch_sent_twice_at_once_is_stored_once(team_a, lock):
    with scopes_disabled():
        Campaign.objects.filter(pk=team_a.campaign.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
        team_a.volunteer.campaign.refresh_from_db()
    turf, doors = turf_with_doors(team_a.campaign, 20)
    assign(turf, team_a.volunteer)
    start = timezone.now() - dt.timedelta(hours=1)
    items = [
        VisitInput(code=uuid.uuid4(), household=d.code, outcome="not_home", visited_at=start + dt.timedelta(minutes=n))
        for n, d in enumerate(doors)
    ]

    def send() -> list:
        with scope(campaign=team_a.campaign.pk):
            return visits_record_batch(
                canvasser=team_a.volunteer, items=items, acting_user=team_a.volunteer.user, lock=lock
            )

    first, second = run_together([send, send])
    assert not isinstance(first, Exception), first
    assert not isinstance(second, Exception), second
    for mine, theirs in zip(first, second, strict=True):
        # Each code: stored by exactly one request, the other answers with that same visit.
        assert mine.errors is None and theirs.errors is None
        assert sorted([mine.created, theirs.created]) == [False, True]
        assert mine.visit.pk == theirs.visit.pk
    with scopes_disabled():
        assert Visit.objects.filter(campaign=team_a.campaign).count() == len(items)
        last = Household.objects.get(pk=doors[-1].pk)
    assert last.last_outcome == "not_home" and last.last_visited_at == items[-1].visited_at
