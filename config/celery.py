"""The Celery app. The beat schedule lives here, in one place."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("groundswell")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_configure.connect
def _make_embedded_broker_folders(sender: Celery, **kwargs: object) -> None:
    """kombu's filesystem transport and the file result backend expect their folders to exist."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        for folder in ("queue", "control", "results"):
            (Path(settings.CELERY_DATA_DIR) / folder).mkdir(parents=True, exist_ok=True)


# Periodic work. Every entry is a task that is safe to run again at any time.
app.conf.beat_schedule = {
    "notifications-send-due": {
        "task": "notifications.tasks.outbox_send_due",
        "schedule": 60.0,
        "options": {"expires": 55},  # a run that could not start within the minute is replaced by the next
    },
    "reports-daily-digest": {
        "task": "reports.tasks.digest_send_due",
        "schedule": 900.0,  # each campaign's digest hour is checked in its own time zone; sent once a day
        "options": {"expires": 850},
    },
    "nominations-remind-behind-pace": {"task": "nominations.tasks.drives_remind_behind_pace", "schedule": 3600.0},
    "accounts-clear-expired-sessions": {
        "task": "accounts.tasks.sessions_clear_expired",
        "schedule": 3600.0,
    },
}


@app.task(name="groundswell.ping")
def ping() -> str:
    """Answers through the broker and the result backend: proof that a worker is listening."""
    return "pong"
