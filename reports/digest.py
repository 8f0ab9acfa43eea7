"""The daily digest: yesterday's numbers and what needs attention, emailed to coordinators and owners.

Beat runs `digest_enqueue_due` every 15 minutes. A campaign is due once its local clock has passed its
digest hour (ReportsSettings.digest_hour, in the campaign's time zone); each coordinator or owner who has
not turned the digest off gets one outbox message, keyed by campaign, member and local date, so however
often the task runs (or on how many workers) the digest goes once a day. The numbers are computed once
per campaign, and only when someone is still waiting for today's digest. Each message is rendered in
the recipient's language (their account's, else the campaign's) when it is sent.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from campaign.models import Campaign, Membership
from canvassing.models import Visit
from notifications.models import Channel, Message
from notifications.services import message_enqueue
from reports import selectors
from reports.dashboard import as_json
from reports.models import DEFAULT_DIGEST_HOUR, ReportsSettings

DIGEST = "reports/digest"
UNDERFILLED_DAYS = 2
LISTED = 5


def digest_key(campaign: Campaign, membership: Membership, day: dt.date) -> str:
    return f"reports:digest:{campaign.pk}:{membership.pk}:{day.isoformat()}"


def _url(name: str, campaign: Campaign) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs={"campaign_slug": campaign.slug})


def _local(value: dt.datetime, campaign: Campaign) -> str:
    return timezone.localtime(value, campaign.tzinfo).strftime("%Y-%m-%d %H:%M")


def digest_content(campaign: Campaign, *, today: dt.date, now: dt.datetime | None = None) -> dict[str, Any]:
    """Yesterday's numbers and the list of what needs attention, as JSON-able values."""
    now = now or timezone.now()
    yesterday = selectors.yesterday_numbers(campaign, today=today)
    flagged = Visit.objects.filter(campaign=campaign, needs_review=True).count()
    low, low_count = selectors.low_stock(campaign, limit=LISTED)
    drives = [d for d in selectors.drive_progress(campaign, today=today) if d["behind"]]
    underfilled = [
        s for s in selectors.upcoming_shifts(campaign, days=UNDERFILLED_DAYS, now=now) if s["filled"] < s["capacity"]
    ]
    pledges = selectors.pledges_due(campaign, today)
    attention = {
        "flagged_visits": flagged,
        "low_stock": [{"name": row["name"], "on_hand": row["on_hand"]} for row in low],
        "low_stock_count": low_count,
        "pledges_due": pledges,
        "drives_behind": [
            {
                "office": d["office"],
                "valid": d["valid"],
                "required": d["required"],
                "pace": d["pace"],
                "need_per_day": d["need_per_day"],
                "deadline": d["deadline"],
            }
            for d in drives[:LISTED]
        ],
        "underfilled_shifts": [
            {
                "title": s["title"],
                "starts": _local(s["starts_at"], campaign),
                "filled": s["filled"],
                "capacity": s["capacity"],
            }
            for s in underfilled[:LISTED]
        ],
        "underfilled_count": len(underfilled),
    }
    attention["anything"] = bool(flagged or low_count or pledges or drives or underfilled)
    return as_json({"yesterday": yesterday, "attention": attention})


def _recipients(campaign: Campaign) -> list[Membership]:
    return [
        m
        for m in selectors.coordinators(campaign)
        if m.user.email and m.user.is_active and getattr(_prefs(m), "digest_enabled", True)
    ]


def _prefs(membership: Membership) -> Any:
    try:
        return membership.report_prefs
    except Membership.report_prefs.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return None


def digest_enqueue_campaign(campaign: Campaign, *, now: dt.datetime) -> int:
    """Today's digest for each recipient of one campaign who has not had it yet. Returns how many were queued."""
    today = selectors.local_today(campaign, now)
    recipients = _recipients(campaign)
    keys = {m.pk: digest_key(campaign, m, today) for m in recipients}
    done = set(Message.objects.filter(dedupe_key__in=list(keys.values())).values_list("dedupe_key", flat=True))
    waiting = [m for m in recipients if keys[m.pk] not in done]
    if not waiting:
        return 0
    content = digest_content(campaign, today=today, now=now)
    links = {
        "dashboard_url": _url("reports:dashboard", campaign),
        "preferences_url": _url("reports:preferences", campaign),
    }
    queued = 0
    for membership in waiting:
        message = message_enqueue(
            campaign=campaign,
            channel=Channel.EMAIL,
            template=DIGEST,
            to=membership.user.email,
            dedupe_key=keys[membership.pk],
            context={**content, **links, "recipient": membership.user.get_short_name()},
            language=membership.user.language or campaign.language,
            topic=f"digest:{today.isoformat()}",
        )
        queued += message is not None
    return queued


def digest_enqueue_due(*, now: dt.datetime | None = None) -> int:
    """Every campaign whose local time has passed its digest hour today. Spans campaigns, on purpose."""
    now = now or timezone.now()
    with scopes_disabled():
        hours = dict(ReportsSettings.objects.values_list("campaign_id", "digest_hour"))
        campaigns = list(Campaign.objects.all().order_by("pk"))
    queued = 0
    for campaign in campaigns:
        local = timezone.localtime(now, campaign.tzinfo)
        if local.hour < hours.get(campaign.pk, DEFAULT_DIGEST_HOUR):
            continue
        with scope(campaign=campaign.pk):
            queued += digest_enqueue_campaign(campaign, now=now)
    return queued
