"""Running a household file through upload → check → import as the pages do (tasks run eagerly)."""

from typing import Any

from django_scopes import scope

from canvassing import importing
from canvassing import services_households as services
from canvassing.models import ImportBatch


def upload(team: Any, data: bytes, filename: str = "households.csv") -> ImportBatch:
    with scope(campaign=team.campaign.pk):
        return services.import_upload(
            campaign=team.campaign,
            acting_user=team.coordinator.user,
            filename=filename,
            chunks=importing.bytes_chunks(data),
        )


def check(team: Any, batch: ImportBatch, capture: Any, mapping: dict | None = None, encoding: str = "") -> ImportBatch:
    with scope(campaign=team.campaign.pk), capture(execute=True):
        services.import_validate_start(
            batch=batch,
            acting_user=team.coordinator.user,
            mapping=mapping if mapping is not None else batch.mapping,
            encoding=encoding,
        )
    with scope(campaign=team.campaign.pk):
        batch.refresh_from_db()
    return batch


def apply(team: Any, batch: ImportBatch, capture: Any) -> ImportBatch:
    with scope(campaign=team.campaign.pk), capture(execute=True):
        services.import_apply_start(batch=batch, acting_user=team.coordinator.user)
    with scope(campaign=team.campaign.pk):
        batch.refresh_from_db()
    return batch


def import_file(team: Any, data: bytes, capture: Any, filename: str = "households.csv") -> ImportBatch:
    batch = check(team, upload(team, data, filename), capture)
    assert batch.status == ImportBatch.Status.VALID, batch.errors
    return apply(team, batch, capture)
