"""District map versions: upload a new map as a draft, see what it would change, apply it.

An upload (GeoJSON polygons or a household-to-area file) becomes a draft `MapVersion` with its areas
and a placement of every household it can place (`HouseholdArea` rows of the draft), and the
difference from the current map is stored in `MapVersion.diff`. Applying it places the households
again (households added since the upload are placed too), recomputes the difference, points
`Household.area` at the new areas in one UPDATE, moves turfs to the area of the same code in the new
version, re-flags the turfs that lost households or their area, re-checks nominating signatures and
tells the people concerned. Visits are never touched: they point at households, not areas.

Households that leave their turf's area leave the turf (`Household.turf = NULL`), so walk lists never
send a volunteer outside the district; a *locked* turf keeps its households (a coordinator locked it
to keep it as it is), and its review reason says how many of them are now outside its area.

A household without coordinates keeps its previous area when the new map still has that area code
(a household-to-area file likewise keeps the households it does not list); otherwise it is unplaced,
and the preview lists it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from campaign.audit import log_action
from campaign.models import Campaign, Membership, Role
from canvassing import geo
from canvassing.models import Area, Assignment, CanvassingSettings, Household, HouseholdArea, MapVersion, Turf
from canvassing.services_turfs import households_turf_left
from notifications.models import Channel
from notifications.services import message_enqueue

MAP_CHANGED = "canvassing/map_changed"
TURF_CHANGED = "canvassing/map_turf_changed"
# Above this many households an apply runs as a background job with a progress bar.
SYNC_APPLY_LIMIT = 5000
BATCH = 5000
SIGNATURE_CHANGES_KEPT = 200
TURF_NAMES_IN_MESSAGE = 20


@dataclass
class Placement:
    """household id → (area id, method), with what could not be placed."""

    areas: dict[int, tuple[int, str]] = field(default_factory=dict)
    without_coordinates: int = 0
    overlapping: int = 0


# --- placing households ---------------------------------------------------------------------------


def _current(campaign: Campaign) -> MapVersion | None:
    return MapVersion.objects.filter(campaign=campaign, status=MapVersion.Status.CURRENT).first()


def _kept_from_current(campaign: Campaign, by_key: dict[str, int], household_ids: set[int] | None) -> dict[int, int]:
    """Households (all, or these) whose current area's code is in the new map: household id → new area id."""
    rows = Household.objects.filter(campaign=campaign, area__isnull=False).values_list("id", "area__key")
    return {
        hid: by_key[key]
        for hid, key in rows.iterator(chunk_size=BATCH)
        if key in by_key and (household_ids is None or hid in household_ids)
    }


def _place_by_polygons(version: MapVersion, areas: list[Area]) -> Placement:
    campaign = version.campaign
    placement = Placement()
    ids, lon, lat, missing = [], [], [], []
    rows = Household.objects.filter(campaign=campaign).values_list("id", "longitude", "latitude")
    for hid, x, y in rows.iterator(chunk_size=BATCH):
        if x is None or y is None:
            missing.append(hid)
        else:
            ids.append(hid)
            lon.append(x)
            lat.append(y)
    placed, placement.overlapping = geo.place_points(
        geo.shapes_of(areas), np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    )
    area_ids = [area.pk for area in areas]
    for hid, index in zip(ids, placed.tolist(), strict=True):
        if index >= 0:
            placement.areas[hid] = (area_ids[index], HouseholdArea.Method.POINT)
    placement.without_coordinates = len(missing)
    by_key = {area.key: area.pk for area in areas}
    for hid, area_id in _kept_from_current(campaign, by_key, set(missing)).items():
        placement.areas[hid] = (area_id, HouseholdArea.Method.KEPT)
    return placement


def _resolve_file_rows(campaign: Campaign, rows: list[tuple[int, dict[str, str], str]]) -> dict[int, str]:
    """household id → area key for each line of a household-to-area file; any line naming no known
    household (or one household in two areas) refuses the whole file."""
    by_external: dict[str, int] = {}
    # Addresses compare on the columns the file has (every line has the same ones): a file without
    # postcodes still matches. An address two households share matches neither.
    columns = next((tuple(ref) for _line, ref, _key in rows if "external_id" not in ref), ())
    positions = [geo.ADDRESS_COLUMNS.index(name) for name in columns]
    by_address: dict[tuple[str, ...], int | None] = {}
    fields = ["id", "external_id", *geo.ADDRESS_COLUMNS]
    for row in Household.objects.filter(campaign=campaign).values(*fields).iterator(chunk_size=BATCH):
        if row["external_id"]:
            by_external[row["external_id"]] = row["id"]
        if positions:
            full = geo.address_match_key(row)
            key = tuple(full[p] for p in positions)
            by_address[key] = None if key in by_address else row["id"]
    matched: dict[int, str] = {}
    unknown: list[str] = []
    clashes: list[str] = []
    for line, reference, area_key in rows:
        if "external_id" in reference:
            hid = by_external.get(reference["external_id"])
        else:
            full = geo.address_match_key(reference)
            hid = by_address.get(tuple(full[p] for p in positions))
        if hid is None:
            unknown.append(str(line))
            continue
        if matched.get(hid, area_key) != area_key:
            clashes.append(str(line))
        matched[hid] = area_key
    if not matched:
        raise ValidationError({"file": _("No line of the file matches a household of this campaign.")})
    if unknown:
        shown = ", ".join(unknown[: geo.SHOWN_PROBLEMS]) + ("…" if len(unknown) > geo.SHOWN_PROBLEMS else "")
        raise ValidationError(
            {
                "file": ngettext(
                    "%(count)d line names a household this campaign does not have (line %(lines)s). "
                    "Import the households first, or correct the file.",
                    "%(count)d lines name households this campaign does not have (lines %(lines)s). "
                    "Import the households first, or correct the file.",
                    len(unknown),
                )
                % {"count": len(unknown), "lines": shown}
            }
        )
    if clashes:
        raise ValidationError(
            {
                "file": _("A household is put in two different areas (lines %(lines)s).")
                % {"lines": ", ".join(clashes[: geo.SHOWN_PROBLEMS])}
            }
        )
    return matched


def _place_by_file(version: MapVersion, areas: list[Area]) -> Placement:
    """The file's lines are already in the draft's placements (method FILE); the rest keep their area."""
    placement = Placement()
    for hid, area_id in HouseholdArea.objects.filter(version=version, method=HouseholdArea.Method.FILE).values_list(
        "household_id", "area_id"
    ):
        placement.areas[hid] = (area_id, HouseholdArea.Method.FILE)
    by_key = {area.key: area.pk for area in areas}
    for hid, area_id in _kept_from_current(version.campaign, by_key, None).items():
        placement.areas.setdefault(hid, (area_id, HouseholdArea.Method.KEPT))
    return placement


def _placements_write(version: MapVersion, placement: Placement) -> None:
    """Make the version's HouseholdArea rows equal `placement`, touching only the rows that differ."""
    existing = {
        hid: (pk, area_id, method)
        for pk, hid, area_id, method in HouseholdArea.objects.filter(version=version).values_list(
            "pk", "household_id", "area_id", "method"
        )
    }
    stale = [pk for hid, (pk, area_id, method) in existing.items() if placement.areas.get(hid) != (area_id, method)]
    for start in range(0, len(stale), BATCH):
        HouseholdArea.objects.filter(pk__in=stale[start : start + BATCH]).delete()
    kept = {hid for hid, (pk, area_id, method) in existing.items() if placement.areas.get(hid) == (area_id, method)}
    HouseholdArea.objects.bulk_create(
        (
            HouseholdArea(campaign_id=version.campaign_id, version=version, household_id=hid, area_id=area_id, method=m)
            for hid, (area_id, m) in placement.areas.items()
            if hid not in kept
        ),
        batch_size=BATCH,
    )


# --- the difference -------------------------------------------------------------------------------


def _signatures_in(campaign: Campaign, household_ids: set[int]) -> int | None:
    """Nominating signatures of open drives at these households; None while nominations cannot say."""
    try:
        from nominations import selectors as nomination_selectors

        count = nomination_selectors.signatures_in_households
    except (ImportError, AttributeError):
        return None
    ids = sorted(household_ids)
    return sum(count(campaign=campaign, household_ids=ids[i : i + BATCH]) for i in range(0, len(ids), BATCH))


def diff_compute(*, version: MapVersion, base: MapVersion | None, areas: list[Area], placement: Placement) -> dict:
    """What applying `placement` would change, compared with the households' areas now."""
    campaign = version.campaign
    new_key_of_area = {area.pk: area.key for area in areas}
    new_names = {area.key: area.name for area in areas}
    old_names = dict(base.areas.values_list("key", "name")) if base else {}
    old_key: dict[int, str | None] = {}
    turf_of: dict[int, int] = {}
    for hid, key, turf_id in (
        Household.objects.filter(campaign=campaign).values_list("id", "area__key", "turf_id").iterator(chunk_size=BATCH)
    ):
        old_key[hid] = key
        if turf_id is not None:
            turf_of[hid] = turf_id
    new_key = {hid: new_key_of_area[area_id] for hid, (area_id, _m) in placement.areas.items()}
    first = base is None

    before: Counter[str] = Counter(k for k in old_key.values() if k)
    after: Counter[str] = Counter(new_key.values())
    moved_in: Counter[str] = Counter()
    moved_out: Counter[str] = Counter()
    flows: dict[str, Counter[str]] = defaultdict(Counter)  # old key → new key ("" = unplaced) → count
    changed: set[int] = set()
    for hid, old in old_key.items():
        new = new_key.get(hid)
        if old == new or first:
            continue
        changed.add(hid)
        if new:
            moved_in[new] += 1
        if old:
            moved_out[old] += 1
            flows[old][new or ""] += 1
    keys = sorted(set(old_names) | set(new_names))
    area_rows = []
    for key in keys:
        if key not in old_names and not first:
            change = "added"
        elif key not in new_names:
            change = "removed"
        elif not first and old_names[key] != new_names[key]:
            change = "renamed"
        else:
            change = "new" if first else "same"
        area_rows.append(
            {
                "key": key,
                "name": new_names.get(key) or old_names.get(key, ""),
                "old_name": old_names.get(key, ""),
                "change": change,
                "before": before.get(key, 0),
                "after": after.get(key, 0),
                "moved_in": moved_in.get(key, 0),
                "moved_out": moved_out.get(key, 0),
                "to": dict(sorted(flows[key].items())) if key in flows else {},
            }
        )

    # Turfs of the current map whose households would leave their area, or whose area goes away.
    turfs = (
        {turf.pk: turf for turf in Turf.objects.filter(campaign=campaign, area__version=base).select_related("area")}
        if base
        else {}
    )
    leaving: dict[int, Counter[str]] = defaultdict(Counter)
    for hid, turf_id in turf_of.items():
        turf = turfs.get(turf_id)
        if turf is not None and new_key.get(hid) != turf.area.key:
            leaving[turf_id][new_key.get(hid) or ""] += 1
    affected = []
    for turf in sorted(turfs.values(), key=lambda t: (t.area.key, t.name)):
        removed = turf.area.key not in new_names
        if not removed and not leaving.get(turf.pk):
            continue
        affected.append(
            {
                "id": turf.pk,
                "code": str(turf.code),
                "name": turf.name,
                "area_key": turf.area.key,
                "locked": turf.locked,
                "area_removed": removed,
                "leaving": sum(leaving[turf.pk].values()),
                "to": dict(sorted(leaving[turf.pk].items())),
            }
        )
    affected_ids = [row["id"] for row in affected]
    active = Assignment.objects.filter(campaign=campaign, turf_id__in=affected_ids, status=Assignment.Status.ACTIVE)
    placed_count = len(new_key)
    return {
        "first": first,
        "base": {"number": base.number, "code": str(base.code), "name": base.name} if base else None,
        "computed_at": timezone.now().isoformat(),
        "households": {
            "total": len(old_key),
            "placed": placed_count,
            "unplaced": len(old_key) - placed_count,
            "kept": sum(1 for _a, m in placement.areas.values() if m == HouseholdArea.Method.KEPT),
            "without_coordinates": placement.without_coordinates,
            "overlapping": placement.overlapping,
            "moved": sum(1 for hid in changed if old_key[hid] and new_key.get(hid)),
            "newly_placed": sum(1 for hid in changed if not old_key[hid]),
            "newly_unplaced": sum(1 for hid in changed if not new_key.get(hid)),
            "changed": len(changed),
        },
        "areas": area_rows,
        "added": [row["key"] for row in area_rows if row["change"] == "added"],
        "removed": [row["key"] for row in area_rows if row["change"] == "removed"],
        "renamed": [
            {"key": row["key"], "old": row["old_name"], "new": row["name"]}
            for row in area_rows
            if row["change"] == "renamed"
        ],
        "turfs": affected,
        "assignments": active.count(),
        "shifts": active.exclude(shift=None).values("shift").distinct().count(),
        "signatures": _signatures_in(campaign, changed),
    }


# --- upload, discard ------------------------------------------------------------------------------


@transaction.atomic
def map_version_upload(
    *,
    campaign: Campaign,
    acting_user: User,
    name: str,
    source: str,
    raw: bytes,
    key_property: str = "code",
    name_property: str = "name",
) -> MapVersion:
    """Read the file, and save it as a draft version with its placement and its difference from the
    current map. A file with anything wrong in it raises a ValidationError and saves nothing."""
    if source == MapVersion.Source.GEOJSON:
        parsed = geo.parse_geojson(raw, key_property=key_property or "code", name_property=name_property or "name")
    elif source == MapVersion.Source.HOUSEHOLD_FILE:
        parsed = geo.parse_household_file(raw)
    else:
        raise ValidationError({"source": _("Choose GeoJSON polygons or a household-to-area file.")})
    file_rows = _resolve_file_rows(campaign, parsed.rows) if source == MapVersion.Source.HOUSEHOLD_FILE else {}

    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()  # version numbers in order
    number = (MapVersion.objects.filter(campaign=campaign).aggregate(n=Max("number"))["n"] or 0) + 1
    version = MapVersion.objects.create(
        campaign=campaign,
        number=number,
        name=(name or "").strip()[:200] or _("Map version %(number)d") % {"number": number},
        source=source,
        created_by=acting_user,
        base=_current(campaign),
    )
    areas = Area.objects.bulk_create(
        [Area(campaign=campaign, version=version, key=a.key, name=a.name, geometry=a.geometry) for a in parsed.areas]
    )
    areas = list(Area.objects.filter(version=version).order_by("key"))
    if file_rows:
        by_key = {area.key: area.pk for area in areas}
        HouseholdArea.objects.bulk_create(
            (
                HouseholdArea(campaign=campaign, version=version, household_id=hid, area_id=by_key[key], method="file")
                for hid, key in file_rows.items()
            ),
            batch_size=BATCH,
        )
    placement = _placement(version, areas)
    _placements_write(version, placement)
    version.diff = diff_compute(version=version, base=version.base, areas=areas, placement=placement)
    version.save(update_fields=["diff"])
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="canvassing.map_version.uploaded",
        target=version,
        data={
            "number": number,
            "source": source,
            "areas": len(areas),
            "placed": version.diff["households"]["placed"],
            "unplaced": version.diff["households"]["unplaced"],
        },
    )
    return version


def _placement(version: MapVersion, areas: list[Area]) -> Placement:
    if version.source == MapVersion.Source.GEOJSON:
        return _place_by_polygons(version, areas)
    return _place_by_file(version, areas)


@transaction.atomic
def map_version_discard(*, version: MapVersion, acting_user: User) -> None:
    version = MapVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != MapVersion.Status.DRAFT:
        raise ValidationError(_("Only a draft can be discarded; an applied map stays on record."))
    log_action(
        campaign=version.campaign,
        actor=acting_user,
        action="canvassing.map_version.discarded",
        target=version,
        data={"number": version.number},
    )
    version.delete()


@transaction.atomic
def map_version_refresh(*, version: MapVersion, acting_user: User) -> MapVersion:
    """Compare a draft again with the map and households as they are now (households imported, turfs
    cut or another version applied since the upload)."""
    version = MapVersion.objects.select_for_update().select_related("campaign").get(pk=version.pk)
    if version.status != MapVersion.Status.DRAFT:
        raise ValidationError(_("Only a draft is compared again; an applied version keeps what it changed."))
    version.base = _current(version.campaign)
    areas = list(Area.objects.filter(version=version).order_by("key"))
    placement = _placement(version, areas)
    _placements_write(version, placement)
    version.diff = diff_compute(version=version, base=version.base, areas=areas, placement=placement)
    version.save(update_fields=["base", "diff"])
    log_action(
        campaign=version.campaign,
        actor=acting_user,
        action="canvassing.map_version.compared",
        target=version,
        data={"number": version.number, "moved": version.diff["households"]["moved"]},
    )
    return version


def apply_in_background(version: MapVersion) -> bool:
    return Household.objects.filter(campaign=version.campaign).count() > SYNC_APPLY_LIMIT


# --- apply ----------------------------------------------------------------------------------------


def _review_reason(row: dict, version: MapVersion) -> str:
    parts = []
    if row["area_removed"]:
        parts.append(_("area %(key)s is no longer on the map") % {"key": row["area_key"]})
    moves = [(key, n) for key, n in row["to"].items() if key]
    for index, (key, count) in enumerate(sorted(moves, key=lambda kv: -kv[1])):
        if index == 0:
            parts.append(
                ngettext(
                    "%(count)d household moved to area %(key)s",
                    "%(count)d households moved to area %(key)s",
                    count,
                )
                % {"count": count, "key": key}
            )
        else:
            parts.append(_("%(count)d to %(key)s") % {"count": count, "key": key})
    unplaced = row["to"].get("", 0)
    if unplaced:
        parts.append(
            ngettext("%(count)d household is in no area", "%(count)d households are in no area", unplaced)
            % {"count": unplaced}
        )
    text = _("Map v%(number)d: %(changes)s") % {"number": version.number, "changes": "; ".join(parts)}
    if row["leaving"]:
        text += " " + (_("(kept in this locked turf)") if row["locked"] else _("(they were taken out of this turf)"))
    return text[:300]


def _signatures_recheck(campaign: Campaign, acting_user: User | None) -> dict | None:
    try:
        from nominations import services as nomination_services

        recheck = nomination_services.signatures_recheck
    except (ImportError, AttributeError):
        return None
    changed = recheck(campaign=campaign, acting_user=acting_user)
    items = list(changed) if isinstance(changed, list | tuple) else []
    return {
        "changed": len(items) if isinstance(changed, list | tuple) else int(changed or 0),
        "codes": [str(getattr(s, "code", s)) for s in items[:SIGNATURE_CHANGES_KEPT]],
    }


def _households_point_at(version: MapVersion) -> None:
    """`Household.area` := the version's placement, in two set-based UPDATEs (a join, not a subquery per
    row: a correlated subquery over 200,000 rows is at the mercy of the planner's statistics, which
    are stale right after the placements were written)."""
    household, placement, area = (connection.ops.quote_name(m._meta.db_table) for m in (Household, HouseholdArea, Area))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {household} SET area_id = hp.area_id FROM {placement} hp "  # noqa: S608 - table names only
            f"WHERE hp.household_id = {household}.id AND hp.version_id = %s AND {household}.campaign_id = %s",
            [version.pk, version.campaign_id],
        )
        cursor.execute(
            f"UPDATE {household} SET area_id = NULL WHERE campaign_id = %s AND area_id IS NOT NULL "  # noqa: S608
            f"AND area_id NOT IN (SELECT id FROM {area} WHERE version_id = %s)",
            [version.campaign_id, version.pk],
        )


@transaction.atomic
def map_version_apply(*, version: MapVersion, acting_user: User | None, progress: Any = None) -> MapVersion:
    """Make a draft the current map (all or nothing). `progress(done, total)` hears of each step."""
    step = progress or (lambda done, total: None)
    version = MapVersion.objects.select_for_update().select_related("campaign").get(pk=version.pk)
    campaign = version.campaign
    if version.status != MapVersion.Status.DRAFT:
        raise ValidationError(_("This map version was already applied."))
    base = MapVersion.objects.select_for_update().filter(campaign=campaign, status=MapVersion.Status.CURRENT).first()
    areas = list(Area.objects.filter(version=version).order_by("key"))
    total_steps = 6
    step(0, total_steps)

    # Placed again now: households imported since the upload belong on the map too.
    placement = _placement(version, areas)
    _placements_write(version, placement)
    step(1, total_steps)
    diff = diff_compute(version=version, base=base, areas=areas, placement=placement)
    step(2, total_steps)

    _households_point_at(version)
    step(3, total_steps)

    # Turfs follow their area code into the new version; a turf whose area is gone keeps the old one.
    by_key = {area.key: area for area in areas}
    if base is not None:
        turf_keys = set(Turf.objects.filter(campaign=campaign, area__version=base).values_list("area__key", flat=True))
        for key in turf_keys & set(by_key):
            Turf.objects.filter(campaign=campaign, area__version=base, area__key=key).update(area=by_key[key])
    Household.objects.filter(campaign=campaign, turf__isnull=False, turf__locked=False).filter(
        Q(area__isnull=True) | ~Q(area_id=F("turf__area_id"))
    ).update(turf=None, **households_turf_left(timezone.now()))
    with translation.override(campaign.language):
        flagged = []
        turfs = Turf.objects.in_bulk([row["id"] for row in diff["turfs"]])
        for row in diff["turfs"]:
            turf = turfs.get(row["id"])
            if turf is None:
                continue
            turf.needs_review = True
            turf.review_reason = _review_reason(row, version)
            flagged.append(turf)
        Turf.objects.bulk_update(flagged, ["needs_review", "review_reason"])
    step(4, total_steps)

    if base is not None:
        base.status = MapVersion.Status.SUPERSEDED
        base.save(update_fields=["status"])
    version.status = MapVersion.Status.CURRENT
    version.applied_at = timezone.now()
    version.applied_by = acting_user
    version.base = base
    # Saved as current before the re-check, so anything it reads sees the new map as the current one.
    version.save(update_fields=["status", "applied_at", "applied_by", "base"])
    diff["signatures_recheck"] = _signatures_recheck(campaign, acting_user) if base is not None else None
    version.diff = diff
    version.save(update_fields=["diff"])
    step(5, total_steps)

    notified = _notify(version=version, acting_user=acting_user)
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="canvassing.map_version.applied",
        target=version,
        data={
            "number": version.number,
            "replaced": base.number if base else None,
            "moved": diff["households"]["moved"],
            "unplaced": diff["households"]["unplaced"],
            "added": diff["added"],
            "removed": diff["removed"],
            "turfs_flagged": [row["code"] for row in diff["turfs"]],
            "notified": notified,
        },
    )
    step(6, total_steps)
    return version


# --- telling people -------------------------------------------------------------------------------


def _url(name: str, **kwargs: Any) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def _notify(*, version: MapVersion, acting_user: User | None) -> int:
    """Owners and coordinators hear of every applied map; a volunteer only when a turf they are
    assigned to is affected. One message per version and recipient, in the recipient's language.
    The person who applied it saw the preview and is not told again."""
    campaign = version.campaign
    diff = version.diff
    affected = {row["id"]: row for row in diff["turfs"]}
    recipients: dict[int, Membership] = {}
    turfs_of: dict[int, list[str]] = defaultdict(list)
    for membership in Membership.objects.filter(
        campaign=campaign, role__in=[Role.OWNER, Role.COORDINATOR]
    ).select_related("user"):
        recipients[membership.pk] = membership
    for assignment in (
        Assignment.objects.filter(campaign=campaign, turf_id__in=list(affected), status=Assignment.Status.ACTIVE)
        .select_related("membership__user", "turf")
        .order_by("turf__name")
    ):
        recipients.setdefault(assignment.membership_id, assignment.membership)
        turfs_of[assignment.membership_id].append(assignment.turf.name)
    households = diff["households"]
    common = {
        "version_number": version.number,
        "version_name": version.name,
        "applied_by": str(acting_user.display_name or acting_user.email) if acting_user else "",
        "first": diff["first"],
        "moved": households["moved"],
        "unplaced": households["unplaced"],
        "added": diff["added"],
        "removed": diff["removed"],
        "turfs": [row["name"] for row in diff["turfs"][:TURF_NAMES_IN_MESSAGE]],
        "turf_count": len(diff["turfs"]),
    }
    sent = 0
    for membership in recipients.values():
        user = membership.user
        if (acting_user is not None and user.pk == acting_user.pk) or not user.email:
            continue
        is_coordinator = membership.has_role(Role.COORDINATOR)
        context = dict(common)
        if is_coordinator:
            template = MAP_CHANGED
            context["url"] = _url("canvassing:map_version", campaign_slug=campaign.slug, code=version.code)
        else:
            template = TURF_CHANGED
            context["my_turfs"] = turfs_of[membership.pk]
            context["url"] = _url("campaign:home", campaign_slug=campaign.slug)
        message = message_enqueue(
            campaign=campaign,
            channel=Channel.EMAIL,
            template=template,
            to=user.email,
            dedupe_key=f"{MAP_CHANGED}:{version.code}:{membership.code}",
            context=context,
            language=getattr(user, "language", "") or campaign.language,
            topic=f"map:{version.code}",
        )
        sent += message is not None
    return sent


# --- settings -------------------------------------------------------------------------------------


def canvassing_settings_for(campaign: Campaign) -> CanvassingSettings:
    found = CanvassingSettings.objects.filter(campaign=campaign).first()
    return found or CanvassingSettings(campaign=campaign)


@transaction.atomic
def canvassing_settings_update(
    *, campaign: Campaign, acting_user: User, map_tile_url: str, map_tile_attribution: str
) -> CanvassingSettings:
    url = (map_tile_url or "").strip()
    if url and (not url.startswith("https://") or not all(part in url for part in ("{z}", "{x}", "{y}"))):
        raise ValidationError(
            {"map_tile_url": _("Enter an https:// address containing {z}, {x} and {y}, or leave it empty.")}
        )
    found, _created = CanvassingSettings.objects.get_or_create(campaign=campaign)
    found.map_tile_url = url
    found.map_tile_attribution = (map_tile_attribution or "").strip()
    found.save(update_fields=["map_tile_url", "map_tile_attribution"])
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="canvassing.settings.map_tiles",
        target=None,
        data={"tile_server": url.split("/")[2] if url else ""},
    )
    return found
