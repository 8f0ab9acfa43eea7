"""Canvassing turfs: cutting 200,000 households (20,000 at SCALE=small) into turfs, and a 500-door turf's
page with its walk list beside the floor and a bare SQL fetch of the same rows.

Figures (under "canvassing" in results.json):

- `turf_cut_seconds`: one `turfs_cut` of the whole area (every household, about 90% with coordinates,
  the rest on known streets or none) into turfs of 40 doors, in one transaction, on a fresh area
  (goal < 5 s at full scale).
- `turf_cut_households`, `turf_cut_turfs`: what was cut; `turf_cut_<phase>_seconds`: the cut's phases
  (fetch, order_and_chunk, create_turfs, write_households, delete_replaced) and `turf_cut_commit_seconds`,
  the rest (mostly the commit's deferred foreign-key checks, one per door); `turf_cut_cpu_seconds`: CPU
  time of the bench process and its PostgreSQL backend during the cut, which a busy machine inflates much
  less than wall time (null where the backend's /proc entry cannot be read); `turf_cut_loadavg_1m` and
  `walklist_loadavg_1m`: the machine's load average right after, since a busy machine slows every figure.
- `turf_recut_seconds`: cutting the same area again at the end, when every door is in a turf that the cut
  replaces (`turf_recut_replaced` of them) and deletes; `turf_recut_<phase>_seconds`, `_cpu_seconds` and
  `_loadavg_1m` as for the first cut.
- `walklist_ms`: median time of GET /c/<slug>/canvassing/turfs/<code>/ for a 500-door turf, signed in as
  the owner: the turf, its assignees, the walk list in walking order, the map's points, the edit forms.
- `walklist_floor_ms`: the floor (a fixed response through the same middleware), measured interleaved.
- `walklist_sql_ms`: the same 500 rows in walking order as one bare SELECT through `connection.cursor()`.
- `walklist_vs_floor` (goal ≤ 3), `walklist_vs_sql`.
- `walklist_queries_small` / `_large`: queries of the page for a 50-door and the 500-door turf (equal).

The households are made here, from a fixed seed, in their own campaign (bench-turfs) with COPY on
PostgreSQL (bulk_create elsewhere), in one area of a current map version.
"""

import datetime as dt
import os
import random
import re
import time
import uuid
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from bench.timing import BenchError, compare_ms, count_queries, get_ok, ms, ratio
from campaign.models import Campaign, Membership, Role
from canvassing.models import Area, Household, MapVersion, Turf, address_derived
from canvassing.services_turfs import CutResult, turfs_cut

APP = "canvassing"
GOALS = {"turf_cut_seconds": ("<=", 5), "walklist_vs_floor": ("<=", 3)}

SEED = 20260412
SLUG = "bench-turfs"
HOUSEHOLDS = {"small": 20_000, "full": 200_000}
STREETS_PER_1000 = 8
TARGET = 40
LARGE_TURF, SMALL_TURF = 500, 50
OUTCOMES = ["", "", "", "contacted", "not_home", "refused", "come_back"]


def _household_rows(campaign: Campaign, area: Area, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Streets laid out on a grid over a 6 × 6 km district: each street a line of doors, odd and even sides."""
    streets = max(4, count * STREETS_PER_1000 // 1000)
    now = timezone.now()
    rows = []
    for n in range(count):
        street_no = n % streets
        street = f"Bench Street {street_no}"
        number = n // streets + 1
        house_number = str(number)
        building = f"Block {rng.choice('ABC')}" if rng.random() < 0.3 else ""
        floor = str(rng.randrange(1, 30)) if building else ""
        unit = str(rng.randrange(1, 9)) if building else ""
        key, value, parity = address_derived(
            street=street, house_number=house_number, building=building, floor=floor, unit=unit
        )
        located = rng.random() < 0.9
        lat = 22.28 + (street_no % 40) * 0.0013 + (number % 2) * 0.00005
        lon = 114.15 + (street_no // 40) * 0.0013 + number * 0.00004
        rows.append(
            {
                "code": uuid.UUID(int=rng.getrandbits(128), version=4),
                "campaign_id": campaign.pk,
                "address_key": f"{key}|{n}",
                "street": street,
                "house_number": house_number,
                "house_number_value": value,
                "parity": parity,
                "building": building,
                "floor": floor,
                "unit": unit,
                "latitude": lat if located else None,
                "longitude": lon if located else None,
                "status": Household.Status.DO_NOT_CONTACT if n % 97 == 0 else Household.Status.ACTIVE,
                "area_id": area.pk,
                "last_outcome": rng.choice(OUTCOMES),
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def _insert(rows: list[dict[str, Any]]) -> None:
    """COPY on PostgreSQL (every concrete column, defaults from a blank Household), bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        Household.objects.bulk_create([Household(**row) for row in rows], batch_size=2000)
        return
    blank = Household()
    fields = [f for f in Household._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_db_prep_save(getattr(blank, f.attname), connection) for f in fields}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    names = [f.attname for f in fields]
    statement = f"COPY {Household._meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[name] if name in row else defaults[name] for name in names])


def _setup(ctx: Any, rng: random.Random) -> tuple[Campaign, Area]:
    with scopes_disabled(), transaction.atomic():
        campaign = Campaign.objects.create(
            slug=SLUG,
            name="Bench turfs campaign",
            candidate_name="Candidate Doors",
            office="District Council",
            election_date=timezone.localdate() + dt.timedelta(days=60),
        )
        Membership.objects.create(campaign=campaign, user=ctx.data.large.owner, role=Role.OWNER)
        version = MapVersion.objects.create(
            campaign=campaign, number=1, name="Bench map", source=MapVersion.Source.GEOJSON, status="current"
        )
        area = Area.objects.create(campaign=campaign, version=version, key="B01", name="Bench area")
        _insert(_household_rows(campaign, area, HOUSEHOLDS[ctx.scale], rng))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return campaign, area


def _turf_of(campaign: Campaign, area: Area, name: str, size: int, offset: int) -> Turf:
    """A turf of `size` active households, taken from the cut's turfs (households leave theirs)."""
    with scope(campaign=campaign.pk), transaction.atomic():
        turf = Turf.objects.create(campaign=campaign, area=area, name=name)
        pks = list(
            Household.objects.filter(area=area, status=Household.Status.ACTIVE)
            .order_by("pk")
            .values_list("pk", flat=True)[offset : offset + size]
        )
        Household.objects.filter(pk__in=pks).update(turf=turf)
    return turf


def walklist_sql(turf_id: int) -> list[tuple]:
    """The walk list as one bare SELECT: the same columns, filter and order as the page."""
    table = Household._meta.db_table
    sql = (
        "SELECT id, code, street, house_number, building, floor, unit, district, latitude, longitude, "
        f"last_outcome, last_visited_at, needs_review FROM {table} "
        "WHERE turf_id = %s AND status = 'active' "
        "ORDER BY street, parity NULLS LAST, house_number_value NULLS LAST, house_number, building, unit, floor, id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [turf_id])
        return cursor.fetchall()


def _loadavg() -> float | None:
    """The machine's one-minute load average (None where /proc is missing): figures taken on a busy machine
    are slower than the same code on an idle one."""
    try:
        with open("/proc/loadavg") as found:
            return float(found.read().split()[0])
    except OSError:
        return None


def _backend_cpu_seconds() -> float | None:
    """CPU seconds the PostgreSQL backend of this connection has used, where it runs on this machine (else
    None): with the process's own CPU time, a figure that a busy machine inflates much less than wall time."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        with open(f"/proc/{pid}/stat") as found:
            fields = found.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _timed_cut(campaign: Campaign, area: Area, name: str) -> tuple[CutResult, dict[str, Any]]:
    """One cut of the whole area into turfs of TARGET doors, and its figures `<name>_…`: wall seconds; the
    phases (fetch, order_and_chunk, create_turfs, write_households, delete_replaced) and `commit`, the rest
    (mostly the commit's deferred foreign-key checks, one per door); `cpu_seconds`, this process's and its
    PostgreSQL backend's CPU time (null off PostgreSQL); and the load average right after."""
    with scope(campaign=campaign.pk):
        backend = _backend_cpu_seconds()
        cpu = time.process_time()
        started = time.perf_counter()
        result = turfs_cut(area=area, target_doors=TARGET, acting_user=None)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu
        backend_after = _backend_cpu_seconds()
    out: dict[str, Any] = {f"{name}_seconds": round(wall, 3)}
    for phase, seconds in result.seconds.items():
        out[f"{name}_{phase}_seconds"] = seconds
    out[f"{name}_commit_seconds"] = round(wall - sum(result.seconds.values()), 3)
    both = None if backend is None or backend_after is None else cpu + backend_after - backend
    out[f"{name}_cpu_seconds"] = None if both is None else round(both, 2)
    out[f"{name}_loadavg_1m"] = _loadavg()
    return result, out


def measure(ctx: Any) -> dict[str, Any]:
    rng = random.Random(SEED)
    campaign, area = _setup(ctx, rng)
    out: dict[str, Any] = {}

    result, figures = _timed_cut(campaign, area, "turf_cut")
    out.update(figures)
    out["turf_cut_households"] = result.households
    out["turf_cut_turfs"] = len(result.turfs)
    if result.households < HOUSEHOLDS[ctx.scale] * 0.95:
        raise BenchError(f"the cut saw {result.households} households, expected about {HOUSEHOLDS[ctx.scale]}")

    large = _turf_of(campaign, area, "Bench 500", LARGE_TURF, 0)
    small = _turf_of(campaign, area, "Bench 50", SMALL_TURF, LARGE_TURF)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = ctx.session_client(ctx.data.large.owner)
    page = {t.name: f"/c/{SLUG}/canvassing/turfs/{t.code}/" for t in (large, small)}
    floor_url = f"/c/{SLUG}/__floor__/"

    body = get_ok(client, page["Bench 500"]).content.decode()
    page_codes = re.findall(r'id="h-([0-9a-f-]{36})"', body)
    sql_codes = [str(row[1]) for row in walklist_sql(large.pk)]
    if len(page_codes) != LARGE_TURF or page_codes != sql_codes:
        raise BenchError(
            f"the turf page lists {len(page_codes)} doors, not the bare SELECT's {len(sql_codes)} in order"
        )

    times = compare_ms(
        {
            "page": lambda: get_ok(client, page["Bench 500"]),
            "floor": lambda: get_ok(client, floor_url),
            "sql": lambda: walklist_sql(large.pk),
        },
        ctx.runs,
        ctx.warmup,
    )
    out["walklist_ms"], out["walklist_floor_ms"], out["walklist_sql_ms"] = (
        ms(times["page"]),
        ms(times["floor"]),
        ms(times["sql"]),
    )
    out["walklist_vs_floor"] = ratio(times["page"], times["floor"])
    out["walklist_vs_sql"] = ratio(times["page"], times["sql"])
    out["walklist_loadavg_1m"] = _loadavg()
    out["walklist_queries_small"] = count_queries(lambda: get_ok(client, page["Bench 50"]))
    out["walklist_queries_large"] = count_queries(lambda: get_ok(client, page["Bench 500"]))
    # Cutting again: every door leaves a turf that the cut replaces and deletes.
    recut, figures = _timed_cut(campaign, area, "turf_recut")
    out.update(figures)
    out["turf_recut_replaced"] = recut.replaced
    return out
