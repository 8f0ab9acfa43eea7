"""Background jobs with a progress bar that survives leaving the page.

A view creates the job and enqueues its Celery task after commit; the task calls
`job_run(code, work)`, reports `job_progress` as it goes and ends with `job_finish` (or fails, which
`job_run` records for it). The page `campaign:job` shows the state and polls while it runs.

Progress while the task holds one long transaction (an all-or-nothing apply) cannot be seen through
that transaction's own writes, so live progress goes to the cache; the row is updated too whenever
the task is not inside a transaction. Without Redis the cache is a file cache under var/, which the
web process and the worker share.
"""

import logging
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from accounts.models import User
from campaign.models import Campaign, Job

logger = logging.getLogger(__name__)
LIVE_SECONDS = 24 * 3600


def _live_key(job: Job) -> str:
    return f"job:{job.code}"


def job_create(
    *, campaign: Campaign, kind: str, title: str, created_by: User | None, total: int = 0, return_url: str = ""
) -> Job:
    return Job.objects.create(
        campaign=campaign, kind=kind, title=title[:200], created_by=created_by, total=total, return_url=return_url
    )


def job_progress(job: Job, *, done: int, total: int | None = None) -> None:
    """Cheap enough to call every few thousand rows."""
    job.done = done
    if total is not None:
        job.total = total
    cache.set(_live_key(job), {"done": job.done, "total": job.total}, LIVE_SECONDS)
    if not connection.in_atomic_block:
        Job.objects.filter(pk=job.pk).update(done=job.done, total=job.total)


def job_finish(job: Job, *, result: dict[str, Any] | None = None, message: str = "") -> None:
    job.status = Job.Status.DONE
    job.result = result or {}
    job.message = message
    job.finished_at = timezone.now()
    job.done = max(job.done, job.total)
    job.save(update_fields=["status", "result", "message", "finished_at", "done", "total"])
    cache.delete(_live_key(job))


def job_fail(job: Job, *, message: str) -> None:
    """Recorded outside whatever transaction failed, so the failure itself is never rolled back."""
    job.status = Job.Status.FAILED
    job.message = message
    job.finished_at = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=job.status, message=message, finished_at=job.finished_at)
    cache.delete(_live_key(job))


def _failure_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return _("Something went wrong and nothing was changed. Please try again, or tell the campaign's administrator.")


def job_run(code: UUID | str, work: Callable[[Job], Any]) -> Job:
    """For a Celery task: runs `work(job)` in the job's campaign scope, marked running. An exception
    marks the job failed with a message a coordinator can read (a ValidationError's own words) and is
    not raised again, so Celery does not retry work that already said why it failed. A job that has
    already finished (a redelivered task) is not run twice."""
    with scopes_disabled():
        job = Job.objects.select_related("campaign", "created_by").get(code=code)
    with scope(campaign=job.campaign_id):
        if job.finished:
            return job
        job.status = Job.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
        try:
            work(job)
        except Exception as exc:
            if not isinstance(exc, ValidationError):
                logger.exception("job %s (%s) failed", job.code, job.kind)
            job_fail(job, message=_failure_message(exc))
        else:
            if not job.finished:
                job_finish(job)
    return job


def job_state(job: Job) -> dict[str, Any]:
    """What the progress bar shows: the live figures while running, the row's once finished."""
    done, total = job.done, job.total
    if not job.finished:
        live = cache.get(_live_key(job))
        if live:
            done, total = live["done"], live["total"]
    percent = 100 if job.status == Job.Status.DONE else (min(100, round(100 * done / total)) if total else 0)
    return {"done": done, "total": total, "percent": percent}
