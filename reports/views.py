"""Pages of the reports app: the coordinator dashboard (and its CSV exports), the candidate's overview
with the campaign calendar, the volunteer's home and their preferences, and the digest hour setting."""

from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from defusedcsv import csv
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.access import CampaignRequest, campaign_role_required
from campaign.models import Role
from reports import selectors, services
from reports.dashboard import dashboard_panels
from reports.forms import PreferencesForm, ReportsSettingsForm

# Where each panel's numbers can be acted on. Names that are not in the URLconf (a part not installed)
# simply give no link.
ACTION_LINKS = {
    "volunteers": "volunteers:roster",
    "shifts": "volunteers:shifts",
    "canvassing": "canvassing:progress",
    "turfs": "canvassing:turfs",
    "flagged": "canvassing:review",
    "stock": "inventory:on_hand",
    "forecast": "reports:leaflet_forecast",
    "money": "fundraising:summary",
    "pledges": "fundraising:pledges",
    "signatures": "nominations:drives",
}
EXPORT_PANELS = ("volunteers", "shifts", "canvassing", "support", "turfs", "stock", "money", "signatures")


def _links(slug: str) -> dict[str, str]:
    links = {}
    for key, name in ACTION_LINKS.items():
        try:
            links[key] = reverse(name, kwargs={"campaign_slug": slug})
        except NoReverseMatch:
            links[key] = ""
    return links


SUPPORT_COLOURS = {1: "#dc3545", 2: "#fd7e14", 3: "#adb5bd", 4: "#20c997", 5: "#198754"}


def _support_parts(panel: dict[str, Any]) -> list[tuple[str, int, str]]:
    labels = {1: _("1 strongly against"), 2: "2", 3: _("3 undecided"), 4: "4", 5: _("5 strongly for")}
    return [(labels[row["level"]], row["count"], SUPPORT_COLOURS[row["level"]]) for row in panel["support"]]


def chart_series() -> dict[str, list[tuple[str, str, str]]]:
    """What the shared bar charts (campaign/templatetags/charts.py) draw from each panel's rows."""
    return {
        "door_series": [("doors", _("Doors knocked"), "#0d6efd"), ("contacts", _("Contacts"), "#198754")],
        "shift_series": [("capacity", _("Places"), "#adb5bd"), ("filled", _("Filled"), "#0d6efd")],
        "money_series": [("total", _("Raised"), "#198754")],
    }


@campaign_role_required(Role.COORDINATOR)
def dashboard(request: CampaignRequest) -> HttpResponse:
    days = selectors.parse_period(request.GET.get("period"))
    data = dashboard_panels(request.campaign, days, refresh=request.GET.get("refresh") == "1")
    panels = data["panels"]
    links = _links(request.campaign.slug)
    if links["volunteers"] and days in (7, 30, 90):  # the roster's own activity windows
        links["volunteers"] += f"?activity={days}"
    return render(
        request,
        "reports/dashboard.html",
        {
            "days": days,
            "periods": selectors.PERIODS,
            "computed_at": data["computed_at"],
            "p": panels,
            "support_parts": _support_parts(panels["canvassing"]),
            **chart_series(),
            "links": links,
            "export_panels": EXPORT_PANELS,
            "can_export": is_mfa_enabled(request.user),
        },
    )


@campaign_role_required(Role.OWNER)
def overview(request: CampaignRequest) -> HttpResponse:
    data = dashboard_panels(request.campaign, 7)
    return render(
        request,
        "reports/overview.html",
        {
            "computed_at": data["computed_at"],
            "p": data["panels"],
            "trends": selectors.week_on_week(request.campaign),
            "agenda": selectors.calendar(request.campaign),
            "links": _links(request.campaign.slug),
        },
    )


def _export_rows(panel: str, panels: dict[str, Any]) -> list[list[Any]]:
    if panel == "volunteers":
        v = panels["volunteers"]
        return [["figure", "value"], *[[key, v[key]] for key in ("total", "new", "active", "inactive", "no_shows")]]
    if panel == "shifts":
        s = panels["shifts"]
        rows: list[list[Any]] = [["day", "capacity", "filled"]]
        rows += [[r["day"].isoformat(), r["capacity"], r["filled"]] for r in s["by_day"]]
        return rows
    if panel == "canvassing":
        c = panels["canvassing"]
        return [["day", "doors", "contacts"], *[[r["day"].isoformat(), r["doors"], r["contacts"]] for r in c["by_day"]]]
    if panel == "support":
        return [["support_level", "visits"], *[[r["level"], r["count"]] for r in panels["canvassing"]["support"]]]
    if panel == "turfs":
        c = panels["canvassing"]
        return [
            ["figure", "value"],
            ["turfs", c["turfs_total"]],
            ["completed", c["turfs_completed"]],
            ["remaining", c["turfs_remaining"]],
            ["visits_flagged", c["flagged"]],
        ]
    if panel == "stock":
        return [
            ["variant", "on_hand", "threshold"],
            *[[r["name"], r["on_hand"], r["threshold"]] for r in panels["stock"]["low"]],
        ]
    if panel == "money":
        m = panels["money"]
        rows = [["week", "raised", "currency"]]
        rows += [[r["week"].isoformat(), f"{r['total']:.2f}", m["currency"]] for r in m["by_week"]]
        rows.append(["total", f"{m['raised']:.2f}", m["currency"]])
        return rows
    if panel == "signatures":
        header = ["office", "area", "required", "target", "likely_valid", "at_risk", "struck", "margin", "deadline"]
        header += ["per_day_last_7_days", "per_day_needed"]
        keys = ("office", "area_key", "required", "target", "valid", "at_risk", "struck", "margin")
        return [
            header,
            *[
                [
                    *(d[k] for k in keys),
                    d["deadline"].isoformat(),
                    d["pace"],
                    "" if d["need_per_day"] is None else d["need_per_day"],
                ]
                for d in panels["signatures"]["drives"]
            ],
        ]
    raise ValueError(panel)


@campaign_role_required(Role.COORDINATOR)
def export(request: CampaignRequest) -> HttpResponse:
    """One panel's data as CSV. Needs two-factor authentication; recorded in the audit log."""
    if not is_mfa_enabled(request.user):
        return render(
            request,
            "export_needs_mfa.html",
            {
                "why": _(
                    "A dashboard export takes the campaign's figures off the site, so it needs an account "
                    "protected by two-factor authentication."
                ),
                "back_url": reverse("reports:dashboard", kwargs={"campaign_slug": request.campaign.slug}),
                "back_label": _("Back to the dashboard"),
            },
            status=403,
        )
    panel = request.GET.get("panel", "")
    if panel not in EXPORT_PANELS:
        return HttpResponse(_("Choose one of the dashboard's panels to export."), status=400, content_type="text/plain")
    days = selectors.parse_period(request.GET.get("period"))
    rows = _export_rows(panel, dashboard_panels(request.campaign, days)["panels"])
    services.export_record(
        campaign=request.campaign, acting_user=request.user, panel=panel, days=days, rows=len(rows) - 1
    )
    stamp = timezone.localtime(timezone.now(), request.campaign.tzinfo).strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{panel}-{request.campaign.slug}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerows(rows)
    return response


@campaign_role_required(Role.OWNER)
def reports_settings(request: CampaignRequest) -> HttpResponse:
    current = services.settings_of(request.campaign)
    form = ReportsSettingsForm(request.POST or None, initial={"digest_hour": current.digest_hour})
    if request.method == "POST" and form.is_valid():
        services.reports_settings_update(
            campaign=request.campaign, acting_user=request.user, digest_hour=form.cleaned_data["digest_hour"]
        )
        messages.success(request, _("Digest settings saved."))
        return redirect("reports:settings", campaign_slug=request.campaign.slug)
    return render(request, "reports/settings.html", {"form": form}, status=400 if form.is_bound else 200)


def home_context(request: CampaignRequest) -> dict[str, Any]:
    membership = request.membership
    volunteer = selectors.my_volunteer(membership)
    prefs = services.preferences_of(membership)
    return {
        "volunteer": volunteer,
        "next_signups": selectors.my_next_shifts(membership, volunteer),
        "turfs": selectors.my_turfs(membership),
        "bag": selectors.my_bag(membership),
        "month": selectors.my_month(membership, volunteer),
        "leaderboard": selectors.leaderboard(request.campaign),
        "prefs": prefs,
    }


@campaign_role_required(Role.VOLUNTEER)
def home(request: CampaignRequest) -> HttpResponse:
    context = home_context(request)
    context["links"] = _links(request.campaign.slug)
    return render(request, "reports/home.html", context)


@campaign_role_required(Role.VOLUNTEER)
def preferences(request: CampaignRequest) -> HttpResponse:
    membership = request.membership
    coordinator = membership.has_role(Role.COORDINATOR)
    prefs = services.preferences_of(membership)
    initial = {
        "digest_enabled": prefs.digest_enabled,
        "leaderboard_opt_in": prefs.leaderboard_opt_in,
        "leaderboard_name": prefs.leaderboard_name,
    }
    form = PreferencesForm(request.POST or None, initial=initial, coordinator=coordinator)
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_update(
                membership=membership,
                acting_user=request.user,
                digest_enabled=form.cleaned_data.get("digest_enabled", prefs.digest_enabled),
                leaderboard_opt_in=form.cleaned_data["leaderboard_opt_in"],
                leaderboard_name=form.cleaned_data["leaderboard_name"],
            )
        except ValidationError as exc:
            for field, errors in exc.error_dict.items() if hasattr(exc, "error_dict") else [(None, exc)]:
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Your preferences are saved."))
            return redirect("reports:home", campaign_slug=request.campaign.slug)
    status = 400 if form.is_bound else 200
    return render(request, "reports/preferences.html", {"form": form, "coordinator": coordinator}, status=status)
