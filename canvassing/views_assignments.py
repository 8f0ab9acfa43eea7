"""Coordinators hand turfs to canvassers (optionally through a canvassing shift, with a due date), see who
holds what, and take a turf back; the canvasser marks their own walk done."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from campaign.access import CampaignRequest, campaign_role_required
from campaign.models import Role
from canvassing import selectors_visits as selectors
from canvassing.access import access_assignment, access_turf
from canvassing.forms_visits import AssignmentForm
from canvassing.models import Assignment
from canvassing.services_assignments import assignment_create, assignment_done, assignment_withdraw
from fundraising.views_donations import form_errors

PAGE_SIZE = 50


@campaign_role_required(Role.COORDINATOR)
def assignment_list(request: CampaignRequest) -> HttpResponse:
    status = request.GET.get("status", Assignment.Status.ACTIVE)
    if status not in Assignment.Status.values:
        status = Assignment.Status.ACTIVE
    assignments = (
        Assignment.objects.filter(campaign=request.campaign, status=status)
        .select_related("turf", "membership__user", "shift")
        .order_by("due_on", "turf__name", "pk")
    )
    page = Paginator(assignments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "canvassing/assignments/list.html",
        {"page": page, "status": status, "statuses": Assignment.Status.choices},
    )


@campaign_role_required(Role.COORDINATOR)
def assignment_new(request: CampaignRequest, code: UUID) -> HttpResponse:
    turf = access_turf(request, code, write=True)
    form = AssignmentForm(request.POST or None, campaign=request.campaign)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = assignment_create(
                turf=turf,
                memberships=list(data["memberships"]),
                due_on=data["due_on"],
                shift=data["shift"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(turf)s assigned to %(count)d person; they have been told by email.",
                    "%(turf)s assigned to %(count)d people; they have been told by email.",
                    len(created),
                )
                % {"turf": turf.name, "count": len(created)},
            )
            return redirect("canvassing:assignment_new", campaign_slug=request.campaign.slug, code=turf.code)
    return render(
        request,
        "canvassing/assignments/assign.html",
        {"turf": turf, "form": form, "assignments": selectors.turf_assignments(turf)},
    )


@require_POST
@campaign_role_required(Role.COORDINATOR)
def assignment_withdraw_view(request: CampaignRequest, code: UUID) -> HttpResponse:
    assignment = access_assignment(request, code, write=True)
    try:
        assignment_withdraw(assignment=assignment, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Assignment withdrawn; its reminder will not be sent."))
    return redirect("canvassing:assignment_new", campaign_slug=request.campaign.slug, code=assignment.turf.code)


@require_POST
@campaign_role_required(Role.VOLUNTEER)
def assignment_done_view(request: CampaignRequest, code: UUID) -> HttpResponse:
    assignment = access_assignment(request, code)
    try:
        assignment_done(assignment=assignment, membership=request.membership, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Marked done. Thank you!"))
    return redirect("canvassing:my_turfs", campaign_slug=request.campaign.slug)
