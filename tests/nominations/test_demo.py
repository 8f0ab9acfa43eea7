import random

import pytest
from django_scopes import scope
from faker import Faker

from nominations import demo
from nominations.models import Drive, Signature

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_drive_with_checked_signatures(team_a, district):
    with scope(campaign=team_a.campaign.pk):
        Drive.objects.all().delete()
        demo.seed(
            campaign=team_a.campaign, scale="small", rng=random.Random(1), fake_zh=Faker("zh_CN"), fake_en=Faker()
        )
        drive = Drive.objects.get()
        signatures = Signature.objects.filter(drive=drive)
        assert drive.area_key == "K1" and signatures.count() > 100
        assert signatures.filter(status="at_risk").exists() and signatures.filter(status="likely_valid").exists()


def test_demo_skips_without_households(team_b, capsys):
    with scope(campaign=team_b.campaign.pk):
        demo.seed(
            campaign=team_b.campaign, scale="small", rng=random.Random(1), fake_zh=Faker("zh_CN"), fake_en=Faker()
        )
        assert not Drive.objects.exists()
    assert "skipped" in capsys.readouterr().out


def test_demo_credits_signatures_to_the_sheets_collectors_and_returns_some_sheets(team_a, district):
    """The demo drive's 'By collector' table showed one row '—' for every signature, and no sheet
    came back: the demo kept the sheets as they were before checkout."""
    from nominations.models import Sheet

    with scope(campaign=team_a.campaign.pk):
        Drive.objects.all().delete()
        demo.seed(
            campaign=team_a.campaign, scale="small", rng=random.Random(1), fake_zh=Faker("zh_CN"), fake_en=Faker()
        )
        drive = Drive.objects.get()
        on_held_sheets = Signature.objects.filter(drive=drive, sheet__collector__isnull=False)
        assert on_held_sheets.exists()
        assert not on_held_sheets.filter(collected_by__isnull=True).exists()
        assert on_held_sheets.filter(collected_by=team_a.volunteer).exists()
        assert Sheet.objects.filter(drive=drive, status=Sheet.Status.RETURNED).exists()
