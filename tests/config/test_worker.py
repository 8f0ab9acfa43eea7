"""A real Celery worker starts and answers, on the embedded broker and on Redis."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))

pytestmark = [pytest.mark.services, pytest.mark.slow]

ASK = """
from config.celery import app, ping
print("control:", app.control.ping(timeout=5))
print("task:", ping.delay().get(timeout=30))
"""


def run_worker_and_ping(env: dict[str, str]) -> str:
    worker = subprocess.Popen(
        [
            CELERY,
            "-A",
            "config",
            "worker",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        for line in worker.stdout:  # wait for "ready" before asking
            if "ready." in line:
                break
            if time.monotonic() > deadline:
                raise AssertionError("worker did not start")
        answer = subprocess.run(
            [sys.executable, "-c", ASK], cwd=ROOT, env=env, capture_output=True, text=True, timeout=90
        )
        assert answer.returncode == 0, answer.stderr
        return answer.stdout
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_TASK_ALWAYS_EAGER"}}
    return {**env, "DJANGO_SETTINGS_MODULE": "config.settings", **extra}


def test_worker_answers_on_the_embedded_filesystem_broker(tmp_path):
    out = run_worker_and_ping(base_env(CELERY_DATA_DIR=str(tmp_path)))
    assert "'ok': 'pong'" in out and "task: pong" in out


def test_worker_answers_on_redis():
    url = os.environ.get("REDIS_URL", "")
    reachable = False
    if url:
        import redis

        try:
            reachable = redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError:
            reachable = False
    require_service("Redis (REDIS_URL)", reachable)
    out = run_worker_and_ping(base_env(REDIS_URL=url))
    assert "'ok': 'pong'" in out and "task: pong" in out
