from celery import shared_task

from reports.digest import digest_enqueue_due


@shared_task(name="reports.tasks.digest_send_due", acks_late=True, ignore_result=True)
def digest_send_due() -> int:
    """Beat runs this every 15 minutes; each digest is keyed per campaign, member and day, so it goes once."""
    return digest_enqueue_due()
