"""Canvassing: importing a generated household file (200,000 households; 20,000 at SCALE=small), beside
loading the same file into a bare table.

Figures (under "canvassing" in results.json):

- `import_rows_per_second`: file rows ÷ seconds of the whole import a coordinator waits for, after the
  upload: the background check (streamed csv parsing, every cell validated, address keys, staging files)
  plus the all-or-nothing apply (COPY of the staging files into temporary tables, then set-based
  INSERT/UPDATE into the household, person and resident tables with all their indexes).
- `apply_rows_per_second`, `validate_rows_per_second`: the two steps alone.
- `copy_rows_per_second`: the baseline. On PostgreSQL, `COPY … FROM STDIN (FORMAT csv, HEADER)` of the
  same bytes into a plain table of text columns with no index or constraint (not UNLOGGED). On SQLite,
  which has no COPY, the csv module plus one `executemany` INSERT into such a table (`baseline` says which).
- `import_vs_copy`: import_rows_per_second ÷ copy_rows_per_second (goal ≥ 0.5); `apply_vs_copy` beside it.
"""

import random
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django_scopes import scope, scopes_disabled

from campaign.models import Campaign, Membership, Role
from canvassing import importing
from canvassing import services_households as services
from canvassing.importing_apply import apply_batch
from canvassing.models import Household

APP = "canvassing"
GOALS = {"import_vs_copy": (">=", 0.5)}
SEED = 20260415
SLUG = "bench-households"
ROWS = {"small": 20_000, "full": 200_000}
HEADER = [
    "external id",
    "district",
    "street",
    "house number",
    "building",
    "floor",
    "unit",
    "postcode",
    "latitude",
    "longitude",
    "resident",
    "age band",
    "phone",
]
STREETS = ["King's Road", "Java Road", "Marble Road", "Electric Road", "Tong Shui Road", "英皇道", "渣华道", "北角道"]
BUILDINGS = ["", "Harbour Heights", "City Garden", "北角大厦", "Provident Centre", "Block A"]
BANDS = ["", "", "18-29", "30-44", "45-64", "65+"]


def _write_file(path: Path, rows: int, rng: random.Random) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(f'"{h}"' for h in HEADER) + "\n")
        for n in range(rows):
            resident = f"Resident {n}" if rng.random() < 0.3 else ""
            cells = [
                f"HH{n:07d}",
                "Eastern",
                STREETS[n % 8],  # street, number, floor and unit together are unique up to 1,280,000 rows
                str(1 + (n // 8) % 500),
                rng.choice(BUILDINGS),
                str(1 + (n // 4000) % 40),
                "ABCDEFGH"[(n // 160_000) % 8],
                "",
                f"{22.28 + rng.random() * 0.02:.6f}",
                f"{114.19 + rng.random() * 0.02:.6f}",
                resident,
                rng.choice(BANDS) if resident else "",
                f"+85294{n % 1_000_000:06d}" if resident and rng.random() < 0.5 else "",
            ]
            handle.write(",".join(f'"{c}"' if "," in c or "'" in c else c for c in cells) + "\n")


def _baseline(path: Path) -> tuple[float, str]:
    columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_household_copy")
        cursor.execute(f"CREATE TABLE bench_household_copy ({columns})")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                open(path, "rb") as handle,
                cursor.cursor.copy("COPY bench_household_copy FROM STDIN (FORMAT csv, HEADER)") as copy,
            ):
                while block := handle.read(1 << 20):
                    copy.write(block)
            kind = "postgresql COPY FROM STDIN (FORMAT csv) into a plain table"
        else:
            import csv

            with open(path, encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                next(reader)
                marks = ", ".join(["%s"] * len(HEADER))
                cursor.executemany(f"INSERT INTO bench_household_copy VALUES ({marks})", list(reader))
            kind = "sqlite csv module + executemany INSERT into a plain table (no COPY on SQLite)"
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_household_copy")
    return seconds, kind


def measure(ctx: Any) -> dict[str, Any]:
    rows = ROWS[ctx.scale]
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as folder, override_settings(VAR_DIR=Path(folder)):
        source = Path(folder) / "households.csv"
        _write_file(source, rows, rng)
        copy_seconds, kind = _baseline(source)
        with scopes_disabled():
            campaign = Campaign.objects.filter(slug=SLUG).first() or Campaign.objects.create(
                slug=SLUG,
                name="Bench households",
                candidate_name="Candidate Doors",
                office="District Council",
                election_date=ctx.data.large.campaign.election_date,
            )
            user = ctx.data.large.owner
            Membership.objects.get_or_create(campaign=campaign, user=user, defaults={"role": Role.OWNER})
        with scope(campaign=campaign.pk):
            with open(source, "rb") as handle:
                batch = services.import_upload(
                    campaign=campaign, acting_user=user, filename="households.csv", chunks=iter(handle)
                )
            started = time.perf_counter()
            result = importing.validate_file(batch)
            validate_seconds = time.perf_counter() - started
            if result.error_count:
                raise RuntimeError(f"generated file has errors: {result.errors[:3]}")
            started = time.perf_counter()
            with transaction.atomic():
                applied = apply_batch(batch)
            apply_seconds = time.perf_counter() - started
            stored = Household.objects.filter(campaign=campaign).count()
    if stored != applied.created or applied.created == 0:
        raise RuntimeError(f"import stored {stored} households, reported {applied.created}")
    import_rate = rows / (validate_seconds + apply_seconds)
    copy_rate = rows / copy_seconds
    return {
        "import_rows": rows,
        "import_households_created": applied.created,
        "import_residents_created": applied.residents_created,
        "import_rows_per_second": round(import_rate),
        "validate_rows_per_second": round(rows / validate_seconds),
        "apply_rows_per_second": round(rows / apply_seconds),
        "copy_rows_per_second": round(copy_rate),
        "import_vs_copy": round(import_rate / copy_rate, 3),
        "apply_vs_copy": round(rows / apply_seconds / copy_rate, 3),
        "import_baseline": kind,
        "import_database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    }
