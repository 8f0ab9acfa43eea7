"""Donations under /c/<slug>/fundraising/donations/: the list, recording one, its page with refunds,
corrections and the review of a held one, and the printable receipt."""

import datetime as dt
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import BaseForm
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.access import CampaignRequest
from campaign.models import Role
from fundraising.access import access_donation, fundraising_role_required
from fundraising.forms import CorrectionForm, DonationForm, RefundForm, ReviewForm
from fundraising.models import Donation
from fundraising.services import (
    donation_correct,
    donation_record,
    donation_refund,
    donation_review,
    donor_find_or_create,
    receipt_reissue,
    remaining_of,
    settings_for,
)

PAGE_SIZE = 50


def form_errors(form: BaseForm, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """A service's refusal next to the field it names, or on top of the form for anything else."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            field = (aliases or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


def _detail(request: CampaignRequest, code: UUID) -> HttpResponse:
    return redirect("fundraising:donation_detail", campaign_slug=request.campaign.slug, code=code)


@fundraising_role_required(write=False)
def donation_list(request: CampaignRequest) -> HttpResponse:
    filters: dict[str, Any] = {
        "method": request.GET.get("method", ""),
        "status": request.GET.get("status", ""),
        "kind": request.GET.get("kind", ""),
        "start": _date(request.GET.get("start")),
        "end": _date(request.GET.get("end")),
        "donor": _uuid(request.GET.get("donor")),
    }
    entries = Donation.objects.filter(campaign=request.campaign).select_related("donor")
    if filters["method"] in Donation.Method.values:
        entries = entries.filter(method=filters["method"])
    if filters["status"] in Donation.Status.values:
        entries = entries.filter(status=filters["status"])
    if filters["kind"] in Donation.Kind.values:
        entries = entries.filter(kind=filters["kind"])
    if filters["donor"]:
        entries = entries.filter(donor__code=filters["donor"])
    if filters["start"]:
        entries = entries.filter(received_on__gte=filters["start"])
    if filters["end"]:
        entries = entries.filter(received_on__lte=filters["end"])
    page = Paginator(entries.order_by("-received_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "fundraising/donations/list.html",
        {
            "page": page,
            "filters": filters,
            "query": query.urlencode(),
            "methods": Donation.Method.choices,
            "statuses": Donation.Status.choices,
            "kinds": Donation.Kind.choices,
            "can_write": request.membership.has_role(Role.COORDINATOR),
        },
    )


@fundraising_role_required(write=True)
def donation_new(request: CampaignRequest) -> HttpResponse:
    fundraising = settings_for(request.campaign)
    form = DonationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # A donor created for a refused donation would be a change: both or neither.
            with transaction.atomic():
                donor = None
                if not form.cleaned_data["anonymous"]:
                    donor = donor_find_or_create(
                        campaign=request.campaign, acting_user=request.user, **form.donor_values()
                    )
                donation = donation_record(
                    campaign=request.campaign, acting_user=request.user, donor=donor, **form.donation_values()
                )
        except ValidationError as exc:
            form_errors(form, exc, aliases={"donor": "anonymous"})
        else:
            if donation.status == Donation.Status.HELD:
                messages.warning(
                    request,
                    _("The donation is recorded but held for review: %(reason)s") % {"reason": donation.review_reason},
                )
            else:
                messages.success(request, _("Donation recorded."))
            return _detail(request, donation.code)
    return render(
        request,
        "fundraising/donations/form.html",
        {"form": form, "forbidden_categories": fundraising.forbidden_categories, "currency": request.campaign.currency},
    )


def _detail_context(request: CampaignRequest, donation: Donation, **forms: Any) -> dict[str, Any]:
    adjustments = list(donation.adjustments.order_by("created_at", "id").select_related("recorded_by"))
    net = donation.amount + sum((a.amount for a in adjustments), start=donation.amount * 0)
    refunded = -sum((a.amount for a in adjustments if a.kind == Donation.Kind.REFUND), start=donation.amount * 0)
    can_write = request.membership.has_role(Role.COORDINATOR) and donation.kind == Donation.Kind.DONATION
    context: dict[str, Any] = {
        "donation": donation,
        "adjustments": adjustments,
        "net": net,
        "refunded": refunded,
        "can_write": can_write,
    }
    if can_write:
        context["refund_form"] = forms.get("refund_form") or RefundForm(prefix="refund")
        context["correct_form"] = forms.get("correct_form") or CorrectionForm(prefix="correct")
        if donation.status == Donation.Status.HELD or "review_form" in forms:
            context["review_form"] = forms.get("review_form") or ReviewForm(prefix="review")
    return context


@fundraising_role_required(write=False)
def donation_detail(request: CampaignRequest, code: UUID) -> HttpResponse:
    donation = access_donation(request, code)
    return render(request, "fundraising/donations/detail.html", _detail_context(request, donation))


def _adjust(request: CampaignRequest, code: UUID, *, kind: str) -> HttpResponse:
    """A refund or a correction: both are a new entry pointing at the donation, with a reason."""
    donation = access_donation(request, code)
    form_class, service, amount_field, done = {
        "refund": (RefundForm, donation_refund, "amount", _("Refund recorded.")),
        "correct": (CorrectionForm, donation_correct, "delta", _("Correction recorded.")),
    }[kind]
    form = form_class(request.POST, prefix=kind)
    if form.is_valid():
        try:
            service(
                original=donation,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
                **{amount_field: form.cleaned_data[amount_field]},
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, done)
            return _detail(request, donation.code)
    donation.refresh_from_db()
    context = _detail_context(request, donation, **{f"{kind}_form": form})
    return render(request, "fundraising/donations/detail.html", context, status=400)


@fundraising_role_required(write=True)
@require_POST
def donation_refund_view(request: CampaignRequest, code: UUID) -> HttpResponse:
    return _adjust(request, code, kind="refund")


@fundraising_role_required(write=True)
@require_POST
def donation_correct_view(request: CampaignRequest, code: UUID) -> HttpResponse:
    return _adjust(request, code, kind="correct")


@fundraising_role_required(write=True)
@require_POST
def donation_review_view(request: CampaignRequest, code: UUID) -> HttpResponse:
    donation = access_donation(request, code)
    form = ReviewForm(request.POST, prefix="review")
    if form.is_valid():
        try:
            donation_review(
                donation=donation,
                approve=form.cleaned_data["approve"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            if form.cleaned_data["approve"]:
                messages.success(request, _("Donation accepted."))
            else:
                messages.success(request, _("Donation rejected."))
            return _detail(request, donation.code)
    donation.refresh_from_db()
    context = _detail_context(request, donation, review_form=form)
    return render(request, "fundraising/donations/detail.html", context, status=400)


@fundraising_role_required(write=False)
def donation_receipt(request: CampaignRequest, code: UUID) -> HttpResponse:
    donation = access_donation(request, code)
    is_copy = donation.receipt_copies > 0 or request.GET.get("copy") == "1"
    return render(
        request,
        "fundraising/donations/receipt.html",
        {
            "donation": donation,
            "net": remaining_of(donation),  # after corrections and refunds, under the same number
            "is_copy": is_copy,
            "can_write": request.membership.has_role(Role.COORDINATOR),
        },
    )


@fundraising_role_required(write=True)
@require_POST
def donation_receipt_reissue(request: CampaignRequest, code: UUID) -> HttpResponse:
    donation = access_donation(request, code)
    try:
        receipt_reissue(donation=donation, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _detail(request, donation.code)
    messages.success(request, _("The receipt was sent again, marked as a copy."))
    return redirect("fundraising:donation_receipt", campaign_slug=request.campaign.slug, code=donation.code)
