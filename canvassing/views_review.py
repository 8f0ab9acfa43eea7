"""The coordinators' review queue under /c/<slug>/canvassing/review/: visits the visit service flagged
(logged too fast after the canvasser's previous one, or far from the household), filtered by flag,
turf, volunteer and day, each accepted or discarded; and the turfs whose contact rate is implausible."""

import datetime as dt
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.access import CampaignRequest, campaign_role_required
from campaign.models import Membership, Role
from canvassing import selectors_progress as progress
from canvassing.access import support_visible
from canvassing.models import Turf, Visit
from canvassing.services_review import Decision, visit_review

PAGE_SIZE = 50


def _uuid(raw: str | None) -> UUID | None:
    try:
        return UUID(raw) if raw else None
    except ValueError:
        return None


def access_visit_for_review(request: CampaignRequest, code: UUID) -> Visit:
    """A visit of the current campaign (coordinators only: the decorator checks the role)."""
    return get_object_or_404(Visit, campaign=request.campaign, code=code)


@campaign_role_required(Role.COORDINATOR)
def queue(request: CampaignRequest) -> HttpResponse:
    campaign = request.campaign
    flag = request.GET.get("flag", "")
    flag = flag if flag in Visit.Flag.values else ""
    turf_code, member_code = _uuid(request.GET.get("turf")), _uuid(request.GET.get("volunteer"))
    turf = Turf.objects.filter(campaign=campaign, code=turf_code).first() if turf_code else None
    member = (
        Membership.objects.filter(campaign=campaign, code=member_code).select_related("user").first()
        if member_code
        else None
    )
    try:
        day = dt.date.fromisoformat(request.GET["day"]) if request.GET.get("day") else None
    except ValueError:
        day = None
    visits = progress.review_queue(campaign=campaign, flag=flag, turf=turf, canvasser=member, day=day)
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    waiting = Visit.objects.filter(campaign=campaign, needs_review=True, discarded_at__isnull=True).order_by()
    filters = {
        "flag": flag,
        "turf": str(turf.code) if turf else "",
        "volunteer": str(member.code) if member else "",
        "day": day.isoformat() if day else "",
    }
    query = urlencode({key: value for key, value in filters.items() if value})
    return render(
        request,
        "canvassing/review/queue.html",
        {
            "section": "review",
            "page": page,
            "flags": Visit.Flag.choices,
            "filters": filters,
            "query": query,
            "here": request.get_full_path(),
            # Only the turfs and members with a visit waiting: the choices stay short on a large campaign.
            "turf_choices": Turf.objects.filter(pk__in=waiting.values("turf_id")).order_by("name"),
            "member_choices": progress.canvassers(campaign, ids=None).filter(pk__in=waiting.values("canvasser_id")),
            "implausible": progress.implausible_turfs(campaign=campaign),
            "definitions": progress.DEFINITIONS,
            "flag_labels": dict(Visit.Flag.choices),
            "show_support": support_visible(request.membership),
        },
    )


@require_POST
@campaign_role_required(Role.COORDINATOR)
def decide(request: CampaignRequest, code: UUID) -> HttpResponse:
    visit = access_visit_for_review(request, code)
    decision = request.POST.get("decision", "")
    try:
        visit_review(visit=visit, decision=decision, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if decision == Decision.ACCEPT:
            messages.success(request, _("Visit accepted."))
        else:
            messages.success(request, _("Visit discarded: it no longer counts in progress."))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        return redirect(back)
    return redirect("canvassing:review", campaign_slug=request.campaign.slug)
