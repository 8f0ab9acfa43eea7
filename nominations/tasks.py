from celery import shared_task
from django_scopes import scopes_disabled

from campaign.models import Campaign
from nominations.models import Drive
from nominations.reminders import behind_pace_remind


@shared_task(name="nominations.tasks.drives_remind_behind_pace", ignore_result=True)
def drives_remind_behind_pace() -> int:
    """Beat runs this every hour; each coordinator gets at most one reminder per drive per day
    (dedupe key), so an hourly run only catches drives that fell behind since."""
    with scopes_disabled():  # the beat task spans campaigns, on purpose
        campaign_ids = list(
            Drive.objects.filter(status=Drive.Status.OPEN).values_list("campaign_id", flat=True).distinct()
        )
        campaigns = list(Campaign.objects.filter(pk__in=campaign_ids))
    return sum(behind_pace_remind(campaign=campaign) for campaign in campaigns)
