"""Real concurrency on PostgreSQL: one donor's simultaneous gifts cannot jointly cross the cap, and
receipt numbers stay gapless when many donors give at once."""

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from fundraising import selectors, services
from fundraising.models import Donation, ReceiptCounter
from tests.conftest import require_service, using_postgres
from tests.factories import PersonFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

D = Decimal


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
        except Exception as exc:  # looked at below, after every thread has finished
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


def donate(campaign, user, donor, amount, method="bank_transfer"):
    def job() -> Donation:
        with scope(campaign=campaign.pk):
            return services.donation_record(
                campaign=campaign,
                acting_user=user,
                amount=D(amount),
                received_on=timezone.localdate(),
                method=method,
                donor=donor,
                in_kind_description="Printing" if method == "in_kind" else "",
            )

    return job


def test_simultaneous_gifts_of_one_donor_cannot_together_cross_the_cap(team_a):
    campaign, user = team_a.campaign, team_a.coordinator.user
    with scopes_disabled():
        services.settings_update(campaign=campaign, acting_user=user, per_donor_cap=D("1000"))
        ada = PersonFactory(campaign=campaign)
        services.donation_record(
            campaign=campaign,
            acting_user=user,
            amount=D("400"),
            received_on=timezone.localdate(),
            method="cash",
            donor=ada,
        )
    # Each of these fits alone (400 + 600 = 1000), any two together do not.
    methods = ["bank_transfer", "cash", "in_kind", "online", "cheque", "mobile"]
    results = run_together([donate(campaign, user, ada, "600", method) for method in methods])
    accepted = [r for r in results if isinstance(r, Donation)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(accepted) == 1, results
    assert len(refused) == len(methods) - 1, results
    assert all("amount" in error.message_dict for error in refused)
    with scopes_disabled():
        assert services.donor_total(campaign=campaign, donor=ada) == D("1000.00")
        assert Donation.objects.filter(donor=ada).count() == 2
        assert [p.pk for p in selectors.donors_near_cap(campaign)] == [ada.pk]


def test_receipt_numbers_are_exactly_one_to_n_when_many_donors_give_at_once(team_a):
    campaign, user = team_a.campaign, team_a.coordinator.user
    with scopes_disabled():
        services.settings_update(campaign=campaign, acting_user=user, per_donor_cap=D("100"))
        donors = [PersonFactory(campaign=campaign) for _ in range(12)]
    # Twelve donors, two gifts each at once; a third of the second gifts break the cap and are refused.
    jobs = []
    for i, person in enumerate(donors):
        jobs.append(donate(campaign, user, person, "50"))
        jobs.append(donate(campaign, user, person, "60" if i % 3 == 0 else "50"))
    results = run_together(jobs)
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, ValidationError)]
    assert not unexpected, unexpected
    accepted = [r for r in results if isinstance(r, Donation)]
    with scopes_disabled():
        numbers = sorted(Donation.objects.filter(campaign=campaign).values_list("receipt_number", flat=True))
        assert numbers == list(range(1, len(accepted) + 1))
        assert len(accepted) == 12 + 8  # every donor's first gift and the eight second gifts within the cap
        assert ReceiptCounter.objects.get(campaign=campaign).last_number == len(accepted)
        assert selectors.summary(campaign)["raised"] == sum((d.amount for d in accepted), D(0))
