"""The leaflet forecast page (reports, issue 5)."""

from campaign.models import Role
from tests.isolation.routes import Route

ROUTES = {"reports:leaflet_forecast": Route(role=Role.COORDINATOR)}
