"""Writes of the reports app: the campaign's digest hour, a member's own preferences, export records."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from campaign.audit import log_action
from campaign.models import Campaign, Membership
from reports.models import DEFAULT_DIGEST_HOUR, MemberPreferences, ReportsSettings


def settings_of(campaign: Campaign) -> ReportsSettings:
    """The campaign's settings without writing anything: unsaved defaults when there are none yet."""
    return ReportsSettings.objects.filter(campaign=campaign).first() or ReportsSettings(
        campaign=campaign, digest_hour=DEFAULT_DIGEST_HOUR
    )


def preferences_of(membership: Membership) -> MemberPreferences:
    return MemberPreferences.objects.filter(membership=membership).first() or MemberPreferences(
        campaign_id=membership.campaign_id, membership=membership
    )


@transaction.atomic
def reports_settings_update(*, campaign: Campaign, acting_user: User, digest_hour: Any) -> ReportsSettings:
    try:
        hour = int(digest_hour)
    except (TypeError, ValueError):
        hour = -1
    if not 0 <= hour <= 23:
        raise ValidationError({"digest_hour": _("Choose an hour from 0 to 23.")})
    current, _created = ReportsSettings.objects.select_for_update().get_or_create(campaign=campaign)
    before = current.digest_hour
    current.digest_hour = hour
    current.save(update_fields=["digest_hour"])
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="reports.settings.updated",
        data={"digest_hour": [before, hour]},
    )
    return current


@transaction.atomic
def preferences_update(
    *,
    membership: Membership,
    acting_user: User,
    digest_enabled: bool,
    leaderboard_opt_in: bool,
    leaderboard_name: str,
) -> MemberPreferences:
    """Only the member changes their own choices. Appearing on the leaderboard needs a name to appear under:
    nobody is listed under their real name unless they typed it."""
    if acting_user.pk != membership.user_id:
        raise ValidationError(_("Only the member can change their own preferences."))
    name = " ".join((leaderboard_name or "").split())
    if len(name) > 40:
        raise ValidationError({"leaderboard_name": _("Use at most 40 characters.")})
    if leaderboard_opt_in and not name:
        raise ValidationError({"leaderboard_name": _("Choose the name the leaderboard shows for you.")})
    prefs, _created = MemberPreferences.objects.select_for_update().get_or_create(
        membership=membership, defaults={"campaign_id": membership.campaign_id}
    )
    prefs.digest_enabled = bool(digest_enabled)
    prefs.leaderboard_opt_in = bool(leaderboard_opt_in)
    prefs.leaderboard_name = name
    prefs.save(update_fields=["digest_enabled", "leaderboard_opt_in", "leaderboard_name", "updated_at"])
    log_action(
        campaign=membership.campaign,
        actor=acting_user,
        action="reports.preferences.updated",
        target=membership,
        # The chosen name is the member's own words: not copied into the audit log.
        data={"digest_enabled": prefs.digest_enabled, "leaderboard_opt_in": prefs.leaderboard_opt_in},
    )
    return prefs


def export_record(*, campaign: Campaign, acting_user: User, panel: str, days: int, rows: int) -> None:
    """Recorded before the file is sent: which panel, which period, how many rows."""
    log_action(
        campaign=campaign,
        actor=acting_user,
        action="reports.export",
        data={"panel": panel, "period_days": days, "rows": rows},
    )
