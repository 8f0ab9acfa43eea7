"""Reads of stock that span relations: on-hand by place and by variant, the ledger, bags, T-shirt needs.

Each returns a queryset (or a short list) whose rows carry what a page shows, so a page of any length
runs the same few queries.
"""

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from campaign.models import Campaign, Membership
from inventory.models import Item, Location, Movement, Shortfall, StockLevel, Variant
from inventory.services import TSHIRT_SIZES


def on_hand(*, location: Location, variant: Variant) -> int:
    return StockLevel.objects.filter(location=location, variant=variant).values_list("quantity", flat=True).first() or 0


def items(*, campaign: Campaign) -> QuerySet[Item]:
    return Item.objects.filter(campaign=campaign, deleted_at=None).order_by("kind", "name", "pk")


def variants(*, campaign: Campaign, include_deleted: bool = False) -> QuerySet[Variant]:
    """Variants with `total` (all places), `in_bags` and `at_base` (office and storage) on hand."""
    qs = Variant.objects.filter(campaign=campaign)
    if not include_deleted:
        qs = qs.filter(deleted_at=None, item__deleted_at=None)
    return (
        qs.select_related("item")
        .annotate(
            total=Coalesce(Sum("stock_levels__quantity"), Value(0), output_field=IntegerField()),
            in_bags=Coalesce(
                Sum("stock_levels__quantity", filter=Q(stock_levels__location__kind=Location.Kind.BAG)),
                Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("item__kind", "item__name", "label", "pk")
    )


def locations(*, campaign: Campaign, kind: str = "", include_archived: bool = False) -> QuerySet[Location]:
    """Places with `holding`: the number of pieces they hold, all variants together."""
    qs = Location.objects.filter(campaign=campaign)
    if not include_archived:
        qs = qs.filter(archived_at=None)
    if kind in Location.Kind.values:
        qs = qs.filter(kind=kind)
    return (
        qs.select_related("membership__user")
        .annotate(holding=Coalesce(Sum("stock_levels__quantity"), Value(0), output_field=IntegerField()))
        .order_by("kind", "name", "pk")
    )


STOCK_ROW_FIELDS = (
    "quantity",
    "variant__code",
    "variant__label",
    "variant__item__name",
    "variant__item__unit",
    "location__code",
    "location__name",
    "location__kind",
)


def stock_rows(
    *, campaign: Campaign, location: Location | None = None, variant: Variant | None = None, kind: str = ""
) -> QuerySet[StockLevel]:
    """Non-zero on-hand rows, by place then item."""
    # The places' campaign too (the same rows): with it the first page walks places in listing order through their
    # index and stops after a page, instead of sorting every on-hand row of the campaign (4 ms, not 140, for
    # 100,000 rows).
    qs = StockLevel.objects.filter(campaign=campaign, location__campaign=campaign, quantity__gt=0)
    if location is not None:
        qs = qs.filter(location=location)
    if variant is not None:
        qs = qs.filter(variant=variant)
    if kind in Location.Kind.values:
        qs = qs.filter(location__kind=kind)
    # Only what the pages, the CSV and the API show: the rows are wide and a page sorts all of them.
    return (
        qs.select_related("variant__item", "location")
        .only(*STOCK_ROW_FIELDS)
        .order_by(
            "location__kind", "location__name", "location_id", "variant__item__name", "variant__label", "variant_id"
        )
    )


def stock_rows_count(*, campaign: Campaign, kind: str = "") -> int:
    """How many rows `stock_rows` has, without the joins its order needs (a page's count of 100,000 rows)."""
    qs = StockLevel.objects.filter(campaign=campaign, quantity__gt=0)
    if kind in Location.Kind.values:
        qs = qs.filter(location__kind=kind)
    return qs.count()


def bag_contents(*, membership: Membership) -> QuerySet[StockLevel]:
    return (
        StockLevel.objects.filter(location__membership=membership, location__kind=Location.Kind.BAG, quantity__gt=0)
        .select_related("variant__item")
        .order_by("variant__item__name", "variant__label")
    )


def ledger(
    *,
    campaign: Campaign,
    kind: str = "",
    variant: Variant | None = None,
    location: Location | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[Movement]:
    qs = Movement.objects.filter(campaign=campaign)
    if kind in Movement.Kind.values:
        qs = qs.filter(kind=kind)
    if variant is not None:
        qs = qs.filter(variant=variant)
    if location is not None:
        qs = qs.filter(Q(from_location=location) | Q(to_location=location))
    tz = campaign.tzinfo
    if start is not None:
        qs = qs.filter(created_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz))
    if end is not None:
        qs = qs.filter(created_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs.select_related("variant__item", "from_location", "to_location", "actor", "recipient", "expense").order_by(
        "-created_at", "-pk"
    )


def shortfalls(*, campaign: Campaign, open_only: bool = True) -> QuerySet[Shortfall]:
    qs = Shortfall.objects.filter(campaign=campaign)
    if open_only:
        qs = qs.filter(resolved_at=None)
    return qs.select_related("variant__item", "membership__user").order_by("-created_at", "-pk")


def tshirt_sizes(*, campaign: Campaign) -> list[dict[str, Any]]:
    """Per size: volunteers who asked for it and have not had a T-shirt, against stock outside bags."""
    from volunteers.models import Volunteer

    given = Movement.objects.filter(
        campaign=campaign,
        kind=Movement.Kind.GIVEN,
        variant__item__kind=Item.Kind.TSHIRT,
        recipient_id=OuterRef("person_id"),
    )
    wanted = dict(
        Volunteer.objects.filter(campaign=campaign)
        .exclude(status=Volunteer.Status.INACTIVE)
        .exclude(tshirt_size="")
        .annotate(has_one=Exists(given))
        .filter(has_one=False)
        .values_list("tshirt_size")
        .annotate(n=Count("pk"))
        .order_by()
    )
    stock = dict(
        StockLevel.objects.filter(
            campaign=campaign,
            variant__item__kind=Item.Kind.TSHIRT,
            variant__deleted_at=None,
            variant__item__deleted_at=None,
        )
        .exclude(location__kind=Location.Kind.BAG)
        .values_list("variant__size")
        .annotate(n=Sum("quantity"))
        .order_by()
    )
    rows = []
    for size in TSHIRT_SIZES:
        need, have = wanted.get(size, 0), stock.get(size, 0) or 0
        rows.append({"size": size, "needed": need, "in_stock": have, "missing": max(need - have, 0)})
    return rows


def tshirt_volunteers(*, campaign: Campaign, waiting_only: bool = False) -> QuerySet[Any]:
    """Volunteers with a size, each with `received` (whether a T-shirt was given to them)."""
    from volunteers.models import Volunteer

    given = Movement.objects.filter(
        campaign=campaign,
        kind=Movement.Kind.GIVEN,
        variant__item__kind=Item.Kind.TSHIRT,
        recipient_id=OuterRef("person_id"),
    )
    qs = (
        Volunteer.objects.filter(campaign=campaign)
        .exclude(status=Volunteer.Status.INACTIVE)
        .exclude(tshirt_size="")
        .select_related("person")
        .annotate(received=Exists(given))
    )
    if waiting_only:
        qs = qs.filter(received=False)
    return qs.order_by("tshirt_size", "person__family_name", "person__given_name", "pk")
