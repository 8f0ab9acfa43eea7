"""The outbox: every message a campaign sends is a row here before it is sent."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class Message(models.Model):
    """One message to one recipient.

    `dedupe_key` makes enqueueing idempotent: the same reminder for the same signup is one row,
    however often it is scheduled. `topic` groups the messages about one thing (a signup, a shift)
    so they can be withdrawn together when that thing is cancelled.
    """

    MAX_ATTEMPTS = 5

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="messages")
    person = models.ForeignKey(
        "campaign.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    to = models.CharField(_("recipient"), max_length=254)
    template = models.CharField(_("template"), max_length=100)
    context = models.JSONField(default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    topic = models.CharField(max_length=100, blank=True, db_index=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    send_at = models.DateTimeField(_("send at"))
    claimed_by = models.UUIDField(null=True, blank=True, editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-send_at", "-id"]
        indexes = [
            # The sender's question: what is due and not yet settled?
            models.Index(
                fields=["send_at"],
                name="message_due",
                condition=Q(sent_at__isnull=True, failed_at__isnull=True, cancelled_at__isnull=True),
            ),
            models.Index(fields=["campaign", "-send_at"], name="message_campaign_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.to}"

    @property
    def status(self) -> str:
        if self.sent_at:
            return "sent"
        if self.cancelled_at:
            return "withdrawn"
        if self.failed_at:
            return "failed"
        return "queued"

    @property
    def message_id(self) -> str:
        """Stable across retries, so a receiving server can drop a copy sent twice."""
        return f"<{self.code}@groundswell.invalid>"
