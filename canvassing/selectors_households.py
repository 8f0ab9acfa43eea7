"""Reading households: the list with its filters, one household with what hangs off it, the review
queue, and getting one household or import for the current member (404 / 403 like campaign.access)."""

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from campaign.access import CampaignRequest, require_role
from campaign.models import Campaign, Membership, Role
from canvassing.access import visible_households
from canvassing.models import Area, Household, ImportBatch, Turf


@dataclass(frozen=True)
class HouseholdFilter:
    q: str = ""
    area: UUID | None = None
    turf: UUID | None = None
    status: str = ""
    needs_review: bool | None = None
    source: str = ""


def households(membership: Membership, filters: HouseholdFilter) -> QuerySet[Household]:
    """The households the member may see, filtered; every word of `q` must match a part of the address."""
    rows = visible_households(membership).select_related("turf", "area").annotate(resident_count=Count("residents"))
    for word in filters.q.split()[:8]:
        rows = rows.filter(
            Q(street__icontains=word)
            | Q(building__icontains=word)
            | Q(house_number__iexact=word)
            | Q(unit__iexact=word)
            | Q(district__icontains=word)
            | Q(postcode__iexact=word)
            | Q(external_id__iexact=word)
        )
    if filters.area:
        rows = rows.filter(area__code=filters.area)
    if filters.turf:
        rows = rows.filter(turf__code=filters.turf)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.needs_review is not None:
        rows = rows.filter(needs_review=filters.needs_review)
    if filters.source:
        rows = rows.filter(source=filters.source)
    return rows.order_by("street", "parity", "house_number_value", "house_number", "building", "floor", "unit", "pk")


def filter_choices(campaign: Campaign) -> dict:
    """Areas of the current map and the campaign's turfs, for the filter form."""
    areas = Area.objects.filter(campaign=campaign, version__status="current").order_by("key")
    turfs = Turf.objects.filter(campaign=campaign).order_by("name")
    return {
        "areas": [(str(a.code), str(a)) for a in areas],
        "turfs": [(str(t.code), t.name) for t in turfs],
    }


def review_queue(campaign: Campaign) -> QuerySet[Household]:
    return (
        Household.objects.filter(campaign=campaign, needs_review=True)
        .select_related("turf", "added_by")
        .order_by("created_at", "pk")
    )


def access_household(request: CampaignRequest, code: UUID, *, write: bool = False) -> Household:
    """A household the member may see (a volunteer: only in their assigned turfs); changing one needs a coordinator."""
    household = get_object_or_404(
        visible_households(request.membership).select_related("turf", "area", "added_by"), code=code
    )
    if write:
        require_role(request, Role.COORDINATOR)
    return household


def access_import_batch(request: CampaignRequest, code: UUID) -> ImportBatch:
    batch = get_object_or_404(
        ImportBatch.objects.select_related("campaign", "created_by", "job"), campaign=request.campaign, code=code
    )
    require_role(request, Role.COORDINATOR)
    return batch


def household_residents(household: Household) -> QuerySet:
    return household.residents.select_related("person").order_by("person__family_name", "person__given_name", "pk")


def household_visits(household: Household, limit: int = 50, *, canvasser: Membership | None = None) -> QuerySet:
    """The household's latest visits; with `canvasser`, only theirs (a volunteer sees what they logged, not
    other canvassers' notes)."""
    visits = household.visits.select_related("canvasser__user", "turf")
    if canvasser is not None:
        visits = visits.filter(canvasser=canvasser)
    return visits.order_by("-visited_at")[:limit]


def merge_candidates(household: Household, limit: int = 20) -> list[Household]:
    """Households that may be the same door: same street and number, or same building."""
    match = Q()
    if household.street:
        match |= Q(street__iexact=household.street, house_number__iexact=household.house_number)
    if household.building:
        match |= Q(building__iexact=household.building)
    if not match:
        return []
    return list(
        Household.objects.filter(campaign=household.campaign)
        .filter(match)
        .exclude(pk=household.pk)
        .order_by("floor", "unit", "pk")[:limit]
    )
