"""Fundraising pages under /c/<slug>/fundraising/: the summary with the goal, pledges, expenses and the
owner's settings. Donations and receipts are in views_donations.py."""

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaign.access import CampaignRequest, campaign_role_required
from campaign.models import Role
from fundraising import selectors
from fundraising.access import access_expense, access_pledge, fundraising_role_required
from fundraising.forms import ExpenseForm, PledgeForm, SettingsForm
from fundraising.models import CENT, Donation, Expense, FundraisingGrant, Pledge
from fundraising.services import (
    RECEIPT_TYPES,
    donor_find_or_create,
    expense_record,
    grant_set,
    pledge_cancel,
    pledge_create,
    settings_for,
    settings_update,
)
from fundraising.views_donations import form_errors

PAGE_SIZE = 50
CHART_WIDTH = 600
CHART_HEIGHT = 160
NEAR_CAP_SHOWN = 20


def week_bars(by_week: list[Any]) -> list[dict[str, Any]]:
    """Bars of the weekly chart, scaled to the best week, as plain numbers for the SVG."""
    rows = [_week_row(row) for row in by_week]
    if not rows:
        return []
    top = max((amount for _week, amount in rows), default=Decimal(0)) or Decimal(1)
    step = CHART_WIDTH / len(rows)
    bars = []
    for index, (week, amount) in enumerate(rows):
        height = float(max(amount, Decimal(0)) / top) * (CHART_HEIGHT - 20)
        bars.append(
            {
                "week": week,
                "amount": amount,
                "x": round(index * step + step * 0.1, 1),
                "width": round(step * 0.8, 1),
                "y": round(CHART_HEIGHT - height, 1),
                "height": round(height, 1),
            }
        )
    return bars


def _week_row(row: Any) -> tuple[Any, Decimal]:
    """by_week rows may be dicts or pairs: take the week and the amount either way."""
    if isinstance(row, dict):
        week = row.get("week") or row.get("week_start") or row.get("start")
        amount = row.get("amount", row.get("total", row.get("raised", Decimal(0))))
        return week, Decimal(amount or 0)
    week, amount = row[0], row[1]
    return week, Decimal(amount or 0)


@fundraising_role_required(write=False)
def summary(request: CampaignRequest) -> HttpResponse:
    figures = selectors.summary(request.campaign)
    near_cap = list(selectors.donors_near_cap(request.campaign)[:NEAR_CAP_SHOWN])
    for person in near_cap:  # SQLite sums drop trailing zeros
        person.cap_total = Decimal(person.cap_total).quantize(CENT)  # type: ignore[attr-defined]
        person.room = Decimal(person.room).quantize(CENT)  # type: ignore[attr-defined]
    share = figures.get("goal_share")
    return render(
        request,
        "fundraising/summary.html",
        {
            "figures": figures,
            "share": min(int(share), 100) if share is not None else None,
            "bars": week_bars(figures.get("by_week") or []),
            "chart_width": CHART_WIDTH,
            "chart_height": CHART_HEIGHT,
            "near_cap": near_cap,
            "fundraising": settings_for(request.campaign),
            "held": figures.get("held", 0),
            "currency": request.campaign.currency,
            "can_write": request.membership.has_role(Role.COORDINATOR),
            "is_owner": request.membership.has_role(Role.OWNER),
        },
    )


# pledges

MONEY_FIELD = DecimalField(max_digits=12, decimal_places=2)


def _paid_towards() -> Any:
    """Accepted payments towards each pledge, less their refunds and corrections (one subquery)."""
    return (
        Donation.objects.filter(
            Q(pledge=OuterRef("pk")) | Q(original__pledge=OuterRef("pk")), status=Donation.Status.ACCEPTED
        )
        .order_by()
        .values("campaign")
        .annotate(total=Sum("amount"))
        .values("total")
    )


@fundraising_role_required(write=False)
def pledge_list(request: CampaignRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    pledges = (
        Pledge.objects.filter(campaign=request.campaign)
        .select_related("donor")
        .annotate(paid=Coalesce(Subquery(_paid_towards(), output_field=MONEY_FIELD), Value(Decimal(0))))
    )
    if status in Pledge.Status.values:
        pledges = pledges.filter(status=status)
    page = Paginator(pledges.order_by("due_on", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    for pledge in page:  # SQLite sums drop trailing zeros: show cents as the ledger does
        pledge.paid = Decimal(pledge.paid).quantize(CENT)  # type: ignore[attr-defined]
    return render(
        request,
        "fundraising/pledges/list.html",
        {
            "page": page,
            "status": status,
            "statuses": Pledge.Status.choices,
            "query": f"status={status}" if status else "",
            "can_write": request.membership.has_role(Role.COORDINATOR),
        },
    )


@fundraising_role_required(write=True)
def pledge_new(request: CampaignRequest) -> HttpResponse:
    form = PledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                donor = donor_find_or_create(campaign=request.campaign, acting_user=request.user, **form.donor_values())
                pledge_create(
                    campaign=request.campaign,
                    acting_user=request.user,
                    donor=donor,
                    amount=form.cleaned_data["amount"],
                    due_on=form.cleaned_data["due_on"],
                    recurrence=form.cleaned_data["recurrence"] or "",
                    notes=form.cleaned_data["notes"],
                )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Pledge recorded."))
            return redirect("fundraising:pledges", campaign_slug=request.campaign.slug)
    return render(request, "fundraising/pledges/form.html", {"form": form, "currency": request.campaign.currency})


@fundraising_role_required(write=True)
@require_POST
def pledge_cancel_view(request: CampaignRequest, code: UUID) -> HttpResponse:
    pledge = access_pledge(request, code)
    try:
        pledge_cancel(pledge=pledge, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Pledge cancelled."))
    return redirect("fundraising:pledges", campaign_slug=request.campaign.slug)


# expenses


@fundraising_role_required(write=False)
def expense_list(request: CampaignRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    expenses = Expense.objects.filter(campaign=request.campaign)
    if category in Expense.Category.values:
        expenses = expenses.filter(category=category)
    total = Decimal(expenses.aggregate(total=Sum("amount"))["total"] or 0).quantize(CENT)
    page = Paginator(expenses.order_by("-spent_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "fundraising/expenses/list.html",
        {
            "page": page,
            "category": category,
            "categories": Expense.Category.choices,
            "total": total,
            "query": f"category={category}" if category else "",
            "can_write": request.membership.has_role(Role.COORDINATOR),
        },
    )


@fundraising_role_required(write=True)
def expense_new(request: CampaignRequest) -> HttpResponse:
    form = ExpenseForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            expense = expense_record(campaign=request.campaign, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Expense recorded."))
            return redirect("fundraising:expense_detail", campaign_slug=request.campaign.slug, code=expense.code)
    return render(request, "fundraising/expenses/form.html", {"form": form, "currency": request.campaign.currency})


@fundraising_role_required(write=False)
def expense_detail(request: CampaignRequest, code: UUID) -> HttpResponse:
    expense = access_expense(request, code)
    return render(request, "fundraising/expenses/detail.html", {"expense": expense})


@fundraising_role_required(write=False)
def expense_receipt(request: CampaignRequest, code: UUID) -> HttpResponseBase:
    """The attachment, through the same access check as the expense (media files are not public)."""
    expense = access_expense(request, code)
    if not expense.receipt_file:
        raise Http404
    name = (expense.receipt_file.name or "receipt").rsplit("/", 1)[-1]
    extension = name[name.rfind(".") :].lower() if "." in name else ""
    if extension not in RECEIPT_TYPES:  # nothing else is accepted; never serve something else inline
        raise Http404
    response = FileResponse(expense.receipt_file.open("rb"), as_attachment=False, filename=name)
    response["Content-Type"] = RECEIPT_TYPES[extension]
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# settings


@campaign_role_required(Role.OWNER)
def fundraising_settings(request: CampaignRequest) -> HttpResponse:
    current = settings_for(request.campaign)
    grants = {g.membership_id: g for g in FundraisingGrant.objects.filter(campaign=request.campaign)}
    form = SettingsForm(request.POST or None, instance=current, campaign=request.campaign, granted_ids=set(grants))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                settings_update(campaign=request.campaign, acting_user=request.user, **form.settings_values())
                wanted = {m.pk: m for m in form.cleaned_data["granted"]}
                for membership in form.fields["granted"].queryset:  # type: ignore[attr-defined]
                    has = membership.pk in grants
                    if has != (membership.pk in wanted):
                        grant_set(
                            campaign=request.campaign,
                            membership=membership,
                            granted=membership.pk in wanted,
                            acting_user=request.user,
                        )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("Fundraising settings saved."))
            return redirect("fundraising:settings", campaign_slug=request.campaign.slug)
    return render(request, "fundraising/settings.html", {"form": form, "currency": request.campaign.currency})
