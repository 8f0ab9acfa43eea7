"""Writes for turfs: cutting an area into turfs, then the coordinator's edits (move households, merge,
split, lock, rename, mode, complete). Each is one transaction with an audit entry.

Cutting again
-------------
Re-cutting an area replaces its turfs that are unlocked, not assigned to anyone right now (no active
assignment) and have no visits logged in them. Turfs that are locked, assigned or already visited stay
as they are, with their households; only the other active households of the area are cut. So a
coordinator can re-cut the rest of an area in the middle of a campaign without pulling a turf out
from under a volunteer or scrambling the history of one that was walked. To re-cut a visited turf,
withdraw its assignment and merge or split it by hand instead.
"""

import datetime as dt
import gc
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from campaign.audit import log_action
from canvassing import cutting
from canvassing.models import Area, Assignment, Household, MapVersion, Turf, Visit
from canvassing.selectors_turfs import walk_list
from inventory.models import Item, Variant

MAX_TARGET_DOORS = 5_000
MAX_TURFS = 10_000
# An area larger than this is cut by a Celery task with a progress bar (canvassing.tasks_turfs).
BACKGROUND_THRESHOLD = 5_000
SQLITE_BATCH = 500

Progress = Callable[[int, int], None]


@dataclass
class CutResult:
    area: Area
    turfs: list[Turf] = field(default_factory=list)
    households: int = 0
    kept: int = 0
    replaced: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # wall time of each phase, for the bench

    def summary(self) -> dict[str, int | str]:
        return {
            "area": str(self.area.code),
            "turfs": len(self.turfs),
            "households": self.households,
            "kept": self.kept,
            "replaced": self.replaced,
        }


def kept_turfs(area: Area) -> Sequence[int]:
    """Turfs a re-cut leaves alone: locked, assigned right now, or with visits logged in them."""
    return list(
        Turf.objects.filter(campaign_id=area.campaign_id, area=area)
        .filter(
            Q(locked=True)
            | Exists(Assignment.objects.filter(turf=OuterRef("pk"), status=Assignment.Status.ACTIVE))
            | Exists(Visit.objects.filter(turf=OuterRef("pk")))
        )
        .values_list("pk", flat=True)
    )


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 3)
        self._last = now


DOOR_COLUMNS = (
    "id",
    "latitude",
    "longitude",
    "street",
    "parity",
    "house_number_value",
    "house_number",
    "building",
    "unit",
    "floor",
)


@contextmanager
def _driver_cursor(**options: Any) -> Iterator[psycopg.Cursor[Any]]:
    """A psycopg cursor on Django's connection (same transaction) that binds parameters on the server, so a
    cut's 200,000-element arrays and rows can travel in binary. Django's cursors bind on the client: each
    number is printed as text by Python and parsed back by PostgreSQL, about 0.4 s of a 200,000-door cut.
    Errors come out as Django's, as from its own cursors."""
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection, **options) as cursor:
        yield cursor


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused. A 200,000-door cut makes about half a million small objects (Doors,
    chunks, pairs); the collector starts every 700 of them and every so often walks every object of the
    process (all of Django): 0.25 s of the cut in all. None of them is in a cycle: reference counting frees
    them, and the collector runs as usual afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _doors(area: Area, kept: Sequence[int]) -> list[cutting.Door]:
    """The area's active households outside the kept turfs, as the cutter sees them. Through the cursor
    straight into Doors: at 200,000 rows the ORM's per-row work would cost as much as the query."""
    households = Household.objects.filter(
        campaign_id=area.campaign_id, area=area, status=Household.Status.ACTIVE
    ).exclude(turf_id__in=kept)
    sql, params = households.values_list(*DOOR_COLUMNS).query.sql_with_params()
    make = cutting.Door._make
    if connection.vendor == "postgresql":
        with _driver_cursor(row_factory=lambda _cursor: make) as cursor:
            cursor.execute(sql, params, binary=True)
            return cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [make(row) for row in cursor.fetchall()]


def _validate_cut(area: Area, target_doors: int | None, turf_count: int | None) -> None:
    if (target_doors is None) == (turf_count is None):
        raise ValidationError(_("Give either a number of doors per turf or a number of turfs, not both."))
    if target_doors is not None and not 1 <= target_doors <= MAX_TARGET_DOORS:
        raise ValidationError(
            {"target_doors": _("Doors per turf must be between 1 and %(max)s.") % {"max": MAX_TARGET_DOORS}}
        )
    if turf_count is not None and not 1 <= turf_count <= MAX_TURFS:
        raise ValidationError(
            {"turf_count": _("The number of turfs must be between 1 and %(max)s.") % {"max": MAX_TURFS}}
        )
    if area.version.status != MapVersion.Status.CURRENT:
        raise ValidationError({"area": _("Only areas of the current map can be cut into turfs.")})


def _free_names(area: Area, count: int, *, keep: Sequence[int]) -> list[str]:
    """Names like "K01-007", skipping those the kept turfs use (the replaced turfs' names are free)."""
    taken = set(Turf.objects.filter(pk__in=keep).values_list("name", flat=True))
    names: list[str] = []
    number = 0
    while len(names) < count:
        number += 1
        name = f"{area.key}-{number:03d}"
        if name not in taken:
            names.append(name)
    return names


def _turfs_create(area: Area, names: Sequence[str]) -> list[Turf]:
    """New turfs of the area, saved, in the order of their names. On PostgreSQL one INSERT … SELECT FROM
    unnest(arrays of what differs from turf to turf): bulk_create sends every value as a literal, and PostgreSQL
    takes longer to parse the 50,000 of a 5,000-turf cut than to insert the rows (0.5 s of a 200,000-door
    cut)."""
    turfs = [Turf(campaign_id=area.campaign_id, area=area, name=name) for name in names]
    if connection.vendor != "postgresql" or not turfs:
        return Turf.objects.bulk_create(turfs, batch_size=1000)
    fields = {f.name: f for f in Turf._meta.concrete_fields if not f.primary_key}
    own = [fields.pop(name) for name in ("code", "name", "created_at")]  # the arrays below, in this order
    shared = list(fields.values())  # the same for every new turf: the first one's
    first = turfs[0]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in [*shared, *own])
    with _driver_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Turf._meta.db_table} ({columns}) "  # noqa: S608 (names are the model's)
            f"SELECT {', '.join(['%s'] * len(shared))}, own.* "
            "FROM unnest(%b::uuid[], %b::text[], %b::timestamptz[]) AS own RETURNING code, id",
            [
                *(f.get_db_prep_save(getattr(first, f.attname), connection) for f in shared),
                [t.code for t in turfs],
                [t.name for t in turfs],
                [t.created_at for t in turfs],
            ],
        )
        ids = dict(cursor.fetchall())
    for turf in turfs:
        turf.pk = ids[turf.code]
        turf._state.adding = False
        turf._state.db = connection.alias
    return turfs


def households_turf_left(now: dt.datetime) -> dict[str, object]:
    """UPDATE values that record the turf a household leaves (Household.previous_turf, turf_changed_at), to go
    in the same UPDATE as the new `turf`. The right-hand sides read the row before the update. A household
    that had no turf left none: it keeps the record of the last turf it did leave."""
    return {
        "previous_turf_id": Coalesce(F("turf_id"), F("previous_turf_id")),
        "turf_changed_at": Case(When(turf_id__isnull=True, then=F("turf_changed_at")), default=Value(now)),
    }


def households_assign_turfs(pairs: list[tuple[int, int]], *, deleting: Sequence[int] = ()) -> None:
    """Set Household.turf for many households at once: (household pk, turf pk) pairs.

    `deleting`: turfs the caller deletes later in the same transaction (a re-cut's replaced turfs). Deleting a
    turf clears it from the doors that left it (the record goes with the turf), so on PostgreSQL a door leaving
    one of them is not recorded as having left it in the first place: otherwise the deletion would write all
    those rows a second time, each with a foreign-key check. The doors end the same either way.

    On PostgreSQL one UPDATE … FROM unnest(arrays) (the same five parameters however many rows); elsewhere
    one UPDATE per turf and batch."""
    if not pairs:
        return
    now = timezone.now()
    if connection.vendor == "postgresql":
        table = Household._meta.db_table
        with _driver_cursor() as cursor:
            cursor.execute(
                # previous_turf_id and turf_changed_at as households_turf_left: h.* is the row before.
                f"UPDATE {table} AS h SET turf_id = v.turf_id, updated_at = %s, "  # noqa: S608 (table name is ours)
                "previous_turf_id = CASE WHEN COALESCE(h.turf_id, h.previous_turf_id) "
                "IN (SELECT unnest(%b::bigint[])) THEN NULL ELSE COALESCE(h.turf_id, h.previous_turf_id) END, "
                "turf_changed_at = CASE WHEN h.turf_id IS NULL THEN h.turf_changed_at ELSE %s END "
                "FROM unnest(%b::bigint[], %b::bigint[]) AS v(id, turf_id) "
                "WHERE h.id = v.id AND h.turf_id IS DISTINCT FROM v.turf_id",
                [now, list(deleting), now, [h for h, _t in pairs], [t for _h, t in pairs]],
            )
        return
    by_turf: dict[int, list[int]] = {}
    for household, turf in pairs:
        by_turf.setdefault(turf, []).append(household)
    for turf, households in by_turf.items():
        for start in range(0, len(households), SQLITE_BATCH):
            Household.objects.filter(pk__in=households[start : start + SQLITE_BATCH]).exclude(turf_id=turf).update(
                turf_id=turf, updated_at=now, **households_turf_left(now)
            )


@transaction.atomic
def turfs_cut(
    *,
    area: Area,
    target_doors: int | None = None,
    turf_count: int | None = None,
    acting_user: User | None,
    progress: Progress | None = None,
) -> CutResult:
    """Cut the area's active households into turfs of about `target_doors` (or into `turf_count` turfs).

    Locked, assigned and visited turfs are kept with their households (see the module docstring); the
    area's other turfs are replaced. Balanced within ±10% of the target whenever whole turfs allow it
    (canvassing.cutting)."""
    area = Area.objects.select_related("version", "campaign").select_for_update(of=("self",)).get(pk=area.pk)
    _validate_cut(area, target_doors, turf_count)
    report = progress or (lambda done, total: None)
    kept = kept_turfs(area)
    replaced = list(
        Turf.objects.filter(campaign_id=area.campaign_id, area=area).exclude(pk__in=kept).values_list("pk", flat=True)
    )
    clock = _Clock()
    with _without_cycle_collection():
        doors = _doors(area, kept)
        total = len(doors)
        clock.lap("fetch")
        report(0, total)
        chunks = cutting.cut(doors, target=target_doors) if target_doors else cutting.cut(doors, turfs=turf_count)
        clock.lap("order_and_chunk")

        names = _free_names(area, len(chunks), keep=kept)
        turfs = _turfs_create(area, names)
        clock.lap("create_turfs")
        pairs = [(door.pk, turf.pk) for turf, chunk in zip(turfs, chunks, strict=True) for door in chunk]
        households_assign_turfs(pairs, deleting=replaced)
        del doors, chunks, pairs  # gone before the collector is back, so it has nothing of them to walk
        clock.lap("write_households")
    # Only now, so the database does not first clear every household of them: what is left in the
    # replaced turfs is households out of the walk lists (do not contact, moved), which SET_NULL frees.
    Turf.objects.filter(pk__in=replaced).delete()
    clock.lap("delete_replaced")
    report(total, total)
    result = CutResult(
        area=area, turfs=turfs, households=total, kept=len(kept), replaced=len(replaced), seconds=clock.laps
    )
    log_action(
        campaign=area.campaign,
        actor=acting_user,
        action="canvassing.turf.cut",
        target=area,
        data={"target_doors": target_doors, "turf_count": turf_count, **result.summary()},
    )
    return result


def _refuse_locked(*turfs: Turf) -> None:
    for turf in turfs:
        if turf.locked:
            raise ValidationError(
                _("Turf %(name)s is locked. Unlock it first to change its households.") % {"name": turf.name}
            )


def _fresh(turf: Turf) -> Turf:
    """The turf again, locked against other edits until the transaction ends."""
    return Turf.objects.select_for_update().select_related("area").get(pk=turf.pk)


@transaction.atomic
def turf_households_move(*, households: Sequence[Household], to_turf: Turf, acting_user: User | None) -> int:
    """Move households to another turf of their area. Returns how many moved."""
    to_turf = _fresh(to_turf)
    _refuse_locked(to_turf)
    if not households:
        raise ValidationError({"households": _("Choose at least one household to move.")})
    pks = [h.pk for h in households]
    rows = list(Household.objects.filter(campaign_id=to_turf.campaign_id, pk__in=pks).select_related("turf"))
    if len(rows) != len(set(pks)):
        raise ValidationError({"households": _("Some of these households are not in this campaign.")})
    if any(h.area_id != to_turf.area_id for h in rows):
        raise ValidationError({"households": _("Households can only move to a turf of their own area.")})
    sources = {h.turf.pk: h.turf for h in rows if h.turf is not None}
    _refuse_locked(*sources.values())
    moving = [h.pk for h in rows if h.turf_id != to_turf.pk]
    now = timezone.now()
    Household.objects.filter(pk__in=moving).update(turf=to_turf, updated_at=now, **households_turf_left(now))
    log_action(
        campaign=to_turf.campaign,
        actor=acting_user,
        action="canvassing.turf.households_moved",
        target=to_turf,
        data={"households": len(moving), "from": sorted(str(t.code) for t in sources.values() if t.pk != to_turf.pk)},
    )
    return len(moving)


@transaction.atomic
def turfs_merge(*, turf: Turf, into: Turf, acting_user: User | None) -> Turf:
    """Move every household of `turf` into `into` and remove `turf`. Its visits and past assignments
    now count for `into`, where its households are. A turf assigned to someone right now is refused."""
    if turf.pk == into.pk:
        raise ValidationError({"into": _("Choose another turf to merge with.")})
    turf, into = _fresh(turf), _fresh(into)
    _refuse_locked(turf, into)
    if turf.area_id != into.area_id:
        raise ValidationError({"into": _("Only turfs of the same area can be merged.")})
    if Assignment.objects.filter(turf=turf, status=Assignment.Status.ACTIVE).exists():
        raise ValidationError(
            _("Turf %(name)s is assigned to someone. Withdraw the assignment before merging it.") % {"name": turf.name}
        )
    now = timezone.now()
    moved = Household.objects.filter(turf=turf).update(turf=into, updated_at=now, **households_turf_left(now))
    Visit.objects.filter(turf=turf).update(turf=into)
    Assignment.objects.filter(turf=turf).update(turf=into)
    log_action(
        campaign=into.campaign,
        actor=acting_user,
        action="canvassing.turf.merged",
        target=into,
        data={"merged": str(turf.code), "name": turf.name, "households": moved},
    )
    turf.delete()
    return into


@transaction.atomic
def turf_split(*, turf: Turf, acting_user: User | None, name: str = "") -> Turf:
    """Split a turf in two by its walking order: the second half of the walk list becomes a new turf.
    Households no longer in walk lists (do not contact, moved) stay where they are."""
    turf = _fresh(turf)
    _refuse_locked(turf)
    order = list(walk_list(turf).values_list("pk", flat=True))
    if len(order) < 2:
        raise ValidationError(_("A turf needs at least two households in its walk list to be split."))
    half = order[len(order) // 2 :]
    new = Turf.objects.create(
        campaign_id=turf.campaign_id,
        area_id=turf.area_id,
        name=(name.strip() or _("%(name)s (part 2)") % {"name": turf.name})[:200],
        mode=turf.mode,
        leaflet_variant_id=turf.leaflet_variant_id,
    )
    now = timezone.now()
    Household.objects.filter(pk__in=half).update(turf=new, updated_at=now, **households_turf_left(now))
    log_action(
        campaign=turf.campaign,
        actor=acting_user,
        action="canvassing.turf.split",
        target=turf,
        data={"new": str(new.code), "kept": len(order) - len(half), "moved": len(half)},
    )
    return new


@transaction.atomic
def turf_lock(*, turf: Turf, locked: bool, acting_user: User | None) -> Turf:
    turf = _fresh(turf)
    if turf.locked != locked:
        turf.locked = locked
        turf.save(update_fields=["locked"])
        log_action(
            campaign=turf.campaign,
            actor=acting_user,
            action="canvassing.turf.locked" if locked else "canvassing.turf.unlocked",
            target=turf,
        )
    return turf


@transaction.atomic
def turf_rename(*, turf: Turf, name: str, acting_user: User | None) -> Turf:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the turf a name.")})
    if len(name) > 200:
        raise ValidationError({"name": _("A name can be at most 200 characters long.")})
    turf = _fresh(turf)
    old = turf.name
    if old != name:
        turf.name = name
        turf.save(update_fields=["name"])
        log_action(campaign=turf.campaign, actor=acting_user, action="canvassing.turf.renamed", target=turf)
    return turf


def leaflet_variants(campaign_id: int) -> "list[Variant]":
    """Leaflet editions a leaflets-only turf can hand out."""
    return list(
        Variant.objects.filter(
            campaign_id=campaign_id, item__kind=Item.Kind.LEAFLET, deleted_at=None, item__deleted_at=None
        )
        .select_related("item")
        .order_by("item__name", "label", "pk")
    )


@transaction.atomic
def turf_mode_set(*, turf: Turf, mode: str, acting_user: User | None, leaflet_variant: Variant | None = None) -> Turf:
    """Canvass (knock and talk) or leaflets only; a leaflet run says which edition it hands out."""
    if mode not in Turf.Mode.values:
        raise ValidationError({"mode": _("Choose canvassing or leaflets only.")})
    turf = _fresh(turf)
    if mode == Turf.Mode.LEAFLET:
        if leaflet_variant is None:
            raise ValidationError({"leaflet_variant": _("Choose the leaflet edition this turf hands out.")})
        if leaflet_variant.campaign_id != turf.campaign_id or leaflet_variant.item.kind != Item.Kind.LEAFLET:
            raise ValidationError({"leaflet_variant": _("Choose one of the campaign's leaflets.")})
    else:
        leaflet_variant = None
    turf.mode = mode
    turf.leaflet_variant = leaflet_variant
    turf.save(update_fields=["mode", "leaflet_variant"])
    log_action(
        campaign=turf.campaign,
        actor=acting_user,
        action="canvassing.turf.mode_changed",
        target=turf,
        data={"mode": mode, "leaflet_variant": str(leaflet_variant.code) if leaflet_variant else None},
    )
    return turf


@transaction.atomic
def turf_complete(*, turf: Turf, completed: bool, acting_user: User | None) -> Turf:
    """Mark a turf done (or open it again)."""
    turf = _fresh(turf)
    if completed == (turf.completed_at is not None):
        return turf
    turf.completed_at = timezone.now() if completed else None
    turf.save(update_fields=["completed_at"])
    log_action(
        campaign=turf.campaign,
        actor=acting_user,
        action="canvassing.turf.completed" if completed else "canvassing.turf.reopened",
        target=turf,
    )
    return turf
