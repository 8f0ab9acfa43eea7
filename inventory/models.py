"""Materials from the printer to the doorstep: items and their variants (T-shirt sizes, leaflet editions).

The stock ledger, locations and on-hand quantities are added by the inventory issue (#5).
"""

import uuid

from django.core.validators import MinValueValidator
from django.db import models
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
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        constraints = [models.UniqueConstraint(fields=["item", "label"], name="variant_label_per_item")]

    def __str__(self) -> str:
        return f"{self.item.name} · {self.label}" if self.label else self.item.name
