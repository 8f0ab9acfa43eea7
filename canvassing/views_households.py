"""Household pages under /c/<slug>/canvassing/households/: the list, one household, hand edits, the
door form for volunteers and the coordinators' review queue. Thin: parse, access, service, render."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.access import CampaignRequest, campaign_role_required
from campaign.models import Role
from canvassing import selectors_households as selectors
from canvassing import services_households as services
from canvassing.access import is_coordinator
from canvassing.forms_households import (
    DoorHouseholdForm,
    HouseholdFilterForm,
    HouseholdForm,
    ResidentForm,
    StatusForm,
)
from canvassing.models import Household

PAGE_SIZE = 50


def _form_errors(form: object, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = name if name in form.fields else None  # type: ignore[attr-defined]
            for error in errors:
                form.add_error(target, error)  # type: ignore[attr-defined]
    else:
        for error in exc.messages:
            form.add_error(None, error)  # type: ignore[attr-defined]


def _parse_uuid(value: str) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


@campaign_role_required(Role.COORDINATOR)
def household_list(request: CampaignRequest) -> HttpResponse:
    choices = selectors.filter_choices(request.campaign)
    form = HouseholdFilterForm(request.GET or None, **choices)
    data = form.cleaned_data if form.is_valid() else {}
    review = data.get("review", "")
    filters = selectors.HouseholdFilter(
        q=data.get("q", "").strip(),
        area=_parse_uuid(data.get("area", "")),
        turf=_parse_uuid(data.get("turf", "")),
        status=data.get("status", ""),
        needs_review=True if review == "yes" else False if review == "no" else None,
    )
    page = Paginator(selectors.households(request.membership, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "canvassing/households/list.html",
        {
            "form": form,
            "page": page,
            "review_count": selectors.review_queue(request.campaign).count(),
        },
    )


@campaign_role_required(Role.VOLUNTEER)
def household_detail(request: CampaignRequest, code: UUID) -> HttpResponse:
    household = selectors.access_household(request, code)
    coordinator = is_coordinator(request.membership)
    return render(
        request,
        "canvassing/households/detail.html",
        {
            "household": household,
            "residents": selectors.household_residents(household),
            "visits": selectors.household_visits(household, canvasser=None if coordinator else request.membership),
            "coordinator": coordinator,
            "status_form": StatusForm(initial={"status": household.status}) if coordinator else None,
            "resident_form": ResidentForm() if coordinator else None,
        },
    )


@campaign_role_required(Role.COORDINATOR)
def household_edit(request: CampaignRequest, code: UUID | None = None) -> HttpResponse:
    household = selectors.access_household(request, code, write=True) if code else None
    form = HouseholdForm(request.POST or None, instance=household)
    if request.method == "POST" and form.is_valid():
        try:
            if household is None:
                household = services.household_create(
                    campaign=request.campaign, acting_user=request.user, values=form.values()
                )
                messages.success(request, _("Household added."))
            else:
                household = services.household_update(
                    household=household, acting_user=request.user, values=form.values()
                )
                messages.success(request, _("Household saved."))
            return redirect("canvassing:household_detail", campaign_slug=request.campaign.slug, code=household.code)
        except ValidationError as exc:
            _form_errors(form, exc)
    return render(request, "canvassing/households/form.html", {"form": form, "household": household})


@campaign_role_required(Role.COORDINATOR)
@require_POST
def household_status(request: CampaignRequest, code: UUID) -> HttpResponse:
    household = selectors.access_household(request, code, write=True)
    form = StatusForm(request.POST)
    if form.is_valid():
        services.household_set_status(household=household, acting_user=request.user, status=form.cleaned_data["status"])
        messages.success(request, _("Status changed to “%(status)s”.") % {"status": household.get_status_display()})
    else:
        messages.error(request, _("Choose a valid status."))
    return redirect("canvassing:household_detail", campaign_slug=request.campaign.slug, code=household.code)


@campaign_role_required(Role.COORDINATOR)
@require_POST
def household_resident_add(request: CampaignRequest, code: UUID) -> HttpResponse:
    household = selectors.access_household(request, code, write=True)
    form = ResidentForm(request.POST)
    if form.is_valid():
        try:
            services.resident_add(household=household, acting_user=request.user, **form.cleaned_data)
            messages.success(request, _("Resident added."))
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("canvassing:household_detail", campaign_slug=request.campaign.slug, code=household.code)


@campaign_role_required(Role.VOLUNTEER)
def household_door(request: CampaignRequest) -> HttpResponse:
    turfs = [(str(t.code), t.name) for t in services.turfs_of(request.membership).order_by("name")]
    form = DoorHouseholdForm(request.POST or None, turfs=turfs, initial={"turf": request.GET.get("turf", "")})
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_add_at_door(
                campaign=request.campaign,
                membership=request.membership,
                values=form.values(),
                turf_code=_parse_uuid(form.cleaned_data.get("turf", "")),
                resident_name=form.cleaned_data["resident_name"],
            )
            messages.success(request, _("Household added: a coordinator will review it. Thank you!"))
            if household.turf_id is not None:
                return redirect("canvassing:household_detail", campaign_slug=request.campaign.slug, code=household.code)
            return redirect("canvassing:household_door", campaign_slug=request.campaign.slug)
        except ValidationError as exc:
            _form_errors(form, exc)
    return render(request, "canvassing/households/door.html", {"form": form})


@campaign_role_required(Role.COORDINATOR)
def household_review(request: CampaignRequest) -> HttpResponse:
    page = Paginator(selectors.review_queue(request.campaign), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "canvassing/households/review.html", {"page": page})


@campaign_role_required(Role.COORDINATOR)
@require_POST
def household_accept(request: CampaignRequest, code: UUID) -> HttpResponse:
    household = selectors.access_household(request, code, write=True)
    services.household_accept(household=household, acting_user=request.user)
    messages.success(request, _("“%(address)s” accepted.") % {"address": household.address})
    return redirect("canvassing:household_review", campaign_slug=request.campaign.slug)


@campaign_role_required(Role.COORDINATOR)
def household_merge(request: CampaignRequest, code: UUID) -> HttpResponse:
    household = selectors.access_household(request, code, write=True)
    candidates = selectors.merge_candidates(household)
    if request.method == "POST":
        into = get_object_or_404(Household, campaign=request.campaign, code=_parse_uuid(request.POST.get("into", "")))
        try:
            services.household_merge(household=household, into=into, acting_user=request.user)
            messages.success(request, _("Merged into “%(address)s”.") % {"address": into.address})
            return redirect("canvassing:household_detail", campaign_slug=request.campaign.slug, code=into.code)
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
    return render(request, "canvassing/households/merge.html", {"household": household, "candidates": candidates})


@campaign_role_required(Role.COORDINATOR)
@require_POST
def household_delete(request: CampaignRequest, code: UUID) -> HttpResponse:
    household = selectors.access_household(request, code, write=True)
    try:
        services.household_delete(household=household, acting_user=request.user)
        messages.success(request, _("Household deleted."))
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect("canvassing:household_detail", campaign_slug=request.campaign.slug, code=household.code)
    return redirect("canvassing:household_review", campaign_slug=request.campaign.slug)
