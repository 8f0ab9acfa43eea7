"""Background work of the household import: checking a file, then writing it. Each task takes codes
and enters the campaign's scope itself (campaign.jobs.job_run)."""

from config.celery import app


@app.task(name="canvassing.household_import_validate", acks_late=True)
def household_import_validate(batch_code: str, job_code: str) -> None:
    from canvassing.services_households import run_validation

    run_validation(batch_code, job_code)


@app.task(name="canvassing.household_import_apply", acks_late=True)
def household_import_apply(batch_code: str, job_code: str) -> None:
    from canvassing.services_households import run_apply

    run_apply(batch_code, job_code)
