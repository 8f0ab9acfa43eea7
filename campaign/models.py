"""The tenant (Campaign) and what every other app hangs off it."""

import datetime as dt
import hashlib
import secrets
import uuid
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager
from phonenumber_field.modelfields import PhoneNumberField


def time_zone_choices() -> list[tuple[str, str]]:
    # Not model choices: the list follows the machine's tz database and must not reach migrations.
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(value)s"), params={"value": value})


CURRENCY_CHOICES = [
    ("CNY", _("Chinese yuan (CNY)")),
    ("HKD", _("Hong Kong dollar (HKD)")),
    ("TWD", _("New Taiwan dollar (TWD)")),
    ("SGD", _("Singapore dollar (SGD)")),
    ("MOP", _("Macanese pataca (MOP)")),
    ("USD", _("US dollar (USD)")),
    ("EUR", _("Euro (EUR)")),
    ("GBP", _("Pound sterling (GBP)")),
    ("CAD", _("Canadian dollar (CAD)")),
    ("AUD", _("Australian dollar (AUD)")),
]
slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    _("Use 1–50 lowercase letters, digits and hyphens; no hyphen at either end."),
)


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    COORDINATOR = "coordinator", _("Coordinator")
    VOLUNTEER = "volunteer", _("Volunteer")

    @property
    def rank(self) -> int:
        return {Role.VOLUNTEER: 1, Role.COORDINATOR: 2, Role.OWNER: 3}[self]


class Campaign(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(
        _("short name"),
        max_length=50,
        unique=True,
        validators=[slug_validator],
        help_text=_("Used in addresses, e.g. /c/your-name/. Lowercase letters, digits, hyphens."),
    )
    name = models.CharField(_("campaign name"), max_length=200)
    candidate_name = models.CharField(_("candidate"), max_length=200)
    office = models.CharField(_("office sought"), max_length=200)
    district = models.CharField(_("district"), max_length=200, blank=True)
    election_date = models.DateField(_("election date"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Hong_Kong", validators=[validate_time_zone]
    )
    language = models.CharField(_("default language"), max_length=10, choices=settings.LANGUAGES, default="en")
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="HKD")
    description = models.TextField(_("public description"), blank=True)
    slogan = models.CharField(_("slogan"), max_length=200, blank=True)
    sms_quiet_start = models.TimeField(
        _("no text messages after"),
        null=True,
        blank=True,
        default=dt.time(21, 0),
        help_text=_("Text messages due in the quiet hours wait until they end. Leave both empty to allow any time."),
    )
    sms_quiet_end = models.TimeField(_("text messages again from"), null=True, blank=True, default=dt.time(8, 0))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def days_to_election(self) -> int:
        return (self.election_date - timezone.localdate(timezone=self.tzinfo)).days


class Membership(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VOLUNTEER)
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="membership_one_per_user")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.campaign_id} ({self.role})"

    @property
    def rank(self) -> int:
        return Role(self.role).rank

    def has_role(self, role: Role) -> bool:
        """At least this role: an owner may do everything a coordinator may."""
        return self.rank >= role.rank


class Invitation(models.Model):
    LIFETIME = timedelta(days=7)

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VOLUNTEER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address and campaign; a revoked or used one does not count.
            models.UniqueConstraint(
                fields=["campaign", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            )
        ]

    def __str__(self) -> str:
        return self.email

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired()

    @property
    def status(self) -> str:
        if self.accepted_at:
            return str(_("accepted"))
        if self.revoked_at:
            return str(_("withdrawn"))
        if self.is_expired():
            return str(_("expired"))
        return str(pgettext_lazy("invitation status", "open"))


class Tag(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=60)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["campaign", "name"], name="tag_unique_name")]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A campaign's contact. Volunteers, donors, residents and signers link here."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="people")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="people"
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = PhoneNumberField(_("phone"), blank=True, help_text=_("With country code, e.g. +852 9123 4567."))
    address_line = models.CharField(_("address"), max_length=255, blank=True)
    neighbourhood = models.CharField(_("neighbourhood"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)
    consent_email = models.BooleanField(_("agrees to email"), default=False)
    consent_sms = models.BooleanField(_("agrees to text messages"), default=False)
    consent_recorded_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    consent_wording = models.TextField(_("consent wording"), blank=True)
    tags = models.ManyToManyField(Tag, through="PersonTag", blank=True, related_name="people")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(fields=["campaign", "email"], name="person_email"),
            # Matching a returning volunteer ignores case: email__iexact compares UPPER(email).
            models.Index(F("campaign"), Upper("email"), name="person_email_ci"),
            models.Index(fields=["campaign", "phone"], name="person_phone"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        # Chinese names read family name first with no space; Latin ones given name first.
        if self.family_name and self.given_name and (self.family_name + self.given_name).isascii():
            return f"{self.given_name} {self.family_name}"
        return f"{self.family_name}{self.given_name}"


class PersonTag(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "tag"], name="persontag_unique")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.tag_id}"


class AuditEvent(models.Model):
    """Who did what, when. Never the sensitive values themselves."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100, blank=True)
    object_code = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["campaign", "-created_at", "-id"], name="auditevent_campaign_recent")]

    def __str__(self) -> str:
        return self.action


class ApiToken(models.Model):
    """A personal API token: bound to one membership, so to one campaign and one role."""

    PREFIX = "gsw_"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="api_tokens")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def new_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class Job(models.Model):
    """Long work (an import, cutting turfs) running in the background, with progress a page can poll.

    Live progress goes through the cache (shared by web and worker when Redis is configured); the row
    holds the state that must survive: who started it, how it ended, its result.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=50)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    return_url = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
