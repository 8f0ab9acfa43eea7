"""Fundraising: the summary page of a campaign with 100,000 donations (10,000 at SCALE=small), beside
the bare SQL aggregates it shows.

Figures (under "fundraising" in results.json):

- `summary_ms`: median time of GET /c/<slug>/fundraising/ signed in as the owner: raised, donors,
  average gift, by method, by week, the goal, held donations and the donors near their cap, rendered.
- `summary_sql_ms`: the baseline, the same numbers as bare SQL through `connection.cursor()`: one
  aggregate for raised/gifts/donors/anonymous, one GROUP BY method, one GROUP BY week, the held count
  and the donors near the cap (GROUP BY donor HAVING, first 20). Measured interleaved with the page.
- `summary_vs_sql`: ours ÷ baseline (goal ≤ 3).
- `summary_queries`: SQL queries of one page view, once warm (goal ≤ 20, of which 7 are the session,
  user, campaign and membership look-ups every signed-in page makes; it must not grow with the data).
- `summary_donations`: the ledger entries the campaign has (donations and about 1% refunds).

The data is made here, from a fixed seed, in its own campaign (bench-fundraising) with bulk_create, so
bench/generate.py's campaigns are left as they are; the large campaign's owner is made its owner too.
"""

import datetime as dt
import random
import re
import uuid
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from bench.timing import BenchError, compare_ms, count_queries, get_ok, ms, ratio
from campaign.models import Campaign, Membership, Person, Role
from fundraising.models import Donation, FundraisingSettings

APP = "fundraising"
GOALS = {"summary_vs_sql": ("<=", 3), "summary_queries": ("<=", 20)}

SEED = 20260106
SLUG = "bench-fundraising"
DONATIONS = {"small": 10_000, "full": 100_000}
DONORS = {"small": 1_000, "full": 10_000}
WEEKS = 26
CAP = Decimal("5000.00")
NEAR_CAP_SHOWN = 20  # fundraising/views.py shows the first 20
METHODS = [m for m in Donation.Method.values if m != Donation.Method.IN_KIND]


def _setup(ctx: Any, rng: random.Random) -> Campaign:
    donations, donors = DONATIONS[ctx.scale], DONORS[ctx.scale]
    today = timezone.localdate()
    with scopes_disabled(), transaction.atomic():
        campaign = Campaign.objects.create(
            slug=SLUG,
            name="Bench fundraising campaign",
            candidate_name="Candidate Money",
            office="District Council",
            district="Central",
            election_date=today + dt.timedelta(days=60),
        )
        Membership.objects.create(campaign=campaign, user=ctx.data.large.owner, role=Role.OWNER)
        FundraisingSettings.objects.create(
            campaign=campaign,
            per_donor_cap=CAP,
            disclosure_threshold=Decimal("1000.00"),
            goal_amount=Decimal("2000000.00"),
            goal_deadline=today + dt.timedelta(days=50),
        )
        people = Person.objects.bulk_create(
            [
                Person(
                    campaign=campaign,
                    code=uuid.UUID(int=rng.getrandbits(128), version=4),
                    given_name=f"Donor{n}",
                    family_name="Bench",
                    email=f"donor{n}@bench.groundswell.test",
                )
                for n in range(donors)
            ],
            batch_size=2000,
        )
        rows = []
        for n in range(donations):
            anonymous = n % 50 == 0
            rows.append(
                Donation(
                    campaign=campaign,
                    code=uuid.UUID(int=rng.getrandbits(128), version=4),
                    donor=None if anonymous else people[rng.randrange(donors)],
                    amount=Decimal(rng.choice([10, 20, 25, 50, 100, 200, 500])) + Decimal(rng.randrange(100)) / 100,
                    currency=campaign.currency,
                    received_on=today - dt.timedelta(days=rng.randrange(WEEKS * 7)),
                    method=rng.choice(METHODS),
                    status=Donation.Status.HELD if n % 200 == 1 else Donation.Status.ACCEPTED,
                    receipt_number=None if anonymous else n + 1,
                )
            )
        created = Donation.objects.bulk_create(rows, batch_size=2000)
        refunds = [
            Donation(
                campaign=campaign,
                kind=Donation.Kind.REFUND,
                original=original,
                donor=original.donor,
                amount=-(original.amount / 2).quantize(Decimal("0.01")),
                currency=original.currency,
                received_on=original.received_on,
                method=original.method,
                status=Donation.Status.ACCEPTED,
            )
            for original in created[::100]
            if original.status == Donation.Status.ACCEPTED
        ]
        Donation.objects.bulk_create(refunds, batch_size=2000)
    with connection.cursor() as cursor:  # fresh statistics, as a live database would have
        cursor.execute("ANALYZE")
    return campaign


def _week_sql() -> str:
    if connection.vendor == "postgresql":
        return "date_trunc('week', received_on)"
    return "date(received_on, '-' || ((CAST(strftime('%w', received_on) AS INTEGER) + 6) % 7) || ' days')"


def summary_sql(campaign_id: int) -> list[Any]:
    """What the summary page shows, as bare SQL."""
    table = Donation._meta.db_table
    accepted = f"FROM {table} WHERE campaign_id = %s AND status = 'accepted'"
    statements = [
        (
            "SELECT SUM(amount), SUM(CASE WHEN kind = 'donation' THEN 1 ELSE 0 END), "
            "COUNT(DISTINCT CASE WHEN kind = 'donation' THEN donor_id END), "
            f"SUM(CASE WHEN kind = 'donation' AND donor_id IS NULL THEN 1 ELSE 0 END) {accepted}",
            [campaign_id],
        ),
        (
            f"SELECT method, SUM(amount) AS total, SUM(CASE WHEN kind = 'donation' THEN 1 ELSE 0 END) {accepted} "
            "GROUP BY method ORDER BY total DESC, method",
            [campaign_id],
        ),
        (
            f"SELECT {_week_sql()} AS week, SUM(amount), SUM(CASE WHEN kind = 'donation' THEN 1 ELSE 0 END) "
            f"{accepted} GROUP BY week ORDER BY week",
            [campaign_id],
        ),
        (f"SELECT COUNT(*) FROM {table} WHERE campaign_id = %s AND status = 'held'", [campaign_id]),
        (
            f"SELECT donor_id, SUM(amount) AS total FROM {table} WHERE campaign_id = %s "
            "AND status IN ('accepted', 'held') AND donor_id IS NOT NULL GROUP BY donor_id "
            "HAVING SUM(amount) >= %s ORDER BY total DESC LIMIT %s",
            [campaign_id, CAP * 80 / 100, NEAR_CAP_SHOWN],
        ),
    ]
    results = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            results.append(cursor.fetchall())
    return results


def measure(ctx: Any) -> dict[str, Any]:
    rng = random.Random(SEED)
    campaign = _setup(ctx, rng)
    url = f"/c/{SLUG}/fundraising/"
    client = ctx.session_client(ctx.data.large.owner)
    page = get_ok(client, url)
    raised = Decimal(str(summary_sql(campaign.pk)[0][0][0])).quantize(Decimal("0.01"))
    found = re.search(r'data-testid="raised">([^<]*)<', page.content.decode())
    shown = re.sub(r"[^0-9.\-]", "", found.group(1)) if found else ""
    if shown != str(raised):
        raise BenchError(f"the page shows {shown!r} raised, the bare SQL sums {raised}")
    times = compare_ms(
        {"page": lambda: get_ok(client, url), "sql": lambda: summary_sql(campaign.pk)}, ctx.runs, ctx.warmup
    )
    with scopes_disabled():
        entries = Donation.objects.filter(campaign=campaign).count()
    return {
        "summary_ms": ms(times["page"]),
        "summary_sql_ms": ms(times["sql"]),
        "summary_vs_sql": ratio(times["page"], times["sql"]),
        "summary_queries": count_queries(lambda: get_ok(client, url)),
        "summary_donations": entries,
    }
