"""Behind-pace reminders: one email per coordinator per drive per day through the outbox, when the
likely-valid signatures are below the straight line from nothing on the opening day to the target
(required plus margin) on the deadline."""

from django.conf import settings
from django.urls import reverse
from django_scopes import scope

from campaign.models import Campaign, Membership, Role
from nominations import selectors, services
from nominations.models import Drive
from notifications.models import Channel
from notifications.services import message_enqueue

BEHIND_PACE = "nominations/behind_pace"


def behind_pace_remind(*, campaign: Campaign) -> int:
    """Enqueue today's reminders for the campaign's open drives that are behind; returns how many.
    The dedupe key names the drive, the coordinator and the day, so running it again changes nothing."""
    today = services.today_for(campaign)
    sent = 0
    with scope(campaign=campaign.pk):
        drives = [
            selectors.progress_of_annotated(d, today=today)
            for d in selectors.drives_with_counts(campaign).filter(
                status=Drive.Status.OPEN, opens_on__lte=today, deadline__gte=today
            )
        ]
        behind = [p for p in drives if p.behind and p.remaining > 0]
        if not behind:
            return 0
        coordinators = list(
            Membership.objects.filter(campaign=campaign, role__in=[Role.COORDINATOR, Role.OWNER]).select_related("user")
        )
        for progress in behind:
            drive = progress.drive
            url = settings.SITE_URL.rstrip("/") + reverse(
                "nominations:drive_detail", kwargs={"campaign_slug": campaign.slug, "code": drive.code}
            )
            context = {"office": drive.office, "area_key": drive.area_key, "url": url, **progress.as_dict()}
            for membership in coordinators:
                if not membership.user.email:
                    continue
                message = message_enqueue(
                    campaign=campaign,
                    channel=Channel.EMAIL,
                    template=BEHIND_PACE,
                    to=membership.user.email,
                    language=membership.user.language or campaign.language,
                    dedupe_key=f"nominations:behind:{drive.code}:{membership.code}:{today.isoformat()}",
                    context=context,
                )
                sent += message is not None
    return sent
