"""The leaflet forecast page: /c/<slug>/inventory/forecast/ (coordinators and owners)."""

from django.http import HttpResponse
from django.shortcuts import render

from campaign.access import CampaignRequest, campaign_role_required
from campaign.models import Role
from reports.forecast import doors_without_edition, leaflet_forecast


@campaign_role_required(Role.COORDINATOR)
def forecast(request: CampaignRequest) -> HttpResponse:
    rows = leaflet_forecast(campaign=request.campaign)
    return render(
        request,
        "reports/leaflet_forecast.html",
        {"rows": rows, "unknown_doors": doors_without_edition(campaign=request.campaign)},
    )
