"""Leaflet forecast: how many leaflets the doors not yet knocked will take, by edition, against stock,
and when stock runs out at the pace of the last two weeks.

A door still to do is an active household in a turf that is not completed and has never been visited
(`last_visited_at` is empty). Its edition is the turf's `leaflet_variant`, or the campaign's default for
doors. Need = doors × the edition's `per_door`. Stock counts every place, volunteers' bags included
(bags are where door leaflets come from). Pace = leaflets left at doors per day over the last 14 days.
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Count, IntegerField, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaign.models import Campaign
from canvassing.models import Household
from inventory.models import Item, Movement, Variant

PACE_DAYS = 14


@dataclass(frozen=True)
class ForecastRow:
    variant: Variant
    doors_left: int
    needed: int
    in_stock: int
    per_day: float
    runs_out_on: dt.date | None  # None: no leaflets went out in the last 14 days, so no pace to go by

    @property
    def short(self) -> int:
        return max(self.needed - self.in_stock, 0)

    @property
    def covered_share(self) -> int:
        """Percent of the remaining need that stock covers (100 when nothing is needed)."""
        if self.needed <= 0:
            return 100
        return min(100, int(self.in_stock * 100 / self.needed))


def leaflet_forecast(*, campaign: Campaign) -> list[ForecastRow]:
    """One row per leaflet edition that is in stock, marked for doors or named by a turf; three queries."""
    doors = dict(
        Household.objects.filter(
            campaign=campaign,
            status=Household.Status.ACTIVE,
            turf__isnull=False,
            turf__completed_at=None,
            last_visited_at=None,
        )
        .values_list("turf__leaflet_variant")
        .annotate(n=Count("pk"))
        .order_by()
    )
    variants = list(
        Variant.objects.filter(campaign=campaign, item__kind=Item.Kind.LEAFLET)
        .select_related("item")
        .annotate(total=Coalesce(Sum("stock_levels__quantity"), Value(0), output_field=IntegerField()))
        .order_by("item__name", "label", "pk")
    )
    default = next((v for v in variants if v.door_default and v.deleted_at is None), None)
    since = timezone.now() - dt.timedelta(days=PACE_DAYS)
    dropped = dict(
        Movement.objects.filter(campaign=campaign, kind=Movement.Kind.DROPPED, created_at__gte=since)
        .values_list("variant")
        .annotate(n=Sum("quantity"))
        .order_by()
    )
    today = timezone.localdate(timezone=campaign.tzinfo)
    rows = []
    for variant in variants:
        door_count = doors.get(variant.pk, 0) + (doors.get(None, 0) if variant is default else 0)
        live = variant.deleted_at is None and variant.item.deleted_at is None
        if not (door_count or variant.total or (live and variant.door_default)):
            continue
        per_day = (dropped.get(variant.pk) or 0) / PACE_DAYS
        runs_out = today + dt.timedelta(days=math.floor(variant.total / per_day)) if per_day else None
        rows.append(
            ForecastRow(
                variant=variant,
                doors_left=door_count,
                needed=door_count * variant.per_door,
                in_stock=variant.total,
                per_day=round(per_day, 1),
                runs_out_on=runs_out,
            )
        )
    return rows


def doors_without_edition(*, campaign: Campaign) -> int:
    """Doors to do in turfs that name no edition while the campaign has no default: their need is unknown."""
    if Variant.objects.filter(campaign=campaign, door_default=True, deleted_at=None).exists():
        return 0
    return Household.objects.filter(
        campaign=campaign,
        status=Household.Status.ACTIVE,
        turf__isnull=False,
        turf__completed_at=None,
        turf__leaflet_variant__isnull=True,
        last_visited_at=None,
    ).count()
