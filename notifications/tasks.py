from celery import shared_task

from notifications.sending import send_due


@shared_task(name="notifications.tasks.outbox_send_due", acks_late=True, ignore_result=True)
def outbox_send_due() -> int:
    """Beat runs this every minute. Safe to run on several workers at once: rows are claimed."""
    return send_due()
