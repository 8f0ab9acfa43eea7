"""A realistic demo: one campaign with a team and contacts, and a second campaign beside it.

Idempotent: running it again finds what is there and adds only what is missing. Every person is
fictional (Faker). Each app adds its own demo data through a `seed()` function in its `demo.py`.
"""

import datetime as dt
import functools
import random
from importlib import import_module

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from faker import Faker

from accounts.models import User
from campaign.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from campaign.models import Campaign, Membership, Person, Role
from campaign.services import campaign_create

SCALES = {"small": {"volunteers": 25, "people": 300}, "large": {"volunteers": 1000, "people": 20000}}


@functools.cache
def demo_password_hash() -> str:
    return make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose


def demo_user(email: str, name: str, language: str = "") -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create(email=email, password=demo_password_hash(), display_name=name, language=language)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


class Command(BaseCommand):
    help = "Create (or complete) the demo campaigns. Fictional people only."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=2026)

    @transaction.atomic
    def handle(self, *args, scale: str, seed: int, **options) -> None:  # type: ignore[no-untyped-def]
        sizes = SCALES[scale]
        rng = random.Random(seed)
        fake_zh, fake_en = Faker("zh_CN"), Faker("en_US")
        fake_zh.seed_instance(seed)
        fake_en.seed_instance(seed)
        with scopes_disabled():
            owner_email, _ = DEMO_ACCOUNTS[0]
            owner = demo_user(owner_email, "陈美玲 Chan Mei-ling")
            campaign = Campaign.objects.filter(slug="harbour-north").first() or campaign_create(
                owner=owner,
                name="Chan Mei-ling for Harbour North",
                slug="harbour-north",
                candidate_name="陈美玲 Chan Mei-ling",
                office="District Council",
                district="Harbour North",
                election_date=timezone.localdate() + dt.timedelta(days=60),
                time_zone="Asia/Hong_Kong",
                language="zh-hans",
                currency="HKD",
                slogan="Every door, every neighbour",
                description="An independent campaign for a cleaner, safer and fairer Harbour North.",
            )
            other_owner = demo_user("owner@riverside.groundswell.test", "Sam Rivera", "en")
            if not Campaign.objects.filter(slug="riverside").exists():
                campaign_create(
                    owner=other_owner,
                    name="Sam Rivera for Riverside",
                    slug="riverside",
                    candidate_name="Sam Rivera",
                    office="City Council",
                    district="Riverside",
                    election_date=timezone.localdate() + dt.timedelta(days=90),
                    time_zone="America/New_York",
                    language="en",
                    currency="USD",
                    slogan="Riverside first",
                )

        with scope(campaign=campaign.pk):
            for email, role in DEMO_ACCOUNTS[1:]:
                name = fake_zh.name() if "2" in email else fake_en.name()
                user = demo_user(email, name)
                Membership.objects.get_or_create(campaign=campaign, user=user, defaults={"role": role})
            existing = Membership.objects.filter(campaign=campaign, role=Role.VOLUNTEER).count()
            for n in range(existing, sizes["volunteers"]):
                fake = fake_zh if n % 2 else fake_en
                user = demo_user(f"volunteer{n:04d}@demo.groundswell.test", fake.name(), rng.choice(["en", "zh-hans"]))
                Membership.objects.get_or_create(campaign=campaign, user=user, defaults={"role": Role.VOLUNTEER})
            have = Person.objects.filter(campaign=campaign).count()
            neighbourhoods = ["North Point", "Quarry Bay", "Tai Koo", "Fortress Hill", "Braemar Hill"]
            people = []
            for n in range(have, sizes["people"]):
                fake = fake_zh if n % 3 else fake_en
                consent = rng.random() < 0.6
                people.append(
                    Person(
                        campaign=campaign,
                        given_name=fake.first_name(),
                        family_name=fake.last_name(),
                        email=f"contact{n:05d}@example.org",
                        phone=f"+8526{n:07d}",
                        address_line=fake.street_address(),
                        neighbourhood=rng.choice(neighbourhoods),
                        language=rng.choice(["en", "zh-hans"]),
                        consent_email=consent,
                        consent_sms=consent,
                        consent_recorded_at=timezone.now() if consent else None,
                        consent_wording="Demo data" if consent else "",
                    )
                )
            Person.objects.bulk_create(people, batch_size=2000)
        for app_config in apps.get_app_configs():
            # Each app may ship a demo.py with seed(); campaign imports none of them directly.
            try:
                module = import_module(f"{app_config.name}.demo")
            except ModuleNotFoundError:
                continue
            if hasattr(module, "seed"):
                with scope(campaign=campaign.pk):
                    module.seed(campaign=campaign, scale=scale, rng=rng, fake_zh=fake_zh, fake_en=fake_en)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: campaign '{campaign.slug}' and 'riverside'. Sign in as {owner_email} / {DEMO_PASSWORD}"
            )
        )
