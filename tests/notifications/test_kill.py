"""The outbox survives SIGKILL: a real Celery worker on Redis, a real SMTP server, PostgreSQL.

1,000 due reminders; the worker is killed twice mid-run and restarted. Nothing may be lost, and a
message may arrive twice only if it was in flight at a kill, with the same Message-ID both times.
"""

import contextlib
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from email.parser import BytesHeaderParser
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from config.celery import app as celery_app
from notifications.models import Channel, Message
from notifications.tasks import outbox_send_due
from tests.conftest import require_service, using_postgres
from tests.factories import CampaignFactory
from tests.notifications.helpers import REMINDER, reminder_context

pytestmark = [pytest.mark.services, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
TOTAL = 1000
KILL_AT = (250, 600)  # messages received when the worker is killed
LEASE_SECONDS = 5
DEADLINE_SECONDS = 120  # about 45 s on a busy 2-core machine, most of it three worker start-ups


def redis_reachable() -> bool:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    """An SMTP server's DATA handler that keeps the Message-ID of everything it accepts."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        headers = BytesHeaderParser().parsebytes(envelope.content)
        with self.lock:
            self.ids.append(str(headers["Message-ID"]))
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.ids)


@pytest.fixture
def smtp_server():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, recorder
    controller.stop()


def database_url() -> str:
    """The test database (its NAME is the test one while the test runs), for the worker to share."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(env: dict[str, str], queue: str, log: Path) -> subprocess.Popen:
    with log.open("a") as out:
        return subprocess.Popen(
            [
                *(CELERY, "-A", "config", "worker", "--concurrency", "1", "--loglevel", "WARNING"),
                *("--queues", queue, "--hostname", f"{queue}-{uuid.uuid4().hex[:6]}@%h"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the kill takes the pool child too
        )


def kill(worker: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)


def forget_queue(queue: str) -> None:
    """Tasks left in Redis by the dead workers name a queue nobody will read again: drop them."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    for tag, payload in client.hgetall("unacked").items():
        if queue.encode() in payload:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


def test_a_worker_killed_twice_loses_nothing_and_doubles_at_most_one_per_kill(transactional_db, smtp_server, tmp_path):
    require_service("PostgreSQL (DATABASE_URL)", using_postgres())
    require_service("Redis (REDIS_URL)", redis_reachable())
    assert celery_app.conf.broker_url.startswith(("redis://", "rediss://"))
    celery_app.conf.task_always_eager = False  # the conftest makes tasks eager; this one goes to the broker
    port, recorder = smtp_server

    with scopes_disabled():
        campaign = CampaignFactory(slug="kill-test")
        due = timezone.now() - dt.timedelta(minutes=1)
        Message.objects.bulk_create(
            Message(
                campaign=campaign,
                channel=Channel.EMAIL,
                to=f"volunteer{n}@example.test",
                template=REMINDER,
                context=reminder_context(),
                dedupe_key=f"kill:{n}",
                send_at=due,
            )
            for n in range(TOTAL)
        )
        expected = {m.message_id for m in Message.objects.filter(campaign=campaign)}
    assert len(expected) == TOTAL

    queue = f"outbox-kill-{uuid.uuid4().hex[:8]}"  # this test's worker reads only this test's tasks
    env = {key: value for key, value in os.environ.items() if key != "CELERY_TASK_ALWAYS_EAGER"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url(),
        REDIS_URL=os.environ["REDIS_URL"],
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS),
    )
    log = tmp_path / "worker.log"
    worker = start_worker(env, queue, log)
    kills = 0
    sent = 0
    started = last_trigger = last_check = time.monotonic()
    try:
        while True:
            now = time.monotonic()
            assert now - started < DEADLINE_SECONDS, (
                f"only {sent} of {TOTAL} sent after {DEADLINE_SECONDS}s, {kills} kills; worker log:\n"
                + log.read_text()[-3000:]
            )
            if now - last_trigger >= 1:  # what beat does every minute, every second
                outbox_send_due.apply_async(queue=queue)
                last_trigger = now
            if kills < len(KILL_AT) and recorder.count() >= KILL_AT[kills]:
                kill(worker)
                kills += 1
                worker = start_worker(env, queue, log)
            if now - last_check >= 0.25:
                last_check = now
                with scopes_disabled():
                    sent = Message.objects.filter(campaign=campaign, sent_at__isnull=False).count()
                if sent == TOTAL and kills == len(KILL_AT):
                    break
            time.sleep(0.005)
    finally:
        kill(worker)
        forget_queue(queue)

    received = list(recorder.ids)
    distinct = set(received)
    lost = len(expected - distinct)
    doubled = len(received) - len(distinct)
    print(f"received={len(received)} distinct={len(distinct)} lost={lost} doubled={doubled} kills={kills}")
    assert distinct <= expected  # nothing but our messages
    assert lost == 0
    assert doubled <= kills == 2
    with scopes_disabled():
        assert not Message.objects.filter(campaign=campaign, sent_at=None).exists()
        assert not Message.objects.filter(campaign=campaign).exclude(attempts=1).exists()
