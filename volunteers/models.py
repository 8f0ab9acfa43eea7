"""Volunteers, their shifts and signups."""

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_scopes import ScopedManager

# Created in the campaign's language when its volunteer settings are first used; then they are its own data.
DEFAULT_SKILLS = [
    gettext_noop("Canvassing"),
    gettext_noop("Leafleting"),
    gettext_noop("Events"),
    gettext_noop("Phone banking"),
    gettext_noop("Driving"),
    gettext_noop("Design"),
    gettext_noop("Translation"),
]


def new_checkin_code() -> str:
    # Short enough to type from a poster; unambiguous letters only.
    return "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class VolunteerSettings(models.Model):
    """How a campaign runs its volunteers: reminders, cancellations, the public form."""

    campaign = models.OneToOneField("campaign.Campaign", on_delete=models.CASCADE, related_name="volunteer_settings")
    signup_open = models.BooleanField(_("public signup form is open"), default=True)
    reminder_hours = models.JSONField(
        _("reminders, hours before a shift"), default=list, help_text=_("For example 24 and 2.")
    )
    cancel_by_hours = models.PositiveSmallIntegerField(
        _("volunteers can cancel until (hours before start)"), default=12, validators=[MaxValueValidator(24 * 14)]
    )
    thank_you = models.BooleanField(_("send a thank-you after each shift"), default=True)
    consent_text = models.TextField(
        _("consent wording on the signup form"),
        blank=True,
        help_text=_("Leave empty for the standard wording."),
    )

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("volunteer settings")
        verbose_name_plural = _("volunteer settings")

    def __str__(self) -> str:
        return f"volunteer settings of {self.campaign_id}"

    def reminder_offsets(self) -> list[int]:
        return sorted({int(h) for h in (self.reminder_hours or [24, 2]) if 0 < int(h) <= 24 * 14}, reverse=True)


class Skill(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="skills")
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="skill_unique_name")]

    def __str__(self) -> str:
        return self.name


class Volunteer(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")

    class Size(models.TextChoices):
        XS = "XS", "XS"
        S = "S", "S"
        M = "M", "M"
        L = "L", "L"
        XL = "XL", "XL"
        XXL = "XXL", "XXL"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="volunteers")
    person = models.OneToOneField("campaign.Person", on_delete=models.CASCADE, related_name="volunteer")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    available_weekdays = models.BooleanField(_("weekdays"), default=False)
    available_evenings = models.BooleanField(_("evenings"), default=False)
    available_weekends = models.BooleanField(_("weekends"), default=False)
    skills = models.ManyToManyField(Skill, through="VolunteerSkill", blank=True, related_name="volunteers")
    tshirt_size = models.CharField(_("T-shirt size"), max_length=4, choices=Size.choices, blank=True)
    source = models.CharField(max_length=20, default="signup")
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        indexes = [models.Index(fields=["campaign", "status"], name="volunteer_status")]

    def __str__(self) -> str:
        return str(self.person)


class VolunteerSkill(models.Model):
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="+")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE)
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["volunteer", "skill"], name="volunteerskill_unique")]

    def __str__(self) -> str:
        return f"{self.volunteer_id}:{self.skill_id}"


class VolunteerNote(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="+")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.body[:40]


class Shift(models.Model):
    class Kind(models.TextChoices):
        CANVASSING = "canvassing", _("Canvassing")
        LEAFLETING = "leafleting", _("Leafleting")
        EVENT = "event", _("Event")
        PHONE_BANK = "phone_bank", _("Phone bank")
        OTHER = "other", _("Other")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="shifts")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CANVASSING)
    title = models.CharField(_("title"), max_length=200)
    location = models.CharField(_("meeting point"), max_length=255)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])
    required_skill = models.ForeignKey(
        Skill, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("required skill")
    )
    notes = models.TextField(_("notes for volunteers"), blank=True)
    published = models.BooleanField(_("show on the public page"), default=False)
    series = models.UUIDField(null=True, blank=True, editable=False, db_index=True)
    checkin_code = models.CharField(max_length=8, default=new_checkin_code, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="shift_capacity_positive"),
        ]
        indexes = [models.Index(fields=["campaign", "starts_at"], name="shift_campaign_start")]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_hours(self) -> Decimal:
        return (Decimal((self.ends_at - self.starts_at).total_seconds()) / Decimal(3600)).quantize(Decimal("0.01"))

    def is_over(self) -> bool:
        return self.ends_at <= timezone.now()


class Signup(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    class Attendance(models.TextChoices):
        UNKNOWN = "", _("Not recorded")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("No-show")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="signups")
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="signups")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance.choices, blank=True, default="")
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2, null=True, blank=True)
    hours_reason = models.CharField(_("reason for the correction"), max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    promoted_at = models.DateTimeField(null=True, blank=True)
    reconfirmed_at = models.DateTimeField(_("confirmed again at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Set by a phone that may send the same signup twice (offline retries): the second is a no-op.
    client_uuid = models.UUIDField(null=True, blank=True, editable=False)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("signup")
        verbose_name_plural = _("signups")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"],
                condition=~Q(status="cancelled"),
                name="signup_one_active_per_volunteer",
            ),
            models.UniqueConstraint(fields=["campaign", "client_uuid"], name="signup_client_uuid_once"),
        ]
        indexes = [models.Index(fields=["shift", "status", "created_at"], name="signup_shift_queue")]

    def __str__(self) -> str:
        return f"{self.volunteer_id} → {self.shift_id} ({self.status})"

    def counted_hours(self) -> Decimal:
        """Hours come from attendance; a coordinator's correction wins."""
        if self.hours is not None:
            return self.hours
        return self.shift.duration_hours if self.attendance == self.Attendance.ATTENDED else Decimal(0)
