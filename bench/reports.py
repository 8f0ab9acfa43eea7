"""Reports: the coordinator dashboard of a campaign with 200,000 households, 1,000,000 visits, 5,000
volunteers, 2,000 shifts, 100,000 donations and 20,000 signatures (a fortieth of the households and
visits and a twentieth of the rest at SCALE=small, so CI stays quick),
beside the bare SQL aggregates it shows.

Figures (under "reports" in results.json):

- `dashboard_cold_ms`: median time of GET /c/<slug>/reports/?refresh=1 signed in as the owner: every
  panel computed afresh (volunteers, shifts of the next 7 days, canvassing of the last 7 days by day,
  support, turfs, review queue, low stock and the leaflet forecast, money and donors near the cap,
  signatures of each drive) and rendered.
- `dashboard_warm_ms`: the same page within the cache's minute (the panel set comes from the cache;
  what remains is the session, the campaign, the membership and the template).
- `dashboard_sql_ms`: the baseline, the same aggregates as bare SQL through `connection.cursor()`,
  measured interleaved with both pages.
- `dashboard_vs_sql`: cold ÷ baseline (goal ≤ 3); `dashboard_warm_vs_sql`: warm ÷ baseline.
- `dashboard_queries` / `dashboard_warm_queries`: SQL queries of one cold and one warm page view.
- `dashboard_*_count`: the data the campaign holds.

The data is made here, from a fixed seed, in its own campaign (bench-reports) with bulk_create; the
large campaign's owner from bench/generate.py is made its owner.
"""

import datetime as dt
import random
import re
import uuid
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from bench.timing import BenchError, compare_ms, count_queries, get_ok, ms, ratio
from campaign.models import Campaign, Membership, Person, Role
from canvassing.models import Area, Household, MapVersion, Turf, Visit
from fundraising.models import Donation, FundraisingSettings
from inventory.models import Item, Location, StockLevel, Variant
from nominations.models import Drive, Signature
from volunteers.models import Shift, Signup, Volunteer

APP = "reports"
GOALS = {"dashboard_vs_sql": ("<=", 3), "dashboard_warm_ms": ("<=", 300)}

SEED = 20261129
SLUG = "bench-reports"
SIZES = {
    "small": {"households": 5_000, "visits": 25_000, "volunteers": 250, "shifts": 100, "donations": 5_000,
              "signatures": 1_000},
    "full": {"households": 200_000, "visits": 1_000_000, "volunteers": 5_000, "shifts": 2_000, "donations": 100_000,
             "signatures": 20_000},
}  # fmt: skip
TURFS = 200
DAYS = 60  # visits, signups and donations spread over the last 60 days
BATCH = 5_000
OUTCOMES = ["contacted", "not_home", "not_home", "refused", "come_back", "inaccessible", "leaflet_left"]
CAP = Decimal("5000.00")


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _setup(ctx: Any, rng: random.Random) -> Campaign:
    size = SIZES[ctx.scale]
    now = timezone.now()
    today = timezone.localdate()
    with scopes_disabled(), transaction.atomic():
        campaign = Campaign.objects.create(
            slug=SLUG,
            name="Bench reports campaign",
            candidate_name="Candidate Dashboard",
            office="District Council",
            election_date=today + dt.timedelta(days=60),
        )
        owner = Membership.objects.create(campaign=campaign, user=ctx.data.large.owner, role=Role.OWNER)
        version = MapVersion.objects.create(
            campaign=campaign, number=1, name="2026", source="geojson", status="current"
        )
        areas = Area.objects.bulk_create(
            [Area(campaign=campaign, version=version, key=f"A{n:02d}", name=f"Area {n}") for n in range(20)]
        )
        turfs = Turf.objects.bulk_create(
            [
                Turf(
                    campaign=campaign,
                    area=areas[n % len(areas)],
                    name=f"Turf {n}",
                    completed_at=now if n % 4 == 0 else None,
                )
                for n in range(TURFS)
            ]
        )
        households = Household.objects.bulk_create(
            (
                Household(
                    campaign=campaign,
                    code=_uuid(rng),
                    address_key=f"bench-{n}",
                    street=f"Street {n // 100}",
                    house_number=str(n % 100),
                    area=turfs[n % TURFS].area,
                    turf=turfs[n % TURFS],
                    last_support=rng.choice([None, None, 1, 2, 3, 4, 5]),
                    last_outcome=rng.choice(OUTCOMES),
                    last_visited_at=now - dt.timedelta(minutes=rng.randrange(DAYS * 24 * 60)),
                )
                for n in range(size["households"])
            ),
            batch_size=BATCH,
        )
        for start in range(0, size["visits"], BATCH * 4):
            rows = []
            for n in range(start, min(start + BATCH * 4, size["visits"])):
                house = households[rng.randrange(len(households))]
                outcome = OUTCOMES[n % len(OUTCOMES)]
                rows.append(
                    Visit(
                        campaign=campaign,
                        code=_uuid(rng),
                        household=house,
                        turf_id=house.turf_id,
                        canvasser=owner,
                        outcome=outcome,
                        support_level=rng.randint(1, 5) if outcome == "contacted" else None,
                        visited_at=now - dt.timedelta(minutes=rng.randrange(DAYS * 24 * 60)),
                        needs_review=n % 500 == 0,
                    )
                )
            Visit.objects.bulk_create(rows, batch_size=BATCH)
        people = Person.objects.bulk_create(
            (
                Person(campaign=campaign, code=_uuid(rng), given_name=f"Vol{n}", family_name="Bench")
                for n in range(size["volunteers"])
            ),
            batch_size=BATCH,
        )
        volunteers = Volunteer.objects.bulk_create(
            (
                Volunteer(
                    campaign=campaign,
                    code=_uuid(rng),
                    person=p,
                    status="active",
                    created_at=now - dt.timedelta(days=rng.randrange(120)),
                    last_activity_at=now - dt.timedelta(days=rng.randrange(90)) if rng.random() < 0.8 else None,
                )
                for p in people
            ),
            batch_size=BATCH,
        )
        shifts = Shift.objects.bulk_create(
            (
                Shift(
                    campaign=campaign,
                    code=_uuid(rng),
                    title=f"Shift {n}",
                    location="Station",
                    starts_at=(start := now + dt.timedelta(hours=rng.randrange(-DAYS * 24, 14 * 24))),
                    ends_at=start + dt.timedelta(hours=3),
                    capacity=rng.randint(3, 12),
                )
                for n in range(size["shifts"])
            ),
            batch_size=BATCH,
        )
        signups, seen = [], set()
        for _ in range(size["shifts"] * 5):
            shift, volunteer = rng.choice(shifts), rng.choice(volunteers)
            if (shift.pk, volunteer.pk) in seen:
                continue
            seen.add((shift.pk, volunteer.pk))
            past = shift.starts_at < now
            signups.append(
                Signup(
                    campaign=campaign,
                    code=_uuid(rng),
                    shift=shift,
                    volunteer=volunteer,
                    status="confirmed",
                    attendance=rng.choice(["attended", "attended", "no_show"]) if past else "",
                )
            )
        Signup.objects.bulk_create(signups, batch_size=BATCH)
        FundraisingSettings.objects.create(
            campaign=campaign, per_donor_cap=CAP, goal_amount=Decimal("3000000.00"), goal_deadline=today
        )
        donors = Person.objects.bulk_create(
            (
                Person(campaign=campaign, code=_uuid(rng), given_name=f"Donor{n}", family_name="Bench")
                for n in range(size["donations"] // 10)
            ),
            batch_size=BATCH,
        )
        Donation.objects.bulk_create(
            (
                Donation(
                    campaign=campaign,
                    code=_uuid(rng),
                    donor=rng.choice(donors),
                    amount=Decimal(rng.choice([20, 50, 100, 200, 500])),
                    currency=campaign.currency,
                    received_on=today - dt.timedelta(days=rng.randrange(DAYS)),
                    method="cash",
                    status="held" if n % 300 == 0 else "accepted",
                )
                for n in range(size["donations"])
            ),
            batch_size=BATCH,
        )
        item = Item.objects.create(campaign=campaign, kind="leaflet", name="Manifesto", low_stock_threshold=50_000)
        office = Location.objects.create(campaign=campaign, kind="office", name="Office")
        for label, quantity, low in (("EN", 20_000, True), ("ZH", 90_000, False)):
            variant = Variant.objects.create(
                campaign=campaign, item=item, label=label, is_low=low, door_default=label == "EN"
            )
            StockLevel.objects.create(campaign=campaign, variant=variant, location=office, quantity=quantity)
        drives = [
            Drive.objects.create(
                campaign=campaign,
                office=f"Seat {n}",
                area_key=f"A{n:02d}",
                required=size["signatures"] // 4,
                opens_on=today - dt.timedelta(days=DAYS),
                deadline=today + dt.timedelta(days=20),
            )
            for n in range(2)
        ]
        Signature.objects.bulk_create(
            (
                Signature(
                    campaign=campaign,
                    code=_uuid(rng),
                    drive=drives[n % 2],
                    full_name=f"Signer {n}",
                    name_key=f"signer{n}",
                    signed_on=today - dt.timedelta(days=rng.randrange(DAYS)),
                    status=rng.choice(["likely_valid"] * 6 + ["at_risk", "struck"]),
                )
                for n in range(size["signatures"])
            ),
            batch_size=BATCH,
        )
    with connection.cursor() as cursor:  # fresh statistics, as a live database would have
        cursor.execute("ANALYZE")
    return campaign


def _day(column: str, campaign: Campaign) -> str:
    if connection.vendor == "postgresql":
        return f"date({column} AT TIME ZONE '{campaign.time_zone}')"
    return f"date({column}, '+8 hours')"


def _week(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('week', {column})"
    return f"date({column}, 'weekday 1', '-7 days')"


def dashboard_sql(campaign: Campaign) -> list[Any]:
    """What the dashboard shows, as bare SQL: one statement per aggregate, on the same indexes."""
    c = campaign.pk
    tz = campaign.tzinfo
    today = timezone.localtime(timezone.now(), tz).date()
    since = dt.datetime.combine(today - dt.timedelta(days=6), dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    now = timezone.now()
    visit, household, turf = Visit._meta.db_table, Household._meta.db_table, Turf._meta.db_table
    volunteer, signup, shift = Volunteer._meta.db_table, Signup._meta.db_table, Shift._meta.db_table
    donation, variant, stock = Donation._meta.db_table, Variant._meta.db_table, StockLevel._meta.db_table
    signature, drive = Signature._meta.db_table, Drive._meta.db_table
    knocked = "outcome NOT IN ('inaccessible', 'no_access')"
    counted = f"{visit}.campaign_id = %s AND discarded_at IS NULL"
    statements = [
        # volunteers: total, new, active; no-shows
        (
            f"SELECT COUNT(*), COUNT(*) FILTER (WHERE created_at >= %s AND created_at < %s), "
            f"COUNT(*) FILTER (WHERE last_activity_at >= %s) FROM {volunteer} WHERE campaign_id = %s",
            [since, until, since, c],
        ),
        (
            f"SELECT COUNT(*) FROM {signup} JOIN {shift} ON {shift}.id = {signup}.shift_id "
            f"WHERE {signup}.campaign_id = %s AND attendance = 'no_show' AND {shift}.starts_at >= %s "
            f"AND {shift}.starts_at < %s",
            [c, since, until],
        ),
        # shifts of the next 7 days with their confirmed places
        (
            f"SELECT {shift}.id, {shift}.starts_at, {shift}.capacity, COUNT({signup}.id) FILTER "
            f"(WHERE {signup}.status = 'confirmed') FROM {shift} LEFT JOIN {signup} ON {signup}.shift_id = {shift}.id "
            f"WHERE {shift}.campaign_id = %s AND {shift}.cancelled_at IS NULL AND {shift}.starts_at >= %s "
            f"AND {shift}.starts_at < %s "
            f"GROUP BY {shift}.id",
            [c, now, now + dt.timedelta(days=7)],
        ),
        # canvassing: the period's figures, by day, coverage and support by turf, turfs, review queue
        (
            f"SELECT COUNT(*), COUNT(DISTINCT household_id) FILTER (WHERE {knocked}), COUNT(DISTINCT household_id) "
            f"FILTER (WHERE outcome = 'contacted') FROM {visit} "
            f"WHERE {counted} AND visited_at >= %s AND visited_at < %s",
            [c, since, until],
        ),
        (
            f"SELECT {_day('visited_at', campaign)} AS day, COUNT(*), COUNT(DISTINCT household_id) FILTER "
            f"(WHERE {knocked}), COUNT(DISTINCT household_id) FILTER (WHERE outcome = 'contacted') FROM {visit} "
            f"WHERE {counted} AND visited_at >= %s AND visited_at < %s GROUP BY day ORDER BY day",
            [c, since, until],
        ),
        (
            # coverage reads the household's latest outcome, kept by the visit service
            "SELECT turf_id, COUNT(*), COUNT(*) FILTER (WHERE last_outcome NOT IN ('', 'inaccessible', "
            "'no_access')), "
            + ", ".join(
                f"COUNT(*) FILTER (WHERE last_support = {n} AND last_visited_at >= %s AND last_visited_at < %s)"
                for n in range(1, 6)
            )
            + f" FROM {household} WHERE campaign_id = %s AND status = 'active' GROUP BY turf_id",
            [*[v for _ in range(5) for v in (since, until)], c],
        ),
        (f"SELECT id, completed_at FROM {turf} WHERE campaign_id = %s", [c]),
        (
            f"SELECT COUNT(*) FROM {visit} WHERE campaign_id = %s AND needs_review AND discarded_at IS NULL",
            [c],
        ),
        # stock: low variants with what is on hand
        (
            f"SELECT {variant}.id, SUM({stock}.quantity) FROM {variant} LEFT JOIN {stock} ON {stock}.variant_id = "
            f"{variant}.id WHERE {variant}.campaign_id = %s AND is_low GROUP BY {variant}.id",
            [c],
        ),
        # money: raised, by week, held, donors near the cap
        (
            f"SELECT SUM(amount), COUNT(*) FILTER (WHERE kind = 'donation'), COUNT(DISTINCT donor_id) "
            f"FROM {donation} WHERE campaign_id = %s AND status = 'accepted'",
            [c],
        ),
        (
            f"SELECT {_week('received_on')} AS week, SUM(amount) FROM {donation} "
            "WHERE campaign_id = %s AND status = 'accepted' GROUP BY week",
            [c],
        ),
        (f"SELECT COUNT(*) FROM {donation} WHERE campaign_id = %s AND status = 'held'", [c]),
        (
            f"SELECT donor_id, SUM(amount) AS total FROM {donation} WHERE campaign_id = %s AND status IN "
            f"('accepted', 'held') AND donor_id IS NOT NULL GROUP BY donor_id HAVING SUM(amount) >= %s "
            "ORDER BY total DESC LIMIT 5",
            [c, CAP * 80 / 100],
        ),
        # signatures of each drive
        (
            f"SELECT {drive}.id, COUNT({signature}.id), COUNT({signature}.id) FILTER (WHERE {signature}.status = "
            f"'likely_valid'), COUNT({signature}.id) FILTER (WHERE {signature}.status = 'at_risk') FROM {drive} "
            f"LEFT JOIN {signature} ON {signature}.drive_id = {drive}.id WHERE {drive}.campaign_id = %s "
            f"AND {drive}.status = 'open' GROUP BY {drive}.id",
            [c],
        ),
    ]
    results = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            results.append(cursor.fetchall())
    return results


def _shown(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', html)
    return found.group(1).strip() if found else ""


def measure(ctx: Any) -> dict[str, Any]:
    import time

    rng = random.Random(SEED)
    started = time.perf_counter()
    campaign = _setup(ctx, rng)
    print(f"  reports: data made in {time.perf_counter() - started:.1f}s", flush=True)
    return measure_campaign(ctx, campaign, ctx.data.large.owner)


def measure_campaign(ctx: Any, campaign: Campaign, owner: Any) -> dict[str, Any]:
    """The figures for a campaign already made (also run alone on a kept full-scale database)."""
    client = ctx.session_client(owner)
    cold_url = f"/c/{SLUG}/reports/?refresh=1"
    warm_url = f"/c/{SLUG}/reports/"
    page = get_ok(client, cold_url).content.decode()
    sql = dashboard_sql(campaign)
    doors = sql[3][0][1]
    if _shown(page, "doors") != str(doors):
        raise BenchError(f"the dashboard shows {_shown(page, 'doors')!r} doors, the bare SQL counts {doors}")
    if "<svg" not in page:
        raise BenchError("the dashboard drew no chart")
    cache.clear()
    get_ok(client, warm_url)
    times = compare_ms(
        {
            "cold": lambda: get_ok(client, cold_url),
            "warm": lambda: get_ok(client, warm_url),
            "sql": lambda: dashboard_sql(campaign),
        },
        ctx.runs,
        ctx.warmup,
    )
    with scopes_disabled():
        counts = {
            "households": Household.objects.filter(campaign=campaign).count(),
            "visits": Visit.objects.filter(campaign=campaign).count(),
            "volunteers": Volunteer.objects.filter(campaign=campaign).count(),
            "shifts": Shift.objects.filter(campaign=campaign).count(),
            "donations": Donation.objects.filter(campaign=campaign).count(),
            "signatures": Signature.objects.filter(campaign=campaign).count(),
        }
    return {
        "dashboard_cold_ms": ms(times["cold"]),
        "dashboard_warm_ms": ms(times["warm"]),
        "dashboard_sql_ms": ms(times["sql"]),
        "dashboard_vs_sql": ratio(times["cold"], times["sql"]),
        "dashboard_warm_vs_sql": ratio(times["warm"], times["sql"]),
        "dashboard_queries": count_queries(lambda: get_ok(client, cold_url)),
        "dashboard_warm_queries": count_queries(lambda: get_ok(client, warm_url)),
        **{f"dashboard_{key}_count": value for key, value in counts.items()},
    }
