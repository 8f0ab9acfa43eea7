"""A double submit for real: the same signup form posted several times at the same instant, each in
its own thread and transaction (PostgreSQL), still makes one person, one volunteer, one welcome."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from campaign.models import Person
from notifications.models import Message
from tests.conftest import require_service, using_postgres
from volunteers.models import Volunteer
from volunteers.services import program_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    require_service("PostgreSQL", using_postgres())
    cache.clear()


def test_the_same_form_posted_at_once_makes_one_volunteer(team_a):
    campaign = team_a.campaign
    with scope(campaign=campaign.pk):
        program_for(campaign)
    url = reverse("public:join", kwargs={"campaign_slug": campaign.slug})
    data = {
        "given_name": "Ada",
        "email": "ada@example.test",
        "phone": "+852 9123 4567",
        "language": "en",
        "consent": "on",
    }
    barrier = threading.Barrier(4)
    answers: list[object] = [None] * 4

    def submit(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            answers[i] = Client().post(url, data)
        except Exception as exc:
            answers[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(getattr(a, "status_code", None) == 302 for a in answers), answers
    locations = sorted(a["Location"] for a in answers)  # type: ignore[index]
    assert sum(not loc.endswith("?again=1") for loc in locations) == 1  # one was new, three were repeats
    with scopes_disabled():
        assert Person.objects.filter(campaign=campaign).count() == 1
        assert Volunteer.objects.filter(campaign=campaign).count() == 1
        assert Message.objects.filter(campaign=campaign).count() == 2  # one email, one text message
