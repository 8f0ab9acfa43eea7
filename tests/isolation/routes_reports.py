"""Reports routes (reports/urls_dashboard.py, reports/api_urls.py): the dashboard, its exports, the
candidate's overview, the digest setting, and the member's own home and preferences. None takes an
object code: each shows the campaign's figures or the caller's own data."""

from campaign.models import Role
from tests.isolation.routes import Route

ROUTES: dict[str, Route] = {
    "reports:dashboard": Route(role=Role.COORDINATOR),
    "reports:export": Route(role=Role.COORDINATOR),
    "reports:overview": Route(role=Role.OWNER),
    "reports:settings": Route(role=Role.OWNER, methods=("GET", "POST")),
    "reports:home": Route(),
    "reports:preferences": Route(methods=("GET", "POST")),
    "api:reports-dashboard": Route(role=Role.COORDINATOR),
    "api:reports-home": Route(),
}
