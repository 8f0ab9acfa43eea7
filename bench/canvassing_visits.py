"""Canvassing: the offline sync of visits, beside a bare multi-row INSERT of the same rows.

Figures (under "canvassing" in results.json):

- `sync_visits_per_s`: visits per second through POST /api/v1/c/<slug>/visits/sync/, in batches of 50 as a
  phone sends its queue, with a volunteer's API token: every item parsed and checked (assignment, outcome,
  support, survey answers against three questions, clock), the too-fast and far-away flags, the insert, and
  the households' latest outcome kept. Batches are mostly "not home", a third contacted with support and
  answers, as a phone sends them; none with leaflets (the inventory's own bench measures stock moves).
- `insert_rows_per_s`: the baseline: the same number of rows, 50 per statement, as one bare
  `INSERT INTO canvassing_visit (...) VALUES (...), (...)` each through `connection.cursor()`, each in its own
  transaction like a request. Measured interleaved with the sync, batch by batch.
- `sync_vs_insert`: ours ÷ baseline, of rates (goal ≥ 0.3).
- `sync_queries_per_batch`: SQL queries of one sync request of 50 visits (it must not grow with the batch).
- `sync_visits`: visits sent.

The data is made here in its own campaign (bench-visits), from a fixed seed, with bulk_create.
"""

import datetime as dt
import json
import random
import statistics
import time
import uuid
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from bench.timing import BenchError, count_queries
from campaign.models import Campaign, Membership, Role
from campaign.services import api_token_create
from canvassing.models import Area, Assignment, Household, MapVersion, SurveyQuestion, Turf, Visit

APP = "canvassing"
GOALS = {"sync_vs_insert": (">=", 0.3)}

SEED = 20260107
SLUG = "bench-visits"
BATCH = 50
BATCHES = {"small": 20, "full": 200}
DOORS = {"small": 1_000, "full": 10_000}


def _setup(ctx: Any, rng: random.Random) -> tuple[Campaign, Membership, list[Household], list[SurveyQuestion]]:
    doors = DOORS[ctx.scale]
    with scopes_disabled(), transaction.atomic():
        campaign = Campaign.objects.create(
            slug=SLUG,
            name="Bench visits",
            candidate_name="Candidate Door",
            office="District Council",
            election_date=timezone.localdate() + dt.timedelta(days=60),
        )
        Campaign.objects.filter(pk=campaign.pk).update(created_at=timezone.now() - dt.timedelta(days=20))
        campaign.refresh_from_db()
        member = Membership.objects.create(campaign=campaign, user=ctx.data.large.owner, role=Role.VOLUNTEER)
        version = MapVersion.objects.create(campaign=campaign, number=1, name="Map", source="geojson", status="current")
        area = Area.objects.create(campaign=campaign, version=version, key="B01", name="Bench area")
        turf = Turf.objects.create(campaign=campaign, area=area, name="Bench turf")
        households = Household.objects.bulk_create(
            [
                Household(
                    campaign=campaign,
                    code=uuid.UUID(int=rng.getrandbits(128), version=4),
                    area=area,
                    turf=turf,
                    street=f"Street {n // 200}",
                    house_number=str(n % 200 + 1),
                    house_number_value=n % 200 + 1,
                    parity=(n % 200 + 1) % 2,
                    address_key=f"bench|{n}",
                    latitude=22.3 + rng.random() * 0.01,
                    longitude=114.17 + rng.random() * 0.01,
                )
                for n in range(doors)
            ],
            batch_size=2000,
        )
        Assignment.objects.create(campaign=campaign, turf=turf, membership=member)
        questions = [
            SurveyQuestion.objects.create(
                campaign=campaign, position=1, kind="yes_no", prompt={"en": "Will you vote?"}
            ),
            SurveyQuestion.objects.create(campaign=campaign, position=2, kind="scale", prompt={"en": "Transport?"}),
            SurveyQuestion.objects.create(
                campaign=campaign,
                position=3,
                kind="choice",
                prompt={"en": "Top issue"},
                choices=[
                    {"value": "housing", "label": {"en": "Housing"}},
                    {"value": "transport", "label": {"en": "Transport"}},
                ],
            ),
        ]
    # Fresh statistics, as a live database has a minute after an import (autovacuum): without them PostgreSQL
    # guesses one door per campaign and reads all 10,000 of them for every batch's 50 codes.
    with connection.cursor() as cursor:
        for model in (Household, Assignment, Visit, SurveyQuestion):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return campaign, member, households, questions


def _batch(rng: random.Random, households: list[Household], questions: list, start: dt.datetime, n: int) -> list[dict]:
    """A phone's queue of 50 doors, a minute apart: mostly not home, a third contacted with answers."""
    items = []
    for i in range(BATCH):
        door = households[(n * BATCH + i) % len(households)]
        item: dict[str, Any] = {
            "code": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "household": str(door.code),
            "visited_at": (start + dt.timedelta(minutes=n * BATCH + i)).isoformat(),
            "latitude": door.latitude,
            "longitude": door.longitude,
        }
        if rng.random() < 0.33:
            item.update(
                outcome="contacted",
                support_level=rng.randint(1, 5),
                answers={
                    str(questions[0].code): rng.choice(["yes", "no"]),
                    str(questions[1].code): rng.randint(1, 5),
                    str(questions[2].code): rng.choice(["housing", "transport"]),
                },
                note="",
            )
        else:
            item.update(outcome=rng.choice(["not_home", "not_home", "come_back", "refused"]))
        items.append(item)
    return items


COLUMNS = [
    "code",
    "campaign_id",
    "household_id",
    "turf_id",
    "assignment_id",
    "canvasser_id",
    "outcome",
    "support_level",
    "leaflets_left",
    "answers",
    "note",
    "visited_at",
    "recorded_at",
    "latitude",
    "longitude",
    "flags",
    "needs_review",
]


def _insert_rows(
    items: list[dict], *, campaign: Campaign, member: Membership, by_code: dict, assignment_id: int
) -> None:
    """The baseline: one bare multi-row INSERT of the same rows (fresh codes), in its own transaction."""
    now = timezone.now()
    rows = []
    for item in items:
        household = by_code[item["household"]]
        rows.append(
            [
                uuid.uuid4().hex if connection.vendor == "sqlite" else uuid.uuid4(),
                campaign.pk,
                household.pk,
                household.turf_id,
                assignment_id,
                member.pk,
                item["outcome"],
                item.get("support_level"),
                0,
                json.dumps(item.get("answers", {})),
                "",
                item["visited_at"],
                now,
                item["latitude"],
                item["longitude"],
                "[]",
                False,
            ]
        )
    placeholders = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    sql = f"INSERT INTO canvassing_visit ({', '.join(COLUMNS)}) VALUES " + ", ".join([placeholders] * len(rows))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


def measure(ctx: Any) -> dict[str, Any]:
    rng = random.Random(SEED)
    campaign, member, households, questions = _setup(ctx, rng)
    with scopes_disabled():
        _token, key = api_token_create(membership=member, name="bench phone")
        assignment_id = Assignment.objects.get(membership=member).pk
    client = ctx.token_client(key)
    url = f"/api/v1/c/{SLUG}/visits/sync/"
    by_code = {str(h.code): h for h in households}
    batches = BATCHES[ctx.scale]
    start = timezone.now() - dt.timedelta(days=10)

    def send(items: list[dict]) -> None:
        response = client.post(url, {"visits": items}, content_type="application/json")
        if response.status_code != 200:
            raise BenchError(f"POST {url} answered {response.status_code}")
        statuses = {r["status"] for r in response.json()["results"]}
        if statuses != {"created"}:
            raise BenchError(f"sync did not create every visit: {response.json()['results'][:3]}")

    warm = _batch(rng, households, questions, start - dt.timedelta(days=1), 0)
    send(warm)  # the first request of the token and the connection: not measured
    _insert_rows(warm, campaign=campaign, member=member, by_code=by_code, assignment_id=assignment_id)
    ours, baseline = [], []
    for n in range(1, batches + 1):
        items = _batch(rng, households, questions, start, n)
        t = time.perf_counter()
        send(items)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        _insert_rows(items, campaign=campaign, member=member, by_code=by_code, assignment_id=assignment_id)
        baseline.append(time.perf_counter() - t)
    queries = count_queries(lambda: send(_batch(rng, households, questions, start - dt.timedelta(days=2), batches + 1)))
    with scopes_disabled():
        stored = Visit.objects.filter(campaign=campaign).count()
    expected = (batches + 3) * BATCH * 2 - BATCH  # ours and the baseline's rows, the counted sends
    if stored < batches * BATCH * 2:
        raise BenchError(f"expected about {expected} visits stored, found {stored}")
    ours_rate = BATCH / statistics.median(ours)
    base_rate = BATCH / statistics.median(baseline)
    return {
        "sync_visits_per_s": round(ours_rate, 1),
        "insert_rows_per_s": round(base_rate, 1),
        "sync_vs_insert": round(ours_rate / base_rate, 2),
        "sync_queries_per_batch": queries,
        "sync_visits": batches * BATCH,
    }
