"""Shared fixtures: two campaigns with a full team each, so every test can look for leaks."""

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django_scopes import scope, scopes_disabled

from campaign.models import Campaign, Membership, Role
from config.celery import app as celery_app
from tests.factories import CampaignFactory, MembershipFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def require_service(name: str, available: bool) -> None:
    """Skip a test whose service is missing; with REQUIRE_SERVICES=1 that is a failure instead."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{name} is required (REQUIRE_SERVICES=1) but not configured or not reachable.")
    pytest.skip(f"{name} is not configured")


def using_postgres() -> bool:
    return urlsplit(os.environ.get("DATABASE_URL", "")).scheme in {"postgres", "postgresql", "pgsql"}


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
        # The demo's cross-process file cache would carry rate limits from one test run to the next.
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # API limits count across tests in one process; tests/api/test_api.py turns them on where it checks them.
    settings.API_RATE_LIMIT_USER = settings.API_RATE_LIMIT_ANON = ""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def no_scope():
    with scopes_disabled():
        yield


@dataclass
class Team:
    campaign: Campaign
    owner: Membership
    coordinator: Membership
    volunteer: Membership


def make_team(slug: str) -> Team:
    with scopes_disabled():
        campaign = CampaignFactory(slug=slug, name=slug.replace("-", " ").title())
        return Team(
            campaign=campaign,
            owner=MembershipFactory(campaign=campaign, role=Role.OWNER),
            coordinator=MembershipFactory(campaign=campaign, role=Role.COORDINATOR),
            volunteer=MembershipFactory(campaign=campaign, role=Role.VOLUNTEER),
        )


@pytest.fixture
def team_a(db) -> Team:
    return make_team("campaign-a")


@pytest.fixture
def team_b(db) -> Team:
    return make_team("campaign-b")


@pytest.fixture
def in_scope_a(team_a):
    with scope(campaign=team_a.campaign.pk):
        yield team_a
