"""One map version or area of the current campaign: 404 when it is another campaign's."""

from uuid import UUID

from django.shortcuts import get_object_or_404

from campaign.access import CampaignRequest
from canvassing.models import Area, MapVersion


def access_map_version(request: CampaignRequest, code: UUID) -> MapVersion:
    return get_object_or_404(
        MapVersion.objects.select_related("created_by", "applied_by", "base"), campaign=request.campaign, code=code
    )


def access_area(request: CampaignRequest, code: UUID) -> Area:
    return get_object_or_404(Area.objects.select_related("version"), campaign=request.campaign, code=code)
