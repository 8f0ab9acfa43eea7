"""The Celery app. The beat schedule lives here, in one place."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("groundswell")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic work. Every entry is a task that is safe to run again at any time.
app.conf.beat_schedule = {
    "accounts-clear-expired-sessions": {
        "task": "accounts.tasks.sessions_clear_expired",
        "schedule": 3600.0,
    },
}


@app.task(name="groundswell.ping")
def ping() -> str:
    """Answers through the broker and the result backend: proof that a worker is listening."""
    return "pong"
