"""One object of the current campaign's inventory: 404 when it is another campaign's, 403 when the role is too low."""

from uuid import UUID

from django.shortcuts import get_object_or_404

from campaign.access import CampaignRequest, require_role
from campaign.models import Role
from inventory.models import Item, Location, Shortfall, Variant


def access_item(request: CampaignRequest, code: UUID) -> Item:
    item = get_object_or_404(Item, campaign=request.campaign, code=code)
    require_role(request, Role.COORDINATOR)
    return item


def access_variant(request: CampaignRequest, code: UUID) -> Variant:
    variant = get_object_or_404(Variant.objects.select_related("item"), campaign=request.campaign, code=code)
    require_role(request, Role.COORDINATOR)
    return variant


def access_location(request: CampaignRequest, code: UUID) -> Location:
    location = get_object_or_404(
        Location.objects.select_related("membership__user"), campaign=request.campaign, code=code
    )
    require_role(request, Role.COORDINATOR)
    return location


def access_shortfall(request: CampaignRequest, code: UUID) -> Shortfall:
    shortfall = get_object_or_404(Shortfall, campaign=request.campaign, code=code)
    require_role(request, Role.COORDINATOR)
    return shortfall
