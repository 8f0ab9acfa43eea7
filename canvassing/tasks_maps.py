"""Applying a large map version in the background, with a progress bar (campaign.jobs)."""

from typing import Any

from django_scopes import scopes_disabled

from accounts.models import User
from campaign.jobs import job_finish, job_progress, job_run
from canvassing.models import MapVersion
from config.celery import app


@app.task(acks_late=True)
def map_version_apply_task(job_code: str, version_code: str, user_id: int | None) -> None:
    from canvassing import services_maps

    def work(job: Any) -> None:
        with scopes_disabled():
            version = MapVersion.objects.get(code=version_code, campaign=job.campaign)
        user = User.objects.filter(pk=user_id).first() if user_id else None
        applied = services_maps.map_version_apply(
            version=version,
            acting_user=user,
            progress=lambda done, total: job_progress(job, done=done, total=total),
        )
        households = applied.diff["households"]
        job_finish(job, result={"version": str(applied.code), "moved": households["moved"]})

    job_run(job_code, work)
