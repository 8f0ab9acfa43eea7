"""Nominations: entering 20,000 signatures (300 at SCALE=small) against an area of 200,000 households
(5,000 at SCALE=small), each checked as it is entered, duplicate detection included; beside a bare
indexed lookup of the same rows.

Figures (under "nominations" in results.json):

- `signatures_per_second`: nominations.services.signature_add, one transaction per signature as the
  entry page does: the checks (household and its area in the current map, similar names at the same
  household, the same name with the same ID digits), the insert and the audit entry.
- `validations_per_second`: the checks alone (nominations.validation.judge) after entry, for every
  signature or an even sample of SAMPLE of them (the same rows as the baseline).
- `lookup_per_second`: the baseline, the same rows looked up with bare SQL through `connection.cursor()`:
  the household joined to its area by primary key, then the signatures at that
  household or with the same name and ID hash (one query, each arm on its index). Measured in the
  same run. The checks read exactly this: the household (one query) and the candidates (one query).
- `validate_vs_lookup`: validations ÷ lookups, a ratio of rates (1 would be no overhead over bare SQL).
- `entry_vs_lookup`: signatures entered ÷ lookups, a ratio of rates (entry also writes two rows).
- `duplicates_found`: the signatures flagged as duplicates; the generator plants exactly this many
  (checked, or the run fails). `out_of_area_found` likewise.
- `recheck_seconds`: nominations.services.signatures_recheck over all of them (after a map re-version).

The households are made here in bulk, in their own campaign (bench-nominations), from a fixed seed.
"""

import datetime as dt
import random
import time
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from bench.timing import BenchError
from campaign.models import Campaign, Membership, Role
from canvassing.models import Area, Household, MapVersion
from nominations import services, validation
from nominations.models import Drive, Risk, Signature

APP = "nominations"
GOALS = {"validate_vs_lookup": (">=", 0.2)}

SEED = 20260107
SLUG = "bench-nominations"
HOUSEHOLDS = {"small": 5_000, "full": 200_000}
SIGNATURES = {"small": 300, "full": 20_000}
SAMPLE = 4_000  # rows re-judged and looked up bare, spread evenly over the drive
OUTSIDE_SHARE = 20  # every 20th household is in the next area
DUPLICATE_EVERY = 10  # every 10th signature repeats an earlier signer (name written differently)
GIVEN = ["Tai Man", "Siu Ming", "Mei Ling", "Ka Yan", "Wing Kei", "Chi Keung", "Suk Fan", "Ho Yin"]
FAMILY = ["Chan", "Wong", "Lee", "Cheung", "Lau", "Ho", "Ng", "Leung", "Tam", "Yip"]


def _setup(ctx: Any, rng: random.Random) -> tuple[Campaign, Drive, list[Household]]:
    today = timezone.localdate()
    with scopes_disabled(), transaction.atomic():
        campaign = Campaign.objects.create(
            slug=SLUG,
            name="Bench nominations campaign",
            candidate_name="Candidate Papers",
            office="District Council",
            election_date=today + dt.timedelta(days=60),
        )
        Membership.objects.create(campaign=campaign, user=ctx.data.large.owner, role=Role.OWNER)
        version = MapVersion.objects.create(
            campaign=campaign, number=1, name="v1", source="households", status="current"
        )
        inside = Area.objects.create(campaign=campaign, version=version, key="B1", name="Bench North")
        outside = Area.objects.create(campaign=campaign, version=version, key="B2", name="Bench South")
        households = Household.objects.bulk_create(
            [
                Household(
                    campaign=campaign,
                    address_key=f"bench|{n}",
                    street=f"Street {n // 200}",
                    house_number=str(n % 200 + 1),
                    house_number_value=n % 200 + 1,
                    area=outside if n % OUTSIDE_SHARE == 0 else inside,
                )
                for n in range(HOUSEHOLDS[ctx.scale])
            ],
            batch_size=5000,
        )
        drive = services.drive_create(
            campaign=campaign,
            acting_user=ctx.data.large.owner,
            office="District Council",
            area_key="B1",
            required=SIGNATURES[ctx.scale] // 2,
            opens_on=today - dt.timedelta(days=30),
            deadline=today + dt.timedelta(days=30),
            require_id_fragment=True,
        )
    with connection.cursor() as cursor:
        for model in (Household, Area, Signature):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return campaign, drive, households


def _plan(ctx: Any, rng: random.Random, households: list[Household]) -> tuple[list[dict[str, Any]], int, int]:
    """The signatures to enter: mostly distinct people at random households, every 10th a repeat of an
    earlier signer at the same household with the name written differently."""
    today = timezone.localdate()
    rows: list[dict[str, Any]] = []
    duplicates = out_of_area = 0
    # Distinct people live at distinct households, so the only duplicates are the planted ones.
    homes = iter(rng.sample(range(len(households)), SIGNATURES[ctx.scale]))
    for n in range(SIGNATURES[ctx.scale]):
        if n % DUPLICATE_EVERY == DUPLICATE_EVERY - 1 and rows:
            earlier = rows[rng.randrange(len(rows))]
            if earlier.get("repeat"):
                earlier = earlier["repeat"]
            row = {**earlier, "full_name": earlier["full_name"].upper().replace(" ", "-"), "repeat": earlier}
            duplicates += 1
        else:
            row = {
                "full_name": f"{rng.choice(FAMILY)} {rng.choice(GIVEN)} {n}",
                "household": households[next(homes)],
                "id_fragment": f"{rng.randrange(1000):03d}{rng.randrange(10)}",
                "signed_on": today - dt.timedelta(days=rng.randrange(20)),
            }
        out_of_area += row["household"].area.key != "B1"
        rows.append(row)
    return rows, duplicates, out_of_area


def bare_lookup(drive_id: int, rows: list[tuple[int, str, str]]) -> int:
    """The same rows through bare indexed SQL: the household joined to its area, then the
    not struck signatures at that household or with the same name and ID hash (one query, two indexes)."""
    household, area = (m._meta.db_table for m in (Household, Area))
    signature = Signature._meta.db_table
    found = 0
    with connection.cursor() as cursor:
        for household_id, key, hashed in rows:
            cursor.execute(
                f"SELECT h.id, a.key FROM {household} h LEFT JOIN {area} a ON a.id = h.area_id WHERE h.id = %s",
                [household_id],
            )
            found += len(cursor.fetchall())
            cursor.execute(
                f"SELECT id, household_id, name_key, id_hash FROM {signature} WHERE drive_id = %s "
                "AND (household_id = %s OR (name_key = %s AND id_hash = %s)) AND status <> 'struck' ORDER BY id",
                [drive_id, household_id, key, hashed],
            )
            found += len(cursor.fetchall())
    return found


def measure(ctx: Any) -> dict[str, Any]:
    rng = random.Random(SEED)
    campaign, drive, households = _setup(ctx, rng)
    rows, planted_duplicates, planted_out = _plan(ctx, rng, households)
    user = ctx.data.large.owner
    with scopes_disabled():
        drive = Drive.objects.select_related("campaign").get(pk=drive.pk)
        start = time.perf_counter()
        for row in rows:
            services.signature_add(
                drive=drive,
                acting_user=user,
                full_name=row["full_name"],
                household=row["household"],
                id_fragment=row["id_fragment"],
                signed_on=row["signed_on"],
            )
        entry_seconds = time.perf_counter() - start
        duplicates = Signature.objects.filter(drive=drive, risks__contains=[Risk.DUPLICATE]).count()
        out_of_area = Signature.objects.filter(drive=drive, risks__contains=[Risk.OUT_OF_AREA]).count()
        if duplicates != planted_duplicates or out_of_area != planted_out:
            raise BenchError(
                f"found {duplicates} duplicates and {out_of_area} out of area; planted "
                f"{planted_duplicates} and {planted_out}"
            )
        saved = list(Signature.objects.filter(drive=drive).defer("signature_png").order_by("pk"))
        saved = saved[:: max(len(saved) // SAMPLE, 1)]
        # The checks alone, for the same rows (each against everything entered, as a re-entry would be).
        start = time.perf_counter()
        for s in saved:
            # As the entry page does: the household picked, with its area, then the checks.
            household = Household.objects.select_related("area").get(pk=s.household_id)
            validation.judge(
                drive,
                key=s.name_key,
                household=household,
                address_text=s.address_text,
                id_hash_value=s.id_hash,
                birth_year=s.birth_year,
                signed_on=s.signed_on,
                exclude_pk=s.pk,
            )
        judge_seconds = time.perf_counter() - start
        lookups = [(s.household_id, s.name_key, s.id_hash) for s in saved]
        start = time.perf_counter()
        bare_lookup(drive.pk, lookups)
        lookup_seconds = time.perf_counter() - start
        start = time.perf_counter()
        services.signatures_recheck(campaign=campaign, acting_user=user)
        recheck_seconds = time.perf_counter() - start
    count = len(rows)
    entry_rate = count / entry_seconds
    judge_rate, lookup_rate = len(saved) / judge_seconds, len(saved) / lookup_seconds
    return {
        "signatures_per_second": round(entry_rate, 1),
        "validations_per_second": round(judge_rate, 1),
        "lookup_per_second": round(lookup_rate, 1),
        "validate_vs_lookup": round(judge_rate / lookup_rate, 2),
        "entry_vs_lookup": round(entry_rate / lookup_rate, 2),
        "duplicates_found": duplicates,
        "out_of_area_found": out_of_area,
        "recheck_seconds": round(recheck_seconds, 2),
        "signatures": count,
        "sampled": len(saved),
        "households": len(households),
    }
