"""Start-up refuses bad configuration with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "mysql-ish nonsense"),
        ("DATABASE_URL", "postgres://"),
        ("DATABASE_URL", "ftp://host/db"),
        ("REDIS_URL", "localhost:6379"),
        ("REDIS_URL", "redis://:6379/0"),
        ("REDIS_URL", "redis://host:port/0"),
        ("EMAIL_URL", "nonsense://"),
    ],
)
def test_malformed_url_stops_start_up_naming_the_variable(variable, value):
    result = start(**{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and variable in result.stderr, result.stderr


def test_production_needs_a_real_secret_key_and_hosts():
    result = start(DJANGO_ENV="production", SECRET_KEY="short")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
    result = start(DJANGO_ENV="production", SECRET_KEY="x" * 30 + "abcdefghijklmnopqrstuvwxyz", ALLOWED_HOSTS="")
    assert result.returncode != 0 and "ALLOWED_HOSTS" in result.stderr


def test_production_profile_passes_check_deploy_without_warnings():
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**clean, "DJANGO_ENV": "production", "SECRET_KEY": "k7#" * 20 + "Zq9!", "ALLOWED_HOSTS": "example.org"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
