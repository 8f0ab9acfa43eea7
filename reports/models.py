"""What the reports remember: a campaign's digest hour and each member's own choices.

Kept here (not as fields on Campaign or Membership) so the older apps' tables and migrations stay as
they are. Both rows are optional: with none, the defaults below hold.
"""

from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

DEFAULT_DIGEST_HOUR = 7


class ReportsSettings(models.Model):
    campaign = models.OneToOneField("campaign.Campaign", on_delete=models.CASCADE, related_name="reports_settings")
    digest_hour = models.PositiveSmallIntegerField(
        _("daily digest is sent at (hour)"),
        default=DEFAULT_DIGEST_HOUR,
        validators=[MaxValueValidator(23)],
        help_text=_("In the campaign's time zone, 0–23. Coordinators get yesterday's numbers by email then."),
    )

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("reports settings")
        verbose_name_plural = _("reports settings")

    def __str__(self) -> str:
        return f"reports settings of {self.campaign_id}"


class MemberPreferences(models.Model):
    """One member's choices: the daily digest (coordinators and owners) and the leaderboard (everyone)."""

    campaign = models.ForeignKey("campaign.Campaign", on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField("campaign.Membership", on_delete=models.CASCADE, related_name="report_prefs")
    digest_enabled = models.BooleanField(_("send me the daily digest"), default=True)
    leaderboard_opt_in = models.BooleanField(_("show me on the leaderboard"), default=False)
    leaderboard_name = models.CharField(
        _("name on the leaderboard"),
        max_length=40,
        blank=True,
        validators=[MaxLengthValidator(40)],
        help_text=_("What the other volunteers see. A nickname is fine."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(campaign="campaign")

    class Meta:
        verbose_name = _("member preferences")
        verbose_name_plural = _("member preferences")
        indexes = [models.Index(fields=["campaign", "leaderboard_opt_in"], name="prefs_leaderboard")]

    def __str__(self) -> str:
        return f"preferences of {self.membership_id}"
