"""Nominating-paper drives: numbered sheets, the signatures on them, and what puts each one at risk.

A drive is for an area *key* (the election authority's code), not an Area row: areas belong to one
map version, and a drive must survive the map being re-versioned. Whether a signer lives in the area
is always checked against the household's area in the current map version (`Household.area`).

ID fragments (the last characters of the signer's ID number) are never stored: only a keyed HMAC
(equal fragments give equal hashes within a campaign, so duplicates can be found) and the last
character, for a masked display such as "•••(4)".
"""

import math
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class Drive(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Collecting")
        CLOSED = "closed", _("Closed")
        FILED = "filed", _("Filed")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="nomination_drives")
    office = models.CharField(_("office"), max_length=200)
    area_key = models.CharField(
        _("area code"),
        max_length=50,
        help_text=_("The election authority's code of the area; it stays the same when the map is re-versioned."),
    )
    required = models.PositiveIntegerField(
        _("valid signatures required"), validators=[MinValueValidator(1), MaxValueValidator(1_000_000)]
    )
    margin_percent = models.PositiveSmallIntegerField(
        _("safety margin (%)"),
        default=50,
        validators=[MaxValueValidator(500)],
        help_text=_("Collect this much more than required, for signatures that will be struck."),
    )
    opens_on = models.DateField(_("collection opens"))
    deadline = models.DateField(_("filing deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    # Eligibility rules, each switchable per drive.
    check_area = models.BooleanField(_("signer must live in the area"), default=True)
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Checked against the signer's year of birth, which then becomes a required field."),
    )
    check_duplicates = models.BooleanField(_("one signature per person"), default=True)
    require_id_fragment = models.BooleanField(_("ID number last digits required"), default=False)
    id_fragment_length = models.PositiveSmallIntegerField(
        _("ID characters asked for"),
        default=4,
        validators=[MinValueValidator(2), MaxValueValidator(8)],
        help_text=_("How many of the last characters of the ID number are written down, e.g. 4 for 123(4)."),
    )
    require_address = models.BooleanField(_("address required"), default=True)
    window_days = models.PositiveSmallIntegerField(
        _("signatures valid for (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("A signature dated more than this many days before the filing deadline does not count."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("nomination drive")
        verbose_name_plural = _("nomination drives")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(deadline__gte=F("opens_on")), name="drive_deadline_after_open"),
        ]

    def __str__(self) -> str:
        return f"{self.office} ({self.area_key})"

    @property
    def target(self) -> int:
        """Required plus the margin: what the campaign wants to have before filing."""
        return math.ceil(self.required * (100 + self.margin_percent) / 100)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Sheet(models.Model):
    class Status(models.TextChoices):
        AVAILABLE = "available", _("Not handed out")
        CHECKED_OUT = "checked_out", _("Checked out")
        RETURNED = "returned", _("Returned")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="+")
    drive = models.ForeignKey(Drive, on_delete=models.CASCADE, related_name="sheets")
    number = models.PositiveIntegerField(_("sheet number"), validators=[MinValueValidator(1)])
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.AVAILABLE)
    # Who has it now (while checked out) and who collected its signatures (kept after it is returned).
    checked_out_to = models.ForeignKey(
        "campaign.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    collector = models.ForeignKey(
        "campaign.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_out_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField(_("where collected"), max_length=200, blank=True)
    collected_on = models.DateField(_("when collected"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("sheet")
        verbose_name_plural = _("sheets")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["drive", "number"], name="sheet_number_per_drive")]
        indexes = [models.Index(fields=["campaign", "checked_out_to"], name="sheet_holder")]

    def __str__(self) -> str:
        return f"#{self.number}"


class Recheck(models.Model):
    """One re-validation of every signature of the open drives (after the map was re-versioned)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="+")
    ran_at = models.DateTimeField(default=timezone.now)
    ran_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    checked = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    fell_out = models.PositiveIntegerField(default=0)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return f"recheck {self.ran_at:%Y-%m-%d %H:%M}"


class Risk(models.TextChoices):
    OUT_OF_AREA = "out_of_area", _("Lives outside the area (current map)")
    NO_HOUSEHOLD = "no_household", _("Address not matched to a household: the area cannot be checked")
    DUPLICATE = "duplicate", _("Probably the same person as another signature")
    MISSING_ADDRESS = "missing_address", _("No address")
    MISSING_ID = "missing_id", _("No ID number digits")
    MISSING_BIRTH_YEAR = "missing_birth_year", _("No year of birth: age cannot be checked")
    TOO_YOUNG = "too_young", _("Under the minimum age")
    MAYBE_TOO_YOUNG = "maybe_too_young", _("May be under the minimum age (turns it in the deadline year)")
    OUTSIDE_WINDOW = "outside_window", _("Dated outside the window that counts for filing")


class Signature(models.Model):
    class Status(models.TextChoices):
        LIKELY_VALID = "likely_valid", _("Likely valid")
        AT_RISK = "at_risk", _("At risk")
        STRUCK = "struck", _("Struck")

    class Review(models.TextChoices):
        NONE = "", _("Not reviewed")
        VALID = "valid", _("Marked valid")
        STRUCK = "struck", _("Struck")

    class Source(models.TextChoices):
        SHEET = "sheet", _("Paper sheet")
        DOOR = "door", _("Signed on a phone at the door")

    code = models.UUIDField(default=uuid.uuid4, unique=True)  # may come from the phone: a retry is recognised
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="+")
    drive = models.ForeignKey(Drive, on_delete=models.CASCADE, related_name="signatures")
    sheet = models.ForeignKey(Sheet, on_delete=models.PROTECT, null=True, blank=True, related_name="signatures")
    line = models.PositiveSmallIntegerField(_("line"), null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SHEET)
    full_name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False)  # nominations.validation.name_key
    household = models.ForeignKey(
        "canvassing.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    address_text = models.CharField(_("address as written"), max_length=300, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    id_hash = models.CharField(max_length=64, blank=True, editable=False)
    id_last = models.CharField(max_length=1, blank=True, editable=False)
    signed_on = models.DateField(_("date signed"))
    signature_png = models.BinaryField(null=True, blank=True, editable=False)  # drawn at the door; private
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.LIKELY_VALID)
    risks = models.JSONField(default=list, blank=True)
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    review = models.CharField(max_length=10, choices=Review.choices, blank=True, default="")
    review_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # The risks a coordinator saw when marking it valid: a new risk later (a re-versioned map) re-opens it.
    reviewed_risks = models.JSONField(default=list, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    fell_out_in = models.ForeignKey(Recheck, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    collected_by = models.ForeignKey(
        "campaign.Membership", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(campaign="campaign")

    # Not a column: signature_add sets it when the same client code came again and nothing new was saved.
    replayed = False

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["sheet__number", "line", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "line"], name="signature_line_per_sheet"),
        ]
        indexes = [
            # Duplicate detection: similar names at one household, and the same name with the same ID digits.
            models.Index(fields=["drive", "household"], name="signature_household"),
            models.Index(fields=["drive", "name_key"], name="signature_name"),
            models.Index(fields=["drive", "status"], name="signature_status"),
            models.Index(fields=["campaign", "fell_out_in"], name="signature_fell_out"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def id_masked(self) -> str:
        if not self.id_hash:
            return ""
        length = self.drive.id_fragment_length if self.drive_id else 4
        return "•" * (length - 1) + f"({self.id_last})"

    def risk_labels(self) -> list[str]:
        labels = dict(Risk.choices)
        return [str(labels.get(code, code)) for code in self.risks]

    @property
    def address(self) -> str:
        return self.household.address if self.household_id and self.household else self.address_text
