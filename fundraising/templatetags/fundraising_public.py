"""The goal thermometer on the campaign's public page (templates/volunteers/public/page.html)."""

from decimal import Decimal
from typing import Any

from django import template
from django.core.cache import cache
from django.db.models import Sum

from campaign.models import Campaign
from fundraising.models import CENT, FundraisingSettings
from fundraising.selectors import accepted_entries

register = template.Library()

# The public page is shared widely: the thermometer is computed at most once a minute per campaign,
# so it costs no query for almost every visitor (a donation or a settings change shows up that late).
THERMOMETER_SECONDS = 60


def thermometer_figures(campaign: Campaign) -> dict[str, Any] | None:
    """Raised and the goal when the campaign shows its thermometer; None when it does not."""
    key = f"fundraising:thermometer:{campaign.code}"
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    figures: dict[str, Any] = {}
    shown = (
        FundraisingSettings.objects.filter(campaign=campaign, show_thermometer=True, goal_amount__isnull=False)
        .values_list("goal_amount", flat=True)
        .first()
    )
    if shown is not None:
        raised = Decimal(accepted_entries(campaign).aggregate(total=Sum("amount"))["total"] or 0).quantize(CENT)
        figures = {
            "raised": raised,
            "goal": shown,
            "share": max(0, min(int(raised * 100 // shown), 100)),
            "currency": campaign.currency,
        }
    cache.set(key, figures, timeout=THERMOMETER_SECONDS)
    return figures or None


@register.inclusion_tag("fundraising/public_thermometer.html")
def fundraising_thermometer(campaign: Campaign) -> dict[str, Any]:
    return {"thermometer": thermometer_figures(campaign)}
