"""Stock changes. Every change is one `Movement` row in the ledger plus the matching change of the on-hand rows.

On-hand never goes below zero: a decrease is `UPDATE … SET quantity = quantity - n WHERE quantity >= n`,
and when that touches no row the movement is refused with a message naming what the place holds.
That single statement is the whole guard, so concurrent movements need no lock of their own; a movement
touching two places changes them in primary-key order so two opposite transfers cannot deadlock.

The ledger row itself records who moved what, when and why, so plain movements are not copied into the
audit log; changes to items, variants and locations, stock counts and shortfalls are.

Low-stock alerts: a variant is "low" when its total on hand (all locations, bags included) is at or below
its item's threshold. The first movement that takes it there flips `Variant.is_low` with a conditional
UPDATE and emails the coordinators through the outbox, keyed by the crossing number; rising above the
threshold flips it back, so the next fall alerts again — once per crossing, however many movements.
"""

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from campaign.audit import log_action
from campaign.models import Campaign, Membership, Person, Role
from inventory.models import Item, Location, Movement, Shortfall, StockLevel, Variant
from notifications.models import Channel
from notifications.services import message_enqueue

LOW_STOCK = "inventory/low_stock"
MAX_QUANTITY = 10_000_000
TSHIRT_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
ITEM_FIELDS = ("kind", "name", "unit", "unit_cost", "low_stock_threshold")
VARIANT_FIELDS = ("label", "size", "colour", "edition", "language", "door_default", "per_door")
LOCATION_FIELDS = ("kind", "name", "address")

# Which places each kind of movement takes from (out) and puts into (in): None = must be empty.
_NEEDS = {
    Movement.Kind.RECEIVED: (False, True),
    Movement.Kind.ISSUED: (True, True),
    Movement.Kind.RETURNED: (True, True),
    Movement.Kind.TRANSFERRED: (True, True),
    Movement.Kind.DROPPED: (True, False),
    Movement.Kind.GIVEN: (True, False),
    Movement.Kind.WRITTEN_OFF: (True, False),
}
CHANGES_TOTAL = {
    Movement.Kind.RECEIVED,
    Movement.Kind.DROPPED,
    Movement.Kind.GIVEN,
    Movement.Kind.WRITTEN_OFF,
    Movement.Kind.ADJUSTED,
}


# --- parsing ---------------------------------------------------------------------------------------


def parse_quantity(value: object, *, field: str = "quantity", allow_zero: bool = False) -> int:
    """A whole number of pieces, more than zero (or zero where a count may be empty)."""
    if isinstance(value, bool):
        raise ValidationError({field: _("Enter a whole number.")})
    try:
        number = value if isinstance(value, int) else int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number.")}) from None
    if number < 0:
        raise ValidationError({field: _("The quantity cannot be negative.")})
    if number == 0 and not allow_zero:
        raise ValidationError({field: _("The quantity must be at least 1.")})
    if number > MAX_QUANTITY:
        raise ValidationError({field: _("This quantity is too large.")})
    return number


def parse_cost(value: object, *, field: str = "unit_cost") -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, (bool, float)):
        raise ValidationError({field: _("Enter the cost as a number with at most two decimals.")})
    try:
        cost = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number, for example 0.35.")}) from None
    if not cost.is_finite() or cost != cost.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Use at most two decimals.")})
    if cost < 0:
        raise ValidationError({field: _("The cost cannot be negative.")})
    if cost >= Decimal("100000000"):
        raise ValidationError({field: _("This cost is too large.")})
    return cost


# --- items, variants, locations ------------------------------------------------------------------


def _clean_item(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if values.get("kind") not in Item.Kind.values:
        errors["kind"] = _("Choose a kind of item.")
    values["name"] = str(values.get("name") or "").strip()
    if not values["name"]:
        errors["name"] = _("Give the item a name.")
    values["unit"] = str(values.get("unit") or "").strip()[:30]
    try:
        values["unit_cost"] = parse_cost(values.get("unit_cost"))
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    try:
        values["low_stock_threshold"] = parse_quantity(
            values.get("low_stock_threshold") or 0, field="low_stock_threshold", allow_zero=True
        )
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def item_create(*, campaign: Campaign, acting_user: User, **fields: Any) -> Item:
    values = _clean_item({k: fields.get(k) for k in ITEM_FIELDS})
    item = Item.objects.create(campaign=campaign, **values)
    if item.kind != Item.Kind.TSHIRT:
        # Most items come in one kind: that one variant is made now. T-shirts get one per size instead.
        Variant.objects.create(campaign=campaign, item=item, label="")
    log_action(
        campaign=campaign, actor=acting_user, action="inventory.item.created", target=item, data={"kind": item.kind}
    )
    return item


@transaction.atomic
def item_update(*, item: Item, acting_user: User, **fields: Any) -> Item:
    _require_live(item=item)
    values = _clean_item({k: fields.get(k, getattr(item, k)) for k in ITEM_FIELDS})
    if values["kind"] != item.kind and item.variants.filter(deleted_at=None).exclude(size="").exists():
        if values["kind"] != Item.Kind.TSHIRT:
            raise ValidationError({"kind": _("This item has variants in sizes; only T-shirts have sizes.")})
    for key, value in values.items():
        setattr(item, key, value)
    item.save(update_fields=list(values))
    log_action(campaign=item.campaign, actor=acting_user, action="inventory.item.updated", target=item)
    return item


@transaction.atomic
def item_delete(*, item: Item, acting_user: User) -> Item:
    """Deleted items keep their ledger; their stock can still be returned, dropped or written off."""
    _require_live(item=item)
    now = timezone.now()
    item.deleted_at = now
    item.save(update_fields=["deleted_at"])
    item.variants.filter(deleted_at=None).update(deleted_at=now, door_default=False)
    log_action(campaign=item.campaign, actor=acting_user, action="inventory.item.deleted", target=item)
    return item


def _require_live(*, item: Item, variant: Variant | None = None) -> None:
    if item.deleted_at is not None:
        raise ValidationError(_("The item “%(item)s” was deleted.") % {"item": item.name})
    if variant is not None and variant.deleted_at is not None:
        raise ValidationError(_("The variant “%(variant)s” was deleted.") % {"variant": variant})


def _clean_variant(item: Item, values: dict[str, Any], *, instance: Variant | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    for key in ("label", "size", "colour", "edition", "language"):
        values[key] = str(values.get(key) or "").strip()
    values["size"] = values["size"].upper()
    if item.kind == Item.Kind.TSHIRT:
        if values["size"] not in TSHIRT_SIZES:
            errors["size"] = _("Unknown size “%(size)s”: use one of %(sizes)s.") % {
                "size": values["size"] or "—",
                "sizes": ", ".join(TSHIRT_SIZES),
            }
    elif values["size"]:
        errors["size"] = _("Only T-shirts have sizes.")
    values["door_default"] = bool(values.get("door_default"))
    if values["door_default"] and item.kind != Item.Kind.LEAFLET:
        errors["door_default"] = _("Only a leaflet can be the default for doors.")
    try:
        values["per_door"] = parse_quantity(values.get("per_door") or 1, field="per_door")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if not values["label"]:
        parts = [values["size"], values["colour"], values["edition"], values["language"]]
        values["label"] = " · ".join(p for p in parts if p)[:100]
    clash = Variant.objects.filter(item=item, label=values["label"])
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        errors["label"] = _("This item already has a variant called “%(label)s”.") % {"label": values["label"] or "—"}
    if errors:
        raise ValidationError(errors)
    return values


def _set_door_default(variant: Variant) -> None:
    Variant.objects.filter(campaign=variant.campaign, door_default=True).exclude(pk=variant.pk).update(
        door_default=False
    )


@transaction.atomic
def variant_create(*, item: Item, acting_user: User, **fields: Any) -> Variant:
    _require_live(item=item)
    values = _clean_variant(item, {k: fields.get(k) for k in VARIANT_FIELDS}, instance=None)
    variant = Variant(campaign=item.campaign, item=item, **values)
    if variant.door_default:
        _set_door_default(variant)
    variant.save()
    log_action(campaign=item.campaign, actor=acting_user, action="inventory.variant.created", target=variant)
    return variant


@transaction.atomic
def variant_update(*, variant: Variant, acting_user: User, **fields: Any) -> Variant:
    _require_live(item=variant.item, variant=variant)
    values = _clean_variant(
        variant.item, {k: fields.get(k, getattr(variant, k)) for k in VARIANT_FIELDS}, instance=variant
    )
    for key, value in values.items():
        setattr(variant, key, value)
    if variant.door_default:
        _set_door_default(variant)
    variant.save(update_fields=list(values))
    log_action(campaign=variant.campaign, actor=acting_user, action="inventory.variant.updated", target=variant)
    return variant


@transaction.atomic
def variant_delete(*, variant: Variant, acting_user: User) -> Variant:
    _require_live(item=variant.item, variant=variant)
    variant.deleted_at = timezone.now()
    variant.door_default = False
    variant.save(update_fields=["deleted_at", "door_default"])
    log_action(campaign=variant.campaign, actor=acting_user, action="inventory.variant.deleted", target=variant)
    return variant


def _clean_location(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if values.get("kind") not in (Location.Kind.OFFICE, Location.Kind.STORAGE):
        errors["kind"] = _("Choose the campaign office or a storage point; bags are made for volunteers.")
    values["name"] = str(values.get("name") or "").strip()
    if not values["name"]:
        errors["name"] = _("Give the place a name.")
    values["address"] = str(values.get("address") or "").strip()[:255]
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def location_create(*, campaign: Campaign, acting_user: User, **fields: Any) -> Location:
    values = _clean_location({k: fields.get(k) for k in LOCATION_FIELDS})
    location = Location.objects.create(campaign=campaign, **values)
    log_action(campaign=campaign, actor=acting_user, action="inventory.location.created", target=location)
    return location


@transaction.atomic
def location_update(*, location: Location, acting_user: User, **fields: Any) -> Location:
    if location.is_bag:
        raise ValidationError(_("A volunteer's bag is named after its holder and cannot be edited."))
    values = _clean_location({k: fields.get(k, getattr(location, k)) for k in LOCATION_FIELDS})
    for key, value in values.items():
        setattr(location, key, value)
    location.save(update_fields=list(values))
    log_action(campaign=location.campaign, actor=acting_user, action="inventory.location.updated", target=location)
    return location


@transaction.atomic
def location_archive(*, location: Location, acting_user: User) -> Location:
    """An archived place takes no new stock; it must be empty first so nothing disappears from on-hand."""
    if StockLevel.objects.filter(location=location, quantity__gt=0).exists():
        raise ValidationError(_("“%(place)s” still holds stock: move or write it off first.") % {"place": location})
    location.archived_at = timezone.now()
    location.save(update_fields=["archived_at"])
    log_action(campaign=location.campaign, actor=acting_user, action="inventory.location.archived", target=location)
    return location


def bag_for(*, membership: Membership) -> Location:
    """The member's bag, made the first time it is needed."""
    bag = Location.objects.filter(kind=Location.Kind.BAG, membership=membership).first()
    if bag is not None:
        return bag
    try:
        with transaction.atomic():
            return Location.objects.create(
                campaign_id=membership.campaign_id,
                kind=Location.Kind.BAG,
                membership=membership,
                name=_("Bag of %(name)s") % {"name": membership.user.get_full_name()},
            )
    except IntegrityError:  # made at the same moment by another request
        return Location.objects.get(kind=Location.Kind.BAG, membership=membership)


# --- the ledger ----------------------------------------------------------------------------------


def _decrease(*, campaign: Campaign, variant: Variant, location: Location, quantity: int) -> None:
    taken = StockLevel.objects.filter(variant=variant, location=location, quantity__gte=quantity).update(
        quantity=F("quantity") - quantity
    )
    if taken:
        return
    held = StockLevel.objects.filter(variant=variant, location=location).values_list("quantity", flat=True).first()
    if not held:
        raise ValidationError(
            {"from_location": _("%(place)s does not hold any %(variant)s.") % {"place": location, "variant": variant}}
        )
    raise ValidationError(
        {
            "quantity": _("%(place)s holds only %(held)s of %(variant)s, not %(wanted)s.")
            % {"place": location, "held": held, "variant": variant, "wanted": quantity}
        }
    )


_UPSERT = (
    "INSERT INTO inventory_stocklevel (campaign_id, variant_id, location_id, quantity) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (variant_id, location_id) DO UPDATE SET quantity = inventory_stocklevel.quantity + EXCLUDED.quantity"
)


def _increase(*, campaign: Campaign, variant: Variant, location: Location, quantity: int) -> None:
    # One statement that makes the row or adds to it, so two first receipts at once cannot collide.
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [campaign.pk, variant.pk, location.pk, quantity])


def _check_place(campaign: Campaign, location: Location | None, field: str) -> None:
    if location is None:
        return
    if location.campaign_id != campaign.pk:
        raise ValidationError({field: _("This place belongs to another campaign.")})
    if location.archived_at is not None:
        raise ValidationError({field: _("“%(place)s” is archived.") % {"place": location}})


def _check_places(kind: str, source: Location | None, target: Location | None) -> None:
    if kind == Movement.Kind.ADJUSTED:
        if (source is None) == (target is None):
            raise ValidationError(_("An adjustment adds to one place or takes from one place."))
        return
    needs_from, needs_to = _NEEDS[kind]
    if needs_from and source is None:
        raise ValidationError({"from_location": _("Choose where the stock comes from.")})
    if not needs_from and source is not None:
        raise ValidationError({"from_location": _("Stock received comes from outside: leave the source empty.")})
    if needs_to and target is None:
        raise ValidationError({"to_location": _("Choose where the stock goes.")})
    if not needs_to and target is not None:
        raise ValidationError({"to_location": _("This movement takes stock out: leave the destination empty.")})
    if source is not None and target is not None and source.pk == target.pk:
        raise ValidationError({"to_location": _("Choose a different place from the source.")})
    if kind == Movement.Kind.ISSUED and (source.is_bag or not target.is_bag):  # type: ignore[union-attr]
        raise ValidationError({"to_location": _("Issue from the office or storage into a volunteer's bag.")})
    if kind == Movement.Kind.RETURNED and (not source.is_bag or target.is_bag):  # type: ignore[union-attr]
        raise ValidationError({"from_location": _("A return goes from a volunteer's bag to the office or storage.")})
    if kind == Movement.Kind.DROPPED and not source.is_bag:  # type: ignore[union-attr]
        raise ValidationError({"from_location": _("Leaflets left at doors come out of a volunteer's bag.")})


@transaction.atomic
def movement_record(
    *,
    campaign: Campaign,
    kind: str,
    variant: Variant,
    quantity: object,
    acting_user: User | None,
    from_location: Location | None = None,
    to_location: Location | None = None,
    unit_cost: object = None,
    supplier: str = "",
    expense: Any = None,
    recipient: Person | None = None,
    reason: str = "",
    visit_code: uuid.UUID | None = None,
    code: uuid.UUID | None = None,
) -> Movement:
    """One line in the ledger and the on-hand change with it, or a ValidationError and nothing changed.

    `code` is the client's UUID: sending the same movement twice records it once.
    """
    if code is not None:
        existing = Movement.objects.filter(campaign=campaign, code=code).first()
        if existing is not None:
            return existing
    if kind not in Movement.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of movement.")})
    quantity = parse_quantity(quantity)
    if variant.campaign_id != campaign.pk:
        raise ValidationError({"variant": _("This item belongs to another campaign.")})
    if kind in (Movement.Kind.RECEIVED, Movement.Kind.ISSUED):
        _require_live(item=variant.item, variant=variant)
    _check_place(campaign, from_location, "from_location")
    _check_place(campaign, to_location, "to_location")
    _check_places(kind, from_location, to_location)
    reason = str(reason or "").strip()[:255]
    if kind in (Movement.Kind.ADJUSTED, Movement.Kind.WRITTEN_OFF) and not reason:
        raise ValidationError({"reason": _("Say why, so the ledger explains itself.")})
    cost = parse_cost(unit_cost) if kind == Movement.Kind.RECEIVED else None
    supplier = str(supplier or "").strip()[:200] if kind == Movement.Kind.RECEIVED else ""
    if expense is not None:
        if kind != Movement.Kind.RECEIVED:
            raise ValidationError({"expense": _("Only stock received can be linked to an expense.")})
        if expense.campaign_id != campaign.pk:
            raise ValidationError({"expense": _("This expense belongs to another campaign.")})
    if recipient is not None:
        if kind != Movement.Kind.GIVEN:
            raise ValidationError({"recipient": _("Only a give-away has a recipient.")})
        if recipient.campaign_id != campaign.pk:
            raise ValidationError({"recipient": _("This person belongs to another campaign.")})

    # The ledger row goes in first, so the contended on-hand rows stay locked only for the two updates and
    # the commit; a refusal below rolls it back with everything else.
    movement = Movement.objects.create(
        code=code or uuid.uuid4(),
        campaign=campaign,
        kind=kind,
        variant=variant,
        from_location=from_location,
        to_location=to_location,
        quantity=quantity,
        unit_cost=cost,
        supplier=supplier,
        expense=expense,
        recipient=recipient,
        reason=reason,
        visit_code=visit_code,
        actor=acting_user,
    )
    # Change the two places in primary-key order: opposite transfers at once cannot deadlock.
    steps = []
    if from_location is not None:
        steps.append((from_location.pk, _decrease, from_location))
    if to_location is not None:
        steps.append((to_location.pk, _increase, to_location))
    for _pk, step, place in sorted(steps, key=lambda s: s[0]):
        step(campaign=campaign, variant=variant, location=place, quantity=quantity)
    if kind in CHANGES_TOTAL:
        low_stock_check(variant=variant)
    return movement


@transaction.atomic
def stock_count_record(
    *, location: Location, variant: Variant, counted: object, reason: str, acting_user: User
) -> Movement | None:
    """A physical count: the difference from on-hand becomes an adjustment with the reason. None when equal."""
    campaign = location.campaign
    if variant.campaign_id != campaign.pk:
        raise ValidationError({"variant": _("This item belongs to another campaign.")})
    _require_live(item=variant.item, variant=variant)
    _check_place(campaign, location, "location")
    counted = parse_quantity(counted, field="counted", allow_zero=True)
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, so the ledger explains itself.")})
    # Lock the row so a movement at the same moment cannot slip between reading and adjusting.
    _increase(campaign=campaign, variant=variant, location=location, quantity=0)
    level = StockLevel.objects.select_for_update().get(variant=variant, location=location)
    difference = counted - level.quantity
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="inventory.stock.counted",
        target=location,
        data={"variant": str(variant.code), "counted": counted, "difference": difference},
    )
    if difference == 0:
        return None
    text = _("Stock count: %(reason)s") % {"reason": reason}
    return movement_record(
        campaign=campaign,
        kind=Movement.Kind.ADJUSTED,
        variant=variant,
        quantity=abs(difference),
        from_location=location if difference < 0 else None,
        to_location=location if difference > 0 else None,
        reason=text,
        acting_user=acting_user,
    )


# --- door drops ----------------------------------------------------------------------------------


def door_default_variant(*, campaign: Campaign) -> Variant | None:
    return Variant.objects.filter(campaign=campaign, door_default=True, deleted_at=None).select_related("item").first()


@transaction.atomic
def stock_drop_for_visit(*, visit: Any, acting_user: User | None) -> bool:
    """Draw the leaflets a visit left at the door from the canvasser's bag, once per visit.

    Called by the canvassing visit service inside its transaction. The variant is the visit's
    `leaflet_variant`, or the campaign's default for doors; with neither, nothing is recorded.
    When the bag holds too few, what it holds is drawn (the bag really is empty now) and a `Shortfall`
    for the rest is left for the coordinator; the visit is logged either way.
    Returns True when the visit's leaflets are in the ledger in full (now or by an earlier call).
    """
    wanted = int(visit.leaflets_left or 0)
    if wanted <= 0:
        return False
    campaign = visit.campaign
    variant = visit.leaflet_variant if visit.leaflet_variant_id else door_default_variant(campaign=campaign)
    if variant is None:
        return False
    if variant.campaign_id != campaign.pk:
        raise ValidationError({"leaflet_variant": _("This leaflet belongs to another campaign.")})
    membership = visit.canvasser
    bag = bag_for(membership=membership) if membership is not None else None
    held = 0
    if bag is not None:
        # The lock serialises two deliveries of the same visit: the second sees the first's rows.
        level = StockLevel.objects.select_for_update().filter(variant=variant, location=bag).first()
        held = level.quantity if level is not None else 0
    if Shortfall.objects.filter(campaign=campaign, visit_code=visit.code).exists():
        return False
    if Movement.objects.filter(campaign=campaign, visit_code=visit.code).exists():
        return True
    drawn = min(held, wanted)
    if drawn:
        movement_record(
            campaign=campaign,
            kind=Movement.Kind.DROPPED,
            variant=variant,
            quantity=drawn,
            from_location=bag,
            visit_code=visit.code,
            acting_user=acting_user,
        )
    if drawn == wanted:
        return True
    try:
        with transaction.atomic():
            shortfall = Shortfall.objects.create(
                campaign=campaign,
                variant=variant,
                membership=membership,
                visit_code=visit.code,
                wanted=wanted,
                drawn=drawn,
            )
    except IntegrityError:  # the same visit delivered twice at once, before any stock row existed
        return False
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="inventory.shortfall.flagged",
        target=shortfall,
        data={"variant": str(variant.code), "wanted": wanted, "drawn": drawn},
    )
    return False


@transaction.atomic
def shortfall_resolve(*, shortfall: Shortfall, acting_user: User) -> Shortfall:
    if shortfall.resolved_at is None:
        shortfall.resolved_at = timezone.now()
        shortfall.resolved_by = acting_user
        shortfall.save(update_fields=["resolved_at", "resolved_by"])
        log_action(
            campaign=shortfall.campaign, actor=acting_user, action="inventory.shortfall.resolved", target=shortfall
        )
    return shortfall


# --- low stock -----------------------------------------------------------------------------------


def low_stock_check(*, variant: Variant) -> bool:
    """Flip the variant's low flag when its total crosses the threshold; alert on the way down. True if alerted."""
    threshold = variant.item.low_stock_threshold
    total = StockLevel.objects.filter(variant=variant).aggregate(t=Sum("quantity"))["t"] or 0
    if total > threshold:
        Variant.objects.filter(pk=variant.pk, is_low=True).update(is_low=False)
        return False
    if not Variant.objects.filter(pk=variant.pk, is_low=False).update(
        is_low=True, low_crossings=F("low_crossings") + 1
    ):
        return False  # already low: alerted at the crossing
    crossing = Variant.objects.filter(pk=variant.pk).values_list("low_crossings", flat=True).get()
    campaign = variant.campaign
    coordinators = Membership.objects.filter(campaign=campaign, role__in=[Role.OWNER, Role.COORDINATOR]).select_related(
        "user"
    )
    for member in coordinators:
        if not member.user.email:
            continue
        message_enqueue(
            campaign=campaign,
            channel=Channel.EMAIL,
            template=LOW_STOCK,
            to=member.user.email,
            language=member.user.language or campaign.language,
            dedupe_key=f"inventory:low:{variant.code}:{crossing}:{member.code}",
            context={
                "item": variant.item.name,
                "variant": variant.label,
                "on_hand": total,
                "threshold": threshold,
                "unit": variant.item.unit,
                "url": f"{settings.SITE_URL.rstrip('/')}/c/{campaign.slug}/inventory/on-hand/",
            },
        )
    return True


def export_record(*, campaign: Campaign, acting_user: User, report: str, rows: int, filters: dict[str, str]) -> None:
    """An export is recorded before it is sent: which one, its filters and the row count."""
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="inventory.exported",
        data={"report": report, "rows": rows, "filters": filters},
    )
