"""Reads for the map pages and API: versions, areas with their counts, and the households a version
moves in or out of an area (paginated lists, never the whole district in memory)."""

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from campaign.models import Campaign
from canvassing.models import Area, Assignment, Household, HouseholdArea, MapVersion, Turf

ADDRESS_ORDER = ["street", "house_number_value", "house_number", "building", "floor", "unit", "pk"]


def versions(campaign: Campaign) -> QuerySet[MapVersion]:
    """Newest first, with their area count; the diff (large for big maps) is left in the database."""
    return (
        MapVersion.objects.filter(campaign=campaign)
        .defer("diff")
        .select_related("created_by", "applied_by")
        .annotate(area_count=Count("areas"))
        .order_by("-number")
    )


def current_version(campaign: Campaign) -> MapVersion | None:
    return MapVersion.objects.filter(campaign=campaign, status=MapVersion.Status.CURRENT).defer("diff").first()


def areas_with_counts(version: MapVersion) -> QuerySet[Area]:
    """Households per area from the version's placements; turfs per area (turfs follow the current map)."""
    placed = HouseholdArea.objects.filter(area=OuterRef("pk")).order_by().values("area").annotate(n=Count("pk"))
    turfs = Turf.objects.filter(area=OuterRef("pk")).order_by().values("area").annotate(n=Count("pk"))
    from django.db.models import IntegerField, Subquery, Value
    from django.db.models.functions import Coalesce

    return (
        Area.objects.filter(version=version)
        .defer("geometry")
        .annotate(
            household_count=Coalesce(Subquery(placed.values("n"), output_field=IntegerField()), Value(0)),
            turf_count=Coalesce(Subquery(turfs.values("n"), output_field=IntegerField()), Value(0)),
        )
        .order_by("key")
    )


def _old_ids(version: MapVersion, area_key: str) -> Any:
    """Households in this area code before the version: their current area while it is a draft, the
    version it replaced once applied."""
    if version.status == MapVersion.Status.DRAFT:
        return Household.objects.filter(campaign=version.campaign, area__key=area_key).values("pk")
    return HouseholdArea.objects.filter(version_id=version.base_id, area__key=area_key).values("household_id")


def moved_households(*, version: MapVersion, area_key: str, direction: str) -> QuerySet[Household]:
    """Households this version moves into (`in`) or out of (`out`) the area with this code."""
    if version.diff.get("first") or (version.status != MapVersion.Status.DRAFT and version.base_id is None):
        return Household.objects.none()
    new = HouseholdArea.objects.filter(version=version, area__key=area_key).values("household_id")
    old = _old_ids(version, area_key)
    households = Household.objects.filter(campaign=version.campaign)
    if direction == "in":
        households = households.filter(pk__in=new).exclude(pk__in=old)
    else:
        households = households.filter(pk__in=old).exclude(pk__in=new)
    return households.order_by(*ADDRESS_ORDER)


def unplaced_households(*, version: MapVersion) -> QuerySet[Household]:
    placed = HouseholdArea.objects.filter(version=version, household=OuterRef("pk"))
    return Household.objects.filter(campaign=version.campaign).exclude(Exists(placed)).order_by(*ADDRESS_ORDER)


def affected_assignments(*, version: MapVersion) -> QuerySet[Assignment]:
    """Active assignments on the turfs the version affects, with their volunteer and shift (live)."""
    turf_ids = [row["id"] for row in version.diff.get("turfs", [])]
    return (
        Assignment.objects.filter(campaign=version.campaign, turf_id__in=turf_ids, status=Assignment.Status.ACTIVE)
        .select_related("turf", "membership__user", "shift")
        .order_by("turf__name", "pk")
    )


def area_households(area: Area) -> QuerySet[Household]:
    """The households of an area in its own version (placements), for the area's map."""
    return Household.objects.filter(placements__area=area).order_by(*ADDRESS_ORDER)


def changed_signatures(version: MapVersion) -> list[Any]:
    """The signatures whose status the re-check after applying changed, as they are now."""
    recheck = (version.diff or {}).get("signatures_recheck") or {}
    codes = recheck.get("codes") or []
    if not codes:
        return []
    try:
        from nominations.models import Signature
    except ImportError:
        return []
    return list(
        Signature.objects.filter(campaign=version.campaign, code__in=codes)
        .select_related("drive", "household")
        .defer("signature_png")
        .order_by("drive_id", "full_name")
    )


def area_filter(q: str) -> Q:
    return Q(key__icontains=q) | Q(name__icontains=q)
