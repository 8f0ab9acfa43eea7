"""Reports under /c/<slug>/fundraising/reports/: income and expenditure for a date range and the donors
above the disclosure threshold, on the page and as CSV for the compliance filing.

The page is for coordinators and owners. The CSV exports hold donors' names and addresses, so they
also need two-factor authentication (else a 403 page that says how to turn it on), are recorded in
the audit log before they are sent (which report, the range, the row count; never a name), and are
written with defusedcsv so that no cell can run as a spreadsheet formula.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from defusedcsv import csv
from django import forms
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaign.access import CampaignRequest
from campaign.models import Person
from fundraising import selectors, services
from fundraising.access import can_export, fundraising_role_required

DISCLOSURE_SHOWN = 100  # on the page; the CSV has them all


class ReportRangeForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end is before the start."))
        return data


def _range(request: CampaignRequest) -> tuple[ReportRangeForm, dt.date | None, dt.date | None]:
    form = ReportRangeForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data.get("start"), form.cleaned_data.get("end")
    return form, None, None


def _filters(start: dt.date | None, end: dt.date | None) -> dict[str, str]:
    return {"start": start.isoformat() if start else "", "end": end.isoformat() if end else ""}


@fundraising_role_required(write=True)
def reports(request: CampaignRequest) -> HttpResponse:
    form, start, end = _range(request)
    if form.is_bound and not form.is_valid():
        return render(request, "fundraising/reports/index.html", {"form": form}, status=400)
    report = selectors.income_expenditure(request.campaign, start, end)
    donors = selectors.disclosure_list(request.campaign, start, end)
    shown = list(donors[: DISCLOSURE_SHOWN + 1])
    return render(
        request,
        "fundraising/reports/index.html",
        {
            "form": form,
            "report": report,
            "donors": shown[:DISCLOSURE_SHOWN],
            "more_donors": len(shown) > DISCLOSURE_SHOWN,
            "threshold": selectors.settings_of(request.campaign).disclosure_threshold,
            "can_export": can_export(request),
            "query": request.GET.urlencode(),
        },
    )


def _csv_response(request: CampaignRequest, name: str) -> HttpResponse:
    stamp = timezone.localtime(timezone.now(), request.campaign.tzinfo).strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{request.campaign.slug}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _refuse(request: CampaignRequest) -> HttpResponse | None:
    """The export's own checks: two-factor authentication, and a valid range (400 saying which field)."""
    if not can_export(request):
        return render(
            request,
            "export_needs_mfa.html",
            {
                "why": _(
                    "A fundraising export holds the names and addresses of donors, so it needs an account "
                    "protected by two-factor authentication."
                ),
                "back_url": reverse("fundraising_reports:reports", kwargs={"campaign_slug": request.campaign.slug}),
                "back_label": _("Back to reports"),
            },
            status=403,
        )
    form = ReportRangeForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "fundraising/reports/index.html", {"form": form}, status=400)
    return None


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def income_rows(report: dict[str, Any]) -> list[list[Any]]:
    currency = report["currency"]
    rows: list[list[Any]] = [["section", "item", "label", "count", "amount", "currency"]]
    for row in report["income_by_method"]:
        rows.append(["income", row["method"], str(row["label"]), row["gifts"], _money(row["total"]), currency])
    rows.append(["income", "refunds", _("Refunds (included above)"), "", _money(report["refunds"]), currency])
    rows.append(["income", "total", _("Total income"), "", _money(report["income"]), currency])
    for row in report["expenditure_by_category"]:
        rows.append(["expenditure", row["category"], str(row["label"]), row["count"], _money(row["total"]), currency])
    rows.append(["expenditure", "total", _("Total expenditure"), "", _money(report["expenditure"]), currency])
    rows.append(["balance", "net", _("Income less expenditure"), "", _money(report["balance"]), currency])
    return rows


@fundraising_role_required(write=True)
def income_csv(request: CampaignRequest) -> HttpResponse:
    refused = _refuse(request)
    if refused is not None:
        return refused
    _form, start, end = _range(request)
    rows = income_rows(selectors.income_expenditure(request.campaign, start, end))
    services.export_record(
        campaign=request.campaign,
        acting_user=request.user,
        report="income_expenditure",
        rows=len(rows) - 1,
        filters=_filters(start, end),
    )
    response = _csv_response(request, "income-expenditure")
    csv.writer(response).writerows(rows)
    return response


DISCLOSURE_COLUMNS = [
    "given_name",
    "family_name",
    "address_line",
    "postcode",
    "email",
    "phone",
    "gifts",
    "total",
    "currency",
]


def disclosure_rows(donors: QuerySet[Person], currency: str) -> list[list[Any]]:
    rows: list[list[Any]] = [DISCLOSURE_COLUMNS]
    for person in donors:
        rows.append(
            [
                person.given_name,
                person.family_name,
                person.address_line,
                person.postcode,
                person.email,
                person.phone,
                person.gifts,  # type: ignore[attr-defined]
                _money(person.total),  # type: ignore[attr-defined]
                currency,
            ]
        )
    return rows


@fundraising_role_required(write=True)
def disclosure_csv(request: CampaignRequest) -> HttpResponse:
    refused = _refuse(request)
    if refused is not None:
        return refused
    _form, start, end = _range(request)
    rows = disclosure_rows(selectors.disclosure_list(request.campaign, start, end), request.campaign.currency)
    services.export_record(
        campaign=request.campaign,
        acting_user=request.user,
        report="disclosure",
        rows=len(rows) - 1,
        filters=_filters(start, end),
    )
    response = _csv_response(request, "disclosure")
    csv.writer(response).writerows(rows)
    return response
