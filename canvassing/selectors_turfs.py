"""Reads for turfs and walk lists: the one walking order every list uses (page, print, API), the turf
list with its counts, and getting one turf for a member (a volunteer only their assigned turfs)."""

from collections import Counter
from collections.abc import Iterable
from operator import attrgetter
from typing import Any, NamedTuple
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import CharField, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign, Membership, Role
from canvassing.models import Area, Assignment, Household, MapVersion, Turf, Visit

# Street, then one side at a time (even, then odd), numbers ascending, then building, unit and floor.
# Doors without a number come after the numbered ones of their side (NULLS LAST on every database).
WALK_ORDER = (
    F("street").asc(),
    F("parity").asc(nulls_last=True),
    F("house_number_value").asc(nulls_last=True),
    F("house_number").asc(),
    F("building").asc(),
    F("unit").asc(),
    F("floor").asc(),
    F("pk").asc(),
)

# The colour a household has on the map and in the list, from its latest outcome.
NOT_VISITED = "not_visited"
OUTCOME_STYLES: dict[str, tuple[Any, str]] = {
    NOT_VISITED: (_("Not visited"), "#6c757d"),
    Visit.Outcome.CONTACTED: (Visit.Outcome.CONTACTED.label, "#198754"),
    Visit.Outcome.NOT_HOME: (Visit.Outcome.NOT_HOME.label, "#e0a800"),
    Visit.Outcome.COME_BACK: (Visit.Outcome.COME_BACK.label, "#fd7e14"),
    Visit.Outcome.REFUSED: (Visit.Outcome.REFUSED.label, "#dc3545"),
    Visit.Outcome.INACCESSIBLE: (Visit.Outcome.INACCESSIBLE.label, "#6f42c1"),
    Visit.Outcome.LEAFLET_LEFT: (Visit.Outcome.LEAFLET_LEFT.label, "#0d6efd"),
    Visit.Outcome.NO_ACCESS: (Visit.Outcome.NO_ACCESS.label, "#6f42c1"),
    Visit.Outcome.MOVED: (Visit.Outcome.MOVED.label, "#212529"),
    Visit.Outcome.DO_NOT_CONTACT: (Visit.Outcome.DO_NOT_CONTACT.label, "#212529"),
}


def outcome_key(last_outcome: str) -> str:
    return last_outcome if last_outcome in OUTCOME_STYLES else NOT_VISITED


def walk_order(households: QuerySet[Household]) -> QuerySet[Household]:
    """Households in walking order, whatever their status (the doorstep screen keeps doors it visited)."""
    return households.order_by(*WALK_ORDER)


def in_walk_order(households: QuerySet[Household]) -> QuerySet[Household]:
    """Households that belong in a walk list, in walking order: do-not-contact and moved ones drop out."""
    return walk_order(households.filter(status=Household.Status.ACTIVE))


def walk_list(turf: Turf) -> QuerySet[Household]:
    return in_walk_order(Household.objects.filter(campaign_id=turf.campaign_id, turf=turf))


WALK_FIELDS = (
    "pk",
    "code",
    "street",
    "house_number",
    "building",
    "floor",
    "unit",
    "district",
    "latitude",
    "longitude",
    "last_outcome",
    "last_visited_at",
    "needs_review",
)


class WalkRow(NamedTuple):
    """One door of a walk list, as the page, the print sheet, the map and the API need it."""

    pk: int
    code: str  # canonical text, 8-4-4-4-12 hex digits
    street: str
    house_number: str
    building: str
    floor: str
    unit: str
    district: str
    latitude: float | None
    longitude: float | None
    last_outcome: str
    last_visited_at: Any
    needs_review: bool
    street_line: str  # "12A Nathan Road"
    door_line: str  # "Block A 7/F 3"
    outcome: str  # the colour key: the latest outcome, or not_visited


def _walk_values(turf: Turf) -> list[tuple]:
    households = Household.objects.filter(campaign_id=turf.campaign_id, turf_id=turf.pk)
    # Each code as text from the database: formatting a UUID per door cost nearly as much as the query.
    fields = [Cast("code", CharField()) if name == "code" else name for name in WALK_FIELDS]
    values = list(in_walk_order(households).values_list(*fields))
    if connection.vendor == "sqlite":  # which keeps a UUID as 32 hex digits
        values = [(pk, _code_text(code), *rest) for pk, code, *rest in values]
    return values


def walk_rows(turf: Turf) -> list[WalkRow]:
    """The walk list as plain rows (one query, no model instances: a 1,000-door list stays quick)."""
    make_row = tuple.__new__  # WalkRow(*values, …) without a call through its keyword-taking __new__ per door
    styles = OUTCOME_STYLES
    rows = []
    append = rows.append
    for values in _walk_values(turf):
        _pk, _code, street, number, building, floor, unit, _district, _lat, _lon, outcome, _at, _review = values
        street_line = f"{number} {street}" if number and street else (number or street)
        door_line = (
            " ".join([part for part in (building, floor and f"{floor}/F", unit) if part])
            if building or floor or unit
            else ""
        )
        derived = (street_line, door_line, outcome if outcome in styles else NOT_VISITED)
        append(make_row(WalkRow, values + derived))
    return rows


def outcome_counts(rows: Iterable[WalkRow]) -> list[dict[str, Any]]:
    counts = Counter(map(attrgetter("outcome"), rows))
    return [
        {"key": key, "label": label, "colour": colour, "count": counts[key]}
        for key, (label, colour) in OUTCOME_STYLES.items()
        if counts.get(key)
    ]


def current_areas(campaign: Campaign) -> QuerySet[Area]:
    """The areas of the current map version, with how many active households each has."""
    return (
        Area.objects.filter(campaign=campaign, version__status=MapVersion.Status.CURRENT)
        .annotate(
            doors=Count("households", filter=Q(households__status=Household.Status.ACTIVE), distinct=True),
        )
        .order_by("key")
    )


def active_assignments() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(status=Assignment.Status.ACTIVE).select_related("membership__user"),
        to_attr="active_assignments",
    )


def turfs_with_counts(campaign: Campaign) -> QuerySet[Turf]:
    """Turfs with their door count (active households), how many were visited, and the active assignees."""
    active = Q(households__status=Household.Status.ACTIVE)
    return (
        Turf.objects.filter(campaign=campaign)
        .select_related("area", "leaflet_variant")
        .annotate(
            doors=Count("households", filter=active),
            visited=Count("households", filter=active & ~Q(households__last_outcome="")),
        )
        .prefetch_related(active_assignments())
        .order_by("area__key", "name", "pk")
    )


def turfs_for_member(campaign: Campaign, membership: Membership) -> QuerySet[Turf]:
    """Coordinators see every turf; a volunteer only the turfs assigned to them (active assignments)."""
    turfs = turfs_with_counts(campaign)
    if membership.has_role(Role.COORDINATOR):
        return turfs
    return turfs.filter(
        Exists(Assignment.objects.filter(turf=OuterRef("pk"), membership=membership, status=Assignment.Status.ACTIVE))
    )


def is_assigned(turf: Turf, membership: Membership) -> bool:
    return Assignment.objects.filter(turf=turf, membership=membership, status=Assignment.Status.ACTIVE).exists()


def turf_for_member(campaign: Campaign, membership: Membership, code: UUID, *, write: bool = False) -> Turf:
    """One turf of the campaign. Writes need a coordinator (403); a volunteer reads only a turf assigned to
    them — any other does not exist for them (404), as with another campaign's turf."""
    # Only what the turf pages show: the area (not its boundary, which can be a large GeoJSON polygon), the
    # leaflet edition and the campaign's map tiles (two columns, not the campaign and its settings as objects).
    # Each join and subquery here costs more to compile than to run, on every turf page and API call.
    found = (
        Turf.objects.filter(campaign=campaign, code=code)
        .select_related("area", "leaflet_variant__item")
        .defer("area__geometry")
        .annotate(
            map_tile_url=F("campaign__canvassing_settings__map_tile_url"),
            map_tile_attribution=F("campaign__canvassing_settings__map_tile_attribution"),
        )
        .order_by()[:1]  # the code is unique: no ordering to sort by
    )
    turf = next(iter(found), None)
    if turf is None:
        raise Http404
    turf.campaign = campaign  # the campaign it was found in: loaded already
    if membership.has_role(Role.COORDINATOR):
        return turf
    if write:
        raise PermissionDenied
    if not is_assigned(turf, membership):
        raise Http404
    return turf


def turf_assignees(turf: Turf) -> list[Assignment]:
    return list(
        Assignment.objects.filter(turf=turf, status=Assignment.Status.ACTIVE)
        .select_related("membership__user")
        .order_by("created_at")
    )


def assignee_names(turf: Turf) -> list[str]:
    """Who holds the turf's active assignments (their display name, or email), oldest first: plain strings,
    for the turf page's one line."""

    rows = (
        Assignment.objects.filter(campaign_id=turf.campaign_id, turf_id=turf.pk, status=Assignment.Status.ACTIVE)
        .order_by("created_at", "pk")
        .values_list("membership__user__display_name", "membership__user__email")
    )
    return [display_name or email for display_name, email in rows]


def sibling_turfs(turf: Turf) -> QuerySet[Turf]:
    """The other turfs of the same area: where households may move and what a turf may merge into."""
    return Turf.objects.filter(campaign_id=turf.campaign_id, area_id=turf.area_id).exclude(pk=turf.pk).order_by("name")


NEAR_TURFS = 40  # on each side


def near_sibling_turfs(turf: Turf, each_side: int = NEAR_TURFS) -> list[tuple[str, str]]:
    """(code, name) of the area's turfs next to this one in name order: at most `each_side` before it and
    `each_side` after it, in name order.

    A cut names turfs in cutting order along the curve ("K01-001", "K01-002", …), so neighbours by name are
    neighbours on the ground: where a coordinator moves doors or merges a turf. An area cut into thousands of
    turfs would otherwise put thousands of options in the page. One query of two short range scans of the
    turf_area_name index (a UNION ALL of two LIMITs, which the ORM will not write for SQLite)."""
    table = Turf._meta.db_table
    columns = "CAST(code AS TEXT), name, id"
    where = "campaign_id = %s AND area_id = %s AND "
    sql = (
        f"SELECT * FROM (SELECT {columns} FROM {table} WHERE {where}(name < %s OR (name = %s AND id < %s)) "  # noqa: S608 (our table)
        f"ORDER BY name DESC, id DESC LIMIT %s) AS before_turf UNION ALL "
        f"SELECT * FROM (SELECT {columns} FROM {table} WHERE {where}(name > %s OR (name = %s AND id > %s)) "
        f"ORDER BY name, id LIMIT %s) AS after_turf"
    )
    key = [turf.campaign_id, turf.area_id, turf.name, turf.name, turf.pk, each_side]
    with connection.cursor() as cursor:
        cursor.execute(sql, key + key)
        rows = cursor.fetchall()
    rows.sort(key=lambda row: (row[1], row[2]))
    return [(_code_text(code), name) for code, name, _pk in rows]


def _code_text(code: str) -> str:
    """SQLite keeps a UUID as 32 hex digits; the page wants the canonical form in both databases."""
    return code if len(code) == 36 else str(UUID(hex=code))
