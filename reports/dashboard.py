"""The coordinator dashboard's panels, cached per campaign and period for a short while.

Every panel is an SQL aggregate, but together they read the whole campaign (the fundraising summary
alone scans every donation), so the panel set is kept in the cache for CACHE_SECONDS: the page says
"as of HH:MM" and has a refresh link that recomputes at once. A write elsewhere is therefore seen on
the dashboard within a minute, or at once after "refresh".
"""

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from campaign.models import Campaign
from reports import selectors

CACHE_SECONDS = 60


def cache_key(campaign: Campaign, days: int) -> str:
    return f"reports:dashboard:v1:{campaign.pk}:{days}"


def dashboard_panels(campaign: Campaign, days: int, *, refresh: bool = False) -> dict[str, Any]:
    """{"computed_at": datetime, "panels": selectors.dashboard(...)}, from the cache when fresh."""
    key = cache_key(campaign, days)
    if not refresh:
        cached = cache.get(key)
        if cached is not None:
            return cached
    now = timezone.now()
    data = {"computed_at": now, "panels": selectors.dashboard(campaign, selectors.period_for(campaign, days), now=now)}
    cache.set(key, data, CACHE_SECONDS)
    return data


def forget(campaign: Campaign) -> None:
    cache.delete_many([cache_key(campaign, days) for days in selectors.PERIODS])


def as_json(value: Any) -> Any:
    """Dates, times and decimals as strings, for the API and the outbox."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if hasattr(value, "as_tuple"):  # Decimal
        return str(value)
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return as_json(asdict(value))
    return value
