"""Stock changes. Every change is one `Movement` row in the ledger plus the matching change of the on-hand rows.

On-hand never goes below zero. On PostgreSQL a whole movement is one statement (see `_pg_movement_sql`): it
locks the on-hand rows it touches in location order, checks the source holds enough, inserts the ledger row
(a repeated client code or visit code inserts nothing), changes on-hand and flips the low-stock flag, so it
is atomic by itself, holds the contended row only while it runs, and two opposite transfers cannot deadlock.
Elsewhere (SQLite, one writer at a time) it is the ORM in one transaction: the guarded decrement
`UPDATE … SET quantity = quantity - n WHERE quantity >= n` and an upsert, in primary-key order. When the
source holds too little the movement is refused with a message naming what the place holds, and nothing
changes.

The ledger row itself records who moved what, when and why, so plain movements are not copied into the
audit log; changes to items, variants and locations, stock counts and shortfalls are.

Low-stock alerts: a variant is "low" when its total on hand (all locations, bags included) is at or below
its item's threshold. The first movement that takes it there flips `Variant.is_low` with a conditional
UPDATE and emails the coordinators through the outbox, keyed by the crossing number; rising above the
threshold flips it back, so the next fall alerts again — once per crossing, however many movements.
"""

import contextlib
import functools
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

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
    threshold_changed = values["low_stock_threshold"] != item.low_stock_threshold
    for key, value in values.items():
        setattr(item, key, value)
    item.save(update_fields=list(values))
    if threshold_changed:
        # A new threshold can make what is on hand low (or no longer low) without any movement: flag it now,
        # and alert as for any crossing, rather than at the next receipt or drop.
        for variant in item.variants.filter(deleted_at=None):
            low_stock_check(variant=variant)
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
    """The member's bag, made the first time it is needed (and taken out of the archive when it was put there)."""
    bag = Location.objects.filter(kind=Location.Kind.BAG, membership=membership).first()
    if bag is not None:
        if bag.archived_at is not None:
            # An emptied bag archived to tidy the list: its holder is issuing or walking again.
            Location.objects.filter(pk=bag.pk).update(archived_at=None)
            bag.archived_at = None
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


def _refusal(*, location: Location, variant: Variant, held: int | None, wanted: int) -> ValidationError:
    if not held:
        return ValidationError(
            {"from_location": _("%(place)s does not hold any %(variant)s.") % {"place": location, "variant": variant}}
        )
    return ValidationError(
        {
            "quantity": _("%(place)s holds only %(held)s of %(variant)s, not %(wanted)s.")
            % {"place": location, "held": held, "variant": variant, "wanted": wanted}
        }
    )


def _decrease(*, campaign: Campaign, variant: Variant, location: Location, quantity: int) -> None:
    taken = StockLevel.objects.filter(variant=variant, location=location, quantity__gte=quantity).update(
        quantity=F("quantity") - quantity
    )
    if taken:
        return
    held = StockLevel.objects.filter(variant=variant, location=location).values_list("quantity", flat=True).first()
    raise _refusal(location=location, variant=variant, held=held, wanted=quantity)


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

    `code` is the client's UUID (and `visit_code` a visit's): sending the same movement twice records it once.
    """
    if kind not in Movement.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of movement.")})
    quantity = parse_quantity(quantity)
    if variant.campaign_id != campaign.pk:
        raise ValidationError({"variant": _("This item belongs to another campaign.")})
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
    movement = Movement(
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
    if connection.vendor == "postgresql":
        return _record_pg(movement)
    return _record_portable(movement)


def _replayed(movement: Movement) -> Movement | None:
    """The movement already recorded under this client code or visit code, if any (in this campaign only)."""
    same = Movement.objects.filter(campaign_id=movement.campaign_id)
    if movement.code is not None:
        found = same.filter(code=movement.code).first()
        if found is not None:
            return found
    if movement.visit_code is not None:
        return same.filter(visit_code=movement.visit_code).first()
    return None


def _refuse_taken_code(movement: Movement) -> ValidationError:
    return ValidationError({"code": _("This code is already used by another movement.")})


@transaction.atomic
def _record_portable(movement: Movement) -> Movement:
    """The ORM version (SQLite: one writer at a time, so reading first is safe)."""
    existing = _replayed(movement)
    if existing is not None:
        return existing
    with scopes_disabled():  # codes are unique across campaigns: one of another campaign is taken too
        taken = Movement.objects.filter(code=movement.code).exists()
    if taken:
        raise _refuse_taken_code(movement)
    if movement.kind in (Movement.Kind.RECEIVED, Movement.Kind.ISSUED):
        # The stored rows, not the caller's copies: an item deleted a moment ago takes no stock.
        stored = Variant.objects.select_related("item").get(pk=movement.variant_id)
        _require_live(item=stored.item, variant=stored)
    movement.save(force_insert=True)
    # Change the two places in primary-key order: opposite transfers at once cannot deadlock.
    steps = []
    if movement.from_location is not None:
        steps.append((movement.from_location.pk, _decrease, movement.from_location))
    if movement.to_location is not None:
        steps.append((movement.to_location.pk, _increase, movement.to_location))
    for _pk, step, place in sorted(steps, key=lambda s: s[0]):
        step(campaign=movement.campaign, variant=movement.variant, location=place, quantity=movement.quantity)
    if movement.kind in CHANGES_TOTAL:
        low_stock_check(variant=movement.variant)
    return movement


# The whole movement as one PostgreSQL statement, so it is atomic on its own and the contended on-hand row is
# locked only while the statement runs and commits (no round trip to Python while it is held; under load a
# client thread waiting for the GIL would otherwise keep every other client waiting for that row):
#   locked  locks the on-hand rows it touches in location order (opposite transfers cannot deadlock) and reads
#           the source's quantity as it is now (FOR UPDATE waits for a concurrent movement and sees its result);
#   ok      the source holds enough;
#   mv      the ledger row, only when ok; ON CONFLICT DO NOTHING makes a repeated client code or visit code a no-op;
#   taken   the decrement, only when the ledger row went in (the lock guarantees it cannot go below zero; the
#           check constraint would abort the whole statement if it somehow did);
#   added   the increment (made or added to in one upsert);
#   low     flips Variant.is_low when the variant's total crosses its item's threshold (other places as of the
#           statement's snapshot plus this row's new quantity), counting the crossings downwards.
_PG_MOVEMENT_COLUMNS = (
    "code, campaign_id, kind, variant_id, from_location_id, to_location_id, quantity, unit_cost, supplier, "
    "expense_id, visit_code, recipient_id, reason, actor_id, created_at"
)
_PG_MOVEMENT_VALUES = (
    "%(code)s, %(campaign)s, %(kind)s, %(variant)s, %(source)s, %(target)s, %(quantity)s, %(unit_cost)s, "
    "%(supplier)s, %(expense)s, %(visit_code)s, %(recipient)s, %(reason)s, %(actor)s, %(created_at)s"
)


@functools.cache
def _pg_movement_sql(*, source: bool, target: bool, low_check: bool, live: bool) -> str:
    parts = []
    # Receipts and issues need a live item; checked in the statement too, so a deletion a moment ago counts.
    condition = "EXISTS (SELECT 1 FROM live)" if live else "true"
    if live:
        parts.append(
            "live AS (SELECT 1 FROM inventory_variant v JOIN inventory_item i ON i.id = v.item_id "
            "WHERE v.id = %(variant)s AND v.deleted_at IS NULL AND i.deleted_at IS NULL)"
        )
    if source:
        places = "(%(source)s, %(target)s)" if target else "(%(source)s)"
        parts.append(
            "locked AS (SELECT location_id, quantity FROM inventory_stocklevel "  # noqa: S608 - fixed names
            f"WHERE variant_id = %(variant)s AND location_id IN {places} ORDER BY location_id FOR UPDATE)"
        )
        parts.append("ok AS (SELECT 1 FROM locked WHERE location_id = %(source)s AND quantity >= %(quantity)s)")
        parts.append(
            f"mv AS (INSERT INTO inventory_movement ({_PG_MOVEMENT_COLUMNS}) SELECT {_PG_MOVEMENT_VALUES} "  # noqa: S608 - fixed names
            f"WHERE EXISTS (SELECT 1 FROM ok) AND {condition} ON CONFLICT DO NOTHING RETURNING id)"
        )
        parts.append(
            "taken AS (UPDATE inventory_stocklevel SET quantity = quantity - %(quantity)s "
            "WHERE variant_id = %(variant)s AND location_id = %(source)s AND EXISTS (SELECT 1 FROM mv) "
            "RETURNING quantity)"
        )
    else:
        parts.append(
            f"mv AS (INSERT INTO inventory_movement ({_PG_MOVEMENT_COLUMNS}) SELECT {_PG_MOVEMENT_VALUES} "
            f"WHERE {condition} ON CONFLICT DO NOTHING RETURNING id)"
        )
    if target:
        parts.append(
            "added AS (INSERT INTO inventory_stocklevel (campaign_id, variant_id, location_id, quantity) "
            "SELECT %(campaign)s, %(variant)s, %(target)s, %(quantity)s WHERE EXISTS (SELECT 1 FROM mv) "
            "ON CONFLICT (variant_id, location_id) DO UPDATE SET quantity = inventory_stocklevel.quantity + "
            "EXCLUDED.quantity RETURNING quantity)"
        )
    if low_check:
        # A movement that changes the total touches one place only.
        place, changed = ("%(source)s", "taken") if source else ("%(target)s", "added")
        parts.append(
            "low AS (UPDATE inventory_variant v SET is_low = t.total <= i.low_stock_threshold, "  # noqa: S608 - fixed names
            "low_crossings = v.low_crossings + (t.total <= i.low_stock_threshold)::int "
            "FROM inventory_item i, (SELECT COALESCE(SUM(quantity), 0) "
            f"+ (SELECT quantity FROM {changed}) AS total FROM inventory_stocklevel "
            f"WHERE variant_id = %(variant)s AND location_id <> {place}) t "
            "WHERE v.id = %(variant)s AND i.id = v.item_id AND EXISTS (SELECT 1 FROM mv) "
            "AND v.is_low <> (t.total <= i.low_stock_threshold) RETURNING v.is_low, v.low_crossings, t.total)"
        )
    held = "(SELECT quantity FROM locked WHERE location_id = %(source)s)" if source else "NULL::integer"
    ok = "EXISTS (SELECT 1 FROM ok)" if source else "true"
    alert = "(SELECT low_crossings FROM low WHERE is_low), (SELECT total FROM low)" if low_check else "NULL, NULL"
    live_flag = "EXISTS (SELECT 1 FROM live)" if live else "true"
    return f"WITH {', '.join(parts)} SELECT (SELECT id FROM mv), {live_flag}, {ok}, {held}, {alert}"  # noqa: S608 - fixed names


def _record_pg(movement: Movement) -> Movement:
    """One statement, atomic by itself; inside a caller's transaction it runs in a savepoint, so a refusal, even
    one that reached the not-negative check, leaves the caller's transaction usable. The alert
    of a low-stock crossing goes to the outbox right after, in its own transaction when there is no caller's;
    its dedupe key carries the crossing number."""
    source, target = movement.from_location_id, movement.to_location_id
    needs_live = movement.kind in (Movement.Kind.RECEIVED, Movement.Kind.ISSUED)
    if needs_live:
        _require_live(item=movement.variant.item, variant=movement.variant)
    low_check = movement.kind in CHANGES_TOTAL
    sql = _pg_movement_sql(source=source is not None, target=target is not None, low_check=low_check, live=needs_live)
    params: dict[str, Any] = {
        "code": movement.code,
        "campaign": movement.campaign_id,
        "kind": movement.kind,
        "variant": movement.variant_id,
        "source": source,
        "target": target,
        "quantity": movement.quantity,
        "unit_cost": movement.unit_cost,
        "supplier": movement.supplier,
        "expense": movement.expense_id,
        "visit_code": movement.visit_code,
        "recipient": movement.recipient_id,
        "reason": movement.reason,
        "actor": movement.actor_id,
        "created_at": movement.created_at,
    }
    # Inside a caller's transaction, a savepoint: when the statement fails only it is undone, and the caller's
    # transaction stays usable. Alone, the one statement is its own transaction.
    savepoint = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with savepoint, connection.cursor() as cursor:
            cursor.execute(sql, params)
            pk, live, ok, held, crossing, total = cursor.fetchone()
    except IntegrityError as exc:
        # Opposite transfers racing on one row can still reach the not-negative check (seen in CI): the
        # statement was undone, so it is the same refusal as too little stock.
        if "stocklevel_not_negative" not in str(exc) or source is None:
            raise
        raise _refusal(
            location=movement.from_location, variant=movement.variant, held=None, wanted=movement.quantity
        ) from exc
    if pk is None:
        existing = _replayed(movement)
        if existing is not None:
            return existing
        if not live:  # deleted since the caller loaded it: say which, from the stored rows
            stored = Variant.objects.select_related("item").get(pk=movement.variant_id)
            _require_live(item=stored.item, variant=stored)
        if not ok and movement.from_location is not None:
            raise _refusal(
                location=movement.from_location, variant=movement.variant, held=held, wanted=movement.quantity
            )
        raise _refuse_taken_code(movement)
    movement.pk = movement.id = pk
    movement._state.adding = False
    movement._state.db = connection.alias
    if crossing is not None:
        _low_stock_alert(variant=movement.variant, crossing=crossing, total=total)
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
    threshold = Item.objects.filter(pk=variant.item_id).values_list("low_stock_threshold", flat=True).get()
    total = StockLevel.objects.filter(variant=variant).aggregate(t=Sum("quantity"))["t"] or 0
    if total > threshold:
        Variant.objects.filter(pk=variant.pk, is_low=True).update(is_low=False)
        return False
    if not Variant.objects.filter(pk=variant.pk, is_low=False).update(
        is_low=True, low_crossings=F("low_crossings") + 1
    ):
        return False  # already low: alerted at the crossing
    crossing = Variant.objects.filter(pk=variant.pk).values_list("low_crossings", flat=True).get()
    _low_stock_alert(variant=variant, crossing=crossing, total=total)
    return True


def _low_stock_alert(*, variant: Variant, crossing: int, total: int) -> None:
    """Email each coordinator once for this crossing (the dedupe key carries its number)."""
    campaign = variant.campaign
    coordinators = Membership.objects.filter(campaign=campaign, role__in=[Role.OWNER, Role.COORDINATOR]).select_related(
        "user"
    )
    item = Item.objects.get(pk=variant.item_id)
    with transaction.atomic():
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
                    "item": item.name,
                    "variant": variant.label,
                    "on_hand": total,
                    "threshold": item.low_stock_threshold,
                    "unit": item.unit,
                    "url": f"{settings.SITE_URL.rstrip('/')}/c/{campaign.slug}/inventory/on-hand/",
                },
            )


def export_record(*, campaign: Campaign, acting_user: User, report: str, rows: int, filters: dict[str, str]) -> None:
    """An export is recorded before it is sent: which one, its filters and the row count."""
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="inventory.exported",
        data={"report": report, "rows": rows, "filters": filters},
    )
