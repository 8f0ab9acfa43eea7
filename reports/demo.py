"""Demo data for the reports: the campaign's digest hour and members' own choices (some volunteers on the
leaderboard under a nickname, one coordinator who turned the digest off). The numbers themselves come
from the other apps' demo data. Idempotent: nothing happens once the campaign has its reports settings."""

import random

from faker import Faker

from campaign.models import Campaign, Membership, Role
from reports.models import MemberPreferences, ReportsSettings

NICKNAMES = [
    "Night Owl",
    "Early Bird",
    "Harbour Hawk",
    "Hill Climber",
    "Tram Rider",
    "小蜜蜂",
    "夜猫子",
    "快脚",
    "阿明",
    "大熊",
]


def seed(*, campaign: Campaign, scale: str, rng: random.Random, fake_zh: Faker, fake_en: Faker) -> None:
    if ReportsSettings.objects.filter(campaign=campaign).exists():
        return
    ReportsSettings.objects.create(campaign=campaign, digest_hour=7)
    members = list(Membership.objects.filter(campaign=campaign).order_by("id"))
    prefs = []
    used: set[str] = set()
    coordinators_seen = 0
    for member in members:
        if member.role == Role.VOLUNTEER and rng.random() < 0.3:
            name = rng.choice(NICKNAMES)
            if name in used:
                name = f"{name} {len(used) + 1}"
            used.add(name)
            prefs.append(
                MemberPreferences(campaign=campaign, membership=member, leaderboard_opt_in=True, leaderboard_name=name)
            )
        elif member.role == Role.COORDINATOR:
            coordinators_seen += 1
            if coordinators_seen == 2:  # one coordinator reads the dashboard instead of the morning email
                prefs.append(MemberPreferences(campaign=campaign, membership=member, digest_enabled=False))
    MemberPreferences.objects.bulk_create(prefs)
