"""Volunteers, public side: the signup form's throughput and the public shift page, each beside its baseline.

Figures (under "volunteers" in results.json):

- `signup_per_second`: distinct volunteers POSTed to /p/<slug>/join/ by `django.test.Client`, each a
  whole request (form, phone parsing, duplicate look-up, Person + Volunteer + skills, two outbox rows,
  an audit entry, one transaction), with the rate limit off (VOLUNTEER_SIGNUP_RATE_LIMIT=0).
- `signup_insert_per_second`: the baseline, the same rows written bare: for each volunteer one
  `INSERT … RETURNING id` into the person table and one into the volunteer table through
  `connection.cursor()`, one row per statement, each volunteer in its own transaction (as each signup
  request commits on its own). Values are prepared before the clock starts.
- `signup_vs_insert`: ours ÷ baseline, of rates (so 1.0 would be as fast as the bare INSERTs).
- `shifts_page_ms`, `public_floor_ms`, `shifts_page_vs_floor` (goal ≤ 3): /p/<slug>/ of a campaign with
  100 published shifts and 2,000 signups, anonymous, as served (its content cached for a few seconds,
  VOLUNTEER_PUBLIC_PAGE_CACHE_SECONDS), beside the floor /p/<slug>/__floor__/ (a fixed response through
  the same middleware). `shifts_page_queries` (goal ≤ 10).
- `shifts_page_uncached_ms`, `shifts_page_uncached_vs_floor`, `shifts_page_uncached_queries`: the same page
  with the cache off, rendered from the database on every request (what the first visitor after each
  interval waits for).

The data is made here, from a fixed seed, in its own campaign (bench-public), so bench/generate.py's
campaigns are left as they are.
"""

import datetime as dt
import random
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone
from django_scopes import scopes_disabled

from bench.timing import BenchError, compare_ms, count_queries, get_ok, ms, ratio
from campaign.models import Campaign, Person
from volunteers.models import Shift, Signup, Skill, Volunteer
from volunteers.services import program_for

APP = "volunteers"  # figures go under "volunteers" in results.json (see run.py)
GOALS = {"shifts_page_vs_floor": ("<=", 3), "shifts_page_queries": ("<=", 10)}

SEED = 20260103
SLUG = "bench-public"
SHIFTS = 100
SIGNUPS = 2_000
SIGNUP_POSTS = {"small": 150, "full": 600}  # form submissions measured (and as many bare inserts)
FORM = "application/x-www-form-urlencoded"
ROUNDS = 5  # submissions and inserts alternate in rounds, so machine load falls on both alike


def _setup(rng: random.Random) -> Campaign:
    """A campaign with 100 published upcoming shifts and 2,000 confirmed signups on them."""
    now = timezone.now()
    with scopes_disabled(), transaction.atomic():
        campaign = Campaign.objects.create(
            slug=SLUG,
            name="Bench public campaign",
            candidate_name="Candidate Public",
            office="District Council",
            district="Eastern",
            election_date=timezone.localdate() + dt.timedelta(days=60),
            slogan="Every door, every neighbour",
            description="A campaign for measuring the public page.",
        )
        program_for(campaign)
        shifts = Shift.objects.bulk_create(
            [
                Shift(
                    campaign=campaign,
                    code=uuid.UUID(int=rng.getrandbits(128), version=4),
                    title=f"Canvass {n + 1}",
                    location=f"Meeting point {n % 12 + 1}",
                    starts_at=now + dt.timedelta(days=1, hours=6 * n),
                    ends_at=now + dt.timedelta(days=1, hours=6 * n + 3),
                    capacity=25,
                    published=True,
                )
                for n in range(SHIFTS)
            ]
        )
        people = Person.objects.bulk_create(
            [
                Person(
                    campaign=campaign,
                    code=uuid.UUID(int=rng.getrandbits(128), version=4),
                    given_name=f"Given{n}",
                    family_name="Bench",
                    email=f"existing{n}@bench.groundswell.test",
                    phone=f"+8525{n:07d}",
                    consent_email=True,
                    consent_sms=True,
                )
                for n in range(SIGNUPS)
            ],
            batch_size=1000,
        )
        volunteers = Volunteer.objects.bulk_create(
            [
                Volunteer(campaign=campaign, person=p, code=uuid.UUID(int=rng.getrandbits(128), version=4))
                for p in people
            ],
            batch_size=1000,
        )
        Signup.objects.bulk_create(
            [
                Signup(
                    campaign=campaign,
                    shift=shifts[n % SHIFTS],
                    volunteer=volunteer,
                    status=Signup.Status.CONFIRMED,
                    code=uuid.UUID(int=rng.getrandbits(128), version=4),
                )
                for n, volunteer in enumerate(volunteers)
            ],
            batch_size=1000,
        )
    return campaign


def _form(n: int, skills: list[str]) -> dict[str, Any]:
    return {
        "given_name": f"Signup{n}",
        "family_name": "Bench",
        "email": f"signup{n}@bench.groundswell.test",
        "phone": f"+8526123{n:04d}",
        "language": "zh-hans" if n % 2 else "en",
        "neighbourhood": "North Point",
        "available_evenings": "on",
        "skills": skills,
        "tshirt_size": "M",
        "consent": "on",
        "website": "",
    }


def _insert_rows(campaign: Campaign, n: int) -> tuple[list[Any], list[Any]]:
    """The values of one signup's person and volunteer rows, as the bare INSERTs write them."""
    now = timezone.now()
    person = Person(
        campaign=campaign,
        given_name=f"Insert{n}",
        family_name="Bench",
        email=f"insert{n}@bench.groundswell.test",
        phone=f"+8525123{n:04d}",
        language="en",
        neighbourhood="North Point",
        consent_email=True,
        consent_sms=True,
        consent_recorded_at=now,
        consent_wording="I agree",
        created_at=now,
        updated_at=now,
    )
    volunteer = Volunteer(campaign=campaign, available_evenings=True, tshirt_size="M", last_activity_at=now)
    return (
        [f.get_db_prep_save(getattr(person, f.attname), connection) for f in _columns(Person)],
        [f.get_db_prep_save(getattr(volunteer, f.attname), connection) for f in _columns(Volunteer)],
    )


def _columns(model: Any) -> list[Any]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _insert_sql(model: Any) -> str:
    columns = ", ".join(connection.ops.quote_name(f.column) for f in _columns(model))
    marks = ", ".join(["%s"] * len(_columns(model)))
    return f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({marks}) RETURNING id"


def measure(ctx: Any) -> dict[str, Any]:
    rng = random.Random(SEED)
    out: dict[str, Any] = {}
    campaign = _setup(rng)
    with scopes_disabled():
        skills = [str(code) for code in Skill.objects.filter(campaign=campaign).values_list("code", flat=True)[:2]]

    # Signup form submissions per second, beside the bare INSERTs of the same rows.
    posts = SIGNUP_POSTS[ctx.scale]
    per_round = posts // ROUNDS
    join_url = f"/p/{SLUG}/join/"
    client = Client()
    get_ok(client, join_url)
    person_sql, volunteer_sql = _insert_sql(Person), _insert_sql(Volunteer)
    volunteer_columns = [f.attname for f in _columns(Volunteer)]
    person_at = volunteer_columns.index("person_id")
    ours = bare = 0.0
    with override_settings(VOLUNTEER_SIGNUP_RATE_LIMIT=0):
        for n in range(9_000, 9_003):  # warm-up submissions, not counted
            client.post(join_url, _form(n, skills))
        for r in range(ROUNDS):
            numbers = range(r * per_round, (r + 1) * per_round)
            # Encoded as a browser sends a form without files (the test client would default to multipart).
            forms = [urlencode(_form(n, skills), doseq=True) for n in numbers]
            rows = [_insert_rows(campaign, n) for n in numbers]
            start = time.perf_counter()
            for form in forms:
                response = client.post(join_url, form, content_type=FORM)
                if response.status_code != 302 or "again" in response.get("Location", ""):
                    raise BenchError(f"POST {join_url} answered {response.status_code}, not a new signup")
            ours += time.perf_counter() - start
            start = time.perf_counter()
            for person_values, volunteer_values in rows:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(person_sql, person_values)
                    volunteer_values[person_at] = cursor.fetchone()[0]
                    cursor.execute(volunteer_sql, volunteer_values)
            bare += time.perf_counter() - start
    done = per_round * ROUNDS
    with scopes_disabled():
        made = Volunteer.objects.filter(campaign=campaign, person__email__startswith="signup").count()
        inserted = Volunteer.objects.filter(campaign=campaign, person__email__startswith="insert").count()
    if made != done + 3 or inserted != done:
        raise BenchError(f"expected {done} signups and {done} inserted rows, found {made - 3} and {inserted}")
    out["signup_posts"] = done
    out["signup_per_second"] = round(done / ours, 1)
    out["signup_insert_per_second"] = round(done / bare, 1)
    out["signup_vs_insert"] = ratio(done / ours, done / bare)

    # The public page with 100 shifts and 2,000 signups (plus those just made), anonymous. As served, its
    # content comes from the cache for a few seconds; the same page rendered afresh each time is beside it.
    page_url, floor_url = f"/p/{SLUG}/", f"/p/{SLUG}/__floor__/"
    visitor = Client()
    if "Canvass 1<" not in get_ok(visitor, page_url).content.decode():
        raise BenchError("the public page does not list the bench campaign's shifts")
    with override_settings(VOLUNTEER_PUBLIC_PAGE_CACHE_SECONDS=60):
        times = compare_ms(
            {"page": lambda: get_ok(visitor, page_url), "floor": lambda: get_ok(visitor, floor_url)},
            ctx.runs,
            ctx.warmup,
        )
        out["shifts_page_queries"] = count_queries(lambda: get_ok(visitor, page_url))
    out["shifts_page_ms"], out["public_floor_ms"] = ms(times["page"]), ms(times["floor"])
    out["shifts_page_vs_floor"] = ratio(times["page"], times["floor"])
    with override_settings(VOLUNTEER_PUBLIC_PAGE_CACHE_SECONDS=0):
        times = compare_ms(
            {"page": lambda: get_ok(visitor, page_url), "floor": lambda: get_ok(visitor, floor_url)},
            ctx.runs,
            ctx.warmup,
        )
        out["shifts_page_uncached_queries"] = count_queries(lambda: get_ok(visitor, page_url))
    out["shifts_page_uncached_ms"] = ms(times["page"])
    out["shifts_page_uncached_vs_floor"] = ratio(times["page"], times["floor"])
    return out
