"""Reads for the coordinator's outbox page."""

from django.db.models import Count, Q, QuerySet

from campaign.models import Campaign
from notifications.models import Message

# The page's filters, each the same condition as Message.status.
STATUS_FILTERS: dict[str, Q] = {
    "queued": Q(sent_at=None, cancelled_at=None, failed_at=None),
    "sent": Q(sent_at__isnull=False),
    "failed": Q(sent_at=None, cancelled_at=None, failed_at__isnull=False),
    "withdrawn": Q(sent_at=None, cancelled_at__isnull=False),
}


def outbox_messages(campaign: Campaign, *, status: str = "", query: str = "") -> QuerySet[Message]:
    messages = Message.objects.filter(campaign=campaign).select_related("person")
    if query:
        messages = messages.filter(
            Q(to__icontains=query) | Q(person__given_name__icontains=query) | Q(person__family_name__icontains=query)
        )
    if status in STATUS_FILTERS:
        messages = messages.filter(STATUS_FILTERS[status])
    if status == "queued":
        return messages.order_by("send_at", "id")  # what goes out next, first
    if status == "sent":
        return messages.order_by("-sent_at", "-id")
    return messages.order_by("-send_at", "-id")


def outbox_counts(campaign: Campaign, *, query: str = "") -> dict[str, int]:
    """How many messages each filter holds, in one query."""
    messages = outbox_messages(campaign, query=query).order_by()
    counts = messages.aggregate(
        all=Count("id"), **{name: Count("id", filter=condition) for name, condition in STATUS_FILTERS.items()}
    )
    return {name: value or 0 for name, value in counts.items()}
