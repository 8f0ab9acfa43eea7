"""Bulk data for the benchmark: a small and a large campaign, reproducible from a fixed seed.

Everything is written with bulk_create in one transaction, with scopes disabled. Names come
from short fixed lists (Faker is far too slow for 200,000 people); UUIDs come from the same
seeded generator, so two runs at one scale hold the same rows.
"""

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import User
from campaign.models import AuditEvent, Campaign, Membership, Person, PersonTag, Role, Tag
from campaign.services import api_token_create, campaign_create

SEED = 20260101
PASSWORD = "bench-password-not-secret"  # every generated user; hashed once
BATCH = 2000

# members include the owner; people are the campaign's contacts.
SCALES: dict[str, dict[str, dict[str, int]]] = {
    "small": {"small": {"members": 10, "people": 100}, "large": {"members": 500, "people": 5_000}},
    "full": {"small": {"members": 10, "people": 100}, "large": {"members": 5_000, "people": 200_000}},
}

GIVEN_EN = [
    "Alex",
    "Bea",
    "Chris",
    "Dana",
    "Eli",
    "Fran",
    "Gus",
    "Hana",
    "Ivan",
    "Jo",
    "Kai",
    "Lena",
    "Max",
    "Nora",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sam",
    "Tess",
    "Uma",
    "Vic",
    "Wes",
    "Yara",
    "Zoe",
]
FAMILY_EN = [
    "Adams",
    "Baker",
    "Chan",
    "Diaz",
    "Evans",
    "Fung",
    "Garcia",
    "Ho",
    "Ip",
    "Jones",
    "Kwok",
    "Lam",
    "Mok",
    "Ng",
    "Ortiz",
    "Poon",
    "Rivera",
    "Smith",
    "Tang",
    "Wong",
    "Yip",
    "Zhou",
]
GIVEN_ZH = ["美玲", "志明", "家豪", "嘉欣", "伟", "芳", "静", "强", "秀英", "俊杰", "雅婷", "建国"]
FAMILY_ZH = ["陈", "李", "张", "黄", "何", "林", "周", "吴", "郑", "梁", "谢", "罗"]
NEIGHBOURHOODS = ["North Point", "Quarry Bay", "Tai Koo", "Fortress Hill", "Braemar Hill", "Shau Kei Wan"]
TAGS = [
    "donor",
    "volunteer lead",
    "needs ride",
    "elderly",
    "student",
    "business owner",
    "renter",
    "homeowner",
    "parent",
    "undecided",
    "supporter",
    "do not call",
]
AUDIT_ACTIONS = [
    "person.created",
    "person.updated",
    "membership.role_changed",
    "invitation.created",
    "campaign.updated",
]


@dataclass
class CampaignData:
    label: str
    campaign: Campaign
    owner: User
    members: int
    people: int
    token_key: str = field(repr=False, default="")  # the owner's API key (Bearer), shown only here


@dataclass
class Dataset:
    scale: str
    campaigns: dict[str, CampaignData]

    @property
    def small(self) -> CampaignData:
        return self.campaigns["small"]

    @property
    def large(self) -> CampaignData:
        return self.campaigns["large"]


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.password = make_password(PASSWORD)  # slow on purpose: once for all users
        self.now = timezone.now()

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def name(self) -> tuple[str, str]:
        if self.rng.random() < 0.6:
            return self.rng.choice(GIVEN_ZH), self.rng.choice(FAMILY_ZH)
        return self.rng.choice(GIVEN_EN), self.rng.choice(FAMILY_EN)

    def ago(self, days: int) -> dt.datetime:
        return self.now - dt.timedelta(seconds=self.rng.randrange(days * 86_400))


def _users(gen: _Gen, label: str, count: int) -> list[User]:
    users = []
    for n in range(count):
        given, family = gen.name()
        display_name = f"{given} {family}" if given.isascii() else f"{family}{given}"
        latin = gen.rng.choice(GIVEN_EN).lower()  # email local parts in random order, not insertion order
        users.append(
            User(
                code=gen.uuid(),
                email=f"{latin}.{label}{n:05d}@bench.groundswell.test",
                password=gen.password,
                display_name=display_name,
                language=gen.rng.choice(["", "en", "zh-hans"]),
                date_joined=gen.ago(365),
            )
        )
    users = User.objects.bulk_create(users, batch_size=BATCH)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users], batch_size=BATCH
    )
    return users


def _campaign(gen: _Gen, label: str, members: int, people: int) -> CampaignData:
    owner, *others = _users(gen, label, members)
    campaign = campaign_create(
        owner=owner,
        name=f"Bench {label} campaign",
        slug=f"bench-{label}",
        candidate_name=f"Candidate {label}",
        office="District Council",
        district=f"District {label}",
        election_date=timezone.localdate() + dt.timedelta(days=60),
        language="en",
        slogan="Every door, every neighbour",
    )
    coordinators = max(1, len(others) // 50)
    Membership.objects.bulk_create(
        [
            Membership(
                code=gen.uuid(),
                campaign=campaign,
                user=user,
                role=Role.COORDINATOR if n < coordinators else Role.VOLUNTEER,
            )
            for n, user in enumerate(others)
        ],
        batch_size=BATCH,
    )

    tags = Tag.objects.bulk_create([Tag(code=gen.uuid(), campaign=campaign, name=name) for name in TAGS])
    contacts = []
    for n in range(people):
        given, family = gen.name()
        consent = gen.rng.random() < 0.6
        contacts.append(
            Person(
                code=gen.uuid(),
                campaign=campaign,
                given_name=given,
                family_name=family,
                email=f"contact{n:06d}.{label}@example.org" if gen.rng.random() < 0.8 else "",
                phone=f"+8526{n:07d}" if gen.rng.random() < 0.7 else "",
                address_line=f"{gen.rng.randrange(1, 400)} {gen.rng.choice(FAMILY_EN)} Road",
                neighbourhood=gen.rng.choice(NEIGHBOURHOODS),
                postcode="",
                language=gen.rng.choice(["en", "zh-hans"]),
                consent_email=consent,
                consent_sms=consent,
                consent_recorded_at=gen.ago(90) if consent else None,
                consent_wording="Bench data" if consent else "",
            )
        )
    contacts = Person.objects.bulk_create(contacts, batch_size=BATCH)
    PersonTag.objects.bulk_create(
        [
            PersonTag(campaign=campaign, person=person, tag=gen.rng.choice(tags))
            for person in contacts
            if gen.rng.random() < 0.25
        ],
        batch_size=BATCH,
    )

    actors = [owner, *others[:coordinators]]
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                campaign=campaign,
                actor=gen.rng.choice(actors),
                action=gen.rng.choice(AUDIT_ACTIONS),
                object_type="campaign.person",
                object_code=str(gen.uuid()),
                created_at=gen.ago(90),
            )
            for _ in range(members + people // 10)
        ],
        batch_size=BATCH,
    )
    return CampaignData(label=label, campaign=campaign, owner=owner, members=members, people=people)


def generate(scale: str, seed: int = SEED) -> Dataset:
    """Create both campaigns in an empty, migrated database; the owners get an API token each."""
    gen = _Gen(seed)
    campaigns = {}
    with transaction.atomic(), scopes_disabled():
        for label, sizes in SCALES[scale].items():
            campaigns[label] = _campaign(gen, label, sizes["members"], sizes["people"])
    for data in campaigns.values():
        with scope(campaign=data.campaign.pk):
            membership = Membership.objects.get(campaign=data.campaign, user=data.owner)
            _, data.token_key = api_token_create(membership=membership, name="bench")
    return Dataset(scale=scale, campaigns=campaigns)
