"""Cutting a large area into turfs in the background, with a progress bar (campaign.jobs)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from accounts.models import User
from campaign.jobs import job_create, job_finish, job_progress, job_run
from campaign.models import Job
from canvassing.models import Area
from config.celery import app


def turfs_cut_start(
    *, area: Area, target_doors: int | None, turf_count: int | None, acting_user: User, return_url: str
) -> Job:
    """A job for the cut, its task enqueued once the job row is committed."""
    job = job_create(
        campaign=area.campaign,
        kind="canvassing.turf_cut",
        title=_("Cutting %(area)s into turfs") % {"area": area},
        created_by=acting_user,
        return_url=return_url,
    )
    args = (str(job.code), str(area.code), target_doors, turf_count, acting_user.pk)
    transaction.on_commit(lambda: turfs_cut_task.delay(*args))
    return job


@app.task(acks_late=True)
def turfs_cut_task(
    job_code: str, area_code: str, target_doors: int | None, turf_count: int | None, user_id: int | None
) -> None:
    from canvassing.services_turfs import turfs_cut
    from canvassing.views_turfs import cut_message

    def work(job: Any) -> None:
        with scopes_disabled():
            area = Area.objects.select_related("campaign", "version").get(code=area_code, campaign=job.campaign)
        user = User.objects.filter(pk=user_id).first() if user_id else None
        result = turfs_cut(
            area=area,
            target_doors=target_doors,
            turf_count=turf_count,
            acting_user=user,
            progress=lambda done, total: job_progress(job, done=done, total=total),
        )
        job_finish(job, result=result.summary(), message=cut_message(result))

    job_run(job_code, work)
