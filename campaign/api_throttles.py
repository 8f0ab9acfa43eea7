"""API rate limits per signed-in user (or token holder) and per address for anonymous callers.

The rates are read from Django settings on each request, not frozen into the view classes when they
are defined, so an operator's setting (and a test's override) takes effect; an empty rate turns the
limit off.
"""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class ApiUserRateThrottle(UserRateThrottle):
    def get_rate(self) -> str | None:
        return settings.API_RATE_LIMIT_USER or None


class ApiAnonRateThrottle(AnonRateThrottle):
    def get_rate(self) -> str | None:
        return settings.API_RATE_LIMIT_ANON or None
