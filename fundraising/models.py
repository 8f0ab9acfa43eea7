"""Money in and out: donations (with refunds and corrections as new entries), pledges, expenses,
the limits the law sets, gapless receipt numbers and the campaign's goal.

Money is Decimal with two places in the campaign's currency, end to end; nothing is a float.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

MONEY = {"max_digits": 12, "decimal_places": 2}
CENT = Decimal("0.01")


class FundraisingSettings(models.Model):
    """The limits of the campaign's jurisdiction and who may see the money."""

    class OverLimit(models.TextChoices):
        REFUSE = "refuse", _("Refuse the donation")
        HOLD = "hold", _("Record it, held for review")

    campaign = models.OneToOneField("campaign.Campaign", on_delete=models.CASCADE, related_name="fundraising_settings")
    per_donor_cap = models.DecimalField(
        _("cap per donor for this election"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(CENT)],
        help_text=_("Every donation of one donor counts, in kind and merchandise included. Empty: no cap."),
    )
    anonymous_cap = models.DecimalField(
        _("cap per anonymous donation"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("0 refuses anonymous donations. Empty: no cap."),
    )
    cash_cap = models.DecimalField(
        _("cap per cash donation"), **MONEY, null=True, blank=True, validators=[MinValueValidator(CENT)]
    )
    disclosure_threshold = models.DecimalField(
        _("disclose donors who gave more than"), **MONEY, null=True, blank=True, validators=[MinValueValidator(CENT)]
    )
    near_cap_share = models.PositiveSmallIntegerField(
        _("warn when a donor reaches this share of the cap (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    forbidden_categories = models.JSONField(
        _("donor categories not allowed"),
        default=list,
        blank=True,
        help_text=_("For example: foreign donor, company, government contractor."),
    )
    over_limit = models.CharField(
        _("a donation over a limit is"), max_length=10, choices=OverLimit.choices, default=OverLimit.REFUSE
    )
    goal_amount = models.DecimalField(
        _("fundraising goal"), **MONEY, null=True, blank=True, validators=[MinValueValidator(CENT)]
    )
    goal_deadline = models.DateField(_("goal deadline"), null=True, blank=True)
    show_thermometer = models.BooleanField(_("show progress on the public page"), default=False)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("fundraising settings")
        verbose_name_plural = _("fundraising settings")

    def __str__(self) -> str:
        return f"fundraising settings of {self.campaign_id}"


class FundraisingGrant(models.Model):
    """A volunteer the owner lets see fundraising (coordinators and owners always do)."""

    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField("campaign.Membership", on_delete=models.CASCADE, related_name="fundraising_grant")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(campaign="campaign")

    def __str__(self) -> str:
        return f"grant {self.membership_id}"


class ReceiptCounter(models.Model):
    """The last receipt number issued. Locked while a number is taken, so numbers have no gaps."""

    campaign = models.OneToOneField("campaign.Campaign", on_delete=models.CASCADE, related_name="receipt_counter")
    last_number = models.PositiveIntegerField(default=0)

    objects = ScopedManager(campaign="campaign")

    def __str__(self) -> str:
        return f"receipts of {self.campaign_id}: {self.last_number}"


class Pledge(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FULFILLED = "fulfilled", _("Fulfilled")
        CANCELLED = "cancelled", _("Cancelled")

    class Recurrence(models.TextChoices):
        NONE = "", _("Once")
        MONTHLY = "monthly", _("Monthly")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="pledges")
    donor = models.ForeignKey(
        "campaign.Person", on_delete=models.PROTECT, related_name="pledges", verbose_name=_("donor")
    )
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(CENT)])
    due_on = models.DateField(_("due on"))
    recurrence = models.CharField(_("repeats"), max_length=10, choices=Recurrence.choices, blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["due_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_amount_positive")]

    def __str__(self) -> str:
        return f"{self.donor_id}: {self.amount}"


class Donation(models.Model):
    """One entry of the donations ledger. A refund or a correction is a new entry pointing at the
    original; nothing is edited away. Refunds carry a negative amount, so sums are plain sums."""

    class Kind(models.TextChoices):
        DONATION = "donation", _("Donation")
        REFUND = "refund", _("Refund")
        CORRECTION = "correction", _("Correction")

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        MOBILE = "mobile", _("Mobile payment")
        CHEQUE = "cheque", _("Cheque")
        ONLINE = "online", _("Online processor")
        IN_KIND = "in_kind", _("In kind")

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        HELD = "held", _("Held for review")
        REJECTED = "rejected", _("Rejected")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="donations")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.DONATION)
    original = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adjustments",
        verbose_name=_("original donation"),
    )
    donor = models.ForeignKey(
        "campaign.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
        verbose_name=_("donor"),
    )
    donor_category = models.CharField(_("donor category"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    received_on = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    in_kind_description = models.CharField(_("what was given"), max_length=255, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    appeal = models.CharField(_("event or appeal"), max_length=150, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    pledge = models.ForeignKey(Pledge, on_delete=models.SET_NULL, null=True, blank=True, related_name="payments")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    review_reason = models.CharField(_("why it is held"), max_length=255, blank=True)
    receipt_number = models.PositiveIntegerField(_("receipt number"), null=True, blank=True)
    receipt_issued_at = models.DateTimeField(null=True, blank=True)
    receipt_copies = models.PositiveSmallIntegerField(default=0)
    client_uuid = models.UUIDField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "receipt_number"], name="donation_receipt_number_once"),
            models.UniqueConstraint(fields=["campaign", "client_uuid"], name="donation_client_uuid_once"),
            models.CheckConstraint(
                condition=Q(kind="donation", amount__gt=0, original__isnull=True)
                | Q(kind="refund", amount__lt=0, original__isnull=False)
                | Q(kind="correction", original__isnull=False),
                name="donation_amount_sign_by_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "donor"], name="donation_campaign_donor"),
            models.Index(fields=["campaign", "received_on"], name="donation_campaign_date"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"


class Expense(models.Model):
    class Category(models.TextChoices):
        PRINTING = "printing", _("Printing")
        TSHIRTS = "tshirts", _("T-shirts")
        VENUE = "venue", _("Venue")
        TRANSPORT = "transport", _("Transport")
        ONLINE = "online", _("Online")
        OTHER = "other", _("Other")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="expenses")
    spent_on = models.DateField(_("date"))
    payee = models.CharField(_("paid to"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(CENT)])
    currency = models.CharField(_("currency"), max_length=3)
    description = models.CharField(_("what for"), max_length=255, blank=True)
    receipt_file = models.FileField(_("receipt"), upload_to="expenses/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-spent_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_positive")]

    def __str__(self) -> str:
        return f"{self.payee}: {self.amount}"
