"""Seats under real concurrency (PostgreSQL, threads, committed transactions): never more confirmed
than capacity, nobody lost, the waiting list promoted in order."""

import datetime as dt
import random
import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django_scopes import scope, scopes_disabled

from campaign.models import Membership, Role
from notifications.models import Message
from tests.conftest import require_service, using_postgres
from tests.factories import MembershipFactory
from tests.volunteers.test_shifts_helpers import make_shift, make_volunteer, url
from volunteers.models import Shift, Signup
from volunteers.reminders import PROMOTED
from volunteers.services import program_for, shift_update, signup_cancel, signup_create

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    require_service("PostgreSQL", using_postgres())


def run_together(jobs: list[Callable[[], object]]) -> list[object]:
    """Start every job at the same instant, each in its own thread with its own connection."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def worker(i: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = job()
        except Exception as exc:  # reported below, after every thread has finished
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


def queue(shift: Shift) -> list[Signup]:
    """The shift's signups in the order places are given: first come, first served."""
    with scopes_disabled():
        return list(Signup.objects.filter(shift=shift).order_by("created_at", "id"))


def assert_seats_consistent(shift: Shift, expected_total: int) -> None:
    with scopes_disabled():
        shift = Shift.objects.get(pk=shift.pk)
    signups = queue(shift)
    assert len(signups) == expected_total, "a signup was lost or duplicated"
    active = [s for s in signups if s.status != Signup.Status.CANCELLED]
    confirmed = [s for s in active if s.status == Signup.Status.CONFIRMED]
    assert len(confirmed) <= shift.capacity, (len(confirmed), shift.capacity)
    # Nobody waits while a place is free, and places go in order: the confirmed are the first in line.
    assert len(confirmed) == min(shift.capacity, len(active))
    assert active[: len(confirmed)] == confirmed, [s.status for s in active]


def test_twenty_volunteers_race_for_five_places_then_cancel_and_resize_concurrently(team_a):
    campaign = team_a.campaign
    with scopes_disabled():
        program_for(campaign)
    shift = make_shift(campaign, capacity=5, starts_in=dt.timedelta(days=3))
    volunteers = [make_volunteer(campaign) for _ in range(20)]

    def sign_up(volunteer):
        def job() -> Signup:
            with scope(campaign=campaign.pk):
                return signup_create(shift=shift, volunteer=volunteer, acting_user=None)

        return job

    results = run_together([sign_up(v) for v in volunteers])
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    signups = queue(shift)
    assert len(signups) == 20
    assert {s.volunteer_id for s in signups} == {v.pk for v in volunteers}
    assert [s.status for s in signups] == ["confirmed"] * 5 + ["waitlisted"] * 15
    assert_seats_consistent(shift, 20)

    # Round two: three confirmed people cancel while coordinators change the number of places.
    confirmed = [s for s in signups if s.status == Signup.Status.CONFIRMED]
    first_waiting = [s.pk for s in signups if s.status == Signup.Status.WAITLISTED]
    leaving = random.Random(7).sample(confirmed, 3)

    def cancel(signup):
        def job() -> Signup:
            with scope(campaign=campaign.pk):
                return signup_cancel(signup=signup, acting_user=None)

        return job

    def resize(capacity: int):
        def job() -> Shift:
            with scope(campaign=campaign.pk):
                return shift_update(shift=shift, acting_user=team_a.coordinator.user, capacity=capacity)

        return job

    jobs = [cancel(s) for s in leaving] + [resize(c) for c in (3, 8, 4, 7)]
    random.Random(11).shuffle(jobs)
    results = run_together(jobs)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    assert_seats_consistent(shift, 20)
    after = {s.pk: s for s in queue(shift)}
    assert all(after[s.pk].status == Signup.Status.CANCELLED for s in leaving)
    # Whoever left the waiting list for a place was told, in one message each time.
    with scopes_disabled():
        told = set(Message.objects.filter(template=PROMOTED).values_list("person_id", flat=True))
        promoted = [pk for pk in first_waiting if after[pk].status == Signup.Status.CONFIRMED]
        assert promoted, "capacity went up and people left: someone must have been promoted"
        assert {Signup.objects.get(pk=pk).volunteer.person_id for pk in promoted} <= told
        # In order: the promoted are the earliest of those who were waiting.
        assert promoted == first_waiting[: len(promoted)]


def test_concurrent_cancellations_never_leave_a_place_empty_while_people_wait(team_a):
    campaign = team_a.campaign
    with scopes_disabled():
        program_for(campaign)
    shift = make_shift(campaign, capacity=4, starts_in=dt.timedelta(days=3))
    with scope(campaign=campaign.pk):
        signups = [signup_create(shift=shift, volunteer=make_volunteer(campaign), acting_user=None) for _ in range(12)]
    confirmed = [s for s in signups if s.status == Signup.Status.CONFIRMED]
    assert len(confirmed) == 4

    def cancel(signup):
        def job() -> Signup:
            with scope(campaign=campaign.pk):
                return signup_cancel(signup=signup, acting_user=None)

        return job

    results = run_together([cancel(s) for s in confirmed] + [cancel(signups[-1])])
    assert not [r for r in results if isinstance(r, Exception)]
    assert_seats_consistent(shift, 12)
    statuses = [s.status for s in queue(shift)]
    assert statuses == ["cancelled"] * 4 + ["confirmed"] * 4 + ["waitlisted"] * 3 + ["cancelled"]
    with scopes_disabled():
        assert Message.objects.filter(template=PROMOTED).count() == 4


def test_the_same_form_sent_many_times_at_once_is_one_signup(team_a):
    """A double (or tenfold) submit from a phone with a flaky connection, through the page itself."""
    campaign = team_a.campaign
    shift = make_shift(campaign, capacity=3)
    member: Membership = MembershipFactory(campaign=campaign, role=Role.VOLUNTEER)
    clients = []
    for _ in range(8):
        client = Client()
        client.force_login(member.user)
        clients.append(client)

    def submit(client: Client):
        return lambda: client.post(url("shift_signup", campaign, code=shift.code)).status_code

    results = run_together([submit(c) for c in clients])
    assert results == [302] * 8, results
    with scopes_disabled():
        assert Signup.objects.filter(shift=shift).count() == 1
        assert Signup.objects.get(shift=shift).status == Signup.Status.CONFIRMED
