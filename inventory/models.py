"""Materials from the printer to the doorstep: items and their variants (T-shirt sizes, leaflet editions),
the places stock lives (the office, storage points, each volunteer's bag) and the ledger of movements.

The ledger (`Movement`) is the truth. `StockLevel` holds the on-hand quantity per (variant, location),
kept by the movement service in the same transaction with a conditional UPDATE
(`quantity = quantity - n WHERE quantity >= n`), so two movements at the same moment can never take a
location below zero; the database refuses a negative row as well (a check constraint).
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class Item(models.Model):
    class Kind(models.TextChoices):
        LEAFLET = "leaflet", _("Leaflet")
        TSHIRT = "tshirt", _("T-shirt")
        POSTER = "poster", _("Poster")
        BANNER = "banner", _("Banner")
        STICKER = "sticker", _("Sticker")
        OTHER = "other", _("Other")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=30, default="", blank=True, help_text=_("For example: sheet, box."))
    unit_cost = models.DecimalField(
        _("unit cost"), max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    low_stock_threshold = models.PositiveIntegerField(_("low-stock threshold"), default=0)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Variant(models.Model):
    """What is actually counted: a T-shirt in one size and colour, a leaflet in one edition and language."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="item_variants")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="variants")
    label = models.CharField(_("variant"), max_length=100, blank=True, help_text=_("Empty when the item has one kind."))
    size = models.CharField(_("size"), max_length=4, blank=True)
    colour = models.CharField(_("colour"), max_length=50, blank=True)
    edition = models.CharField(_("edition"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    door_default = models.BooleanField(
        _("default for doors"),
        default=False,
        help_text=_("Drawn from a canvasser's bag when a visit logs leaflets left without naming an edition."),
    )
    per_door = models.PositiveSmallIntegerField(
        _("per door"), default=1, validators=[MinValueValidator(1)], help_text=_("How many go through each door.")
    )
    # Low-stock alerts go once per crossing: `is_low` flips when on-hand falls to the threshold and back
    # when it rises above it; `low_crossings` numbers the crossings so each alert has its own dedupe key.
    is_low = models.BooleanField(default=False, editable=False)
    low_crossings = models.PositiveIntegerField(default=0, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["item__kind", "item__name", "label"]
        constraints = [
            models.UniqueConstraint(fields=["item", "label"], name="variant_label_per_item"),
            models.UniqueConstraint(
                fields=["campaign"], condition=Q(door_default=True, deleted_at=None), name="variant_one_door_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.name} · {self.label}" if self.label else self.item.name


class Location(models.Model):
    """Where stock lives. A bag belongs to one member and is made the first time something goes into it."""

    class Kind(models.TextChoices):
        OFFICE = "office", _("Campaign office")
        STORAGE = "storage", _("Storage point")
        BAG = "bag", _("Volunteer's bag")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="stock_locations")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STORAGE)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=255, blank=True)
    # A member who leaves keeps their bag in the ledger: the bag stays, holder unknown, for its stock to be returned.
    membership = models.ForeignKey(
        "campaign.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="bags"
    )
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="bag") | Q(membership__isnull=True), name="location_only_bags_have_members"
            ),
            models.UniqueConstraint(fields=["membership"], condition=Q(kind="bag"), name="location_one_bag_per_member"),
        ]
        # Places are listed, and on-hand is paged, in this order: with the index a page can start from the first
        # places instead of sorting every on-hand row of the campaign.
        indexes = [models.Index(fields=["campaign", "kind", "name", "id"], name="location_listing")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_bag(self) -> bool:
        return self.kind == self.Kind.BAG


class StockLevel(models.Model):
    """On hand of one variant at one location, derived from the ledger and never below zero."""

    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="stock_levels")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="stock_levels")
    quantity = models.IntegerField(default=0)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "location"], name="stocklevel_one_per_place"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stocklevel_not_negative"),
        ]
        indexes = [models.Index(fields=["location", "variant"], name="stocklevel_location")]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.location_id}: {self.quantity}"


class Movement(models.Model):
    """One line of the stock ledger. Never changed or deleted: a mistake is corrected by another movement.

    Its variant and places are RESTRICT, not PROTECT: deleting a whole campaign takes its ledger with it, while an
    item or a place that has movements cannot be deleted on its own (they are soft-deleted and archived)."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        ISSUED = "issued", _("Issued to a volunteer")
        RETURNED = "returned", _("Returned")
        TRANSFERRED = "transferred", _("Transferred")
        DROPPED = "dropped", _("Left at a door")
        GIVEN = "given", _("Given away")
        WRITTEN_OFF = "written_off", _("Written off")
        ADJUSTED = "adjusted", _("Adjusted")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # No single-column indexes on campaign and variant: the (campaign, created_at) and (variant, created_at) indexes
    # below serve those look-ups, and every movement would otherwise write two more index entries.
    campaign = models.ForeignKey(
        "campaign.Campaign", on_delete=models.CASCADE, related_name="stock_movements", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    variant = models.ForeignKey(Variant, on_delete=models.RESTRICT, related_name="movements", db_index=False)
    from_location = models.ForeignKey(
        Location, on_delete=models.RESTRICT, null=True, blank=True, related_name="movements_out"
    )
    to_location = models.ForeignKey(
        Location, on_delete=models.RESTRICT, null=True, blank=True, related_name="movements_in"
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_cost = models.DecimalField(
        _("unit cost"), max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    expense = models.ForeignKey(
        "fundraising.Expense", on_delete=models.SET_NULL, null=True, blank=True, related_name="stock_receipts"
    )
    visit_code = models.UUIDField(null=True, blank=True, editable=False)
    recipient = models.ForeignKey(
        "campaign.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="stock_received"
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("movement")
        verbose_name_plural = _("movements")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="movement_quantity_positive"),
            models.CheckConstraint(
                condition=Q(from_location__isnull=False) | Q(to_location__isnull=False), name="movement_has_a_place"
            ),
            models.UniqueConstraint(
                fields=["campaign", "visit_code"], condition=Q(visit_code__isnull=False), name="movement_once_per_visit"
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "created_at"], name="movement_time"),
            models.Index(fields=["variant", "created_at"], name="movement_variant"),
            models.Index(fields=["campaign", "kind", "created_at"], name="movement_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} × {self.variant_id}"


class Shortfall(models.Model):
    """A visit logged leaflets left that the canvasser's bag did not hold: for the coordinator to sort out."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="stock_shortfalls")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="shortfalls")
    membership = models.ForeignKey(
        "campaign.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="stock_shortfalls"
    )
    visit_code = models.UUIDField(editable=False)
    wanted = models.PositiveIntegerField(_("left at the door"))
    drawn = models.PositiveIntegerField(_("drawn from the bag"))
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("shortfall")
        verbose_name_plural = _("shortfalls")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "visit_code"], name="shortfall_once_per_visit"),
        ]

    def __str__(self) -> str:
        return f"{self.visit_code}: {self.drawn}/{self.wanted}"

    @property
    def missing(self) -> int:
        return self.wanted - self.drawn
