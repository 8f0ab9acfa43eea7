"""Canvassing progress: the coordinators' progress overview of a campaign with 200,000 households and
1,000,000 visits (10,000 / 50,000 at SCALE=small), beside the bare SQL aggregates it shows.

Figures (under "canvassing" in results.json):

- `progress_ms`: median time of GET /c/<slug>/canvassing/progress/?period=all signed in as the owner:
  the summary (visits, doors knocked, contacts, contact rate, coverage, what is left, support, turfs
  completed, visits waiting for review), doors and contacts by day, and coverage and turfs by area, rendered
  with their SVG charts.
- `progress_sql_ms`: the baseline: the same numbers as bare SQL through `connection.cursor()`, one
  statement per figure group the page shows (8 statements), measured interleaved with the page.
- `progress_vs_sql`: ours ÷ baseline (goal ≤ 3).
- `progress_queries_small` / `progress_queries_large`: SQL queries of one page view, once warm, on a
  campaign a tenth the size and on the large one (goal: equal).
- `progress_households`, `progress_visits`: the large campaign's size; `progress_setup_s`: seconds spent
  making both campaigns' data.

The data is made here from a fixed seed in two campaigns of its own (bench-progress, bench-progress-small):
on PostgreSQL with INSERT … SELECT generate_series (seconds for 1,000,000 visits), on SQLite with
bulk_create; bench/generate.py's large campaign owner is made their owner.
"""

import datetime as dt
import random
import re
import time
import uuid
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from bench.timing import BenchError, compare_ms, count_queries, get_ok, ms, ratio
from campaign.models import Campaign, Membership, Role
from canvassing.models import Area, Household, MapVersion, Turf, Visit
from canvassing.selectors_progress import NOT_KNOCKED_OUTCOMES

APP = "canvassing"
GOALS = {"progress_vs_sql": ("<=", 3)}

SEED = 20260404
SIZES = {"small": (10_000, 50_000), "full": (200_000, 1_000_000)}  # households, visits
# Each page view aggregates every visit: the minimum run count keeps SCALE=small quick; at full scale a view
# takes seconds. Page and baseline are measured interleaved, so load from other processes falls on both.
RUNS = {"small": 10, "full": 5}
HOUSEHOLDS_PER_TURF = 100
TURFS_PER_AREA = 50
CANVASSERS = 200
DAYS = 60
BATCH = 5000
OUTCOMES = [  # (outcome, weight)
    ("contacted", 35),
    ("not_home", 40),
    ("refused", 8),
    ("come_back", 6),
    ("inaccessible", 5),
    ("moved", 2),
    ("do_not_contact", 1),
    ("leaflet_left", 3),
]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _setup(ctx: Any, rng: random.Random, slug: str, households: int, visits: int) -> Campaign:
    owner = ctx.data.large.owner
    today = timezone.localdate()
    with scopes_disabled(), transaction.atomic():
        campaign = Campaign.objects.create(
            slug=slug,
            name=f"Bench {slug}",
            candidate_name="Candidate Doors",
            office="District Council",
            election_date=today + dt.timedelta(days=30),
        )
        Membership.objects.create(campaign=campaign, user=owner, role=Role.OWNER)
        # Canvassers are the bench's existing users of the large campaign, joined to this one.
        users = list(
            Membership.objects.filter(campaign=ctx.data.large.campaign)
            .exclude(user=owner)
            .values_list("user_id", flat=True)[:CANVASSERS]
        )
        members = Membership.objects.bulk_create(
            [Membership(campaign=campaign, user_id=user_id, role=Role.VOLUNTEER) for user_id in users]
        )
        members = list(Membership.objects.filter(campaign=campaign, role=Role.VOLUNTEER))
        version = MapVersion.objects.create(
            campaign=campaign, number=1, name="Bench map", source=MapVersion.Source.GEOJSON, status="current"
        )
        turf_count = max(households // HOUSEHOLDS_PER_TURF, 1)
        area_count = max(turf_count // TURFS_PER_AREA, 1)
        areas = Area.objects.bulk_create(
            [
                Area(campaign=campaign, version=version, code=_uuid(rng), key=f"A{n:03d}", name=f"Area {n}")
                for n in range(area_count)
            ]
        )
        turfs = Turf.objects.bulk_create(
            [
                Turf(
                    campaign=campaign,
                    area=areas[n % area_count],
                    code=_uuid(rng),
                    name=f"Turf {n:05d}",
                    completed_at=timezone.now() if n % 40 == 0 else None,
                )
                for n in range(turf_count)
            ],
            batch_size=BATCH,
        )
        if connection.vendor == "postgresql":
            _fill_sql(campaign, rng, turfs, members, households, visits)
        else:
            _fill_python(campaign, rng, turfs, members, households, visits)
    households_table, visits_table = Household._meta.db_table, Visit._meta.db_table
    with connection.cursor() as cursor:  # fresh statistics, as a live database would have
        for table in (households_table, visits_table, Turf._meta.db_table, Area._meta.db_table):
            cursor.execute(f"ANALYZE {table}")
    return campaign


def _outcome_case(column: str) -> str:
    """SQL CASE picking an outcome from a uniform random column by the OUTCOMES weights."""
    total = sum(weight for _name, weight in OUTCOMES)
    parts, edge = [], 0
    for name, weight in OUTCOMES[:-1]:
        edge += weight
        parts.append(f"WHEN {column} < {edge / total} THEN '{name}'")
    return f"CASE {' '.join(parts)} ELSE '{OUTCOMES[-1][0]}' END"


def _fill_sql(
    campaign: Campaign, rng: random.Random, turfs: list[Turf], members: list[Membership], households: int, visits: int
) -> None:
    """Households and visits with INSERT … SELECT generate_series (PostgreSQL): 1,000,000 visits in seconds.
    random() is seeded per campaign, so two runs hold the same numbers."""
    h, v = Household._meta.db_table, Visit._meta.db_table
    turf_ids = [turf.pk for turf in turfs]
    area_ids = [turf.area_id for turf in turfs]
    member_ids = [member.pk for member in members]
    seed = f"{SEED}-{campaign.slug}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW is_superuser")
        if cursor.fetchone()[0] == "on":
            # The rows are consistent by construction; without this, 1,000,000 visits queue 4,000,000
            # deferred foreign-key checks that take minutes at commit. Bench database only, this transaction.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SELECT setseed(%s)", [rng.random() * 2 - 1])
        cursor.execute(
            f"INSERT INTO {h} (code, campaign_id, external_id, address_key, district, street, house_number, "
            "building, floor, unit, postcode, status, source, needs_review, notes, last_outcome, "
            "created_at, updated_at, turf_id, area_id) "
            "SELECT md5(%s || ':h:' || n)::uuid, %s, '', 'bench:' || n, '', 'Street ' || (n / 200), "
            "(n %% 200 + 1)::text, '', '', '', '', CASE WHEN n %% 97 = 0 THEN 'moved' ELSE 'active' END, "
            "'import', false, '', '', now(), now(), (%s::bigint[])[(n / %s) %% %s + 1], "
            "(%s::bigint[])[(n / %s) %% %s + 1] "
            "FROM generate_series(0, %s - 1) AS n ORDER BY n",
            [
                *(seed, campaign.pk),
                *(turf_ids, HOUSEHOLDS_PER_TURF, len(turf_ids)),
                *(area_ids, HOUSEHOLDS_PER_TURF, len(turf_ids)),
                households,
            ],
        )
        cursor.execute(f"SELECT min(id), max(id) FROM {h} WHERE campaign_id = %s", [campaign.pk])
        first, last = cursor.fetchone()
        if last - first + 1 != households:
            raise BenchError(f"household ids are not contiguous ({first}..{last} for {households})")
        # One random column per choice, drawn once per row in a subquery (OFFSET 0 keeps it from being
        # flattened, which would draw again wherever a column is used).
        cursor.execute(
            f"INSERT INTO {v} (code, campaign_id, household_id, turf_id, canvasser_id, outcome, support_level, "
            "leaflets_left, answers, note, visited_at, recorded_at, flags, needs_review) "
            f"SELECT md5(%s || ':v:' || r.n)::uuid, %s, hh.id, hh.turf_id, (%s::bigint[])[r.member + 1], "
            f"{_outcome_case('r.pick')}, CASE WHEN {_outcome_case('r.pick')} = 'contacted' THEN r.support END, "
            "0, '{}'::jsonb, '', r.at, r.at, "
            "CASE WHEN r.flagged THEN '[\"too_fast\"]'::jsonb ELSE '[]'::jsonb END, r.flagged "
            "FROM (SELECT n, floor(random() * %s)::bigint AS house, random() AS pick, "
            "now() - floor(random() * %s) * interval '1 second' AS at, 1 + floor(random() * 5)::int AS support, "
            "random() < 0.005 AS flagged, floor(random() * %s)::int AS member "
            "FROM generate_series(1, %s) AS n OFFSET 0) AS r "
            f"JOIN {h} AS hh ON hh.id = %s + r.house ORDER BY r.n",
            [seed, campaign.pk, member_ids, households, DAYS * 86400, len(member_ids), visits, first],
        )
        # Each household's latest visit, as the visit service keeps it.
        cursor.execute(
            f"UPDATE {h} AS hh SET last_outcome = l.outcome, last_support = l.support_level, "
            "last_visited_at = l.visited_at FROM (SELECT DISTINCT ON (household_id) household_id, outcome, "
            f"support_level, visited_at FROM {v} WHERE campaign_id = %s "
            "ORDER BY household_id, visited_at DESC, id DESC) AS l WHERE hh.id = l.household_id",
            [campaign.pk],
        )


def _fill_python(
    campaign: Campaign, rng: random.Random, turfs: list[Turf], members: list[Membership], households: int, visits: int
) -> None:
    """The same data with bulk_create, for a SQLite bench database."""
    turf_count = len(turfs)
    now = timezone.now()
    names, weights = zip(*OUTCOMES, strict=True)
    planned = []
    latest: dict[int, tuple[dt.datetime, str, int | None]] = {}
    for _n in range(visits):
        index = rng.randrange(households)
        outcome = rng.choices(names, weights)[0]
        at = now - dt.timedelta(seconds=rng.randrange(DAYS * 86400))
        support = rng.randint(1, 5) if outcome == "contacted" else None
        flagged = rng.random() < 0.005
        planned.append((index, outcome, at, support, rng.randrange(len(members)), flagged))
        if index not in latest or at > latest[index][0]:
            latest[index] = (at, outcome, support)
    rows = []
    for n in range(households):
        at, outcome, support = latest.get(n, (None, "", None))
        turf = turfs[n // HOUSEHOLDS_PER_TURF % turf_count]
        rows.append(
            Household(
                campaign=campaign,
                code=_uuid(rng),
                address_key=f"bench:{n}",
                street=f"Street {n // 200}",
                house_number=str(n % 200 + 1),
                status=Household.Status.MOVED if n % 97 == 0 else Household.Status.ACTIVE,
                turf=turf,
                area_id=turf.area_id,
                last_outcome=outcome,
                last_support=support,
                last_visited_at=at,
            )
        )
    made = Household.objects.bulk_create(rows, batch_size=BATCH)
    ids = [(h.pk, h.turf_id) for h in made]
    for start in range(0, visits, BATCH):
        Visit.objects.bulk_create(
            [
                Visit(
                    campaign=campaign,
                    code=_uuid(rng),
                    household_id=ids[index][0],
                    turf_id=ids[index][1],
                    canvasser=members[member],
                    outcome=outcome,
                    support_level=support,
                    visited_at=at,
                    recorded_at=at,
                    flags=["too_fast"] if flagged else [],
                    needs_review=flagged,
                )
                for index, outcome, at, support, member, flagged in planned[start : start + BATCH]
            ]
        )


def _day_sql(campaign: Campaign) -> str:
    if connection.vendor == "postgresql":
        return f"(visited_at AT TIME ZONE '{campaign.time_zone}')::date"
    offset = campaign.tzinfo.utcoffset(dt.datetime(2026, 1, 1))
    return f"date(visited_at, '{int(offset.total_seconds() // 3600):+d} hours')"


def progress_sql(campaign: Campaign) -> list[Any]:
    """What the overview shows (?period=all), as bare SQL."""
    v, h, t, a = Visit._meta.db_table, Household._meta.db_table, Turf._meta.db_table, Area._meta.db_table
    mv = MapVersion._meta.db_table
    excluded = ", ".join(f"'{o}'" for o in NOT_KNOCKED_OUTCOMES)
    counted = f"{v}.campaign_id = %s AND {v}.discarded_at IS NULL"
    visit_figures = (
        f"COUNT(*), COUNT(DISTINCT CASE WHEN outcome NOT IN ({excluded}) THEN household_id END), "
        "COUNT(DISTINCT CASE WHEN outcome = 'contacted' THEN household_id END)"
    )
    support = ", ".join(f"SUM(CASE WHEN last_support = {n} THEN 1 ELSE 0 END)" for n in range(1, 6))
    knocked = f"SUM(CASE WHEN last_outcome NOT IN ('', {excluded}) THEN 1 ELSE 0 END)"
    c = campaign.pk
    statements = [
        (f"SELECT {visit_figures} FROM {v} WHERE {counted}", [c]),
        (
            f"SELECT turf_id, COUNT(*), {knocked}, {support} FROM {h} WHERE campaign_id = %s AND status = 'active' "
            "GROUP BY turf_id",
            [c],
        ),
        (f"SELECT id, completed_at FROM {t} WHERE campaign_id = %s", [c]),
        (f"SELECT COUNT(*) FROM {v} WHERE campaign_id = %s AND needs_review AND discarded_at IS NULL", [c]),
        (
            f"SELECT {_day_sql(campaign)} AS day, {visit_figures}, "
            + ", ".join(f"SUM(CASE WHEN support_level = {n} THEN 1 ELSE 0 END)" for n in range(1, 6))
            + f" FROM {v} WHERE {counted} GROUP BY day ORDER BY day",
            [c],
        ),
        (
            f"SELECT {a}.id, {a}.key, {a}.name FROM {a} JOIN {mv} ON {mv}.id = {a}.version_id "
            f"WHERE {a}.campaign_id = %s AND {mv}.status = 'current' ORDER BY {a}.key",
            [c],
        ),
        (
            f"SELECT area_id, turf_id, COUNT(*), {knocked}, {support} FROM {h} "
            "WHERE campaign_id = %s AND status = 'active' GROUP BY area_id, turf_id",
            [c],
        ),
        (f"SELECT id, area_id, completed_at FROM {t} WHERE campaign_id = %s", [c]),
    ]
    results = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            results.append(cursor.fetchall())
    return results


def _shown(page: Any, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">([^<]*)<', page.content.decode())
    return found.group(1).strip() if found else ""


def measure(ctx: Any) -> dict[str, Any]:
    rng = random.Random(SEED)
    households, visits = SIZES[ctx.scale]
    started = time.perf_counter()
    large = _setup(ctx, rng, "bench-progress", households, visits)
    small = _setup(ctx, rng, "bench-progress-small", households // 10, visits // 10)
    setup_seconds = time.perf_counter() - started
    client = ctx.session_client(ctx.data.large.owner)
    url = f"/c/{large.slug}/canvassing/progress/?period=all"
    small_url = f"/c/{small.slug}/canvassing/progress/?period=all"
    page = get_ok(client, url)
    figures = progress_sql(large)[0][0]
    if _shown(page, "visits") != str(figures[0]) or _shown(page, "doors-knocked") != str(figures[1]):
        raise BenchError(
            f"the page shows {_shown(page, 'visits')} visits / {_shown(page, 'doors-knocked')} doors, "
            f"the bare SQL counts {figures[0]} / {figures[1]}"
        )
    times = compare_ms(
        {"page": lambda: get_ok(client, url), "sql": lambda: progress_sql(large)},
        min(ctx.runs, RUNS[ctx.scale]),
        min(ctx.warmup, 1),
    )
    return {
        "progress_ms": ms(times["page"]),
        "progress_sql_ms": ms(times["sql"]),
        "progress_vs_sql": ratio(times["page"], times["sql"]),
        "progress_queries_small": count_queries(lambda: get_ok(client, small_url)),
        "progress_queries_large": count_queries(lambda: get_ok(client, url)),
        "progress_households": households,
        "progress_visits": visits,
        "progress_setup_s": round(setup_seconds, 1),
    }
