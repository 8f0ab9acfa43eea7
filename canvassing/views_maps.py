"""District map pages under /c/<slug>/canvassing/maps/ and /canvassing/areas/: versions, upload, the
preview of a new version with its Apply button, and the areas of the current map with their maps."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from campaign.access import CampaignRequest, campaign_role_required
from campaign.models import Role
from canvassing import geo, selectors_maps, services_maps
from canvassing.forms_maps import MapSettingsForm, MapUploadForm
from canvassing.maps_access import access_area, access_map_version
from canvassing.models import Household, MapVersion, Turf

PAGE_SIZE = 50
MAP_MARKERS = 5000  # more than this many households are drawn as the first 5,000 (the page says so)


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@campaign_role_required(Role.COORDINATOR)
def map_versions(request: CampaignRequest) -> HttpResponse:
    page = Paginator(selectors_maps.versions(request.campaign), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "canvassing/maps/versions.html",
        {
            "page": page,
            "current": selectors_maps.current_version(request.campaign),
            "is_owner": request.membership.has_role(Role.OWNER),
        },
    )


@campaign_role_required(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def map_upload(request: CampaignRequest) -> HttpResponse:
    form = MapUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services_maps.map_version_upload(
                campaign=request.campaign,
                acting_user=request.user,
                name=data["name"],
                source=data["source"],
                raw=geo.read_upload(data["file"]),
                key_property=data["key_property"],
                name_property=data["name_property"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.info(request, _("Here is what this map would change. Nothing is changed until you apply it."))
            return redirect("canvassing:map_version", campaign_slug=request.campaign.slug, code=version.code)
    return render(request, "canvassing/maps/upload.html", {"form": form}, status=400 if form.errors else 200)


def _moves_list(request: CampaignRequest, version: MapVersion) -> dict[str, Any]:
    """The households list below the summary: moved in or out of one area, or unplaced."""
    direction = request.GET.get("show", "")
    area_key = request.GET.get("area", "")
    if direction == "unplaced":
        households = selectors_maps.unplaced_households(version=version)
    elif direction in ("in", "out") and area_key:
        households = selectors_maps.moved_households(version=version, area_key=area_key, direction=direction)
    else:
        return {}
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "show": direction,
        "show_area": area_key,
        "moves_page": Paginator(households.select_related("turf"), PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query.urlencode(),
    }


@campaign_role_required(Role.COORDINATOR)
def map_version(request: CampaignRequest, code: UUID) -> HttpResponse:
    """A draft: the preview with the Apply button. An applied version: what it changed."""
    version = access_map_version(request, code)
    diff = version.diff or {}
    context: dict[str, Any] = {
        "version": version,
        "diff": diff,
        "households": diff.get("households", {}),
        "assignments": list(selectors_maps.affected_assignments(version=version)),
        "signatures": selectors_maps.changed_signatures(version),
        "is_draft": version.status == MapVersion.Status.DRAFT,
        "background": version.status == MapVersion.Status.DRAFT and services_maps.apply_in_background(version),
        "current": selectors_maps.current_version(request.campaign),
    }
    current = context["current"]
    base_code = (diff.get("base") or {}).get("code")
    context["stale"] = context["is_draft"] and base_code != (str(current.code) if current else None)
    context["computed_at"] = parse_datetime(diff["computed_at"]) if diff.get("computed_at") else None
    context["shifts"] = sorted(
        {a.shift for a in context["assignments"] if a.shift_id}, key=lambda shift: shift.starts_at
    )
    context.update(_moves_list(request, version))
    return render(request, "canvassing/maps/version.html", context)


@campaign_role_required(Role.COORDINATOR)
@require_POST
def map_version_apply(request: CampaignRequest, code: UUID) -> HttpResponse:
    version = access_map_version(request, code)
    url = reverse("canvassing:map_version", kwargs={"campaign_slug": request.campaign.slug, "code": version.code})
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm, then apply."))
        return redirect(url)
    if version.status != MapVersion.Status.DRAFT:
        messages.error(request, _("This map version was already applied."))
        return redirect(url)
    if services_maps.apply_in_background(version):
        from campaign.jobs import job_create
        from canvassing.tasks_maps import map_version_apply_task

        job = job_create(
            campaign=request.campaign,
            kind="canvassing.map_apply",
            title=_("Applying map version %(number)d") % {"number": version.number},
            created_by=request.user,
            total=6,
            return_url=url,
        )
        transaction.on_commit(lambda: map_version_apply_task.delay(str(job.code), str(version.code), request.user.pk))
        return redirect("campaign:job", campaign_slug=request.campaign.slug, code=job.code)
    try:
        services_maps.map_version_apply(version=version, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Map version %(number)d is now the current map.") % {"number": version.number})
    return redirect(url)


@campaign_role_required(Role.COORDINATOR)
@require_POST
def map_version_refresh(request: CampaignRequest, code: UUID) -> HttpResponse:
    version = access_map_version(request, code)
    try:
        services_maps.map_version_refresh(version=version, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.info(request, _("Compared again with the map and households as they are now."))
    return redirect("canvassing:map_version", campaign_slug=request.campaign.slug, code=version.code)


@campaign_role_required(Role.COORDINATOR)
@require_POST
def map_version_discard(request: CampaignRequest, code: UUID) -> HttpResponse:
    version = access_map_version(request, code)
    try:
        services_maps.map_version_discard(version=version, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("canvassing:map_version", campaign_slug=request.campaign.slug, code=version.code)
    messages.info(request, _("The draft was discarded; the map is as it was."))
    return redirect("canvassing:map_versions", campaign_slug=request.campaign.slug)


@campaign_role_required(Role.OWNER)
@require_http_methods(["GET", "POST"])
def map_settings(request: CampaignRequest) -> HttpResponse:
    instance = services_maps.canvassing_settings_for(request.campaign)
    form = MapSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services_maps.canvassing_settings_update(
                campaign=request.campaign,
                acting_user=request.user,
                map_tile_url=form.cleaned_data["map_tile_url"],
                map_tile_attribution=form.cleaned_data["map_tile_attribution"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Map settings saved."))
            return redirect("canvassing:map_versions", campaign_slug=request.campaign.slug)
    return render(request, "canvassing/maps/settings.html", {"form": form}, status=400 if form.errors else 200)


@campaign_role_required(Role.COORDINATOR)
def area_list(request: CampaignRequest) -> HttpResponse:
    current = selectors_maps.current_version(request.campaign)
    areas = selectors_maps.areas_with_counts(current) if current else None
    query = (request.GET.get("q") or "").strip()
    if areas is not None and query:
        areas = areas.filter(selectors_maps.area_filter(query))
    page = Paginator(areas, PAGE_SIZE).get_page(request.GET.get("page")) if areas is not None else None
    unplaced = (
        Household.objects.filter(campaign=request.campaign, area__isnull=True).count() if current is not None else 0
    )
    return render(
        request,
        "canvassing/maps/areas.html",
        {"current": current, "page": page, "query": query, "unplaced": unplaced},
    )


@campaign_role_required(Role.COORDINATOR)
def area_detail(request: CampaignRequest, code: UUID) -> HttpResponse:
    area = access_area(request, code)
    households = selectors_maps.area_households(area)
    total = households.count()
    points = [
        [lat, lon, status]
        for lat, lon, status in households.filter(latitude__isnull=False, longitude__isnull=False).values_list(
            "latitude", "longitude", "last_outcome"
        )[:MAP_MARKERS]
    ]
    tiles = services_maps.canvassing_settings_for(request.campaign)
    map_data = {
        "geometry": area.geometry,
        "households": points,
        "tiles": tiles.map_tile_url,
        "attribution": tiles.map_tile_attribution,
        "labels": {"household": _("Household")},
    }
    turfs = Turf.objects.filter(area=area).order_by("name")
    return render(
        request,
        "canvassing/maps/area.html",
        {
            "area": area,
            "total": total,
            "drawn": len(points),
            "capped": total > MAP_MARKERS,
            "map_data": map_data,
            "turfs": turfs,
            "has_map": bool(area.geometry or points),
        },
    )
