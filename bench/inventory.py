"""Inventory: stock movements under concurrent clients beside a bare conditional UPDATE, and the on-hand
page of a campaign with many places and a long ledger beside the bare SQL.

Figures (under "inventory" in results.json):

- `moves_per_s`: movements recorded per second by `inventory.services.movement_record` (an issue of one
  leaflet from the office into the client's own bag: the office row locked and checked, the ledger row,
  the decrement and the bag's upsert, one statement on PostgreSQL), with 8 clients at once on PostgreSQL
  (1 on SQLite, which has one writer), all against the one office row.
- `update_per_s`: the baseline, the same clients running the bare `UPDATE … SET n = n - 1 WHERE id = %s
  AND n >= 1` of one counter row, each in its own autocommit transaction.
- `moves_vs_update`: ours ÷ baseline, of rates (goal ≥ 0.3).
- `on_hand_ms`: median time of GET /c/bench-inventory/inventory/on-hand/ (the first page of non-zero
  on-hand rows by place) with 100 items × 1,000 places and 1,000,000 movements (full; small: 20 × 100 and
  20,000 movements), signed in as the owner.
- `on_hand_sql_ms`: the same page's rows and count as bare SQL; `on_hand_vs_sql`: ours ÷ that.
- `on_hand_floor_ms`: a fixed response through the same middleware and session (what every page pays before
  it does anything), and `on_hand_over_floor_vs_sql`: (page − floor) ÷ bare SQL, the page's own work beside
  the SQL it needs.
- `ledger_sum_ms`: the bare SQL aggregate of the whole ledger into on-hand per (variant, place), what the
  page would cost if on-hand were summed from the ledger each time.
- `on_hand_queries_small` / `_large`: queries of one page view on a campaign with 3 rows and on the large
  one (goal: equal).
"""

import datetime as dt
import random
import threading
import time
import uuid
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from bench.timing import BenchError, compare_ms, count_queries, get_ok, ms, ratio
from campaign.models import Campaign, Membership, Role
from inventory import services
from inventory.models import Item, Location, Movement, StockLevel, Variant

APP = "inventory"
GOALS = {"moves_vs_update": (">=", 0.3)}

SEED = 20260105
SLUG = "bench-inventory"
SMALL_SLUG = "bench-inventory-tiny"
ITEMS = {"small": 20, "full": 100}
PLACES = {"small": 100, "full": 1_000}
MOVEMENTS = {"small": 20_000, "full": 1_000_000}
MOVES_EACH = {"small": 60, "full": 1_000}
BATCH = 10_000


def _campaign(slug: str, owner: Any) -> Campaign:
    with scopes_disabled():
        campaign = Campaign.objects.create(
            slug=slug,
            name=f"Bench {slug}",
            candidate_name="Candidate Stock",
            office="District Council",
            election_date=timezone.localdate() + dt.timedelta(days=60),
        )
        Membership.objects.create(campaign=campaign, user=owner, role=Role.OWNER)
    return campaign


def _fill(campaign: Campaign, items: int, places: int, movements: int, rng: random.Random) -> None:
    """Receipts spread over every (variant, place), with the on-hand rows they add up to."""
    with scopes_disabled(), transaction.atomic():
        made = Item.objects.bulk_create(
            Item(campaign=campaign, kind=Item.Kind.LEAFLET, name=f"Leaflet {i:03d}", unit="sheet") for i in range(items)
        )
        variants = Variant.objects.bulk_create(Variant(campaign=campaign, item=item, label="") for item in made)
        locations = Location.objects.bulk_create(
            Location(campaign=campaign, kind=Location.Kind.STORAGE, name=f"Point {p:04d}") for p in range(places)
        )
        if connection.vendor == "postgresql":
            _ledger_pg(campaign, [v.pk for v in variants], [loc.pk for loc in locations], movements)
        else:
            _ledger_orm(campaign, [v.pk for v in variants], [loc.pk for loc in locations], movements, rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Every table the page joins, so its plan and the bare SQL's come from real statistics.
            cursor.execute(
                "ANALYZE inventory_movement; ANALYZE inventory_stocklevel; ANALYZE inventory_location; "
                "ANALYZE inventory_variant; ANALYZE inventory_item"
            )


# The ledger generated in the database on PostgreSQL (a million rows in seconds, not minutes of Python objects);
# on-hand is then summed from it, so the two agree by construction.
LEDGER_FILL_SQL = """
INSERT INTO inventory_movement (code, campaign_id, kind, variant_id, to_location_id, quantity, supplier, reason,
                                created_at)
SELECT gen_random_uuid(), %(campaign)s, 'received',
       (%(variants)s::bigint[])[1 + (n %% %(pairs)s) / %(places)s],
       (%(locations)s::bigint[])[1 + (n %% %(pairs)s) %% %(places)s],
       1 + (n * 2654435761) %% 50, '', '', now() - (%(movements)s - n) * interval '1 second'
FROM generate_series(0, %(movements)s - 1) AS n
"""
ON_HAND_FILL_SQL = """
INSERT INTO inventory_stocklevel (campaign_id, variant_id, location_id, quantity)
SELECT campaign_id, variant_id, to_location_id, SUM(quantity) FROM inventory_movement
WHERE campaign_id = %s GROUP BY campaign_id, variant_id, to_location_id
"""


def _ledger_pg(campaign: Campaign, variants: list[int], locations: list[int], movements: int) -> None:
    params = {
        "campaign": campaign.pk,
        "variants": variants,
        "locations": locations,
        "places": len(locations),
        "pairs": len(variants) * len(locations),
        "movements": movements,
    }
    with connection.cursor() as cursor:
        cursor.execute(LEDGER_FILL_SQL, params)
        cursor.execute(ON_HAND_FILL_SQL, [campaign.pk])


def _ledger_orm(
    campaign: Campaign, variants: list[int], locations: list[int], movements: int, rng: random.Random
) -> None:
    totals: dict[tuple[int, int], int] = {}
    now = timezone.now()
    pairs = [(v, loc) for v in variants for loc in locations]
    for start in range(0, movements, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, movements)):
            variant_id, location_id = pairs[n % len(pairs)]
            quantity = rng.randint(1, 50)
            totals[(variant_id, location_id)] = totals.get((variant_id, location_id), 0) + quantity
            rows.append(
                Movement(
                    code=uuid.UUID(int=rng.getrandbits(128)),
                    campaign=campaign,
                    kind=Movement.Kind.RECEIVED,
                    variant_id=variant_id,
                    to_location_id=location_id,
                    quantity=quantity,
                    created_at=now - dt.timedelta(seconds=movements - n),
                )
            )
        Movement.objects.bulk_create(rows, batch_size=BATCH)
    StockLevel.objects.bulk_create(
        (StockLevel(campaign=campaign, variant_id=v, location_id=loc, quantity=q) for (v, loc), q in totals.items()),
        batch_size=BATCH,
    )


PAGE_SQL = """
SELECT l.name, l.code, i.name, v.label, i.unit, s.quantity
FROM inventory_stocklevel s
JOIN inventory_location l ON l.id = s.location_id
JOIN inventory_variant v ON v.id = s.variant_id
JOIN inventory_item i ON i.id = v.item_id
WHERE s.campaign_id = %s AND l.campaign_id = %s AND s.quantity > 0
ORDER BY l.kind, l.name, l.id, i.name, v.label, v.id
LIMIT 50
"""
COUNT_SQL = "SELECT COUNT(*) FROM inventory_stocklevel WHERE campaign_id = %s AND quantity > 0"
LEDGER_SQL = """
SELECT variant_id, place, SUM(q) FROM (
  SELECT variant_id, to_location_id AS place, quantity AS q FROM inventory_movement
   WHERE campaign_id = %s AND to_location_id IS NOT NULL
  UNION ALL
  SELECT variant_id, from_location_id, -quantity FROM inventory_movement
   WHERE campaign_id = %s AND from_location_id IS NOT NULL
) t GROUP BY variant_id, place
"""


def _sql(query: str, params: list[Any]) -> list[Any]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def _rate(clients: int, each: int, work: Any) -> float:
    """Operations per second with `clients` threads each running `work(index)` `each` times."""
    threaded = clients > 1
    barrier = threading.Barrier(clients + 1 if threaded else 1)
    errors: list[str] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            for _ in range(each):
                work(index)
        except Exception as exc:  # reported: the bench stops on it
            errors.append(repr(exc))
        finally:
            if threaded:
                connection.close()

    if threaded:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        barrier.wait()
        start = time.perf_counter()
        for t in threads:
            t.join()
    else:
        start = time.perf_counter()
        run(0)
    elapsed = time.perf_counter() - start
    if errors:
        raise BenchError(f"a client failed: {errors[0]}")
    return clients * each / elapsed


def _moves(ctx: Any) -> dict[str, Any]:
    clients = 8 if connection.vendor == "postgresql" else 1
    each = MOVES_EACH[ctx.scale]
    owner = ctx.data.large.owner
    campaign = _campaign(SLUG + "-moves", owner)
    with scope(campaign=campaign.pk):
        item = services.item_create(campaign=campaign, acting_user=owner, kind=Item.Kind.LEAFLET, name="Flyer")
        variant = item.variants.select_related("item").get()
        office = services.location_create(campaign=campaign, acting_user=owner, kind="office", name="Office")
        services.movement_record(
            campaign=campaign,
            kind="received",
            variant=variant,
            quantity=clients * each * 3,
            to_location=office,
            acting_user=owner,
        )
        members = [Membership.objects.get(campaign=campaign, user=owner)]
    with scopes_disabled():
        users = list(ctx.data.large.campaign.memberships.exclude(user=owner).select_related("user")[:clients])
        for m in users[: clients - 1]:
            members.append(Membership.objects.create(campaign=campaign, user=m.user, role=Role.VOLUNTEER))
        bags = [services.bag_for(membership=m) for m in members]
    if len(bags) < clients:
        raise BenchError("not enough members for the clients")

    def move(index: int) -> None:
        with scope(campaign=campaign.pk):
            services.movement_record(
                campaign=campaign,
                kind="issued",
                variant=variant,
                quantity=1,
                from_location=office,
                to_location=bags[index],
                acting_user=owner,
            )

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_inventory_counter (id integer PRIMARY KEY, n integer)")
        cursor.execute("DELETE FROM bench_inventory_counter")
        cursor.execute("INSERT INTO bench_inventory_counter (id, n) VALUES (1, %s)", [clients * each * 3])

    def update(_index: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE bench_inventory_counter SET n = n - 1 WHERE id = %s AND n >= 1", [1])
            if cursor.rowcount != 1:
                raise BenchError("the counter ran out")

    # Interleave two rounds of each so load from elsewhere falls on both alike.
    ours, bare = [], []
    for _ in range(2):
        ours.append(_rate(clients, each, move))
        bare.append(_rate(clients, each, update))
    moves_per_s, update_per_s = max(ours), max(bare)
    with scopes_disabled():
        recorded = Movement.objects.filter(campaign=campaign, kind="issued").count()
        left = StockLevel.objects.get(location=office, variant=variant).quantity
    if recorded != 2 * clients * each or left != clients * each * 3 - recorded:
        raise BenchError(f"{recorded} movements recorded, {left} left: the ledger and on-hand disagree")
    return {
        "moves_clients": clients,
        "moves_per_s": round(moves_per_s, 1),
        "update_per_s": round(update_per_s, 1),
        "moves_vs_update": round(moves_per_s / update_per_s, 2),
    }


def _on_hand(ctx: Any) -> dict[str, Any]:
    rng = random.Random(SEED)
    owner = ctx.data.large.owner
    campaign = _campaign(SLUG, owner)
    _fill(campaign, ITEMS[ctx.scale], PLACES[ctx.scale], MOVEMENTS[ctx.scale], rng)
    tiny = _campaign(SMALL_SLUG, owner)
    _fill(tiny, 1, 3, 6, rng)
    client = ctx.session_client(owner)
    url = f"/c/{SLUG}/inventory/on-hand/"
    page = get_ok(client, url).content.decode()
    first = _sql(PAGE_SQL, [campaign.pk, campaign.pk])
    if not first or str(first[0][1]) not in page:
        raise BenchError("the on-hand page does not show the first row the bare SQL finds")
    floor_url = f"/c/{SLUG}/__floor__/"
    times = compare_ms(
        {
            "page": lambda: get_ok(client, url),
            "sql": lambda: (_sql(PAGE_SQL, [campaign.pk, campaign.pk]), _sql(COUNT_SQL, [campaign.pk])),
            "floor": lambda: get_ok(client, floor_url),
        },
        ctx.runs,
        ctx.warmup,
    )
    ledger = compare_ms({"ledger": lambda: _sql(LEDGER_SQL, [campaign.pk, campaign.pk])}, min(ctx.runs, 5), 1)
    with scopes_disabled():
        movements = Movement.objects.filter(campaign=campaign).count()
    return {
        "on_hand_ms": ms(times["page"]),
        "on_hand_sql_ms": ms(times["sql"]),
        "on_hand_vs_sql": ratio(times["page"], times["sql"]),
        "on_hand_floor_ms": ms(times["floor"]),
        "on_hand_over_floor_vs_sql": ratio(times["page"] - times["floor"], times["sql"]),
        "ledger_sum_ms": ms(ledger["ledger"]),
        "on_hand_queries_small": count_queries(lambda: get_ok(client, f"/c/{SMALL_SLUG}/inventory/on-hand/")),
        "on_hand_queries_large": count_queries(lambda: get_ok(client, url)),
        "on_hand_movements": movements,
        "on_hand_places": PLACES[ctx.scale],
        "on_hand_items": ITEMS[ctx.scale],
    }


def measure(ctx: Any) -> dict[str, Any]:
    return {**_moves(ctx), **_on_hand(ctx)}
