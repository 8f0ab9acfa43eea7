"""The PostgreSQL path of the household import (COPY into temporary tables, set-based merge)."""

import pytest
from django.db import connection
from django_scopes import scope

from campaign.models import Person
from canvassing.models import Household, ImportBatch, Resident
from tests.canvassing.households_helpers import apply, check, import_file, upload
from tests.conftest import require_service, using_postgres

pytestmark = [pytest.mark.django_db, pytest.mark.services]


@pytest.fixture(autouse=True)
def _postgres(settings, tmp_path):
    require_service("PostgreSQL", using_postgres())
    settings.VAR_DIR = tmp_path


def test_copy_import_and_reimport(team_a, team_b, django_capture_on_commit_callbacks):
    assert connection.vendor == "postgresql"
    rows = "".join(f"E{n},Java Road,{n},,,Resident {n},+85291{n:06d}\n" for n in range(1, 501))
    data = ("id,street,house number,latitude,longitude,resident,phone\n" + rows).encode()
    batch = import_file(team_a, data, django_capture_on_commit_callbacks)
    assert (batch.created_count, batch.updated_count, batch.residents_created) == (500, 0, 500)
    # the same file for another campaign is another campaign's households
    import_file(team_b, data, django_capture_on_commit_callbacks)
    again = rows.replace("E7,Java Road,7,", "E7,Java Road,7A,") + "E501,Marble Road,1,22.29,114.2,,\n"
    batch = import_file(
        team_a,
        ("id,street,house number,latitude,longitude,resident,phone\n" + again).encode(),
        django_capture_on_commit_callbacks,
    )
    assert (batch.created_count, batch.updated_count, batch.residents_created, batch.residents_updated) == (
        1,
        500,
        0,
        500,
    )
    with scope(campaign=team_a.campaign.pk):
        households = Household.objects.filter(campaign=team_a.campaign)
        assert households.count() == 501
        seven = households.get(external_id="E7")
        assert seven.house_number == "7A" and seven.house_number_value == 7 and seven.parity == 1
        assert households.get(external_id="E501").latitude == pytest.approx(22.29)
        assert Resident.objects.filter(campaign=team_a.campaign).count() == 500
        assert Person.objects.filter(campaign=team_a.campaign).count() == 500


def test_copy_apply_clash_rolls_everything_back(team_a, django_capture_on_commit_callbacks):
    import_file(team_a, b"id,street,number\nA,Java Road,1\nB,Java Road,2\n", django_capture_on_commit_callbacks)
    batch = check(
        team_a,
        upload(team_a, b"id,street,number,resident\nC,Java Road,3,Ann\nA,Java Road,2,Bo\n"),
        django_capture_on_commit_callbacks,
    )
    batch = apply(team_a, batch, django_capture_on_commit_callbacks)
    assert batch.status == ImportBatch.Status.FAILED
    with scope(campaign=team_a.campaign.pk):
        assert sorted(Household.objects.values_list("external_id", "house_number")) == [("A", "1"), ("B", "2")]
        assert not Resident.objects.exists()
