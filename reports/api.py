"""/api/v1/c/<slug>/reports/: the dashboard's panels for coordinators, and a member's own home.

The dashboard is the same cached panel set the page shows (see reports.dashboard), as JSON: dates as
ISO strings, money as strings with two decimals. The home holds only the caller's own shifts, turfs,
bag and month, and the opted-in leaderboard (names and doors, nothing else).
"""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from campaign.models import Role
from reports import selectors, services
from reports.dashboard import as_json, dashboard_panels
from volunteers.api import VolunteersAPIMixin


class Dashboard(VolunteersAPIMixin, generics.GenericAPIView):
    read_role = Role.COORDINATOR
    write_role = Role.COORDINATOR

    @extend_schema(
        parameters=[OpenApiParameter("period", int, description="Days: 7, 14, 30 or 90 (default 7).")],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, campaign_slug: str) -> Response:
        """Every panel of the coordinator dashboard for the period, and when it was computed."""
        days = selectors.parse_period(request.query_params.get("period"))
        data = dashboard_panels(self.campaign, days, refresh=request.query_params.get("refresh") == "1")
        return Response(as_json({"computed_at": data["computed_at"], **data["panels"]}))


def home_data(membership: Any) -> dict[str, Any]:
    volunteer = selectors.my_volunteer(membership)
    prefs = services.preferences_of(membership)
    return {
        "next_shifts": [
            {
                "shift": str(s.shift.code),
                "signup": str(s.code),
                "title": s.shift.title,
                "location": s.shift.location,
                "starts_at": s.shift.starts_at,
                "ends_at": s.shift.ends_at,
                "status": s.status,
            }
            for s in selectors.my_next_shifts(membership, volunteer)
        ],
        "turfs": [
            {
                "turf": str(row["turf"].code),
                "assignment": str(row["assignment"].code),
                "name": row["turf"].name,
                "due_on": row["assignment"].due_on,
                "doors": row["doors"],
                "left": row["left"],
            }
            for row in selectors.my_turfs(membership)
        ],
        "bag": selectors.my_bag(membership),
        "month": selectors.my_month(membership, volunteer),
        "leaderboard": [
            {"name": row["name"], "doors": row["doors"], "me": row["member"] == membership.pk}
            for row in selectors.leaderboard(membership.campaign)
        ],
        "leaderboard_opt_in": prefs.leaderboard_opt_in,
    }


class Home(VolunteersAPIMixin, generics.GenericAPIView):
    read_role = Role.VOLUNTEER
    write_role = Role.OWNER

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, campaign_slug: str) -> Response:
        """The caller's own next shifts, assigned turfs with the doors left, bag, hours and doors this
        month, and the leaderboard of those who chose to appear."""
        return Response(as_json(home_data(self.membership)))
