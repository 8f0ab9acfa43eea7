"""The coordinator's outbox: what went out, what waits, what failed and why."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.access import CampaignRequest, campaign_role_required
from campaign.models import Role
from notifications import selectors
from notifications.access import access_message
from notifications.labels import template_label
from notifications.services import message_retry

PAGE_SIZE = 50


class CountedPaginator(Paginator):
    """The filter counts are already known, so the paginator need not count again."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


def _status(value: str) -> str:
    return value if value in selectors.STATUS_FILTERS else ""


@campaign_role_required(Role.COORDINATOR)
def outbox(request: CampaignRequest) -> HttpResponse:
    status = _status(request.GET.get("status", ""))
    query = request.GET.get("q", "").strip()[:100]
    counts = selectors.outbox_counts(request.campaign, query=query)
    messages_ = selectors.outbox_messages(request.campaign, status=status, query=query)
    page = CountedPaginator(messages_, PAGE_SIZE, count=counts[status or "all"]).get_page(request.GET.get("page"))
    for item in page:
        item.label = template_label(item.template, item.context)
    return render(
        request,
        "notifications/outbox.html",
        {"page": page, "status": status, "query": query, "counts": counts},
    )


@campaign_role_required(Role.COORDINATOR)
@require_POST
def message_retry_view(request: CampaignRequest, code: UUID) -> HttpResponse:
    message = access_message(request, code)
    try:
        message_retry(message=message, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The message to %(to)s will be sent again shortly.") % {"to": message.to})
    url = reverse("notifications:outbox", kwargs={"campaign_slug": request.campaign.slug})
    status = _status(request.POST.get("status", ""))
    return redirect(f"{url}?status={status}" if status else url)
