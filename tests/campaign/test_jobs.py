"""Background jobs: progress a page can poll, failures a coordinator can read, no job run twice."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from campaign.jobs import job_create, job_progress, job_run, job_state
from campaign.models import Job

pytestmark = pytest.mark.django_db


def _job(team, user=None, total=0):
    with scope(campaign=team.campaign.pk):
        return job_create(
            campaign=team.campaign, kind="test", title="Importing households", created_by=user, total=total
        )


def test_progress_and_finish_show_on_the_page(client, team_a):
    job = _job(team_a, team_a.coordinator.user, total=200)
    seen = []

    def work(running: Job) -> None:
        job_progress(running, done=50)
        seen.append(job_state(running))
        job_progress(running, done=200)

    job_run(job.code, work)
    assert seen == [{"done": 50, "total": 200, "percent": 25}]
    with scopes_disabled():
        job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.finished_at is not None
    client.force_login(team_a.coordinator.user)
    url = reverse("campaign:job", kwargs={"campaign_slug": team_a.campaign.slug, "code": job.code})
    page = client.get(url).content.decode()
    assert "100%" in page and "hx-trigger" not in page  # finished: no more polling
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "100%" in partial


def test_running_job_polls(client, team_a):
    job = _job(team_a, team_a.coordinator.user, total=10)
    client.force_login(team_a.coordinator.user)
    page = client.get(reverse("campaign:job", kwargs={"campaign_slug": team_a.campaign.slug, "code": job.code}))
    assert 'hx-trigger="every 1s"' in page.content.decode()


def test_a_refusal_is_recorded_in_its_own_words_and_not_raised(team_a):
    job = _job(team_a)

    def work(running: Job) -> None:
        raise ValidationError("Row 12: the house number is missing.")

    job_run(job.code, work)
    with scopes_disabled():
        job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.message == "Row 12: the house number is missing."


def test_an_unexpected_error_says_nothing_changed(team_a):
    job = _job(team_a)

    def work(running: Job) -> None:
        raise RuntimeError("connection reset")

    job_run(job.code, work)
    with scopes_disabled():
        job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "nothing was changed" in job.message and "connection reset" not in job.message


def test_a_finished_job_is_not_run_again(team_a):
    job = _job(team_a)
    calls = []
    job_run(job.code, calls.append)
    job_run(job.code, calls.append)  # a redelivered task
    assert len(calls) == 1


def test_another_volunteers_job_does_not_exist_for_a_volunteer(client, team_a):
    job = _job(team_a, team_a.coordinator.user)
    client.force_login(team_a.volunteer.user)
    url = reverse("campaign:job", kwargs={"campaign_slug": team_a.campaign.slug, "code": job.code})
    assert client.get(url).status_code == 404
